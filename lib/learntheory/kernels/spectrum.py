r"""The eigendecomposition of a kernel and the spectral view of regression.

Write the Gram matrix as :math:`K = \sum_i \lambda_i u_i u_i^\top` with
:math:`\lambda_1 \ge \lambda_2 \ge \dots \ge 0`. Kernel ridge regression and
gradient descent on the kernel least-squares loss both act on the targets
component by component:

* ridge:  :math:`\hat y = \sum_i \frac{\lambda_i}{\lambda_i + n\lambda}\,(u_i^\top y)\,u_i`
* gradient flow at rate :math:`\eta` for time :math:`t` (from zero):
  :math:`\hat y_t = \sum_i (1 - e^{-\eta\lambda_i t})\,(u_i^\top y)\,u_i`
* gradient descent with step :math:`\eta` for :math:`t` steps:
  :math:`\hat y_t = \sum_i (1 - (1 - \eta\lambda_i)^t)\,(u_i^\top y)\,u_i`

so directions with large :math:`\lambda_i` are fitted first and best: the
*spectral bias* of kernel methods.

Notation: ``eigvals`` ↔ λ_i (descending), ``eigvecs`` ↔ u_i (columns),
``ridge`` ↔ λ, ``lr`` ↔ η, ``t`` ↔ t.

Implements Eq. (2.27) of [Rasmussen2006] in the eigenbasis and the
gradient-flow filter of [Jacot2018], Sec. 5; book: ``eq-spectral-filter``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from learntheory._core import check_choice, check_int, check_points, check_positive

__all__ = [
    "FilterComparison",
    "early_stopping_filters",
    "gradient_descent_filter",
    "gradient_flow_filter",
    "gram_eigh",
    "max_learning_rate",
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


def _times(t, eigvals: torch.Tensor, name: str, owner: str, *, integer: bool):
    """``t`` as a (T,) tensor on ``eigvals``' device and dtype, and whether it was 1-D."""
    kind = "integers" if integer else "numbers"
    if isinstance(t, torch.Tensor) and t.ndim == 1:
        bad = ~torch.isfinite(t) | (t < 0)
        if integer:
            bad |= t != t.round()
        if bool(bad.any()):
            raise ValueError(f"The '{name}' parameter of {owner} must hold finite {kind} >= 0. "
                             f"Got {t.tolist()} instead.")
        return t.to(device=eigvals.device, dtype=eigvals.dtype), True
    if integer:
        if isinstance(t, torch.Tensor) and t.numel() == 1:
            t = t.item()
        if isinstance(t, float) and t.is_integer():
            t = int(t)
        value = float(check_int(t, name, owner=owner, minimum=0))
    else:
        value = check_positive(t, name, owner=owner, allow_zero=True)
    return torch.tensor([value], device=eigvals.device, dtype=eigvals.dtype), False


def gradient_flow_filter(
    eigvals: torch.Tensor, *, lr: float, t: float | torch.Tensor
) -> torch.Tensor:
    r"""The gradient-flow filter :math:`1 - e^{-\eta \lambda_i t}` per component.

    For kernel least squares in function space, :math:`\dot f = -\eta K (f - y)`
    (the loss :math:`\tfrac12\lVert f(X) - y\rVert^2`), so the residual along
    :math:`u_i` decays like :math:`e^{-\eta\lambda_i t}`.

    Parameters
    ----------
    eigvals : torch.Tensor, shape (N,)
        Eigenvalues of K (negative round-off is clamped to 0).
    lr : float
        :math:`\eta > 0`.
    t : float or torch.Tensor of shape (T,)
        Time(s) >= 0.

    Returns
    -------
    torch.Tensor, shape (N,), or (T, N) for a 1-D ``t``

    Notes
    -----
    Implements the function-space dynamics of [Jacot2018], Sec. 5;
    book: ``eq-spectral-filter``. ``t = 0`` gives 0 (nothing learned).
    """
    owner = "gradient_flow_filter"
    check_points(eigvals, "eigvals", owner=owner, ndim=1)
    eta = check_positive(lr, "lr", owner=owner)
    times, batched = _times(t, eigvals, "t", owner, integer=False)
    out = -torch.expm1(-eta * times[:, None] * eigvals.clamp_min(0.0)[None, :])
    return out if batched else out[0]


