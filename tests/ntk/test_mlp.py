"""Tests for learntheory.ntk.mlp: the finite network in ntk / standard / muP form."""

from __future__ import annotations

import math

import pytest
import torch

import learntheory as lt


def _same_seed_nets(par_list, **kw):
    return [lt.ntk.make_mlp(5, 64, 2, parameterization=p, generator=torch.Generator()
                            .manual_seed(3), **kw) for p in par_list]


def test_ntk_and_standard_compute_the_same_function_jacot2018():
    """Same generator => same normal draws; NTK (m = s/sqrt(n), w ~ N(0,1)) and standard
    (m = 1, w ~ N(0, s^2/n)) give the same effective weights, so the same outputs up to
    float64 rounding of one product per weight (rtol 1e-12)."""
    x = torch.randn(7, 5, generator=torch.Generator().manual_seed(1))
    ntk, std = _same_seed_nets(["ntk", "standard"], sigma_w=1.4, sigma_b=0.3)
    torch.testing.assert_close(std(x), ntk(x), rtol=1e-12, atol=1e-14)


def test_mup_output_is_ntk_output_over_sqrt_width_yanghu2021():
    """muP (YangHu2021 Sec. 3): input/hidden layers equal NTK's in law and here draw for draw;
    the output multiplier is sigma_w/sqrt(n) on w ~ N(0, 1/n), i.e. f_mup = f_ntk / sqrt(n)
    without output bias (float64 floor)."""
    x = torch.randn(7, 5, generator=torch.Generator().manual_seed(1))
    ntk, mup = _same_seed_nets(["ntk", "mup"], sigma_w=1.4, sigma_b=0.3, bias=True)
    for a, b in zip(ntk.features(x), mup.features(x), strict=True):
        torch.testing.assert_close(b, a, rtol=1e-12, atol=1e-14)
    out_bias = mup.bias_multipliers[-1] * mup.biases[-1]
    torch.testing.assert_close((mup(x) - out_bias) * math.sqrt(64), ntk(x) - out_bias,
                               rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("par", ["ntk", "standard", "mup"])
def test_structure_is_exposed(par):
    net = lt.ntk.make_mlp(3, 8, 3, out_dim=2, parameterization=par, sigma_b=0.5,
                          generator=torch.Generator().manual_seed(0))
    assert isinstance(net, lt.ntk.MLP) and isinstance(net, torch.nn.Module)
    assert net.depth == 3 and net.widths == (3, 8, 8, 8, 2)
    assert [tuple(w.shape) for w in net.weights] == [(8, 3), (8, 8), (8, 8), (2, 8)]
    assert len(net.weight_multipliers) == len(net.bias_multipliers) == 4
    x = torch.zeros(4, 3)
    assert net(x).shape == (4, 2)
    assert [tuple(a.shape) for a in net.features(x)] == [(4, 8)] * 3
    assert par in repr(net)
    nobias = lt.ntk.make_mlp(3, 8, 1, bias=False, generator=torch.Generator().manual_seed(0))
    assert not nobias.has_bias and len(list(nobias.parameters())) == 2


def test_init_variances_ntk_parameterization():
    """NTK parameterization draws raw weights N(0, 1): the sample variance of n^2 entries is
    1 within 5 SE (SE of a variance of N Gaussians = sqrt(2/N))."""
    net = lt.ntk.make_mlp(4, 256, 2, sigma_w=1.0, sigma_b=1.0,
                          generator=torch.Generator().manual_seed(0))
    w = net.weights[1].detach()
    n = w.numel()
    assert abs(float(w.var()) - 1.0) <= 5 * math.sqrt(2 / n)
    assert net.weight_multipliers[1] == pytest.approx(1 / 16)


def test_device_dtype_and_generator(device):
    """Parameters land on the requested device/dtype; float64 outputs match the CPU ones."""
    gen = torch.Generator(device=device).manual_seed(0)
    net = lt.ntk.make_mlp(3, 16, 2, device=device, dtype=torch.float64, generator=gen)
    assert net.weights[0].device.type == device.type and net.weights[0].dtype == torch.float64
    cpu = lt.ntk.make_mlp(3, 16, 2, generator=torch.Generator().manual_seed(0))
    moved = cpu.to(device)
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(moved(x.to(device)).cpu(), cpu.cpu()(x), rtol=1e-12, atol=1e-14)


def test_bad_arguments_raise_with_the_parameter_name():
    with pytest.raises(ValueError, match="'width'.*>= 1.*Got 0"):
        lt.ntk.make_mlp(3, 0, 2)
    with pytest.raises(ValueError, match="'depth'"):
        lt.ntk.make_mlp(3, 4, 0)
    with pytest.raises(TypeError, match="'in_dim'"):
        lt.ntk.make_mlp(3.5, 4, 1)
    with pytest.raises(ValueError, match="'activation'.*tanh"):
        lt.ntk.make_mlp(3, 4, 1, activation="tanh")
    with pytest.raises(ValueError, match="'parameterization'.*sp"):
        lt.ntk.make_mlp(3, 4, 1, parameterization="sp")
    with pytest.raises(ValueError, match="'sigma_w'.*> 0"):
        lt.ntk.make_mlp(3, 4, 1, sigma_w=-1.0)
    with pytest.raises(ValueError, match="'sigma_b'.*>= 0"):
        lt.ntk.make_mlp(3, 4, 1, sigma_b=-0.1)
    with pytest.raises(TypeError, match="'generator'"):
        lt.ntk.make_mlp(3, 4, 1, generator=0)
    with pytest.raises(TypeError, match="'bias'"):
        lt.ntk.make_mlp(3, 4, 1, bias=1)
