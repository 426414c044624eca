"""NTK diagonal over many networks: exact against the module-based NTK, and governed by L/n.

* Oracle: replaying the generator into ``make_mlp`` networks and taking ``empirical_ntk``
  reproduces every sample; this is the same algebra in another order, so float64 rounding
  (~1e-15 relative) is the only tolerance (1e-10).
* One hidden layer: E K = Theta(x, x) exactly (an average of i.i.d. per-unit terms), so the
  Monte Carlo mean must lie within 5 standard errors of the analytic value.
* Layer law: relu_ntk_moment_ratio (exact at L = 1, first order in 1/n beyond) against
  Monte Carlo within 5 delta-method SEs, and the fitted rate against the same fit of the law.
* L/n collapse: two cells with the same L/n must agree within 5 combined delta-method SEs,
  and a cell with 8x the L/n must exceed the shallow one by more than 5 SEs.
"""

import math

import pytest
import torch

import learntheory as lt

X = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)


@pytest.mark.parametrize("sigma_b", [0.0, 0.3])
def test_samples_match_empirical_ntk_of_replayed_networks(sigma_b):
    S, n, L = 3, 7, 3
    cfg = lt.ntk.MLPConfig(depth=L, width=n, sigma_b=sigma_b)
    K = lt.ntk.ntk_diagonal_samples(X, config=cfg, n_networks=S, chunk_size=S,
                                    generator=lt.make_generator(5))
    assert K.shape == (S, 2) and K.dtype == torch.float64
    gen = lt.make_generator(5)
    widths = (2,) + (n,) * L + (1,)
    draws = [(torch.randn(S, widths[i + 1], widths[i], generator=gen, dtype=torch.float64),
              torch.randn(S, 1, widths[i + 1], generator=gen, dtype=torch.float64))
             for i in range(L + 1)]
    for s in range(S):
        net = lt.ntk.make_mlp(2, config=cfg, dtype=torch.float64)
        with torch.no_grad():
            for i, (w, b) in enumerate(draws):
                net.weights[i].copy_(w[s])
                net.biases[i].copy_(b[s, 0])
        emp = lt.ntk.empirical_ntk(net, X).diagonal()
        torch.testing.assert_close(K[s], emp, rtol=1e-10, atol=0)


def test_one_hidden_layer_mean_is_the_analytic_ntk():
    S = 4000
    cfg = lt.ntk.MLPConfig(depth=1, width=16, sigma_b=0.2)
    K = lt.ntk.ntk_diagonal_samples(X[:1], config=cfg, n_networks=S,
                                    generator=lt.make_generator(1))[:, 0]
    theta = lt.ntk.mlp_ntk(X[:1], config=cfg)[0, 0]
    se = K.std() / math.sqrt(S)
    assert abs(float(K.mean() - theta)) < 5 * float(se)


@pytest.mark.slow
def test_relative_variance_is_a_function_of_depth_over_width():
    r = lt.ntk.ntk_relative_variance(X[:1], config=lt.ntk.MLPConfig(depth=1), widths=[16, 32],
                                     depths=[1, 2, 8], n_networks=3000,
                                     generator=lt.make_generator(2))
    assert r.excess.shape == r.stderr.shape == r.ratio.shape == (3, 2)
    # (L=1, n=16) and (L=2, n=32) share L/n = 1/16
    a, b = r.excess[0, 0], r.excess[1, 1]
    se = math.hypot(float(r.stderr[0, 0]), float(r.stderr[1, 1]))
    assert abs(float(a - b)) < 5 * se
    # (L=8, n=16): L/n = 1/2, eight times more; grows well beyond the noise
    assert float(r.excess[2, 0] - a) > 5 * math.hypot(float(r.stderr[2, 0]), float(r.stderr[0, 0]))


def test_fluctuation_rate_recovers_an_exact_exponential_and_propagates_the_se():
    """Exact data log(1 + excess) = 3 L/n: c = 3 to rounding. SE: c = sum r z / sum r^2 is
    linear in z, with se(z_i) = stderr_i / (1 + excess_i) (delta method), so
    se(c) = sqrt(sum r^2 se_z^2) / sum r^2, computed here by hand."""
    ratio = torch.tensor([[0.05, 0.1], [0.2, 0.4]], dtype=torch.float64)
    excess = torch.expm1(3.0 * ratio)
    stderr = torch.tensor([[0.01, 0.02], [0.03, 0.04]], dtype=torch.float64)
    fake = lt.ntk.NTKFluctuations([1, 2], [10, 20], ratio, excess, stderr)
    c, se = lt.ntk.fluctuation_rate(fake, max_ratio=0.25)
    assert abs(c - 3.0) < 1e-12
    r = [0.05, 0.1, 0.2]
    sz = [0.01 / math.exp(0.15), 0.02 / math.exp(0.3), 0.03 / math.exp(0.6)]
    expect = math.sqrt(sum((a * b) ** 2 for a, b in zip(r, sz, strict=True))) / sum(
        a * a for a in r)
    assert se == pytest.approx(expect, rel=1e-12)


