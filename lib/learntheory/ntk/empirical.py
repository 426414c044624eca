r"""The empirical (finite-width) NTK by three algorithms.

.. math:: \hat\Theta_{ab}(x, x') = \sum_p \partial_p f_a(x)\,\partial_p f_b(x')

summed over all trainable parameters :math:`p` of the model (the raw
parameters that gradient descent updates, see :mod:`learntheory.ntk.mlp`).

* ``"jacobian"``: Jacobian contraction, ``vmap(jacrev)`` then an ``einsum``
  over parameters (the PyTorch ``torch.func`` NTK tutorial). Memory
  :math:`O(nOP)`, time :math:`O(n^2OP)`.
* ``"ntk_vp"``: NTK-vector products, one ``vjp`` on :math:`x'` and one batched
  ``jvp`` on all of :math:`x` per column of :math:`\hat\Theta` ([Novak2022]);
  the Jacobian is never stored (memory per block of columns).
* ``"structured"``: for :class:`~learntheory.ntk.mlp.MLP` only. With backward
  signals :math:`\delta^\ell = \partial f/\partial h^\ell` and
  :math:`\partial f/\partial w^\ell = m_\ell\,\delta^\ell a^{\ell-1\top}`,

  .. math:: \hat\Theta = \sum_{\ell=1}^{L+1} \big(\Delta^\ell\Delta^{\ell\top}\big)\odot
            \big(m_\ell^2 A^{\ell-1}A^{\ell-1\top} + (m^b_\ell)^2\,\mathbf 1\mathbf 1^\top\big),

  where the :math:`\Delta^\ell` come from a closed-form backward recursion
  :math:`\Delta^\ell = \dot\sigma(H^\ell)\odot(\Delta^{\ell+1} m_{\ell+1}w^{\ell+1})` (no
  autograd). Cost: one batched forward pass plus :math:`2L+1` Gram matrices,
  all large matrix products; memory :math:`O(LnOn_\ell + n^2)`.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.func import functional_call, jacrev, jvp, vjp, vmap

from learntheory._core import check_choice, check_int, check_points, check_same_device
from learntheory.ntk.mlp import MLP, activation_derivative, check_mlp_input

__all__ = ["NTK_METHODS", "NTK_OUTPUTS", "empirical_ntk"]

NTK_METHODS = ("structured", "jacobian", "ntk_vp")
NTK_OUTPUTS = ("trace", "full")


def empirical_ntk(
    model: nn.Module,
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    method: str | None = None,
    output: str = "trace",
    chunk_size: int | None = None,
) -> torch.Tensor:
    r"""Empirical neural tangent kernel of ``model`` between two batches of inputs.

    Parameters
    ----------
    model : nn.Module
        Maps ``(n, d)`` to ``(n, O)`` (or ``(n,)``, read as O = 1), with no
        interaction between examples (no batch norm; dropout off).
    x1 : torch.Tensor, shape (n1, d)
    x2 : torch.Tensor, shape (n2, d), optional
        Defaults to ``x1``. Both on the model's device, in its dtype.
    method : {"structured", "jacobian", "ntk_vp"}, optional
        Default: ``"structured"`` for an :class:`MLP` (fastest by far), else
        ``"jacobian"``.
    output : {"trace", "full"}
        ``"trace"``: the **mean** of the diagonal output blocks,
        :math:`\frac1O\sum_a\hat\Theta_{aa}`, shape ``(n1, n2)`` (for O = 1 the NTK
        itself; for wide NTK-parameterized nets it converges to the same
        :math:`\Theta` for any O). ``"full"``: shape ``(n1, n2, O, O)``.
    chunk_size : int, optional
        Memory control, in inputs. ``"structured"``: Gram blocks of
        ``chunk_size x chunk_size`` (and only the upper blocks when
        ``x2 is None``); ``"jacobian"``: Jacobians of ``chunk_size`` inputs at a
        time; ``"ntk_vp"``: columns for ``chunk_size`` inputs of ``x2`` at a time.
        ``None``: everything at once.

    Returns
    -------
    torch.Tensor
        ``(n1, n2)`` or ``(n1, n2, O, O)``, on the inputs' device and dtype.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module``, or is not an :class:`MLP` with
        ``method="structured"``; if an input is not a floating tensor.
    ValueError
        Naming 'method', 'output', 'chunk_size', 'x1' or 'x2' (wrong rank,
        feature dimension, NaN/inf, device or dtype mismatch).

    Notes
    -----
    The structured formula is :math:`\hat\Theta = \sum_\ell (\Delta^\ell\Delta^{\ell\top})
    \odot(\tfrac{\sigma_w^2}{n_{\ell-1}}A^{\ell-1}A^{\ell-1\top} + \sigma_b^2)` in NTK
    parameterization. Implements the empirical NTK of [Jacot2018], by
    Jacobian contraction and NTK-vector products as in [Novak2022];
    book: ``eq-structured-ntk``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> net = lt.ntk.make_mlp(3, 32, 2, generator=torch.Generator().manual_seed(0))
    >>> x = torch.randn(4, 3, generator=torch.Generator().manual_seed(1))
    >>> k1 = lt.ntk.empirical_ntk(net, x)  # structured
    >>> k2 = lt.ntk.empirical_ntk(net, x, method="jacobian")
    >>> k1.shape, bool(torch.allclose(k1, k2, rtol=1e-4))
    (torch.Size([4, 4]), True)
    """
    owner = "empirical_ntk"
    if not isinstance(model, nn.Module):
        raise TypeError(f"The 'model' parameter of {owner} must be a torch.nn.Module. "
                        f"Got {type(model).__name__} instead.")
    if method is None:
        method = "structured" if isinstance(model, MLP) else "jacobian"
    check_choice(method, "method", NTK_METHODS, owner=owner)
    check_choice(output, "output", NTK_OUTPUTS, owner=owner)
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", owner=owner)
    if method == "structured" and not isinstance(model, MLP):
        raise TypeError(
            f"The 'model' parameter of {owner} must be a learntheory.ntk.MLP (built by "
            f"make_mlp) for method='structured'. Got {type(model).__name__} instead; use "
            "method='jacobian' or method='ntk_vp' for other models."
        )
    if isinstance(model, MLP):
        check_mlp_input(model, x1, "x1", owner)
        if x2 is not None:
            check_mlp_input(model, x2, "x2", owner)
    else:
        check_points(x1, "x1", owner=owner)
        if x2 is not None:
            check_points(x2, "x2", owner=owner, features=x1.shape[-1])
            check_same_device(owner, x1=x1, x2=x2)
    if method == "structured":
        return _structured(model, x1, x2, output, chunk_size)
    if method == "jacobian":
        return _jacobian(model, x1, x2, output, chunk_size)
    return _ntk_vp(model, x1, x2, output, chunk_size)


# ---------------------------------------------------------------------------
# structured (MLP only)


def _signals(model: MLP, x: torch.Tensor, trace: bool, chunk: int | None):
    """Scaled forward features ``m_l A^{l-1}`` (l = 1..L+1) and backward signals ``Delta^l``."""
    L, out = model.depth, model.widths[-1]
    mult, ws = model.weight_multipliers, list(model.weights)
    bias = [mb * b for mb, b in zip(model.bias_multipliers, model.biases, strict=True)]
    sigma = {"relu": torch.relu, "erf": torch.erf}[model.activation]
    step = x.shape[0] if chunk is None else chunk
    feats: list[list[torch.Tensor]] = [[] for _ in range(L + 1)]
    deltas: list[list[torch.Tensor]] = [[] for _ in range(L)]
    scale = 1.0 / math.sqrt(out) if trace else 1.0
    for start in range(0, x.shape[0], step):
        a, dots = x[start:start + step], []
        for ell in range(L + 1):
            a = mult[ell] * a  # m_l a^{l-1}: scale the (n, n_{l-1}) side, never copy w
            feats[ell].append(a)
            if ell == L:
                break
            h = torch.addmm(bias[ell], a, ws[ell].mT) if bias else a @ ws[ell].mT
            dots.append(activation_derivative(h, model.activation))
            a = sigma(h)
        # Closed-form backward: Delta^L = sigma'(H^L) * m_{L+1} w^{L+1}[a, :], then
        # Delta^l = sigma'(H^l) * (m_{l+1} Delta^{l+1} @ w^{l+1}); shape (n, O, n_l).
        d = dots[L - 1][:, None, :] * ((scale * mult[L]) * ws[L])[None, :, :]
        for ell in range(L - 1, -1, -1):
            deltas[ell].append(d.reshape(d.shape[0], -1) if trace else d)
            if ell > 0:
                d = d @ ws[ell]
                d.mul_(dots[ell - 1][:, None, :]).mul_(mult[ell])
    cat = [f[0] if len(f) == 1 else torch.cat(f) for f in feats]
    return cat, [d[0] if len(d) == 1 else torch.cat(d) for d in deltas]


def _structured_block(model, f1, d1, f2, d2, rows, cols, trace):
    """One ``(rows, cols)`` block of the structured NTK."""
    L, out = model.depth, model.widths[-1]
    mb2 = [mb * mb for mb in model.bias_multipliers]
    nr, nc = rows.stop - rows.start, cols.stop - cols.start
    # Output layer: Delta^{L+1} = identity, so its term is the forward Gram alone.
    last = torch.mm(f1[L][rows], f2[L][cols].mT).add_(mb2[L])
    if trace:
        theta = last
        for ell in range(L):
            ga = torch.mm(f1[ell][rows], f2[ell][cols].mT).add_(mb2[ell])
            theta.addcmul_(ga, torch.mm(d1[ell][rows], d2[ell][cols].mT))
        return theta
    eye = torch.eye(out, dtype=last.dtype, device=last.device)
    theta = last[:, :, None, None] * eye
    for ell in range(L):
        ga = torch.mm(f1[ell][rows], f2[ell][cols].mT).add_(mb2[ell])
        a, b = d1[ell][rows], d2[ell][cols]  # (n, O, n_l)
        gd = torch.mm(a.reshape(nr * out, -1), b.reshape(nc * out, -1).mT)
        theta.addcmul_(ga[:, :, None, None], gd.reshape(nr, out, nc, out).permute(0, 2, 1, 3))
    return theta


@torch.no_grad()
def _structured(model: MLP, x1, x2, output: str, chunk: int | None) -> torch.Tensor:
    trace = output == "trace"
    f1, d1 = _signals(model, x1, trace, chunk)
    f2, d2 = (f1, d1) if x2 is None else _signals(model, x2, trace, chunk)
    n1, n2 = x1.shape[0], (x1 if x2 is None else x2).shape[0]
    if chunk is None or (chunk >= n1 and chunk >= n2):
        return _structured_block(model, f1, d1, f2, d2, slice(0, n1), slice(0, n2), trace)
    out = model.widths[-1]
    shape = (n1, n2) if trace else (n1, n2, out, out)
    theta = x1.new_empty(shape)
    for i in range(0, n1, chunk):
        rows = slice(i, min(i + chunk, n1))
        for j in range(i if x2 is None else 0, n2, chunk):
            cols = slice(j, min(j + chunk, n2))
            block = _structured_block(model, f1, d1, f2, d2, rows, cols, trace)
            theta[rows, cols] = block
            if x2 is None and j != i:  # symmetry: Theta(x', x)_{ba} = Theta(x, x')_{ab}
                theta[cols, rows] = block.transpose(0, 1) if trace else block.permute(1, 0, 3, 2)
    return theta


# ---------------------------------------------------------------------------
# torch.func methods (any model)


def _functional(model: nn.Module):
    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def f_batch(p, x):
        y = functional_call(model, (p, buffers), (x,))
        return y.reshape(x.shape[0], -1)

    def f_single(p, x):
        return f_batch(p, x[None])[0]

    return params, f_batch, f_single


def _blocks(n: int, chunk: int | None):
    step = n if chunk is None else chunk
    return [slice(s, min(s + step, n)) for s in range(0, n, step)]


def _jacobian(model, x1, x2, output, chunk):
    params, _, f_single = _functional(model)

    def jac(x):
        j = vmap(jacrev(f_single), (None, 0))(params, x)
        return [v.reshape(v.shape[0], v.shape[1], -1) for v in j.values()]

    other = x1 if x2 is None else x2
    b1, b2 = _blocks(x1.shape[0], chunk), _blocks(other.shape[0], chunk)
    eq = "iaf,jaf->ij" if output == "trace" else "iaf,jbf->ijab"
    rows_out = []
    for r in b1:
        j1 = jac(x1[r])
        cols_out = []
        for c in b2:
            j2 = j1 if (x2 is None and r == c) else jac(other[c])
            cols_out.append(sum(torch.einsum(eq, a, b) for a, b in zip(j1, j2, strict=True)))
        rows_out.append(torch.cat(cols_out, dim=1))
    theta = torch.cat(rows_out, dim=0)
    return theta / j1[0].shape[1] if output == "trace" else theta


def _ntk_vp(model, x1, x2, output, chunk):
    params, f_batch, f_single = _functional(model)
    other = x1 if x2 is None else x2

    def column(xj, v):
        # One NTK-vector product: g = J(xj)^T v (vjp), then J(X1) g (jvp): Theta(X1, xj) v.
        _, vjp_fn = vjp(lambda p: f_single(p, xj), params)
        (g,) = vjp_fn(v)
        _, tangent = jvp(lambda p: f_batch(p, x1), (params,), (g,))
        return tangent  # (n1, O)

    out = f_single(params, other[0]).shape[0]
    eye = torch.eye(out, dtype=x1.dtype, device=x1.device)
    blocks = []
    for c in _blocks(other.shape[0], chunk):
        nc = c.stop - c.start
        xs = other[c].repeat_interleave(out, dim=0)  # (nc * O, d): input j, basis b
        vs = eye.repeat(nc, 1)  # (nc * O, O)
        cols = vmap(column)(xs, vs).reshape(nc, out, x1.shape[0], out)  # [j, b, i, a]
        blocks.append(cols.permute(2, 0, 3, 1))  # [i, j, a, b]
    theta = torch.cat(blocks, dim=1)
    if output == "trace":
        return theta.diagonal(dim1=2, dim2=3).mean(-1)
    return theta
