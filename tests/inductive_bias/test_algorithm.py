"""The estimator end to end: condition, sample, score, fit, bootstrap, exact law.

On the coordinate toy the exact law has a closed form (SciPy's ncx2), which the
estimator's exact bits must reproduce through the whole GP route (Cholesky, eigenvectors,
inversion) to 1e-8 relative; the fitted bits must be within 5 bootstrap standard errors.
"""

from __future__ import annotations

import math

import pytest
import torch
from scipy import stats

import learntheory as lt

ib = lt.inductive_bias


def _toy(device="cpu"):
    return ib.coordinate_toy(60, 20, generator=lt.make_generator(1, device))


def test_exact_bits_are_the_closed_form_and_the_estimate_matches():
    toy = _toy()
    eps = 0.25
    est = ib.InductiveBias(toy.kernel, epsilon=eps, n_hypotheses=10_000, n_boot=100).fit(
        toy.x_train, toy.y_train, toy.x_test, toy.y_test, generator=lt.make_generator(2))
    law = toy.law
    closed = -stats.ncx2.logcdf(eps / law.weights.item(), law.dofs.item(),
                                law.noncentralities.item()) / math.log(2)
    assert est.exact_.bits == pytest.approx(closed, rel=1e-8)
    assert est.exact_.bits > 20
    assert abs(est.bits_ - closed) < 5 * est.estimate_.se
    assert est.errors_.shape == (10_000,)
    fitted, exact = est.bits(0.4, generator=lt.make_generator(3))
    assert exact.bits < est.exact_.bits and abs(fitted.bits - exact.bits) < 5 * fitted.se


def test_the_estimate_ignores_the_order_of_training_points():
    toy = _toy()
    order = torch.randperm(20, generator=torch.Generator().manual_seed(5))
    runs = []
    for idx in (torch.arange(20), order):
        est = ib.InductiveBias(toy.kernel, epsilon=0.25, n_hypotheses=2000, n_boot=20).fit(
            toy.x_train[idx], toy.y_train[idx], toy.x_test, toy.y_test,
            generator=lt.make_generator(7))
        runs.append(est)
    # same generator, same posterior up to rounding: the same errors and the same bits
    assert torch.allclose(runs[0].errors_, runs[1].errors_, rtol=1e-9)
    assert runs[0].bits_ == pytest.approx(runs[1].bits_, rel=1e-7)
    assert runs[0].exact_.bits == pytest.approx(runs[1].exact_.bits, rel=1e-9)


def test_unattainable_targets_and_bad_settings_are_refused():
    toy = _toy()
    x_test = torch.cat([toy.x_train[:1], toy.x_test])
    y_test = torch.cat([toy.y_train[:1] + 1.0, toy.y_test])  # a label no hypothesis fits
    # 1/61 of squared error 1 at the pinned input: no hypothesis goes below 1/61
    est = ib.InductiveBias(toy.kernel, epsilon=0.01, n_hypotheses=100, n_boot=5)
    with pytest.raises(ValueError, match="'epsilon'.*smallest attainable error 0.0163"):
        est.fit(toy.x_train, toy.y_train, x_test, y_test)
    with pytest.raises(ValueError, match="'n_hypotheses'"):
        ib.InductiveBias(toy.kernel, epsilon=0.1, n_hypotheses=10)
    with pytest.raises(ValueError, match="'epsilon'"):
        ib.InductiveBias(toy.kernel, epsilon=0.0)
    with pytest.raises(TypeError, match="'kernel'"):
        ib.InductiveBias(None, epsilon=0.1)
    with pytest.raises(ValueError, match="'method'"):
        ib.InductiveBias(toy.kernel, epsilon=0.1, method="exact")
    with pytest.raises(ValueError, match="fit\\(\\) first"):
        est.bits(0.1)
    with pytest.raises(ValueError, match="'kernel'.*positive definite"):
        ib.InductiveBias(lambda a, b: -toy.kernel(a, b), epsilon=0.1, n_hypotheses=30).fit(
            toy.x_train, toy.y_train, toy.x_test, toy.y_test)


def test_same_estimate_on_every_device(device):
    toy = _toy(device)
    assert toy.x_train.device.type == torch.device(device).type
    est = ib.InductiveBias(toy.kernel, epsilon=0.25, n_hypotheses=5000, n_boot=50).fit(
        toy.x_train, toy.y_train, toy.x_test, toy.y_test,
        generator=lt.make_generator(2, device))
    assert est.errors_.device.type == torch.device(device).type
    assert est.exact_.bits == pytest.approx(ib.law_bits(toy.law, 0.25).bits, rel=1e-8)
    assert abs(est.bits_ - est.exact_.bits) < 5 * est.estimate_.se
