"""Ensembles of random networks: the conditional-Gaussian sampler has the law of real networks.

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
from learntheory.ntk.ensembles import ntk_relative_errors, sample_network_outputs

X = torch.tensor([[1.0, 0.0], [0.6, 0.8]], dtype=torch.float64)


def _moments(f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-network statistics f1 f2, f1^2, f1^4 and their means/SEs."""
    stats = torch.stack([f[:, 0] * f[:, 1], f[:, 0] ** 2, f[:, 0] ** 4], dim=1)
    return stats.mean(0), stats.std(0) / math.sqrt(f.shape[0])


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_sampler_matches_real_networks_in_law(activation):
    """Second and fourth moments of the sampler vs explicit make_mlp networks (depth 2, width 6)."""
    gen = lt.make_generator(11)
    S = 3000
    cfg = lt.ntk.MLPConfig(depth=2, width=6, activation=activation, sigma_w=1.3, sigma_b=0.2)
    sampled = sample_network_outputs(X, config=cfg, n_networks=S, generator=gen)
    real = torch.empty(S, 2, dtype=torch.float64)
    with torch.no_grad():
        for s in range(S):
            net = lt.ntk.make_mlp(2, config=cfg, dtype=torch.float64, generator=gen)
            real[s] = net(X).reshape(-1)
    (ma, sa), (mb, sb) = _moments(sampled), _moments(real)
    bound = 5 * torch.sqrt(sa**2 + sb**2)
    assert bool(((ma - mb).abs() <= bound).all()), (ma, mb, bound)


def test_one_hidden_layer_covariance_is_the_nngp_exactly():
    """Depth 1: E[f(x)f(x')] = Sigma^2 at every width ([Lee2018] Sec. 2.3), so only MC error."""
    gen = lt.make_generator(3)
    S = 40000
    cfg = lt.ntk.MLPConfig(depth=1, width=5, sigma_w=1.5, sigma_b=0.3)
    f = sample_network_outputs(X, config=cfg, n_networks=S, generator=gen)
    prod = f[:, 0] * f[:, 1]
    sigma = lt.ntk.mlp_nngp(X, config=cfg)
    assert_close_mc(prod.mean().reshape(1), sigma[0, 1].reshape(1), prod.std().reshape(1), S)


def test_output_ensemble_fields():
    """Every field of OutputEnsemble against its own definition: the outputs are the sampler's
    (same generator), the NNGP is mlp_nngp of the same configuration, the kurtosis is
    excess_kurtosis of column 0, and the exact value is given only where it holds."""
    cfg = lt.ntk.MLPConfig(depth=2, width=8)
    ens = lt.ntk.output_ensemble(X, config=cfg, n_networks=500, generator=lt.make_generator(5))
    f = sample_network_outputs(X, config=cfg, n_networks=500, generator=lt.make_generator(5))
    assert torch.equal(ens.outputs, f) and ens.config == cfg
    torch.testing.assert_close(ens.nngp, lt.ntk.mlp_nngp(X, config=cfg), rtol=0, atol=0)
    assert ens.excess_kurtosis == float(lt.ntk.excess_kurtosis(f[:, 0]))
    # sigma_w^2 = sqrt(2)^2 and the input variance round differently: a few ulps (1e-14)
    assert ens.exact_kurtosis == pytest.approx(lt.ntk.relu_excess_kurtosis(8, 2), rel=1e-14)
    biased = lt.ntk.output_ensemble(X, config=cfg.replace(sigma_b=0.1), n_networks=10)
    q0 = 2.0 * float((X[0] ** 2).sum()) / 2 + 0.01                 # Sigma^1(x1, x1)
    assert biased.exact_kurtosis == pytest.approx(lt.ntk.relu_excess_kurtosis(
        8, 2, sigma_w=math.sqrt(2), sigma_b=0.1, input_variance=q0), rel=1e-14)
    erf = lt.ntk.output_ensemble(X, config=cfg.replace(activation="erf"), n_networks=10)
    assert erf.exact_kurtosis is None


