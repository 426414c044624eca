"""NTK diagonal over many networks: exact against the module-based NTK, and governed by L/n.

* Oracle: replaying the generator into ``make_mlp`` networks and taking ``empirical_ntk``
  reproduces every sample; this is the same algebra in another order, so float64 rounding
  (~1e-15 relative) is the only tolerance (1e-10).
* One hidden layer: E K = Theta(x, x) exactly (an average of i.i.d. per-unit terms), so the
  Monte Carlo mean must lie within 5 standard errors of the analytic value.
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


def test_fluctuation_rate_recovers_an_exact_exponential():
    ratio = torch.tensor([[0.05, 0.1], [0.2, 0.4]], dtype=torch.float64)
    fake = lt.ntk.NTKFluctuations([1, 2], [10, 20], ratio, torch.expm1(3.0 * ratio),
                                  torch.ones_like(ratio))
    c, se = lt.ntk.fluctuation_rate(fake, max_ratio=0.25)
    assert abs(c - 3.0) < 1e-12 and se < 1e-10


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
