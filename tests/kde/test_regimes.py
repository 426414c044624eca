"""Thresholds of the KDE regimes (learntheory.kde.regimes) against independent computations.

Reference values: the table of the chapter's paper notes (/work/shared/papers/
kde-and-collapse.md, Sec. 1), printed to 4 decimals (3 for h_KL/h_G). A value rounded to
k decimals is within 0.5e-k of the truth, so the check is |ours - table| <= 0.5e-4
(plus 1e-12 for our own rounding).
"""

import math

import pytest
import torch
from scipy.optimize import minimize_scalar

import learntheory as lt

EPS = torch.finfo(torch.float64).eps

#: alpha, h_G, h_CLT, D_min, h_KL, h_KL/h_G, KL*/d
TABLE = [
    (0.1, 1.3708, 1.9386, 1.0786, 1.0386, 0.758, 0.1378),
    (0.2, 1.0457, 1.4788, 0.7951, 0.8917, 0.853, 0.0854),
    (0.3, 0.8677, 1.2272, 0.6140, 0.7836, 0.903, 0.0562),
    (0.5, 0.6521, 0.9223, 0.3874, 0.6224, 0.954, 0.0259),
    (1.0, 0.3721, 0.5262, 0.1364, 0.3693, 0.992, 0.0040),
]
ALPHAS = torch.tensor([row[0] for row in TABLE], dtype=torch.float64)


def test_thresholds_reproduce_the_table():
    """Every 4-decimal column to 0.5e-4 + 1e-12. The h_KL/h_G column was computed in the
    notes from the *rounded* h_KL and h_G (0.3693 / 0.3721 = 0.99248 -> 0.992, while the
    unrounded ratio is 0.99258): the rounded inputs move a ratio r ~ 1 by up to
    r (0.5e-4/h_KL + 0.5e-4/h_G) <= 2.8e-4 at alpha = 1, plus 0.5e-3 for its own rounding,
    so that column is checked to 7.8e-4."""
    t = torch.tensor([row[1:] for row in TABLE], dtype=torch.float64)
    hg, hc = lt.kde.glass_bandwidth(ALPHAS), lt.kde.clt_bandwidth(ALPHAS)
    dmin, hk = lt.kde.min_distance(ALPHAS), lt.kde.kl_bandwidth(ALPHAS)
    klstar = lt.kde.kl_per_dimension(hk, ALPHAS)
    tol = 0.5e-4 + 1e-12
    for col, ours in zip((0, 1, 2, 3, 5), (hg, hc, dmin, hk, klstar), strict=True):
        torch.testing.assert_close(ours, t[:, col], rtol=0, atol=tol)
    torch.testing.assert_close(hk / hg, t[:, 4], rtol=0, atol=7.8e-4)


def test_rarity_is_the_averaged_gaussian_kl():
    """Sigma(h) = E_x KL(N(x/(1+h^2), h^2/(1+h^2)) || N(0, 1)) per dimension, with
    E x^2 = 1: 0.5 [s^2 + E m^2 - 1 - ln s^2], an independent algebraic form; rounding of
    either form is a few eps times its largest term (ln terms ~ |ln h^2| + 1)."""
    h = torch.logspace(-2, 1.5, 60)
    u = h * h
    s2, m2 = u / (1 + u), 1 / (1 + u) ** 2
    ref = 0.5 * (s2 + m2 - 1 - torch.log(s2))
    torch.testing.assert_close(lt.kde.rarity(h), ref, rtol=0,
                               atol=float(16 * EPS * (1 + torch.log(u).abs().max())))
    sig = lt.kde.rarity(h)
    assert bool((sig[1:] < sig[:-1]).all())  # decreasing, as d Sigma / du < 0 says
    assert lt.kde.rarity(h).shape == h.shape


