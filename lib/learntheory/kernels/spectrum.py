r"""The eigendecomposition of a kernel and the spectral view of regression.

Write the Gram matrix as :math:`K = \sum_i \lambda_i u_i u_i^\top` with
:math:`\lambda_1 \ge \lambda_2 \ge \dots \ge 0`. Kernel ridge regression and
gradient descent on the kernel least-squares loss both act on the targets
component by component:

* ridge:  :math:`\hat y = \sum_i \frac{\lambda_i}{\lambda_i + n\lambda}\,(u_i^\top y)\,u_i`
* gradient flow at rate :math:`\eta` for time :math:`t` (from zero):
  :math:`\hat y_t = \sum_i (1 - e^{-\eta\lambda_i t})\,(u_i^\top y)\,u_i`

so directions with large :math:`\lambda_i` are fitted first and best: the
*spectral bias* of kernel methods.

Notation: ``eigvals`` ↔ λ_i (descending), ``eigvecs`` ↔ u_i (columns),
``ridge`` ↔ λ, ``lr`` ↔ η, ``t`` ↔ t.

Implements Eq. (2.27) of [Rasmussen2006] in the eigenbasis and the
gradient-flow filter of [Jacot2018], Sec. 5; book: ``eq-spectral-filter``.
"""

from __future__ import annotations

import torch

from learntheory._core import check_points, check_positive
from learntheory.kernels.gram import check_pair

__all__ = [
    "gradient_flow_filter",
    "gram_eigh",
    "nystrom_eigenfunctions",
    "ridge_filter",
    "spectral_fit",
]


def gram_eigh(K: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Eigenvalues (descending) and orthonormal eigenvectors of a symmetric Gram matrix.

    Parameters
    ----------
    K : torch.Tensor, shape (n, n)
        Symmetric; it is symmetrised as ``(K + K.T) / 2`` to remove round-off.

    Returns
    -------
    eigvals : torch.Tensor, shape (n,)
        Descending.
    eigvecs : torch.Tensor, shape (n, n)
        Column ``i`` belongs to ``eigvals[i]``.
    """
    check_points(K, "K", owner="gram_eigh")
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"The 'K' parameter of gram_eigh must be square (n, n). "
                         f"Got shape {tuple(K.shape)} instead.")
    vals, vecs = torch.linalg.eigh(0.5 * (K + K.mT))
    return vals.flip(0), vecs.flip(1)


def ridge_filter(eigvals: torch.Tensor, *, ridge: float, n: int) -> torch.Tensor:
    r"""The kernel-ridge shrinkage :math:`\lambda_i / (\lambda_i + n\lambda)` per component.

    Notes
    -----
    Implements Eq. (2.27) of [Rasmussen2006] in the eigenbasis of K;
    book: ``eq-spectral-filter``.
    """
    lam = check_positive(ridge, "ridge", owner="ridge_filter")
    ev = eigvals.clamp_min(0.0)
    return ev / (ev + n * lam)


def gradient_flow_filter(eigvals: torch.Tensor, *, lr: float, t: float) -> torch.Tensor:
    r"""The gradient-flow filter :math:`1 - e^{-\eta \lambda_i t}` per component.

    For the loss :math:`\tfrac12\lVert K\alpha - y\rVert^2`-type kernel
    least squares in function space, :math:`\dot f = -\eta K (f - y)`, so the
    residual along :math:`u_i` decays like :math:`e^{-\eta\lambda_i t}`.

    Notes
    -----
    Implements the function-space dynamics of [Jacot2018], Sec. 5;
    book: ``eq-spectral-filter``. ``t = 0`` gives 0 (nothing learned).
    """
    eta = check_positive(lr, "lr", owner="gradient_flow_filter")
    time = check_positive(t, "t", owner="gradient_flow_filter", allow_zero=True)
    return -torch.expm1(-eta * time * eigvals.clamp_min(0.0))


def spectral_fit(
    eigvals: torch.Tensor, eigvecs: torch.Tensor, y: torch.Tensor, filt: torch.Tensor
) -> torch.Tensor:
    r"""In-sample fit :math:`\sum_i \phi_i\,(u_i^\top y)\,u_i` for a filter :math:`\phi`.

    With ``filt = ridge_filter(...)`` this equals the in-sample kernel ridge
    prediction; with ``gradient_flow_filter`` the gradient-flow fit at time t.

    Returns
    -------
    torch.Tensor, shape like ``y``
    """
    coef = eigvecs.mT @ y
    scale = filt if y.ndim == 1 else filt[:, None]
    return eigvecs @ (scale * coef)


def nystrom_eigenfunctions(
    kernel_at: torch.Tensor,
    eigvals: torch.Tensor,
    eigvecs: torch.Tensor,
    k: int,
) -> torch.Tensor:
    r"""Extend the top-``k`` Gram eigenvectors to eigenfunctions at new points.

    Parameters
    ----------
    kernel_at : torch.Tensor, shape (m, n)
        :math:`k(z_j, x_i)` between evaluation points and the n sample points.
    eigvals, eigvecs : from :func:`gram_eigh` on :math:`k(X, X)`.
    k : int
        Number of eigenfunctions.

    Returns
    -------
    torch.Tensor, shape (m, k)
        :math:`\phi_i(z) = \sqrt{n}\, k(z, X) u_i / \lambda_i`, normalised so that
        :math:`\frac1n\sum_j \phi_i(x_j)^2 = 1` on the sample.

    Notes
    -----
    Implements the Nystrom extension of [Williams2001], Eq. (3); book:
    ``kernels-eigenfunctions``. At the sample points it returns
    :math:`\sqrt{n}\,u_i` exactly.
    """
    n = eigvecs.shape[0]
    check_pair(kernel_at, None, "nystrom_eigenfunctions")
    if kernel_at.shape[1] != n:
        raise ValueError("The 'kernel_at' parameter of nystrom_eigenfunctions must have one "
                         f"column per sample point (n = {n}). Got shape {tuple(kernel_at.shape)}.")
    if not 1 <= k <= n:
        raise ValueError(f"The 'k' parameter of nystrom_eigenfunctions must be in [1, {n}]. "
                         f"Got {k!r} instead.")
    top = eigvals[:k]
    if bool((top <= 0).any()):
        raise ValueError("The top-k eigenvalues passed to nystrom_eigenfunctions must be > 0; "
                         f"got min {float(top.min()):.3e}. Choose a smaller 'k'.")
    return (n**0.5) * (kernel_at @ eigvecs[:, :k]) / top
