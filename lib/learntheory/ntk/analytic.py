r"""Infinite-width NNGP and NTK of a fully-connected network (NTK parameterization).

The recursions of [Jacot2018] (Prop. 1 and Thm. 1) with weight scale
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

    Implements the recursions of [Jacot2018], Prop. 1 and Thm. 1 (the NNGP part
    is [Lee2018], Sec. 2.3, and [Matthews2018]) with the dual activations of
    [ChoSaul2009] and [Williams1997]; book: ``eq-ntk-recursion``,
    ``eq-nngp-recursion``. The variances on the diagonal are propagated
    separately for ``x1`` and ``x2``, so the cost is :math:`O(L\,n_1n_2)` after
    one Gram matrix.

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
    theta = c
    for _ in range(depth):
        qa, qb = q1[:, None], q2[None, :]
        # Sigma^{l+1} = sigma_w^2 E[s(u)s(v)] + sigma_b^2; Sigma_dot^{l+1} = sigma_w^2 E[s's'].
        c_dot = sw2 * dual_dot(qa, qb, c)
        c = sw2 * dual(qa, qb, c) + sb2
        q1 = sw2 * dual(q1, q1, q1) + sb2
        q2 = q1 if x2 is None else sw2 * dual(q2, q2, q2) + sb2
        # Theta^{l+1} = Theta^l * Sigma_dot^{l+1} + Sigma^{l+1}.
        theta = theta * c_dot + c
    return KernelPair(nngp=c, ntk=theta)


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
    Implements [Lee2018], Sec. 2.3 (the recursion of [Jacot2018], Prop. 1);
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
    Implements [Jacot2018], Thm. 1; book: ``eq-ntk-recursion``.
    """
    return mlp_kernels(x1, x2, config=config, depth=depth, activation=activation,
                       sigma_w=sigma_w, sigma_b=sigma_b).ntk
