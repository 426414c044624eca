"""Tests for learntheory.ntk.empirical: three algorithms for the empirical NTK (Novak2022)."""

from __future__ import annotations

import pytest
import torch

import learntheory as lt

METHODS = ["structured", "jacobian", "ntk_vp"]


def _net(par="ntk", act="relu", out_dim=1, width=32, depth=3, seed=0, **kw):
    return lt.ntk.make_mlp(4, width, depth, out_dim=out_dim, activation=act,
                           parameterization=par, sigma_w=1.3, sigma_b=0.4,
                           generator=torch.Generator().manual_seed(seed), **kw)


def _x(n, seed):
    return torch.randn(n, 4, generator=torch.Generator().manual_seed(seed))


def _jacobian_by_rows(net, x):
    """d f_a(x_i) / d theta, one torch.autograd.grad call per input i and output a: (n, O, P)."""
    params = list(net.parameters())
    rows = []
    for xi in x:
        out = net(xi[None])[0]
        rows.append(torch.stack([torch.cat([g.flatten() for g in torch.autograd.grad(
            out[a], params, retain_graph=True)]) for a in range(out.shape[0])]))
    return torch.stack(rows)


@pytest.mark.parametrize("par", ["ntk", "standard", "mup"])
@pytest.mark.parametrize("act", ["relu", "erf"])
@pytest.mark.parametrize("out_dim", [1, 3])
@pytest.mark.parametrize("output", ["trace", "full"])
def test_three_methods_agree_novak2022(par, act, out_dim, output):
    """Each method = J1 J2^T built independently here (one autograd row per input and output,
    eq-ntk-def), which is also how the structured formula (eq-structured-ntk) is derived.

    Exact algebra, so the float64 floor: each entry is a sum of ~P = 2.3e3 products,
    rounding ~ sqrt(P) eps |Theta| ~ 1e-14 relative; rtol 1e-10 as required leaves room.
    """
    net, x1, x2 = _net(par, act, out_dim), _x(9, 1), _x(5, 2)
    J1, J2 = _jacobian_by_rows(net, x1), _jacobian_by_rows(net, x2)   # (n, O, P)
    full = torch.einsum("iap,jbp->ijab", J1, J2)
    ref = full if output == "full" else full.diagonal(dim1=2, dim2=3).mean(-1)
    expect = (9, 5) if output == "trace" else (9, 5, out_dim, out_dim)
    assert ref.shape == expect
    for m in METHODS:
        got = lt.ntk.empirical_ntk(net, x1, x2, method=m, output=output)
        torch.testing.assert_close(got, ref, rtol=1e-10, atol=1e-10 * float(ref.abs().max()))


@pytest.mark.parametrize("method", METHODS)
def test_chunking_changes_nothing(method):
    """chunk_size only reorganises the same sums (and uses symmetry when x2 is None)."""
    net, x = _net(out_dim=2), _x(11, 3)
    for output in ("trace", "full"):
        full = lt.ntk.empirical_ntk(net, x, method=method, output=output)
        for chunk in (1, 4, 50):
            got = lt.ntk.empirical_ntk(net, x, method=method, output=output, chunk_size=chunk)
            torch.testing.assert_close(got, full, rtol=1e-12, atol=1e-12 * float(full.abs().max()))
        x2 = _x(6, 4)
        ref = lt.ntk.empirical_ntk(net, x, x2, method=method, output=output)
        got = lt.ntk.empirical_ntk(net, x, x2, method=method, output=output, chunk_size=4)
        torch.testing.assert_close(got, ref, rtol=1e-12, atol=1e-12 * float(ref.abs().max()))


