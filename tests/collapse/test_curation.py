"""Curated retraining (learntheory.collapse.curation), Ferbach2024 with Luce1959 choices.

* H^K by its integral formula against exact enumeration of the K - 1 other candidates.
* Luce choices among K draws of a discrete law against p H^K (Monte Carlo, 5 SE).
* The finite-K inequality E_{p^}[e^r] >= E_p[e^r] + (K-1)/K Var_p[e^r] / e^{r*} on random
  laws, and a law that violates the variant normalised by E_p[e^r].
* K -> infinity: H^K -> e^r / E e^r at rate 1/K with the delta-method coefficient;
  p_t = p_0 e^{tr} / Z maximises E_p r - KL(p || p_0) / t (the exact variational identity).
* The fixed point with real data: the closed form is a fixed point of the perfect-learner
  map, the iteration converges to it, and Z* agrees with SciPy's brentq.
* The loop: one generation replayed from the generator, with the refit checked against
  scikit-learn's EM; the curated samples' E e^r and the refitted best-mode weight against
  the atoms' closed form (Monte Carlo, 5 SE).
* Bad input names the parameter; the loop runs on every device.

Float floor of choice_factor: the trapezoid rule in v = ln u with step h = 0.02 on an
integrand analytic in the strip |Im v| < pi/2 has error ~ exp(-pi^2 / h) (negligible); the
truncations are below 1e-17 relative by construction; rounding comes from a log-sum-exp over
at most NODES = 3000 nodes (range <= 60 in v for these inputs), so rtol = 4 NODES eps.
"""

import math
import warnings

import numpy as np
import pytest
import torch
from curation_common import _random_law
from sklearn.mixture import GaussianMixture as SkGaussianMixture

import learntheory as lt
from learntheory._core.testing import assert_close_mc

C = lt.collapse
EPS = torch.finfo(torch.float64).eps
RTOL_H = 4 * 3000 * EPS






def test_luce_choices_sample_the_curated_law():
    """K = 3 draws from p on 5 atoms, keep one by luce_choice, 200000 groups: each atom's
    frequency within 5 binomial standard errors sqrt(q (1 - q)) of q = p H^K."""
    g = lt.make_generator(2)
    p, r = _random_law(g, 5, 3.0)
    k, n = 3, 200_000
    idx = torch.multinomial(p, n * k, replacement=True, generator=g).reshape(n, k)
    kept = idx.gather(1, C.luce_choice(r[idx], generator=g)[:, None])[:, 0]
    freq = torch.bincount(kept, minlength=5).double() / n
    q = p * C.choice_factor(p, r, k)
    assert_close_mc(freq, q, (q * (1 - q)).sqrt(), n)
    assert float((q - p).abs().max()) > 20 * float((q * (1 - q)).sqrt().max()) / math.sqrt(n)