def test_glass_bandwidth_solves_sigma_equal_alpha():
    """Sigma(h_G) = alpha to 1e-12 over alpha from 1e-3 to 20 (bisection to the last ulp:
    |Sigma'| h * eps is ~ 1e-15 here); h_CLT / sqrt(2) solves the same equation."""
    alpha = torch.logspace(-3, math.log10(20.0), 80)
    hg = lt.kde.glass_bandwidth(alpha)
    torch.testing.assert_close(lt.kde.rarity(hg), alpha, rtol=1e-12, atol=0)
    torch.testing.assert_close(lt.kde.rarity(lt.kde.clt_bandwidth(alpha) / math.sqrt(2)), alpha,
                               rtol=1e-12, atol=0)
    assert torch.equal(lt.kde.clt_bandwidth(alpha), math.sqrt(2) * hg)
    assert bool((hg[1:] < hg[:-1]).all())
    assert lt.kde.glass_bandwidth(torch.tensor(0.3, dtype=torch.float32)).dtype == torch.float32
    assert lt.kde.glass_bandwidth(ALPHAS.reshape(5, 1)).shape == (5, 1)


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.3, 0.5, 1.0, 2.0])
def test_min_distance_is_the_constrained_minimum(alpha, constrained_min):
    """The objective is quadratic at its minimum, so xatol = 1e-10 on a moves the minimum
    value by ~ f'' xatol^2 ~ 1e-20; brentq's b is within 1e-15: agreement to 1e-12."""
    assert float(lt.kde.min_distance(alpha)) == pytest.approx(constrained_min(alpha), abs=1e-12)


def test_kl_branches_meet_at_the_glass_bandwidth():
    """Just below and at h_G the two branches differ by |dKL/dh| * dh <= 1 * 1e-12 h_G plus
    rounding: continuity to 1e-11. (Algebraically the condensed branch at h_G equals the
    smoothing branch once Sigma(h_G) = alpha is used.)"""
    hg = lt.kde.glass_bandwidth(ALPHAS)
    below = lt.kde.kl_per_dimension(hg * (1 - 1e-12), ALPHAS)
    at = lt.kde.kl_per_dimension(hg, ALPHAS)
    torch.testing.assert_close(below, at, rtol=0, atol=1e-11)
    # the smoothing branch (h >= h_G) is the closed-form Gaussian KL of N(0, I) || N(0, (1+h^2) I)
    h = hg * 1.3
    u = h * h
    ref = 0.5 * (1 / (1 + u) - 1 + torch.log(1 + u))
    torch.testing.assert_close(lt.kde.kl_per_dimension(h, ALPHAS), ref, rtol=0, atol=8 * EPS)


@pytest.mark.parametrize("alpha", [0.1, 0.3, 1.0])
def test_kl_bandwidth_minimises_kl(alpha):
    """scipy's bounded minimiser on kl_per_dimension: at a minimum f(h) ~ f* + f''(dh)^2/2
    with f'' = 2/D_min, so rounding (eps |f|) hides dh below sqrt(eps |f| D_min) ~ 1e-8;
    xatol 1e-10: agreement to 1e-6. The minimum value is alpha + ln(D_min)/2 to 1e-12.
    h_KL lies below h_G (condensed)."""
    res = minimize_scalar(lambda h: float(lt.kde.kl_per_dimension(h, alpha)),
                          bounds=(0.05, 4.0), method="bounded", options={"xatol": 1e-10})
    hk = float(lt.kde.kl_bandwidth(alpha))
    assert res.x == pytest.approx(hk, abs=1e-6)
    assert res.fun == pytest.approx(alpha + 0.5 * math.log(float(lt.kde.min_distance(alpha))),
                                    abs=1e-12)
    assert hk < float(lt.kde.glass_bandwidth(alpha))


def test_effective_alpha():
    """alpha - ln d / 2d by hand: ln 24 = 3.1780538303479458, / 48 = 0.066209454798915."""
    assert float(lt.kde.effective_alpha(0.5, 24)) == pytest.approx(0.5 - 0.066209454798915,
                                                                    abs=1e-14)
    out = lt.kde.effective_alpha(ALPHAS, 40)
    assert out.shape == ALPHAS.shape


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="The 'alpha' parameter of glass_bandwidth must be > 0"):
        lt.kde.glass_bandwidth(torch.tensor([0.3, -0.1]))
    with pytest.raises(ValueError, match="'alpha' parameter of min_distance|glass_bandwidth"):
        lt.kde.min_distance(0.0)
    with pytest.raises(ValueError, match="The 'h' parameter of rarity must be finite"):
        lt.kde.rarity(torch.tensor([float("nan")]))
    with pytest.raises(TypeError, match="The 'h' parameter of kl_per_dimension must"):
        lt.kde.kl_per_dimension("0.5", 0.3)
    with pytest.raises(TypeError, match="'alpha' parameter of glass_bandwidth must have a float"):
        lt.kde.glass_bandwidth(torch.tensor([1, 2]))
    with pytest.raises(ValueError, match="The 'd' parameter of effective_alpha"):
        lt.kde.effective_alpha(0.3, 0)