def gradient_descent_filter(
    eigvals: torch.Tensor, *, lr: float, steps: int | torch.Tensor
) -> torch.Tensor:
    r"""The gradient-descent filter :math:`1 - (1 - \eta\lambda_i)^t` per component.

    Discrete gradient descent :math:`f \leftarrow f - \eta K (f - y)` multiplies
    the residual along :math:`u_i` by :math:`1 - \eta\lambda_i` at every step; it
    converges for every component iff :math:`\eta < 2/\lambda_{\max}`
    (:func:`max_learning_rate`) and tends to :func:`gradient_flow_filter` as
    :math:`\eta \to 0` with :math:`\eta t` fixed.

    Parameters
    ----------
    eigvals : torch.Tensor, shape (N,)
        Eigenvalues of K (negative round-off is clamped to 0).
    lr : float
        Step size :math:`\eta > 0`.
    steps : int or torch.Tensor of shape (T,)
        Number(s) of steps, integers >= 0.

    Returns
    -------
    torch.Tensor, shape (N,), or (T, N) for a 1-D ``steps``

    Notes
    -----
    Implements the discrete-time dynamics of [Lee2019], Sec. 2 in the
    eigenbasis; book: ``eq-spectral-filter``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> lam = torch.tensor([1.0, 0.5], dtype=torch.float64)
    >>> lt.kernels.gradient_descent_filter(lam, lr=1.0, steps=2)
    tensor([1.0000, 0.7500], dtype=torch.float64)
    """
    owner = "gradient_descent_filter"
    check_points(eigvals, "eigvals", owner=owner, ndim=1)
    eta = check_positive(lr, "lr", owner=owner)
    times, batched = _times(steps, eigvals, "steps", owner, integer=True)
    out = 1.0 - torch.pow((1.0 - eta * eigvals.clamp_min(0.0))[None, :], times[:, None])
    return out if batched else out[0]


def max_learning_rate(kernel: torch.Tensor, *, loss: str = "sum") -> float:
    r"""The largest stable step of kernel gradient descent, :math:`2/\lambda_{\max}`.

    Parameters
    ----------
    kernel : torch.Tensor, shape (N, N) or (N,)
        A symmetric PSD Gram matrix, or its eigenvalues.
    loss : {"sum", "mean"}
        ``"sum"``: :math:`\tfrac12\sum_i` (rate :math:`\eta`), limit
        :math:`2/\lambda_{\max}`; ``"mean"``: :math:`\tfrac1{2N}\sum_i`, limit
        :math:`2N/\lambda_{\max}`.

    Returns
    -------
    float
        Every component of :func:`gradient_descent_filter` converges iff
        ``lr`` is below this; half of it, :math:`1/\lambda_{\max}`, removes the
        top component in one step.

    Raises
    ------
    ValueError
        If the largest eigenvalue is not > 0, or ``loss`` is unknown.

    Notes
    -----
    :math:`|1-\eta\lambda_i| < 1` for all i iff :math:`0 < \eta < 2/\lambda_{\max}`
    ([Lee2019], Sec. 2 and Thm. 2.1); book: ``eq-spectral-filter``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> lt.kernels.max_learning_rate(torch.diag(torch.tensor([4.0, 1.0])))
    0.5
    """
    owner = "max_learning_rate"
    check_choice(loss, "loss", ("sum", "mean"), owner=owner)
    if isinstance(kernel, torch.Tensor) and kernel.ndim == 1:
        check_points(kernel, "kernel", owner=owner, ndim=1)
        top, n = float(kernel.max()), kernel.shape[0]
    else:
        check_points(kernel, "kernel", owner=owner)
        if kernel.shape[0] != kernel.shape[1]:
            raise ValueError(f"The 'kernel' parameter of {owner} must be square (N, N) or "
                             f"eigenvalues (N,). Got shape {tuple(kernel.shape)} instead.")
        top, n = float(torch.linalg.eigvalsh(0.5 * (kernel + kernel.mT))[-1]), kernel.shape[0]
    if not top > 0:
        raise ValueError(f"The 'kernel' parameter of {owner} must have a largest eigenvalue > 0. "
                         f"Got {top!r} instead.")
    return 2.0 / top * (n if loss == "mean" else 1)


