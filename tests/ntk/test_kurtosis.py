"""The excess kurtosis of a random network's output: the estimator, its error, the exact law.

Tolerances: every comparison is between Monte Carlo means. For two independent
means with standard errors se_a, se_b the difference is ~ N(0, se_a^2 + se_b^2)
(CLT), so we allow 5 * sqrt(se_a^2 + se_b^2) (failure probability < 6e-7 per
check when the laws agree); against an exact value, 5 se.
"""

import math

import pytest
import torch

import learntheory as lt
from learntheory._core.testing import assert_close_mc
from learntheory.ntk.ensembles import sample_network_outputs

X = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)


def test_one_hidden_layer_relu_fourth_moment_closed_form():
    """Depth 1, sigma_b = 0: f | a ~ N(0, q), q = sigma_w^2 |a|^2 / n, a = relu(h), h ~ N(0, s),
    so E f^4 = 3 E q^2 = 3 Sigma^2 (1 + 5/n) (E a^4 / E[a^2]^2 = 6, variance ratio 5):
    excess kurtosis 15/n, the exercise of book/ntk/nngp.md."""
    gen = lt.make_generator(8)
    S, n = 200_000, 10
    cfg = lt.ntk.MLPConfig(depth=1, width=n)
    f = sample_network_outputs(X[:1], config=cfg, n_networks=S, generator=gen)[:, 0]
    sigma = float(lt.ntk.mlp_nngp(X[:1], config=cfg)[0, 0])
    f4 = f**4
    exact = torch.tensor([3 * sigma**2 * (1 + 5 / n)], dtype=torch.float64)
    assert_close_mc(f4.mean().reshape(1), exact, f4.std().reshape(1), S)


def test_relu_excess_kurtosis_closed_form_at_depth_three():
    """E f^4 = 3 Sigma^2 (1 + 5/n)^L for a bias-free ReLU net at one input (book:
    ex-nngp-kurtosis): the fourth moment of the sampler at L = 3, n = 32 within 5 MC SEs."""
    gen = lt.make_generator(21)
    S, n, L = 200_000, 32, 3
    cfg = lt.ntk.MLPConfig(depth=L, width=n)
    f = sample_network_outputs(X[:1], config=cfg, n_networks=S, generator=gen)[:, 0]
    sigma = float(lt.ntk.mlp_nngp(X[:1], config=cfg)[0, 0])
    kappa = lt.ntk.relu_excess_kurtosis(n, L)
    exact = torch.tensor([sigma**2 * (kappa + 3)], dtype=torch.float64)
    f4 = f**4
    assert_close_mc(f4.mean().reshape(1), exact, f4.std().reshape(1), S)


def test_relu_excess_kurtosis_special_cases():
    """One layer: 15/n exactly; first order in 1/n: 15 L / n (the O(L/n) of [Roberts2022])."""
    assert lt.ntk.relu_excess_kurtosis(10, 1) == pytest.approx(1.5, rel=1e-15)
    n, L = 10**6, 4
    # Next term is 3 * C(L,2) * 25 / n^2 = 450 / n^2, i.e. relative 450/(60 n) < 1e-5.
    assert lt.ntk.relu_excess_kurtosis(n, L) == pytest.approx(15 * L / n, rel=1e-5)


def test_excess_kurtosis_known_laws(gen):
    """Rademacher: f^4 = f^2 = 1, so exactly -2; Gaussian: 0 within 5 sqrt(24/S)."""
    signs = torch.randint(0, 2, (1000, 2), generator=gen, dtype=torch.float64) * 2 - 1
    torch.testing.assert_close(lt.ntk.excess_kurtosis(signs), torch.full((2,), -2.0,
                                                                          dtype=torch.float64))
    S = 100_000
    g = torch.randn(S, generator=gen, dtype=torch.float64)
    k = lt.ntk.excess_kurtosis(g)
    assert k.shape == () and abs(float(k)) < 5 * math.sqrt(24 / S)


