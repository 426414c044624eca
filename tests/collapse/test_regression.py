"""Replace vs accumulate in fixed-design least squares (learntheory.collapse.regression).

* A replay of the generator into NumPy least squares on the stacked designs (accumulate)
  or the last labels (replace): float64, T x d <= 12 x 3 well-conditioned designs, so
  agreement to 1e-9 relative (cond(X) <= ~10 amplifies the 1e-12 floor).
* Monte Carlo: the mean risk over 2e4 independent chains against c n and c sum 1/i^2 at
  5 standard errors (sample std; assert_close_mc).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc

CHAINS = 20_000


@pytest.mark.parametrize("mode", ["replace", "accumulate"])
def test_the_loop_is_least_squares_on_the_stacked_data(mode):
    t, d, chains, n = 12, 3, 4, 5
    cfg = lt.collapse.RegressionLoop(t, d, noise=0.7, mode=mode)
    hist = lt.collapse.simulate(cfg, n, n_chains=chains, dtype=torch.float64,
                                generator=lt.make_generator(5))
    g = lt.make_generator(5)
    x = torch.randn(chains, t, d, generator=g, dtype=torch.float64).numpy()
    w_star = torch.randn(chains, d, generator=g, dtype=torch.float64).numpy() / math.sqrt(d)
    w = w_star.copy()
    labels = [[] for _ in range(chains)]
    for i in range(1, n + 1):
        e = torch.randn(chains, t, generator=g, dtype=torch.float64).numpy()
        for c in range(chains):
            y = x[c] @ w[c] + 0.7 * e[c]
            labels[c].append(y)
            if mode == "replace":
                w[c] = np.linalg.lstsq(x[c], y, rcond=None)[0]
            else:
                big_x = np.concatenate([x[c]] * len(labels[c]))
                w[c] = np.linalg.lstsq(big_x, np.concatenate(labels[c]), rcond=None)[0]
        risk = ((w - w_star) ** 2).sum(1)
        np.testing.assert_allclose(hist["risk"][i].numpy(), risk, rtol=1e-9)
    assert float(hist["risk"][0].abs().max()) == 0.0


@pytest.mark.parametrize("mode", ["replace", "accumulate"])
def test_mean_risk_against_the_exact_law(mode, device):
    cfg = lt.collapse.RegressionLoop(30, 8, noise=1.3, mode=mode)
    hist = lt.collapse.simulate(cfg, 12, n_chains=CHAINS, dtype=torch.float64, device=device,
                                generator=lt.make_generator(0, device))
    risk = hist["risk"][1:].cpu()
    law = lt.collapse.regression_risk(cfg, 12)[1:]
    assert_close_mc(risk.mean(1), law, risk.std(1), CHAINS)


def test_the_laws_and_the_bound():
    cfg = lt.collapse.RegressionLoop(50, 10, noise=2.0, mode="accumulate")
    c = 4.0 * 10 / 39
    acc = lt.collapse.regression_risk(cfg, 1000)
    rep = lt.collapse.regression_risk(lt.collapse.RegressionLoop(50, 10, 2.0), 3)
    assert torch.allclose(rep, c * torch.arange(4.0, dtype=torch.float64))
    assert float(acc[1]) == pytest.approx(c) and float(acc[2]) == pytest.approx(1.25 * c)
    assert float(acc.max()) < math.pi**2 / 6 * c  # the bound holds at every n
    assert float(acc[-1]) == pytest.approx(math.pi**2 / 6 * c, rel=1e-3)  # tail ~ c/n


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="n_train"):
        lt.collapse.RegressionLoop(5, 4)  # fewer samples than parameters + 2
    with pytest.raises(ValueError, match="noise"):
        lt.collapse.RegressionLoop(20, 4, noise=-0.1)
    with pytest.raises(ValueError, match="mode"):
        lt.collapse.RegressionLoop(20, 4, mode="keep")
    with pytest.raises(TypeError, match="dim"):
        lt.collapse.RegressionLoop(20, 4.0)
