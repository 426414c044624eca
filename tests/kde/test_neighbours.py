"""Kernel weights at a query point and the regime of a bandwidth (learntheory.kde.neighbours)."""

import math

import pytest
import torch

import learntheory as lt


def test_kernel_weights_against_explicit_gaussians(gen):
    """w_ij = N(x_i; y_j, h^2 I) / sum_l N(x_i; y_l, h^2 I), with explicit differences in
    float64: the softmax and the brute force agree to the Gram-trick bound
    2 (d + 2) eps max(|x|^2 + |y|^2) / 2h^2 relative per weight (here < 1e-12)."""
    x, y = torch.randn(3, 5, generator=gen), torch.randn(40, 5, generator=gen)
    h = 0.8
    k = torch.exp(-((x[:, None, :] - y[None, :, :]) ** 2).sum(-1) / (2 * h * h))
    ref = k / k.sum(1, keepdim=True)
    got = lt.kde.kernel_weights(x, y, bandwidth=h)
    torch.testing.assert_close(got, ref, rtol=1e-12, atol=0)
    torch.testing.assert_close(got.sum(1), torch.ones(3), rtol=0, atol=1e-14)


def test_weights_stay_finite_where_every_kernel_underflows(gen):
    """d = 400, h = 0.1: every exp(-|x - y|^2 / 2h^2) is 0 in float64, the weights are not."""
    x, y = torch.randn(1, 400, generator=gen), torch.randn(30, 400, generator=gen)
    assert float(torch.exp(-((x - y) ** 2).sum(1) / 0.02).max()) == 0.0
    w = lt.kde.kernel_weights(x, y, bandwidth=0.1)
    assert bool(torch.isfinite(w).all()) and abs(float(w.sum()) - 1) < 1e-12
    assert int(w.argmax()) == int(((x - y) ** 2).sum(1).argmin())   # the nearest point wins


def test_nearest_weights_replays_its_generator_and_classifies_the_regime():
    alpha, d, h = 0.3, 20, 0.6
    res = lt.kde.nearest_weights(alpha, d, h, generator=lt.make_generator(4))
    gen = lt.make_generator(4)
    n = round(math.exp(alpha * d))
    data, x = torch.randn(n, d, generator=gen), torch.randn(1, d, generator=gen)
    torch.testing.assert_close(res.weights, lt.kde.kernel_weights(x, data, bandwidth=h)[0],
                               rtol=0, atol=0)
    a_eff = alpha - math.log(d) / (2 * d)
    assert res.n == n and res.alpha_eff == pytest.approx(a_eff, rel=1e-14)
    assert res.glass == float(lt.kde.glass_bandwidth(a_eff))
    assert res.clt == pytest.approx(math.sqrt(2) * res.glass, rel=1e-14)
    assert res.participation_ratio == pytest.approx(float((res.weights**2).sum()), rel=1e-14)
    assert res.regime == "condensed" and h < res.glass


def test_kde_regime_boundaries():
    """Just below / above h_G and h_CLT (relative offsets 1e-9, far above the 1e-12
    accuracy of the thresholds)."""
    a = 0.5
    hg, hc = float(lt.kde.glass_bandwidth(a)), float(lt.kde.clt_bandwidth(a))
    assert lt.kde.kde_regime(hg * (1 - 1e-9), a) == "condensed"
    assert lt.kde.kde_regime(hg * (1 + 1e-9), a) == "heavy-tailed"
    assert lt.kde.kde_regime(hc * (1 - 1e-9), a) == "heavy-tailed"
    assert lt.kde.kde_regime(hc * (1 + 1e-9), a) == "CLT"
    with pytest.raises(ValueError, match="'bandwidth' parameter of kde_regime must be > 0"):
        lt.kde.kde_regime(0.0, a)
    with pytest.raises(ValueError, match="'d' parameter of nearest_weights must leave"):
        lt.kde.nearest_weights(0.01, 60, 1.0)
