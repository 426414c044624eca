"""Bootstrap tools (learntheory.collapse.bootstrap).

* The out-of-bag fraction (1 - 1/n)^n against Monte Carlo resamples (the per-resample
  missing fraction is an average of n indicators; 5 standard errors over 4000 resamples).
* The bootstrap variance of a mean is exactly the divide-by-n variance over n: the
  replicates' variance estimates it with relative standard error sqrt(2/(B-1)) (normal
  theory for B replicates; the replicates are near-normal means), tested at 5 of those.
* The percentile interval against torch.quantile of the replicates (same numbers).
"""

from __future__ import annotations

import math

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc


@pytest.mark.parametrize("n", [5, 40])
def test_out_of_bag_fraction_against_resamples(n):
    b = 4000
    idx = torch.randint(n, (b, n), generator=lt.make_generator(n))
    hit = torch.zeros(b, n).scatter_(1, idx, 1.0)
    missing = 1 - hit.mean(1)
    assert_close_mc(missing.double().mean(), torch.tensor(lt.collapse.out_of_bag_fraction(n),
                    dtype=torch.float64), missing.double().std(), b)
    assert lt.collapse.out_of_bag_fraction(1) == 0.0
    assert lt.collapse.out_of_bag_fraction(10**7) == pytest.approx(math.exp(-1), rel=1e-6)


def test_bootstrap_variance_of_a_mean_is_the_plug_in_variance(device):
    n, b = 60, 3000
    values = torch.randn(4, n, generator=lt.make_generator(0, device), device=device,
                         dtype=torch.float64).exp()  # skewed data, 4 independent sets
    res = lt.collapse.bootstrap_interval(values, n_boot=b, generator=lt.make_generator(1, device))
    exact = values.var(1, correction=0) / n
    rel = (res.std**2 / exact - 1).abs()
    assert float(rel.max()) < 5 * math.sqrt(2 / (b - 1))
    assert torch.allclose(res.estimate, values.mean(1))
    q = torch.quantile(res.replicates, torch.tensor([0.025, 0.975], dtype=torch.float64,
                                                    device=device), dim=0)
    assert torch.allclose(res.low, q[0], rtol=1e-15) and torch.allclose(res.high, q[1], rtol=1e-15)
    assert bool((res.low < res.estimate).all() and (res.estimate < res.high).all())


def test_a_custom_statistic_and_err632():
    values = torch.arange(11.0, dtype=torch.float64)
    res = lt.collapse.bootstrap_interval(values, statistic=lambda v: v.median(-1).values,
                                         n_boot=200, generator=lt.make_generator(0))
    assert float(res.estimate) == 5.0 and res.replicates.shape == (200,)
    assert lt.collapse.err632(0.1, 0.3) == pytest.approx(0.368 * 0.1 + 0.632 * 0.3)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="values"):
        lt.collapse.bootstrap_interval(torch.ones(1))
    with pytest.raises(ValueError, match="values"):
        lt.collapse.bootstrap_interval(torch.tensor([1.0, math.nan]))
    with pytest.raises(ValueError, match="level"):
        lt.collapse.bootstrap_interval(torch.ones(3), level=1.5)
    with pytest.raises(ValueError, match="n_boot"):
        lt.collapse.bootstrap_interval(torch.ones(3), n_boot=1)
    with pytest.raises(ValueError, match="oob_error"):
        lt.collapse.err632(0.1, -0.2)
    with pytest.raises(ValueError, match="'n'"):
        lt.collapse.out_of_bag_fraction(0)
