"""MLPConfig: one configuration for the finite network and its infinite-width kernels."""

import math

import pytest
import torch

import learntheory as lt

X = torch.tensor([[1.0, 0.0], [0.6, 0.8], [-0.3, 0.2]], dtype=torch.float64)


def test_defaults_are_shared_by_every_entry_point():
    """make_mlp, mlp_kernels and MLPConfig share one set of defaults (sigma_w = sqrt 2,
    sigma_b = 0, ReLU, NTK parameterization): the keyword form and the config form agree
    exactly, so a network and its kernel cannot silently disagree."""
    cfg = lt.ntk.MLPConfig(depth=2)
    assert (cfg.sigma_w, cfg.sigma_b, cfg.activation, cfg.parameterization) == (
        math.sqrt(2), 0.0, "relu", "ntk")
    torch.testing.assert_close(lt.ntk.mlp_ntk(X, depth=2), lt.ntk.mlp_ntk(X, config=cfg),
                               rtol=0, atol=0)
    a = lt.ntk.make_mlp(2, 8, 2, generator=torch.Generator().manual_seed(0))
    b = lt.ntk.make_mlp(2, config=cfg.with_width(8), generator=torch.Generator().manual_seed(0))
    assert a.config == b.config == cfg.with_width(8)
    torch.testing.assert_close(a(X), b(X), rtol=0, atol=0)


def test_a_network_gives_back_its_configuration():
    cfg = lt.ntk.MLPConfig(depth=3, width=16, activation="erf", sigma_w=1.3, sigma_b=0.2,
                           parameterization="standard")
    assert lt.ntk.make_mlp(5, config=cfg).config == cfg


def test_the_kernel_of_a_wide_network_is_its_configs_kernel():
    """The mean over networks of the empirical NTK is the analytic NTK of net.config
    (depth 1: an average of i.i.d. per-unit terms, so exact in expectation; 5 MC SEs)."""
    cfg = lt.ntk.MLPConfig(depth=1, width=8, sigma_w=1.2, sigma_b=0.3)
    gen = torch.Generator().manual_seed(1)
    draws = torch.stack([lt.ntk.empirical_ntk(lt.ntk.make_mlp(2, config=cfg, generator=gen), X)
                         for _ in range(2000)])
    z = (draws.mean(0) - lt.ntk.mlp_ntk(X, config=cfg)) / (draws.std(0) / math.sqrt(2000))
    assert float(z.abs().max()) < 5


def test_errors_name_the_field():
    with pytest.raises(ValueError, match="'depth' parameter of MLPConfig must be an int >= 1"):
        lt.ntk.MLPConfig(depth=0)
    with pytest.raises(ValueError, match="'sigma_w' parameter of MLPConfig must be > 0"):
        lt.ntk.MLPConfig(depth=1, sigma_w=0.0)
    with pytest.raises(ValueError, match="'parameterization' parameter of MLPConfig"):
        lt.ntk.MLPConfig(depth=1, parameterization="sp")
    with pytest.raises(ValueError, match="'config' parameter of make_mlp cannot be combined "
                                         r"with \['sigma_b'\]"):
        lt.ntk.make_mlp(2, config=lt.ntk.MLPConfig(depth=1, width=4), sigma_b=0.1)
    with pytest.raises(ValueError, match="'config' parameter of make_mlp must have a finite "
                                         "width"):
        lt.ntk.make_mlp(2, config=lt.ntk.MLPConfig(depth=1))
    with pytest.raises(ValueError, match="'sigma_b' parameter of mlp_kernels must be >= 0"):
        lt.ntk.mlp_kernels(X, depth=1, sigma_b=-1.0)
    with pytest.raises(ValueError, match="'config' parameter of mlp_kernels must use "
                                         "parameterization='ntk'"):
        lt.ntk.mlp_kernels(X, config=lt.ntk.MLPConfig(depth=1, parameterization="mup"))
    with pytest.raises(TypeError, match="mlp_kernels needs 'config'"):
        lt.ntk.mlp_kernels(X)
    with pytest.raises(TypeError, match="'config' parameter of mlp_kernels must be a "
                                        "learntheory.ntk.config.MLPConfig. Got dict"):
        lt.ntk.mlp_kernels(X, config={"depth": 1})
