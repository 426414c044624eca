r"""Infinite-width NNGP and NTK of a fully-connected network (NTK parameterization).

The recursions of [Jacot2018] (its NNGP and NTK limits) with weight scale
:math:`\sigma_w` and bias scale :math:`\sigma_b`, for ``depth`` = L hidden layers:

.. math::
    \Sigma^{1}(x,x') &= \tfrac{\sigma_w^2}{n_0}\,x\cdot x' + \sigma_b^2,\qquad
    \Theta^{1} = \Sigma^{1},\\
    \Sigma^{\ell+1} &= \sigma_w^2\,\mathbb E_{\Sigma^\ell}[\sigma(u)\sigma(v)] + \sigma_b^2,\qquad
    \dot\Sigma^{\ell+1} = \sigma_w^2\,\mathbb E_{\Sigma^\ell}[\dot\sigma(u)\dot\sigma(v)],\\
    \Theta^{\ell+1} &= \Theta^{\ell}\,\dot\Sigma^{\ell+1} + \Sigma^{\ell+1},

and the network's NNGP and NTK are :math:`\Sigma^{L+1}` and :math:`\Theta^{L+1}`
(times the identity on the output units). These are exactly the limits of
:func:`learntheory.ntk.make_mlp` with ``parameterization="ntk"`` and the same
``sigma_w``, ``sigma_b`` (input normalised by :math:`1/n_0`, biases trainable):
the empirical NTK converges to :math:`\Theta^{L+1}` as the width grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import check_pair
from learntheory.kernels.dual import DUAL_ACTIVATIONS
from learntheory.ntk.config import MLPConfig, resolve_config

__all__ = ["KernelPair", "mlp_kernels", "mlp_nngp", "mlp_ntk"]


@dataclass(frozen=True)
class KernelPair:
    """The infinite-width kernels of one network.

    Attributes
    ----------
    nngp : torch.Tensor, shape (n1, n2)
        :math:`\\Sigma^{L+1}(x_1, x_2)`, the covariance of the output at init.
    ntk : torch.Tensor, shape (n1, n2)
        :math:`\\Theta^{L+1}(x_1, x_2)`, the neural tangent kernel.

    Both live on the inputs' device, in their dtype.
    """

    nngp: torch.Tensor
    ntk: torch.Tensor


def mlp_kernels(
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    config: MLPConfig | None = None,
    depth: int | None = None,
    activation: str | None = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
) -> KernelPair:
    r"""NNGP and NTK of an infinitely wide MLP by the layer recursion.

    Parameters
    ----------
    x1 : torch.Tensor, shape (n1, d)
    x2 : torch.Tensor, shape (n2, d), optional
        Defaults to ``x1``.
    config : MLPConfig, optional
        The network whose limit is computed (its width is ignored; its
        parameterization must be ``"ntk"``). Pass the object used for
        :func:`~learntheory.ntk.mlp.make_mlp`, or the keywords below (not both).
    depth : int
        Number of hidden layers L (>= 1), as in :func:`make_mlp`.
    activation : {"relu", "erf"}
        Default ``"relu"`` (:class:`~learntheory.ntk.config.MLPConfig`'s defaults).
    sigma_w : float
        Weight scale (> 0, default :math:`\sqrt2`); ``sigma_w**2`` multiplies both
        expectations.
    sigma_b : float
        Bias scale (>= 0, default 0); ``sigma_b**2`` is added to every :math:`\Sigma^\ell`.

    Returns
    -------
    KernelPair
        ``nngp`` and ``ntk``, each ``(n1, n2)`` on the inputs' device and dtype.

    Raises
    ------
    TypeError, ValueError
        Naming 'x1'/'x2' (not a float tensor, wrong rank, mismatched feature
        dimension, NaN/inf, device mismatch), 'depth', 'activation',
        'sigma_w' or 'sigma_b'.

    Notes
    -----
    .. math:: \Theta^{\ell+1} = \Theta^{\ell}\,\dot\Sigma^{\ell+1} + \Sigma^{\ell+1}

    Implements the recursions of [Jacot2018] (the NNGP part
    is also in [Lee2018] and [Matthews2018]) with the dual activations of
    [ChoSaul2009] and [Williams1997]; book: ``eq-ntk-recursion``,
    ``eq-nngp-recursion``. The variances on the diagonal are propagated
    separately for ``x1`` and ``x2``, so the cost is :math:`O(L\,n_1n_2)` after
    one Gram matrix. With ``x2=None`` the diagonal is the variances exactly. For ReLU
    the angle between near-parallel inputs is computed without cancellation (the gap
    :math:`\sqrt{q_1q_2} - c` is carried through the layers; see ``_relu_layer``), so
    float32 keeps ~1e-7 relative accuracy on the diagonal and on parallel rows, where
    ``arccos`` of a cosine 1 ulp below 1 would give an angle of ~5e-4.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    >>> k = lt.ntk.mlp_kernels(x, config=lt.ntk.MLPConfig(depth=1, sigma_w=2 ** 0.5))
    >>> k.ntk.diagonal()  # Sigma^1 = Theta^1 = 1, Sigma_dot^2 = 1, Sigma^2 = 1: Theta^2 = 2
    tensor([2.0000, 2.0000], dtype=torch.float64)
    """
    owner = "mlp_kernels"
    a, b = check_pair(x1, x2, owner)
    cfg = resolve_config(config, owner, depth=depth, activation=activation, sigma_w=sigma_w,
                         sigma_b=sigma_b)
    if cfg.parameterization != "ntk":
        raise ValueError(f"The 'config' parameter of {owner} must use parameterization='ntk' "
                         f"(the recursion is the NTK-parameterization limit). "
                         f"Got {cfg.parameterization!r} instead.")
    depth, sw2, sb2 = cfg.depth, cfg.sigma_w**2, cfg.sigma_b**2
    dual, dual_dot = DUAL_ACTIVATIONS[cfg.activation]

    n0 = a.shape[-1]
    # Layer 1: Sigma^1 = sigma_w^2 x.x'/n0 + sigma_b^2 (and Theta^1 = Sigma^1).
    c = sw2 * (a @ b.mT) / n0 + sb2
    q1 = sw2 * (a * a).sum(-1) / n0 + sb2
    q2 = q1 if x2 is None else sw2 * (b * b).sum(-1) / n0 + sb2
    if x2 is None:  # a same-set Gram: its diagonal is the variances, exactly
        c.diagonal().copy_(q1)
    relu = cfg.activation == "relu"
    gap = _input_gap(a, b, q1, q2, c, sw2, sb2, same=x2 is None) if relu else None
    theta = c
    for _ in range(depth):
        qa, qb = q1[:, None], q2[None, :]
        if relu:
            # Sigma^{l+1}, Sigma_dot^{l+1} and the new gap from the accurate angle.
            c_dot, c, gap = _relu_layer(qa, qb, c, gap, sw2, sb2)
        else:
            # Sigma^{l+1} = sigma_w^2 E[s(u)s(v)] + sigma_b^2; Sigma_dot^{l+1} = sigma_w^2 E[s's'].
            c_dot = sw2 * dual_dot(qa, qb, c)
            c = sw2 * dual(qa, qb, c) + sb2
        q1 = sw2 * dual(q1, q1, q1) + sb2
        q2 = q1 if x2 is None else sw2 * dual(q2, q2, q2) + sb2
        if x2 is None:
            c.diagonal().copy_(q1)
        # Theta^{l+1} = Theta^l * Sigma_dot^{l+1} + Sigma^{l+1}.
        theta = theta * c_dot + c
    return KernelPair(nngp=c, ntk=theta)


# ---------------------------------------------------------------------------
# ReLU near parallel inputs: the angle without cancellation
#
# theta = arccos(c / sqrt(q1 q2)) is ill-conditioned at theta = 0: one ulp u of error in
# the cosine gives theta ~ sqrt(2u) (3.5e-4 in float32), and the ReLU derivative kernel
# (pi - theta) / 2pi passes it on at first order. So for ReLU the recursion carries, beside
# c, the gap g = sqrt(q1 q2) - c = sqrt(q1 q2)(1 - cos theta) >= 0, computed with a small
# *relative* error, and takes theta = 2 atan2(sqrt(g), sqrt(sqrt(q1 q2) + c)) (the half-
# angle form: tan^2(theta/2) = (1 - cos) / (1 + cos)), accurate at both ends.

#: Pairs whose naive gap is below this fraction of sqrt(q1 q2) get the explicit gap.
#: Above it the naive gap has relative error <= (a few ulp) / _GAP_REFINE.
_GAP_REFINE = 1.0 / 16
#: Pairs per block of the explicit gap (memory: this many rows of d + 1 numbers).
_GAP_BLOCK = 1 << 15


def _input_gap(a, b, q1, q2, c, sw2, sb2, *, same):
    r"""The layer-1 gap :math:`\sqrt{q_1q_2} - c` with a small relative error.

    With the augmented inputs :math:`\tilde x = (\sigma_w x/\sqrt{n_0}, \sigma_b)`,
    :math:`c = \tilde x\cdot\tilde x'` and the gap is
    :math:`|\tilde x||\tilde x'|\,\|\hat x - \hat x'\|^2/2` for the unit vectors
    :math:`\hat x = \tilde x/|\tilde x|`. The difference is formed explicitly (no
    cancellation) for the near-parallel pairs only; elsewhere ``norm - c`` is accurate.
    """
    norm = torch.sqrt(q1[:, None] * q2[None, :])
    gap = (norm - c).clamp_min(0.0)
    if same:
        gap.diagonal().zero_()
    rows, cols = torch.nonzero(gap < _GAP_REFINE * norm, as_tuple=True)
    if same:
        keep = rows != cols
        rows, cols = rows[keep], cols[keep]
    if rows.numel() == 0:
        return gap
    n0 = a.shape[-1]
    scale = math.sqrt(sw2 / n0)

    def unit(x, q):
        aug = torch.cat([scale * x, x.new_full((x.shape[0], 1), math.sqrt(sb2))], dim=1)
        return aug / torch.sqrt(q)[:, None].clamp_min(torch.finfo(x.dtype).tiny)

    ua, ub = unit(a, q1), unit(b, q2)
    for s in range(0, rows.numel(), _GAP_BLOCK):
        r, k = rows[s:s + _GAP_BLOCK], cols[s:s + _GAP_BLOCK]
        chord2 = (ua[r] - ub[k]).square().sum(-1)
        gap[r, k] = norm[r, k] * chord2 / 2
    return gap


def _theta_minus_sin(t: torch.Tensor) -> torch.Tensor:
    """theta - sin(theta) >= 0 without cancellation, for 0 <= theta < 1 (its Taylor series)."""
    t2 = t * t
    # theta^3/3! (1 - theta^2/(4*5) (1 - theta^2/(6*7) (...))): 9 terms, error < 1/21! at 1.
    series = torch.ones_like(t)
    for k in range(19, 3, -2):
        series = 1.0 - t2 / (k * (k - 1)) * series
    return t * t2 / 6.0 * series


def _relu_layer(q1, q2, c, gap, sw2, sb2):
    r"""One ReLU layer on (q1, q2, c, gap): returns (Sigma_dot', Sigma', gap').

    With :math:`N = \sqrt{q_1q_2}` and :math:`J = \sin\theta + (\pi-\theta)\cos\theta`:
    :math:`\Sigma' = \sigma_w^2NJ/2\pi + \sigma_b^2`,
    :math:`\dot\Sigma' = \sigma_w^2(\pi-\theta)/2\pi`,
    and the new gap is a sum of non-negative terms,

    .. math:: N' - \Sigma' = \frac{\sigma_b^2(\sqrt{A_1}-\sqrt{A_2})^2}{N' + \sqrt{A_1A_2}
              + \sigma_b^2} + \frac{\sigma_w^2}{2\pi}\big[(\pi-\theta)\,g
              + N(\theta-\sin\theta)\big],

    where :math:`A_i = \sigma_w^2q_i/2` (so :math:`q_i' = A_i + \sigma_b^2`), using
    :math:`\pi - J = (\pi-\theta)(1-\cos\theta) + (\theta - \sin\theta)`.
    """
    norm = torch.sqrt(q1 * q2)
    tiny = torch.finfo(norm.dtype).tiny
    cos = (c / norm.clamp_min(tiny)).clamp(-1.0, 1.0)
    theta = torch.arccos(cos)
    # Near-parallel pairs (gap < norm / 16, so theta < 0.36): the half-angle form from the gap.
    near = torch.nonzero(gap < _GAP_REFINE * norm, as_tuple=True)
    g, nm, cn = gap[near], norm[near], c[near]
    t = 2.0 * torch.atan2(torch.sqrt(g), torch.sqrt((nm + cn).clamp_min(0.0)))
    theta[near] = t
    sin = torch.sin(theta)
    c_dot = sw2 * (math.pi - theta) / (2.0 * math.pi)
    c_new = sw2 * norm * (sin + (math.pi - theta) * cos) / (2.0 * math.pi) + sb2
    a1, a2 = sw2 * q1 / 2.0, sw2 * q2 / 2.0
    n_new = torch.sqrt((a1 + sb2) * (a2 + sb2))
    # Elsewhere N' - Sigma' directly has a relative error of a few ulp * 16 at most.
    gap_new = (n_new - c_new).clamp_min(0.0)
    if t.numel():
        a1n, a2n = a1.expand_as(norm)[near], a2.expand_as(norm)[near]
        nn_ = n_new.expand_as(norm)[near]
        root = torch.sqrt(a1n) + torch.sqrt(a2n)
        bias_part = sb2 * ((a1n - a2n) / root.clamp_min(tiny)).square() / (
            nn_ + sw2 * nm / 2.0 + sb2).clamp_min(tiny)
        gap_new[near] = bias_part + sw2 * ((math.pi - t) * g + nm * _theta_minus_sin(t)) / (
            2.0 * math.pi)
    return c_dot, c_new, gap_new


def mlp_nngp(
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    config: MLPConfig | None = None,
    depth: int | None = None,
    activation: str | None = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
) -> torch.Tensor:
    r"""The NNGP kernel :math:`\Sigma^{L+1}`; ``mlp_kernels(...).nngp``.

    Parameters, Returns and Raises as in :func:`mlp_kernels` (returns the
    ``(n1, n2)`` tensor).

    Notes
    -----
    Implements the NNGP recursion of [Lee2018] (also in [Jacot2018]);
    book: ``eq-nngp-recursion``.
    """
    return mlp_kernels(x1, x2, config=config, depth=depth, activation=activation,
                       sigma_w=sigma_w, sigma_b=sigma_b).nngp


def mlp_ntk(
    x1: torch.Tensor,
    x2: torch.Tensor | None = None,
    *,
    config: MLPConfig | None = None,
    depth: int | None = None,
    activation: str | None = None,
    sigma_w: float | None = None,
    sigma_b: float | None = None,
) -> torch.Tensor:
    r"""The NTK :math:`\Theta^{L+1}`; ``mlp_kernels(...).ntk``.

    Parameters, Returns and Raises as in :func:`mlp_kernels` (returns the
    ``(n1, n2)`` tensor).

    Notes
    -----
    Implements the NTK recursion of [Jacot2018]; book: ``eq-ntk-recursion``.
    """
    return mlp_kernels(x1, x2, config=config, depth=depth, activation=activation,
                       sigma_w=sigma_w, sigma_b=sigma_b).ntk