def test_excess_kurtosis_bad_inputs():
    with pytest.raises(ValueError, match="'samples' parameter of excess_kurtosis"):
        lt.ntk.excess_kurtosis(torch.ones(2, 2, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match="'samples' parameter of excess_kurtosis.*2 draws"):
        lt.ntk.excess_kurtosis(torch.ones(1, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match="'width' parameter of relu_excess_kurtosis"):
        lt.ntk.relu_excess_kurtosis(0, 1)
    with pytest.raises(ValueError, match="'depth' parameter of relu_excess_kurtosis"):
        lt.ntk.relu_excess_kurtosis(4, -1)
    with pytest.raises(ValueError, match="'width' parameter of relu_excess_kurtosis must hold "
                                         "one width per hidden layer"):
        lt.ntk.relu_excess_kurtosis([4, 4], 3)


@pytest.mark.slow
def test_kurtosis_rate_is_minus_one_at_depth_one():
    """Excess kurtosis 15/n at L = 1: slope -1 within 5 SEs from the kurtosis MC error.

    The SE of a kurtosis estimate is ~ sqrt(24/S) for near-Gaussian laws; the widths are
    chosen so that every value (>= 15/128 = 0.12) is > 20 such SEs (0.0049 at S = 1e6).
    se(log k) ~ sqrt(24/S)/k, propagated to the slope as in the NTK rate test; x2 for
    the heavier tails at small width.
    """
    gen = lt.make_generator(9)
    S, widths = 1_000_000, [4, 16, 64, 128]
    kurt = [float(lt.ntk.excess_kurtosis(sample_network_outputs(
        X[:1], config=lt.ntk.MLPConfig(depth=1, width=n), n_networks=S,
        generator=gen)[:, 0]))
        for n in widths]
    fit = lt.loglog_slope(widths, kurt)
    u = torch.tensor(widths, dtype=torch.float64).log()
    w = (u - u.mean()) / ((u - u.mean()) ** 2).sum()
    se_log = 2 * math.sqrt(24 / S) / torch.tensor(kurt, dtype=torch.float64)
    se_slope = float(torch.sqrt((w**2 * se_log**2).sum()))
    assert abs(fit.slope + 1.0) < 5 * se_slope, (fit, se_slope)


def _kurtosis_z(f: torch.Tensor, exact: float) -> float:
    """(estimate - exact) / (its delta-method SE), checked against a direct formula."""
    k, se = lt.ntk.excess_kurtosis(f), lt.ntk.excess_kurtosis_se(f)
    return float((k - exact) / se)


def test_excess_kurtosis_se_against_exact_asymptotic_values_and_replicates():
    """The delta-method SE against closed forms: sqrt(24/S) for a Gaussian, and for
    Uniform(-1, 1) sqrt(Var u / S) with u = 9 f^4 - 10.8 f^2 + 1.8 (m2 = 1/3, m4 = 1/5),
    Var u from E f^4, f^6, f^8 = 1/5, 1/7, 1/9. A sample-sd estimate at S = 2e5 has relative
    error sqrt((kurt(u) + 2)/(4S)) < 1 %, so 5 % is 5 of those. Then 400 replicate
    estimates (S = 2000 each, uniform): their spread (relative error 1/sqrt(2*400) = 3.5 %)
    must agree with the mean delta-method SE within 5 of those, and not with the
    Gaussian value sqrt(24/S), which is 4x too large for this light-tailed law."""
    gen = lt.make_generator(4)
    S = 200_000
    se = float(lt.ntk.excess_kurtosis_se(torch.randn(S, generator=gen, dtype=torch.float64)))
    assert abs(se / math.sqrt(24 / S) - 1) < 0.05
    var_u = 81 / 9 - 2 * 9 * 10.8 / 7 + 10.8**2 / 5 - (9 / 5 - 10.8 / 3) ** 2
    unif = 2 * torch.rand(S, generator=gen, dtype=torch.float64) - 1
    se = float(lt.ntk.excess_kurtosis_se(unif))
    assert abs(se / math.sqrt(var_u / S) - 1) < 0.05
    reps = 2 * torch.rand(2000, 400, generator=gen, dtype=torch.float64) - 1
    spread = float(lt.ntk.excess_kurtosis(reps).std())
    mean_se = float(lt.ntk.excess_kurtosis_se(reps).mean())
    band = 5 / math.sqrt(2 * 400)
    assert abs(mean_se / spread - 1) < band, (mean_se, spread)
    assert abs(math.sqrt(24 / 2000) / spread - 1) > band


@pytest.mark.parametrize("L, n", [(1, 8), (3, 16), (6, 32)])
def test_relu_excess_kurtosis_against_monte_carlo(L, n):
    """Bias-free kappa = 3[(1 + 5/n)^L - 1] (book: thm-relu-kurtosis) against S sampled
    networks: the estimate is asymptotically normal with the delta-method SE
    (excess_kurtosis_se, checked above), so |z| < 5 (two-sided failure 6e-7)."""
    S = 200_000
    cfg = lt.ntk.MLPConfig(depth=L, width=n)
    f = sample_network_outputs(X[:1], config=cfg, n_networks=S,
                               generator=lt.make_generator(100 + L))[:, 0]
    exact = 3 * ((1 + 5 / n) ** L - 1)
    assert lt.ntk.relu_excess_kurtosis(n, L) == pytest.approx(exact, rel=1e-14)
    assert abs(_kurtosis_z(f, exact)) < 5


def test_relu_excess_kurtosis_with_biases_against_monte_carlo():
    """With biases the two-moment recursion of relu_excess_kurtosis is exact: the sampler
    (checked against explicit networks above) at sigma_w = 1.2, sigma_b = 0.5, input
    |x|^2 = 1, d = 2, within 5 delta-method SEs; the bias-free formula is far off here."""
    S, n, L = 200_000, 6, 3
    cfg = lt.ntk.MLPConfig(depth=L, width=n, sigma_w=1.2, sigma_b=0.5)
    f = sample_network_outputs(X[:1], config=cfg, n_networks=S,
                               generator=lt.make_generator(31))[:, 0]
    q0 = 1.2**2 * 1.0 / 2 + 0.25
    exact = lt.ntk.relu_excess_kurtosis(n, L, sigma_w=1.2, sigma_b=0.5, input_variance=q0)
    assert abs(_kurtosis_z(f, exact)) < 5
    assert abs(_kurtosis_z(f, lt.ntk.relu_excess_kurtosis(n, L))) > 5


def test_relu_excess_kurtosis_unequal_widths_against_explicit_networks():
    """Hidden widths (3, 9, 5), no biases: kappa = 3[prod(1 + 5/n_l) - 1]. Brute force: S
    explicit networks with stacked Gaussian weight matrices (NTK parameterisation, a
    computation that shares no code with the library), within 5 delta-method SEs."""
    gen = lt.make_generator(12)
    S, widths = 200_000, [3, 9, 5]
    a = torch.tensor([1.0, 0.0], dtype=torch.float64).expand(S, 1, 2)
    for fan_in, fan_out in zip([2] + widths, widths + [1], strict=True):
        w = torch.randn(S, fan_in, fan_out, generator=gen, dtype=torch.float64)
        h = math.sqrt(2 / fan_in) * (a @ w)
        a = torch.relu(h)
    f = h[:, 0, 0]
    exact = 3 * (math.prod(1 + 5 / m for m in widths) - 1)
    assert lt.ntk.relu_excess_kurtosis(widths, 3) == pytest.approx(exact, rel=1e-14)
    assert abs(_kurtosis_z(f, exact)) < 5
