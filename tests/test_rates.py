"""Power-law fits: exact on exact power laws, standard error against the OLS formula."""

import math

import numpy as np
import pytest
import torch

import learntheory as lt


def test_exact_power_law_is_recovered_to_float_precision():
    x = torch.tensor([16.0, 64.0, 256.0, 1024.0])
    fit = lt.loglog_slope(x, 3.0 * x**-0.5)
    assert abs(fit.slope + 0.5) < 1e-13 and abs(fit.intercept - math.log(3.0)) < 1e-12
    assert fit.stderr < 1e-13
    torch.testing.assert_close(fit.predict(x), 3.0 * x.double() ** -0.5)


def test_slope_and_stderr_match_numpy_polyfit(gen):
    """np.polyfit(cov='unscaled') * RSS/(m-2) is the textbook OLS slope variance."""
    x = torch.logspace(0, 3, 12, dtype=torch.float64)
    y = x**-1.0 * torch.exp(0.1 * torch.randn(12, generator=gen))
    fit = lt.loglog_slope(x, y)
    coef, cov = np.polyfit(np.log(x.numpy()), np.log(y.numpy()), 1, cov=True)
    assert fit.slope == pytest.approx(coef[0], rel=1e-12)
    assert fit.stderr == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-10)


def test_bad_inputs():
    with pytest.raises(ValueError, match="'y' parameter of loglog_slope must be positive"):
        lt.loglog_slope([1, 2, 3], [1.0, -1.0, 2.0])
    with pytest.raises(ValueError, match="same length"):
        lt.loglog_slope([1, 2, 3], [1.0, 2.0])
    with pytest.raises(ValueError, match="at least 2 points"):
        lt.loglog_slope([1], [1.0])
    with pytest.raises(ValueError, match="two distinct"):
        lt.loglog_slope([2, 2], [1.0, 3.0])