def test_trace_is_the_mean_of_the_diagonal_blocks_and_psd():
    """output='trace' = (1/O) sum_a Theta_aa (the documented normalisation); the Gram is
    symmetric PSD (min eig >= -1e-12 ||K||, the float64 floor)."""
    net, x = _net(out_dim=3), _x(8, 5)
    full = lt.ntk.empirical_ntk(net, x, output="full")
    trace = lt.ntk.empirical_ntk(net, x, output="trace")
    torch.testing.assert_close(trace, full.diagonal(dim1=2, dim2=3).mean(-1), rtol=1e-12, atol=0)
    torch.testing.assert_close(full, full.permute(1, 0, 3, 2), rtol=1e-12, atol=0)
    ev = torch.linalg.eigvalsh(full.permute(0, 2, 1, 3).reshape(24, 24))
    assert float(ev.min()) >= -1e-12 * float(ev.max())


def test_default_method_is_structured_for_an_mlp_and_jacobian_otherwise(monkeypatch):
    """The documented defaults, observed: a spy records which implementation runs."""
    import learntheory.ntk.empirical as emp

    calls = []
    for name in ("_structured", "_jacobian", "_ntk_vp"):
        real = getattr(emp, name)
        monkeypatch.setattr(emp, name, lambda *a, _r=real, _n=name, **k: (calls.append(_n),
                                                                           _r(*a, **k))[1])
    lt.ntk.empirical_ntk(_net(), _x(3, 1))
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    lt.ntk.empirical_ntk(model, _x(3, 1))
    assert calls == ["_structured", "_jacobian"]


def test_float32_agrees_to_the_float32_floor():
    """In float32 the default method agrees with the Jacobian contraction to the float32
    floor (1e-4, learntheory._core.testing.FLOAT_FLOORS)."""
    net = _net(dtype=torch.float32)
    x = _x(6, 6).float()
    k = lt.ntk.empirical_ntk(net, x)
    assert k.dtype == torch.float32
    ref = lt.ntk.empirical_ntk(net, x, method="jacobian")
    torch.testing.assert_close(k, ref, rtol=1e-4, atol=1e-4 * float(ref.abs().max()))


def test_generic_module_with_torch_func_methods():
    """Any nn.Module works with 'jacobian' and 'ntk_vp' (they agree, float64 floor); the
    structured method refuses it with a TypeError that names the model and the fix."""
    gen = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    x = _x(5, 7)
    a = lt.ntk.empirical_ntk(model, x)  # default: jacobian
    b = lt.ntk.empirical_ntk(model, x, method="ntk_vp", chunk_size=2)
    torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    with pytest.raises(TypeError, match="'model'.*MLP.*Sequential.*jacobian"):
        lt.ntk.empirical_ntk(model, x, method="structured")


def test_same_numbers_on_every_device(device):
    """float64 on CUDA equals CPU (rtol 1e-10: different BLAS summation orders only)."""
    net, x = _net(), _x(6, 8)
    cpu = lt.ntk.empirical_ntk(net, x)
    got = lt.ntk.empirical_ntk(net.to(device), x.to(device))
    assert got.device.type == device.type
    torch.testing.assert_close(got.cpu(), cpu, rtol=1e-10, atol=1e-12)


def test_bad_inputs_raise_with_the_parameter_name():
    net, x = _net(), _x(3, 9)
    with pytest.raises(ValueError, match="'method'.*autograd"):
        lt.ntk.empirical_ntk(net, x, method="autograd")
    with pytest.raises(ValueError, match="'output'.*diag"):
        lt.ntk.empirical_ntk(net, x, output="diag")
    with pytest.raises(ValueError, match="'chunk_size'.*>= 1"):
        lt.ntk.empirical_ntk(net, x, chunk_size=0)
    with pytest.raises(ValueError, match="'x2'.*feature dimension 4"):
        lt.ntk.empirical_ntk(net, x, torch.randn(2, 5))
    with pytest.raises(ValueError, match="'x1'.*finite"):
        lt.ntk.empirical_ntk(net, torch.full((2, 4), float("nan")))
    with pytest.raises(ValueError, match="'x1'.*dtype"):
        lt.ntk.empirical_ntk(net, x.float())
    with pytest.raises(TypeError, match="'model'.*nn.Module"):
        lt.ntk.empirical_ntk(lambda z: z, x)
