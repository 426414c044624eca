"""Closed forms of curated retraining (learntheory.collapse.curated_laws), Ferbach2024.

* H^K by its integral formula against exact enumeration of the K - 1 other candidates.
* The finite-K inequality E_{p^}[e^r] >= E_p[e^r] + (K-1)/K Var_p[e^r] / e^{r*} on random
  laws, and a law that violates the variant normalised by E_p[e^r].
* K -> infinity: H^K -> e^r / E e^r at rate 1/K with the delta-method coefficient;
  p_t = p_0 e^{tr} / Z maximises E_p r - KL(p || p_0) / t (the exact variational identity).
* The fixed point with real data: the closed form is a fixed point of the perfect-learner
  map, the iteration converges to it, and Z* agrees with SciPy's brentq.
* The toy's atoms against samples of the data, and the perfect learner's path against the
  iterated closed forms.

Float floor of choice_factor: see tests/collapse/test_curation.py (rtol = 4 NODES eps).
"""

import math

import torch
from curation_common import _enumerated_factor, _random_law
from scipy.optimize import brentq

import learntheory as lt
from learntheory._core.testing import assert_close_mc

C = lt.collapse
EPS = torch.finfo(torch.float64).eps
RTOL_H = 4 * 3000 * EPS







def test_choice_factor_matches_exact_enumeration():
    """Random laws on 5 atoms (rewards spread over 4 and over 30 nats), K = 1..5: the
    integral formula against enumeration, to RTOL_H; and E_p H^K = 1."""
    g = lt.make_generator(1)
    for spread in (4.0, 30.0):
        p, r = _random_law(g, 5, spread)
        for k in range(1, 6):
            h = C.choice_factor(p, r, k)
            torch.testing.assert_close(h, _enumerated_factor(p, r, k), rtol=RTOL_H, atol=0)
            assert abs(float((p * h).sum()) - 1) < RTOL_H


def test_finite_k_reward_inequality_and_a_counterexample_to_its_variant():
    """Book theorem (derived after Ferbach2024): on 150 random laws (2..6 atoms, Dirichlet
    1/2 weights) and K in {2, 3, 5, 10}, E_{p H^K}[e^r] >= reward_gain_bound up to RTOL_H
    of the left side (the bound is mathematically >=, only rounding can cross it). The
    variant with E_p[e^r] in place of e^{r*} fails for p = (0.9, 0.1), e^r = (0.01, 1), K = 2:
    E_{p^} e^r = 0.196 against the variant's 0.514 (far beyond rounding)."""
    g = lt.make_generator(5)
    margins = []
    for _ in range(150):
        m = int(torch.randint(2, 7, (1,), generator=g))
        p, r = _random_law(g, m)
        for k in (2, 3, 5, 10):
            lhs = float((p * C.choice_factor(p, r, k) * r.exp()).sum())
            margins.append((lhs - float(C.reward_gain_bound(p, r, k))) / lhs)
    assert min(margins) >= -RTOL_H
    assert max(margins) > 0.1  # not vacuous: the bound is strict somewhere
    p, r = torch.tensor([0.9, 0.1]), torch.tensor([math.log(0.01), 0.0])
    a = r.exp()
    lhs = float((p * C.choice_factor(p, r, 2) * a).sum())
    mean = float((p * a).sum())
    variant = mean + 0.5 * float((p * (a - mean) ** 2).sum()) / mean
    assert lhs < variant - 0.3
    assert lhs >= float(C.reward_gain_bound(p, r, 2))


def test_choice_factor_tends_to_the_exponential_tilt_at_rate_one_over_k():
    """Delta method: with a = e^r, mu = E_p a, v = Var_p a,
    H^K(x) = a/mu + (a/mu)((mu - a)/mu + v/mu^2)/K + O(1/K^2). So the rescaled remainder
    d(K) = max |K (H^K - a/mu) - c1| is O(1/K): d(4000) = d(1000)/4 (1 + O(1/K)); we
    require d(4000) <= d(1000)/3, which a wrong first-order coefficient (d -> constant)
    fails. And the K = inf factor is exactly a/mu."""
    g = lt.make_generator(7)
    p, r = _random_law(g, 6, 3.0)
    a = r.exp()
    mu, v = (p * a).sum(), (p * (a - (p * a).sum()) ** 2).sum()
    c1 = (a / mu) * ((mu - a) / mu + v / mu**2)

    def d(k):
        return float((k * (C.choice_factor(p, r, k) - a / mu) - c1).abs().max())

    assert d(4000) <= d(1000) / 3
    torch.testing.assert_close(C.choice_factor(p, r, math.inf), a / mu, rtol=4 * EPS, atol=0)