@pytest.mark.parametrize("ratio, n_cur, n_real", [(math.inf, 400, 400), (3.0, 300, 100)])
def test_one_generation_replayed_against_scikit_learn(ratio, n_cur, n_real):
    """K = 3, 2 chains: replay the generator (real set, candidates of p_0; then the Gumbel
    uniforms and the next candidates), keep the argmax of r + Gumbel by hand, refit each
    chain with scikit-learn's EM from p_0 (same iterations), and check every field of the
    new state and its observations. With lambda = 3, N = 300 curated and 100 real points,
    each point's weight, 1/((1+lambda) 100) or lambda/((1+lambda) 300), is the same, so
    scikit-learn's unweighted EM on the union fits the same objective (a swapped weight
    would not). Tolerance: the EM floor of tests/collapse/test_mixture.py,
    (n + B) eps max(1, |x|^2) per iteration."""
    cfg = C.CurationLoop(n_candidates=3, synthetic_ratio=ratio, n_curated=n_cur,
                         n_real=n_real, em_iterations=4)
    state = cfg.initial_state(2, generator=lt.make_generator(3))
    p0 = cfg.data_mixture(2)
    g0 = lt.make_generator(3)
    if ratio != math.inf:
        torch.testing.assert_close(state.real, p0.sample(n_real, generator=g0),
                                   rtol=0, atol=0)
    else:
        assert state.real is None
    torch.testing.assert_close(state.candidates, p0.sample(n_cur * 3, generator=g0)
                               .reshape(2, n_cur, 3, 2), rtol=0, atol=0)
    nxt = cfg.step(state, generator=lt.make_generator(4))
    g = lt.make_generator(4)
    cand = state.candidates
    r = -(cand - torch.tensor([3.0, 0.0])).norm(dim=-1)
    u = torch.rand(r.shape, generator=g)
    kept = (r - (-u.log()).log()).argmax(-1)
    n = n_cur + (n_real if ratio != math.inf else 0)
    for c in range(2):
        x = torch.stack([cand[c, i, kept[c, i]] for i in range(n_cur)])
        if ratio != math.inf:
            x = torch.cat([state.real[c], x])
        prec = max(float(torch.linalg.inv(m.covariances[c]).norm(dim=(-2, -1)).max())
                   for m in (p0, nxt.mixture))
        big = float(x.norm(dim=-1).max()) + float(p0.means[c].norm(dim=-1).max()) + 1
        tol = 4 * (n + prec * big**2 / 2) * EPS * max(1.0, float(x.norm(dim=-1).max()) ** 2)
        sk = SkGaussianMixture(8, covariance_type="full", reg_covar=cfg.reg_covar,
                               max_iter=4, tol=0.0, weights_init=p0.weights[c].numpy(),
                               means_init=p0.means[c].numpy(),
                               precisions_init=np.linalg.inv(p0.covariances[c].numpy()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk.fit(x.numpy())
        live = sk.weights_ > 1e-9 * n
        np.testing.assert_allclose(nxt.mixture.weights[c].numpy(), sk.weights_, atol=tol)
        np.testing.assert_allclose(nxt.mixture.means[c].numpy()[live], sk.means_[live],
                                   atol=tol)
        np.testing.assert_allclose(nxt.mixture.covariances[c].numpy()[live],
                                   sk.covariances_[live], atol=tol)
    again = nxt.mixture.sample(n_cur * 3, generator=g).reshape(2, n_cur, 3, 2)
    torch.testing.assert_close(nxt.candidates, again, rtol=0, atol=0)
    obs = nxt.observe()
    rn = -(again - torch.tensor([3.0, 0.0])).norm(dim=-1).flatten(1)
    # means of n K <= 1200 terms: n eps relative (2.7e-13 -> 1e-12); the variance loses a
    # further factor mean^2 / var <= 100 to cancellation (-> 1e-10)
    torch.testing.assert_close(obs["mean_reward"], rn.mean(1), rtol=1e-12, atol=0)
    torch.testing.assert_close(obs["mean_exp_reward"], rn.exp().mean(1), rtol=1e-12, atol=0)
    torch.testing.assert_close(obs["var_exp_reward"], rn.exp().var(1), rtol=1e-10, atol=0)
    angle = torch.atan2(nxt.mixture.means[..., 1], nxt.mixture.means[..., 0])
    sector = ((angle / (2 * math.pi / 8)).round().long()) % 8
    for c in range(2):
        for j in range(8):
            assert abs(float(obs["mode_weights"][c, j])
                       - float(nxt.mixture.weights[c][sector[c] == j].sum())) < 1e-14
    torch.testing.assert_close(obs["best_mode_weight"], obs["mode_weights"][:, 0])
    assert nxt.real is state.real


def test_the_loop_curates_to_the_closed_form():
    """K = 4, lambda = inf, 8 chains x N = 1500 from p_0 = p_data: (i) the mean of e^r over
    the kept samples vs E_{p_0 H^K}[e^r] on the atoms (5 SE from the kept samples' own
    spread; the atoms' quadrature error, measured against 4x as many Gauss-Legendre
    nodes, is < 1e-12, far below the SE ~ 2e-3); (ii) the refitted best-mode weight, a sum
    of responsibilities that are 0 or 1 up to ~Phi(-3.8) between modes 7.6 sigma apart,
    vs the atoms' mode mass (5 binomial SE over the 8 x 1500 kept samples)."""
    cfg = C.CurationLoop(n_candidates=4, n_curated=1500, em_iterations=5)
    g = lt.make_generator(11)
    state = cfg.initial_state(8, generator=g)
    keep = C.luce_choice(C.distance_reward(state.candidates), generator=lt.make_generator(12))
    kept = state.candidates.gather(2, keep[..., None, None].expand(8, 1500, 1, 2))[:, :, 0]
    a = C.distance_reward(kept).exp().flatten()
    atoms = C.toy_atoms(cfg)
    q = C.retrained_law(atoms.probs, atoms.reward, 4)
    fine = C.toy_atoms(cfg, n_grid=256)
    q_fine = C.retrained_law(fine.probs, fine.reward, 4)
    exact = (q * atoms.reward.exp()).sum()
    assert abs(float(exact - (q_fine * fine.reward.exp()).sum())) < 1e-12
    assert_close_mc(a.mean(), exact, a.std(), a.numel())
    nxt = C.curation_step(state, generator=lt.make_generator(12))
    best = atoms.mode_weights(q)[0]
    n = 8 * 1500
    assert_close_mc(nxt.observe()["best_mode_weight"].mean(), best,
                    (best * (1 - best)).sqrt(), n)
    assert float(best) > 0.125 + 0.1  # curation really moved the weight


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="'n_candidates'"):
        C.CurationLoop(n_candidates=0)
    with pytest.raises(ValueError, match="'synthetic_ratio'"):
        C.CurationLoop(synthetic_ratio=-1.0)
    with pytest.raises(ValueError, match="'target'"):
        C.CurationLoop(target=(1.0, 2.0, 3.0))
    p, r = torch.tensor([0.5, 0.5]), torch.tensor([0.0, -1.0])
    with pytest.raises(ValueError, match="'reward'"):
        C.choice_factor(p, torch.zeros(3), 2)
    with pytest.raises(ValueError, match="'probs'"):
        C.choice_factor(torch.tensor([0.5, 0.6]), r, 2)
    with pytest.raises(ValueError, match="'n_candidates'"):
        C.choice_factor(p, r, 0)
    with pytest.raises(ValueError, match="'data_probs'"):
        C.retrained_law(p, r, 2, 1.0)
    with pytest.raises(ValueError, match="'synthetic_ratio'"):
        C.fixed_point_law(p, r, math.inf)
    with pytest.raises(TypeError, match="'probs'"):
        C.tilted_law([0.5, 0.5], r, 1.0)


def test_the_loop_runs_on_every_device(device):
    """Two generations with real data on ``device``: observations on that device, finite,
    the best-mode weight in [0, 1], and choice_factor on the device equal to the CPU's
    (same arithmetic, rtol RTOL_H)."""
    cfg = C.CurationLoop(n_candidates=2, synthetic_ratio=1.0, n_curated=200, n_real=200)
    hist = C.simulate(cfg, 2, n_chains=2, generator=lt.make_generator(0, device))
    for value in hist.values.values():
        assert value.device.type == device.type and bool(torch.isfinite(value).all())
    assert 0 <= float(hist["best_mode_weight"].min()) <= float(hist["best_mode_weight"].max()) <= 1
    p, r = _random_law(lt.make_generator(1), 5)
    torch.testing.assert_close(C.choice_factor(p.to(device), r.to(device), 3).cpu(),
                               C.choice_factor(p, r, 3), rtol=RTOL_H, atol=0)


def test_the_explorer_builds_and_renders():
    ex = lt.widgets.explore_curation([1, 4], [0.0, 0.5], n_generations=2, n_curated=100)
    frames = ex.frames()
    assert len(frames) == 4 and len(set(frames.values())) == 4