def test_ntk_relative_errors_and_slices_against_replayed_networks():
    """Each entry of ntk_relative_errors (and each row of ntk_slices) is the error of the
    network that make_mlp draws next from the same generator, against mlp_ntk of the same
    configuration (float64: identical operations, so agreement to 1e-12)."""
    _, x = lt.datasets.unit_circle(6, dtype=torch.float64)
    cfg = lt.ntk.MLPConfig(depth=2, sigma_b=0.1)
    errs = ntk_relative_errors(x, config=cfg, widths=[16, 64], n_seeds=2,
                               generator=lt.make_generator(2))
    gen, theta = lt.make_generator(2), lt.ntk.mlp_ntk(x, config=cfg)
    for i, w in enumerate([16, 64]):
        for s in range(2):
            net = lt.ntk.make_mlp(2, config=cfg.with_width(w), generator=gen)
            emp = lt.ntk.empirical_ntk(net, x)
            expect = float((emp - theta).norm() / theta.norm())
            assert float(errs[i, s]) == pytest.approx(expect, rel=1e-12)
    slices = lt.ntk.ntk_slices(x[:1], x, config=cfg.with_width(32), n_networks=3,
                               generator=lt.make_generator(4))
    gen = lt.make_generator(4)
    row = lt.ntk.mlp_ntk(x[:1], x, config=cfg)[0]
    torch.testing.assert_close(slices.analytic, row, rtol=0, atol=0)
    for s in range(3):
        net = lt.ntk.make_mlp(2, config=cfg.with_width(32), generator=gen)
        emp = lt.ntk.empirical_ntk(net, x[:1], x)[0]
        torch.testing.assert_close(slices.empirical[s], emp, rtol=1e-12, atol=0)
        assert float(slices.relative_error[s]) == pytest.approx(
            float((emp - row).norm() / row.norm()), rel=1e-12)


def test_bad_inputs_are_named():
    cfg = lt.ntk.MLPConfig(depth=1, width=3)
    with pytest.raises(ValueError, match="'config' parameter of sample_network_outputs must "
                                         "have a finite width"):
        sample_network_outputs(X, config=cfg.replace(width=None), n_networks=3)
    with pytest.raises(ValueError, match="'activation' parameter of MLPConfig"):
        cfg.replace(activation="tanh")
    with pytest.raises(ValueError, match="'config' parameter of sample_network_outputs must "
                                         "use the 'ntk' or 'standard'"):
        sample_network_outputs(X, config=cfg.replace(parameterization="mup"), n_networks=3)
    with pytest.raises(ValueError, match="'x' parameter of sample_network_outputs.*finite"):
        sample_network_outputs(X * math.nan, config=cfg, n_networks=3)
    with pytest.raises(ValueError, match="'n_seeds' parameter of ntk_relative_errors"):
        ntk_relative_errors(X, config=cfg, widths=[4], n_seeds=0)
    with pytest.raises(ValueError, match="'x0' parameter of ntk_slices must hold exactly one"):
        lt.ntk.ntk_slices(X, X, config=cfg, n_networks=1)


def test_sampler_follows_device(device):
    gen = lt.make_generator(0, device)
    f = sample_network_outputs(X.to(device), config=lt.ntk.MLPConfig(depth=1, width=4),
                               n_networks=10, generator=gen)
    assert f.device.type == device.type and f.shape == (10, 2)


@pytest.mark.slow
def test_ntk_relative_error_rate_is_minus_one_half():
    """[Jacot2018] Thm. 1 with O(n^-1/2) fluctuations ([HaninNica2020]): log-log slope -1/2.

    Band: the slope's SE is propagated from the per-width SEs of the mean error over seeds
    (delta method: se(log m) = se(m)/m; slope = sum_i w_i log m_i with OLS weights w_i);
    allow 5 of those plus 0.05 for the O(1/n) corrections at the smallest width.
    """
    gen = lt.make_generator(7)
    _, x = lt.datasets.unit_circle(12, closed=True, dtype=torch.float64)
    widths = [64, 256, 1024, 4096]
    errs = ntk_relative_errors(x, config=lt.ntk.MLPConfig(depth=2, sigma_b=0.1),
                               widths=widths, n_seeds=8, generator=gen)
    mean = errs.mean(1)
    se_log = errs.std(1) / math.sqrt(errs.shape[1]) / mean
    fit = lt.loglog_slope(widths, mean)
    u = torch.tensor(widths, dtype=torch.float64).log()
    w = (u - u.mean()) / ((u - u.mean()) ** 2).sum()
    se_slope = float(torch.sqrt((w**2 * se_log**2).sum()))
    assert abs(fit.slope + 0.5) < 5 * se_slope + 0.05, (fit, se_slope)


