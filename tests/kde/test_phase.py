"""The phase diagram and finite-d bandwidth grids (learntheory.kde.phase).

Oracles independent of the library's bisection: scipy's brentq for Sigma(h_G) = alpha and a
bounded scalar minimisation for the constrained minimum D_min (as in test_regimes.py).
"""

import math

import pytest
import torch
from scipy.optimize import brentq

import learntheory as lt


def _brentq_glass(alpha: float) -> float:
    """h_G by scipy's brentq on the rarity written out here (xtol 1e-15)."""
    def sigma(h):
        u = h * h
        return 0.5 * (math.log1p(1 / u) - u / (1 + u) ** 2) - alpha
    return brentq(sigma, 1e-6, 1e3, xtol=1e-15, rtol=1e-15)


def test_every_field_of_the_phase_diagram(constrained_min):
    """h_G and h_CLT / sqrt(2) against brentq (1e-12: both solve to ~1e-15); h_KL^2 against the
    constrained minimum (tests/kde/conftest.py, 1e-12); e^{-alpha} against Scott's rule at
    n = e^{alpha d}, d = 1e6, whose exponent alpha d/(d+4) differs by 4 alpha / d (relative
    error <= 4 alpha / d + 1e-12)."""
    alphas = torch.tensor([0.1, 0.4, 1.5], dtype=torch.float64)
    pd = lt.kde.phase_diagram(alphas)
    torch.testing.assert_close(pd.alpha, alphas, rtol=0, atol=0)
    ref_g = torch.tensor([_brentq_glass(float(a)) for a in alphas], dtype=torch.float64)
    torch.testing.assert_close(pd.glass, ref_g, rtol=1e-12, atol=0)
    torch.testing.assert_close(pd.clt / math.sqrt(2), ref_g, rtol=1e-12, atol=0)
    ref_kl2 = torch.tensor([constrained_min(float(a)) for a in alphas], dtype=torch.float64)
    torch.testing.assert_close(pd.kl**2, ref_kl2, rtol=0, atol=1e-12)
    d = 10**6
    scott = torch.tensor([math.exp(-float(a) * d / (d + 4)) for a in alphas],
                         dtype=torch.float64)
    torch.testing.assert_close(pd.scott_limit, scott, rtol=4 * 1.5 / d + 1e-12, atol=0)
    with pytest.raises(ValueError, match="'alpha' parameter of phase_diagram"):
        lt.kde.phase_diagram(torch.tensor([0.2, 0.0], dtype=torch.float64))


def test_bandwidths_at_ratios():
    """r h_G(alpha_eff): Sigma(h / r) = alpha - ln d / 2d to 1e-12 (as for glass_bandwidth);
    a list gives the same as a tensor; alpha_eff <= 0 is refused naming 'd'."""
    r = torch.tensor([0.5, 1.0, 1.4], dtype=torch.float64)
    h = lt.kde.bandwidths_at_ratios(r, 0.3, 30)
    a_eff = 0.3 - math.log(30) / 60
    torch.testing.assert_close(lt.kde.rarity(h / r), torch.full((3,), a_eff), rtol=1e-12, atol=0)
    assert torch.equal(lt.kde.bandwidths_at_ratios([0.5, 1.0, 1.4], 0.3, 30), h)
    with pytest.raises(ValueError, match="The 'd' parameter of bandwidths_at_ratios"):
        lt.kde.bandwidths_at_ratios(0.5, 0.05, 4)
    with pytest.raises(TypeError, match="The 'ratios' parameter of bandwidths_at_ratios"):
        lt.kde.bandwidths_at_ratios("1", 0.3, 30)