def test_moment_ratio_closed_forms():
    """relu_ntk_moment_ratio: L = 1 gives 1 + 3/n exactly (per unit 2 1{h>0}(w^2 + h^2) has
    mean 2, second moment 16); to first order [L + 4L(2L+1)/(3(L+1))]/n, whose next term
    is O(L^4/n^2) (relative error < 1e-4 at n = 1e6, L = 8); equal widths given as a list
    agree exactly; large n at fixed beta = L/n tends to e^{5 beta}(4 beta - 1 + e^{-4 beta})
    /(8 beta^2). At finite n, (1 + 5/n)^L = e^{5 beta - 12.5 beta/n + O(beta/n^2)}: that factor
    is applied; what remains is the Riemann-sum error O(1/L) of the double sum and the
    (1 + 1/n)^k -> e^{k/n} error O(beta^2/n): < 0.5 % at L = n = 2000; allow 1 %."""
    for n in (3, 10, 64):
        assert lt.ntk.relu_ntk_moment_ratio(n, 1) == pytest.approx(1 + 3 / n, rel=1e-14)
    n, L = 10**6, 8
    first = (L + 4 * L * (2 * L + 1) / (3 * (L + 1))) / n
    assert lt.ntk.relu_ntk_moment_ratio(n, L) - 1 == pytest.approx(first, rel=1e-4)
    assert lt.ntk.relu_ntk_moment_ratio([7] * 3, 3) == lt.ntk.relu_ntk_moment_ratio(7, 3)
    beta, L = 1.0, 2000
    n = int(L / beta)
    limit = math.exp(5 * beta) * (4 * beta - 1 + math.exp(-4 * beta)) / (8 * beta**2)
    limit *= math.exp(-12.5 * beta / n)
    assert lt.ntk.relu_ntk_moment_ratio(n, L) == pytest.approx(limit, rel=0.01)


@pytest.mark.parametrize("L, n", [(1, 16), (2, 32), (4, 32)])
def test_moment_ratio_against_monte_carlo(L, n):
    """E K^2 / E K^2 - 1 from S batched networks (ntk_diagonal_samples, checked against
    replayed networks above) within 5 delta-method SEs of relu_ntk_moment_ratio. For L = 1
    the law is exact; for L > 1 the layer-independence approximation is exact to first
    order in 1/n; its neglected O(L^2/n^2) part, measured once at S = 6e4-1e5 (0.003 at
    (2, 32) and at (4, 32)), is below one SE here (0.003 and 0.008 at S = 2e4)."""
    S = 20_000
    cfg = lt.ntk.MLPConfig(depth=L, width=n, sigma_b=0.0)
    K = lt.ntk.ntk_diagonal_samples(X[:1], config=cfg, n_networks=S,
                                    generator=lt.make_generator(40 + L))[:, 0]
    m1, m2 = K.mean(), (K**2).mean()
    u = -2 * m2 / m1**3 * (K - m1) + (K**2 - m2) / m1**2
    se = float(u.std()) / math.sqrt(S)
    excess = float(m2 / m1**2 - 1)
    assert abs(excess - (lt.ntk.relu_ntk_moment_ratio(n, L) - 1)) < 5 * se
    # and the Hanin-Nica order of magnitude e^{5L/n} - 1 is not the value at small L/n
    assert abs(excess - math.expm1(5 * L / n)) > 5 * se


@pytest.mark.slow
def test_fitted_rate_matches_the_layer_law_fitted_the_same_way():
    """The book's fit of log(1 + Var K/(EK)^2) = c L/n over a grid (L <= 8, L/n <= 1/4) from
    Monte Carlo, against the same fit applied to relu_ntk_moment_ratio on the same cells:
    they must agree within 5 propagated SEs (fluctuation_rate). The fitted c is far from 5
    (more than 5 SEs), the constant of [HaninNica2020]'s order-of-magnitude statement."""
    r = lt.ntk.ntk_relative_variance(X[:1], config=lt.ntk.MLPConfig(depth=1, sigma_b=0.0),
                                     widths=[16, 32], depths=[1, 2, 4, 8], n_networks=20_000,
                                     generator=lt.make_generator(8))
    c, se = lt.ntk.fluctuation_rate(r, max_ratio=0.25)
    theory = torch.tensor([[lt.ntk.relu_ntk_moment_ratio(n, L) - 1 for n in r.widths]
                           for L in r.depths], dtype=torch.float64)
    fake = lt.ntk.NTKFluctuations(r.depths, r.widths, r.ratio, theory, r.stderr)
    c_theory, _ = lt.ntk.fluctuation_rate(fake, max_ratio=0.25)
    assert abs(c - c_theory) < 5 * se, (c, c_theory, se)
    assert abs(c - 5.0) > 5 * se


def test_bad_inputs():
    cfg = lt.ntk.MLPConfig(depth=1, width=4)
    with pytest.raises(ValueError, match="'config' parameter of ntk_diagonal_samples must have "
                                         "a finite width"):
        lt.ntk.ntk_diagonal_samples(X, config=cfg.replace(width=None), n_networks=2)
    with pytest.raises(ValueError, match="'config' parameter of ntk_diagonal_samples must be a "
                                         "ReLU network in NTK parameterization"):
        lt.ntk.ntk_diagonal_samples(X, config=cfg.replace(activation="erf"), n_networks=2)
    with pytest.raises(ValueError, match="'n_networks' parameter of ntk_relative_variance"):
        lt.ntk.ntk_relative_variance(X, config=cfg, widths=[4], depths=[1], n_networks=1)
    ratio = torch.tensor([[0.5]], dtype=torch.float64)
    fake = lt.ntk.NTKFluctuations([1], [2], ratio, ratio, ratio)
    with pytest.raises(ValueError, match="'max_ratio' parameter of fluctuation_rate"):
        lt.ntk.fluctuation_rate(fake, max_ratio=0.25)
    with pytest.raises(ValueError, match="'width' parameter of relu_ntk_moment_ratio must "
                                         "hold one width per hidden layer"):
        lt.ntk.relu_ntk_moment_ratio([4, 4], 3)