def test_tilted_law_is_the_k_infinity_law_and_a_kl_regularised_optimum():
    """t rounds of the K = inf perfect learner equal p_0 e^{tr}/Z (t multiplications, t
    normalisations: rtol 4 t m eps); and for random q, E_q r - KL(q || p_0)/t =
    ln Z_t / t - KL(q || p_t)/t exactly (Gibbs variational identity), so p_t is the
    maximiser."""
    g = lt.make_generator(8)
    p0, r = _random_law(g, 6, 3.0)
    p0 = (p0 + 0.01) / (p0 + 0.01).sum()
    t = 5
    p = p0
    for _ in range(t):
        p = C.retrained_law(p, r, math.inf)
    pt = C.tilted_law(p0, r, t)
    torch.testing.assert_close(p, pt, rtol=4 * t * 6 * EPS, atol=0)
    log_z = float(torch.logsumexp(p0.log() + t * r, 0))
    for _ in range(5):
        q = torch.rand(6, generator=g)
        q = q / q.sum()
        left = float((q * r).sum() - (q * (q / p0).log()).sum() / t)
        right = log_z / t - float((q * (q / pt).log()).sum()) / t
        assert abs(left - right) < 100 * EPS * (1 + abs(log_z))
        assert left <= float((pt * r).sum() - (pt * (pt / p0).log()).sum() / t) + 1e-14


def test_fixed_point_with_real_data():
    """lambda in {0.5, 2, 10}: p* sums to 1 and E_{p*} e^r = Z* (to 200-step bisection
    precision, 2^-200, i.e. rounding: 4 m eps); Z* against brentq on the same equation;
    p* is a fixed point of p -> (p_data + lambda p e^r / E_p e^r)/(1 + lambda) (rounding);
    300 iterations from p_data reach it (contraction factor lambda/(1+lambda) <= 0.91, so
    0.91^300 ~ 1e-12, plus rounding)."""
    g = lt.make_generator(9)
    p_data, r = _random_law(g, 7, 3.0)
    m = 7
    for lam in (0.5, 2.0, 10.0):
        p_star, z = C.fixed_point_law(p_data, r, lam)
        a = r.exp()
        assert abs(float(p_star.sum()) - 1) < 4 * m * EPS * (1 + lam)
        assert abs(float((p_star * a).sum() - z)) < 4 * m * EPS * (1 + lam)
        ref = brentq(lambda zz, lam=lam, a=a: float((p_data / (1 + lam - lam * a / zz))
                                                   .sum()) - 1,
                     lam * float(a.max()) / (1 + lam) * (1 + 1e-15), float(a.max()),
                     xtol=1e-15, rtol=4 * EPS)
        assert abs(float(z) - ref) < 1e-13
        mapped = C.retrained_law(p_star, r, math.inf, lam, p_data)
        torch.testing.assert_close(mapped, p_star, rtol=0, atol=16 * m * EPS * (1 + lam))
        p = p_data
        for _ in range(300):
            p = C.retrained_law(p, r, math.inf, lam, p_data)
        torch.testing.assert_close(p, p_star, rtol=0, atol=1e-11)


def test_toy_atoms_match_samples_of_the_data():
    """The atoms' law of (mode, r) against 200000 draws of the data mixture: the mean of r
    within each mode (the draw's mode is its angular sector; a draw crosses into another
    sector with probability ~Phi(-3.8) ~ 7e-5, far below the SE) and the overall E e^r,
    each within 5 standard errors of the draws' own spread."""
    cfg = C.CurationLoop()
    atoms = C.toy_atoms(cfg)
    x = cfg.data_mixture(1).sample(200_000, generator=lt.make_generator(13))[0]
    r = C.distance_reward(x)
    sector = torch.remainder(torch.round(torch.atan2(x[:, 1], x[:, 0]) * 8 / (2 * math.pi)),
                             8).long()
    for j in range(8):
        rj = r[sector == j]
        in_j = atoms.mode == j
        exact = (atoms.probs[in_j] * atoms.reward[in_j]).sum() / atoms.probs[in_j].sum()
        assert_close_mc(rj.mean(), exact, rj.std(), rj.numel())
    a = r.exp()
    assert_close_mc(a.mean(), (atoms.probs * atoms.reward.exp()).sum(), a.std(), a.numel())


def test_perfect_learner_path_matches_iterated_closed_forms():
    """perfect_learner_path's rows are the moments of retrained_law iterated on toy_atoms
    (the same sums: rtol m eps), start at E_data r of the atoms, and its K = inf,
    lambda = inf path is the tilted law's (rtol 4 t m eps)."""
    cfg = C.CurationLoop(n_candidates=2, synthetic_ratio=1.5)
    path = C.perfect_learner_path(cfg, 3, n_grid=50)
    atoms = C.toy_atoms(cfg, n_grid=50)
    p = atoms.probs
    for t in range(4):
        assert abs(float(path["mean_reward"][t] - (p * atoms.reward).sum())) < 1e-12
        torch.testing.assert_close(path["mode_weights"][t], atoms.mode_weights(p),
                                   rtol=400 * EPS, atol=1e-15)
        p = C.retrained_law(p, atoms.reward, 2, 1.5, atoms.probs)
        p = p / p.sum()