@dataclass(frozen=True)
class FilterComparison:
    r"""Early stopping against ridge: three filters over a grid of eigenvalues, for several t.

    Attributes
    ----------
    times : list of int
        Numbers of gradient-descent steps t (one row each below).
    grid : torch.Tensor, shape (G,)
        Eigenvalues at which the continuous curves are drawn (log-spaced).
    flow, ridge : torch.Tensor, shape (T, G)
        :math:`1 - e^{-\eta\lambda t}` and :math:`\lambda/(\lambda + n\lambda_r)` with
        :math:`\lambda_r = 1/(n\eta t)` at the grid.
    eigvals : torch.Tensor, shape (N,)
        The kernel's eigenvalues (clamped at 0).
    descent : torch.Tensor, shape (T, N)
        :math:`1 - (1 - \eta\lambda_i)^t` at the kernel's eigenvalues.
    lr : float
    """

    times: list[int]
    grid: torch.Tensor
    flow: torch.Tensor
    ridge: torch.Tensor
    eigvals: torch.Tensor
    descent: torch.Tensor
    lr: float

    @property
    def max_gap(self) -> float:
        """Largest gap between the descent and the matched ridge filter at the eigenvalues."""
        n = self.eigvals.shape[0]
        gaps = [(self.descent[i] - ridge_filter(self.eigvals, ridge=1.0 / (n * self.lr * t),
                                                n=n)).abs().max()
                for i, t in enumerate(self.times) if t > 0]
        return float(max(gaps)) if gaps else 0.0


def early_stopping_filters(
    eigvals: torch.Tensor,
    *,
    lr: float,
    times: Sequence[int],
    n_grid: int = 300,
) -> FilterComparison:
    r"""Gradient descent stopped at step t against ridge with :math:`\lambda_r = 1/(n\eta t)`.

    Parameters
    ----------
    eigvals : torch.Tensor, shape (N,)
        The kernel's eigenvalues.
    lr : float
        Step size :math:`\eta > 0` (sum loss).
    times : sequence of int
        Numbers of steps t >= 1.
    n_grid : int
        Points of the eigenvalue grid, spanning a decade beyond both the
        eigenvalues and :math:`1/(\eta t)`.

    Returns
    -------
    FilterComparison
        On ``eigvals``' device and dtype.

    Notes
    -----
    Early stopping at t acts like ridge with :math:`n\lambda_r = 1/(\eta t)`: both
    filters are :math:`\approx 1` for :math:`\lambda \gg 1/(\eta t)` and
    :math:`\approx \eta t\lambda` for :math:`\lambda \ll 1/(\eta t)`. Uses
    :func:`gradient_flow_filter`, :func:`gradient_descent_filter` and
    :func:`ridge_filter` ([Jacot2018], Sec. 5; [Rasmussen2006], Eq. (2.27));
    book: ``eq-spectral-filter``.
    """
    owner = "early_stopping_filters"
    check_points(eigvals, "eigvals", owner=owner, ndim=1)
    eta = check_positive(lr, "lr", owner=owner)
    times = [check_int(t, "times", owner=owner) for t in times]
    if not times:
        raise ValueError(f"The 'times' parameter of {owner} must hold at least one step count. "
                         f"Got {times!r} instead.")
    n_grid = check_int(n_grid, "n_grid", owner=owner, minimum=2)
    ev = eigvals.clamp_min(0.0)
    positive = ev[ev > 0]
    if positive.numel() == 0:
        raise ValueError(f"The 'eigvals' parameter of {owner} must hold a positive eigenvalue. "
                         f"Got {eigvals.tolist()} instead.")
    lo = min(float(positive.min()), 1.0 / (eta * max(times))) / 10
    hi = max(float(ev.max()), 1.0 / eta) * 10
    grid = torch.logspace(torch.log10(torch.tensor(lo)), torch.log10(torch.tensor(hi)), n_grid,
                          device=ev.device, dtype=ev.dtype)
    steps = torch.tensor(times, device=ev.device, dtype=ev.dtype)
    n = ev.shape[0]
    ridge = torch.stack([ridge_filter(grid, ridge=1.0 / (n * eta * t), n=n) for t in times])
    return FilterComparison(
        times=times,
        grid=grid,
        flow=gradient_flow_filter(grid, lr=eta, t=steps),
        ridge=ridge,
        eigvals=ev,
        descent=gradient_descent_filter(ev, lr=eta, steps=steps),
        lr=eta,
    )


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
    check_points(kernel_at, "kernel_at", owner="nystrom_eigenfunctions")
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
