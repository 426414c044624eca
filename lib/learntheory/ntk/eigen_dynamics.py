r"""Training dynamics along the eigenvectors of the NTK.

With a fixed kernel :math:`\Theta = \sum_i\lambda_i u_iu_i^\top` on the training
inputs, gradient descent on :math:`\tfrac12\sum_i(f(x_i)-y_i)^2` moves the
residual :math:`r_t = f_t(X) - Y` by :math:`r_{t+1} = (I - \eta\Theta)r_t`, so

.. math:: u_i^\top r_t = (1 - \eta\lambda_i)^t\,u_i^\top r_0
          \;\approx\; e^{-\eta\lambda_i t}\,u_i^\top r_0

([Jacot2018]; book: ``eq-eigen-dynamics``). When eigenvalues are
repeated (points evenly spaced on a circle give pairs :math:`\cos k\gamma`,
:math:`\sin k\gamma`), the individual eigenvectors are arbitrary but the
*eigenspaces* are not: :func:`eigenspaces` groups equal eigenvalues and
:func:`mode_residuals` measures the residual's norm in each eigenspace, which
is basis-independent and decays at the same rate; :func:`mode_deviation`
reports, per eigenspace, the largest departure of the measured norm from
the prediction.
"""

from __future__ import annotations

import torch

from learntheory._core import check_points, check_positive

__all__ = ["eigenspaces", "mode_deviation", "mode_residuals", "predicted_mode_residuals"]


def eigenspaces(eigvals: torch.Tensor, *, rtol: float = 1e-6) -> list[list[int]]:
    r"""Group the indices of (numerically) equal eigenvalues.

    Parameters
    ----------
    eigvals : torch.Tensor, shape (N,)
        Eigenvalues sorted in decreasing order (as from
        :func:`~learntheory.kernels.gram_eigh`).
    rtol : float
        Two consecutive eigenvalues belong to one eigenspace when they differ by
        at most ``rtol * max |eigvals|``.

    Returns
    -------
    list of list of int
        Consecutive index groups, in the order of ``eigvals``.

    Raises
    ------
    ValueError
        If ``eigvals`` is not 1-D, not finite, not sorted decreasingly, or ``rtol < 0``.

    Notes
    -----
    Book: ``eq-eigen-dynamics`` (the eigenspaces of :math:`\Theta`).
    """
    owner = "eigenspaces"
    check_points(eigvals, "eigvals", owner=owner, ndim=1)
    check_positive(rtol, "rtol", owner=owner, allow_zero=True)
    if bool((eigvals[1:] > eigvals[:-1]).any()):
        raise ValueError(f"The 'eigvals' parameter of {owner} must be sorted in decreasing "
                         f"order. Got {eigvals.tolist()} instead.")
    tol = rtol * float(eigvals.abs().max())
    groups: list[list[int]] = [[0]]
    for i in range(1, eigvals.shape[0]):
        if float(eigvals[groups[-1][0]] - eigvals[i]) <= tol:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def mode_residuals(
    residuals: torch.Tensor, eigvecs: torch.Tensor, groups: list[list[int]]
) -> torch.Tensor:
    r"""Norm of the residual in each eigenspace, :math:`\lVert U_g^\top r_t\rVert`.

    Parameters
    ----------
    residuals : torch.Tensor, shape (T, N)
        Training residuals :math:`r_t = f_t(X) - Y` at T recorded times.
    eigvecs : torch.Tensor, shape (N, N)
        Orthonormal eigenvectors in columns.
    groups : list of list of int
        Column groups (from :func:`eigenspaces`).

    Returns
    -------
    torch.Tensor, shape (T, G)
        On the inputs' device and dtype.

    Raises
    ------
    ValueError
        If the shapes do not match.

    Notes
    -----
    Book: ``eq-eigen-dynamics``.
    """
    owner = "mode_residuals"
    check_points(residuals, "residuals", owner=owner)
    check_points(eigvecs, "eigvecs", owner=owner, features=residuals.shape[1])
    proj = residuals @ eigvecs                                   # (T, N): u_i . r_t
    return torch.stack([proj[:, g].norm(dim=1) for g in groups], dim=1)


def predicted_mode_residuals(
    r0: torch.Tensor,
    eigvals: torch.Tensor,
    eigvecs: torch.Tensor,
    groups: list[list[int]],
    *,
    lr: float,
    steps: torch.Tensor,
) -> torch.Tensor:
    r"""Prediction of :func:`mode_residuals`: components decay by :math:`(1-\eta\lambda_i)^t`.

    Parameters
    ----------
    r0 : torch.Tensor, shape (N,)
        Residual at step 0.
    eigvals, eigvecs : torch.Tensor, shapes (N,) and (N, N)
    groups : list of list of int
    lr : float
        Step size :math:`\eta` for the sum loss.
    steps : torch.Tensor, shape (T,)
        Step counts t.

    Returns
    -------
    torch.Tensor, shape (T, G)
        :math:`\big(\sum_{i\in g}(1-\eta\lambda_i)^{2t}(u_i^\top r_0)^2\big)^{1/2}`, which is
        :math:`|1-\eta\lambda_g|^t\lVert U_g^\top r_0\rVert` on an eigenspace.

    Notes
    -----
    Implements the eigen-decomposition of linearised GD, [Jacot2018];
    book: ``eq-eigen-dynamics``.
    """
    owner = "predicted_mode_residuals"
    check_points(r0, "r0", owner=owner, ndim=1)
    eta = check_positive(lr, "lr", owner=owner)
    check_points(eigvecs, "eigvecs", owner=owner, features=r0.shape[0])
    t = steps.to(r0.dtype)[:, None]                                   # (T, 1)
    coef = (r0 @ eigvecs)[None, :] * (1 - eta * eigvals)[None, :] ** t   # (T, N): u_i . r_t
    return torch.stack([coef[:, g].norm(dim=1) for g in groups], dim=1)


def mode_deviation(
    measured: torch.Tensor, predicted: torch.Tensor, *, floor: float = 1e-3
) -> torch.Tensor:
    r"""Largest deviation from the prediction in each eigenspace, relative to its start.

    Parameters
    ----------
    measured, predicted : torch.Tensor, shape (T, G)
        :func:`mode_residuals` and :func:`predicted_mode_residuals` at the same steps.
    floor : float
        Only steps where the prediction is above ``floor`` times the eigenspace's
        initial norm count (further down, rounding and the kernel's movement dominate).

    Returns
    -------
    torch.Tensor, shape (G,)
        :math:`\max_t |m_{t,g} - p_{t,g}| / m_{0,g}` over the steps kept (0 where none is),
        on the inputs' device and dtype.

    Raises
    ------
    ValueError
        If the shapes differ or ``floor`` is negative.

    Notes
    -----
    Book: ``eq-eigen-dynamics``.
    """
    owner = "mode_deviation"
    check_points(measured, "measured", owner=owner)
    check_points(predicted, "predicted", owner=owner, features=measured.shape[1])
    if predicted.shape != measured.shape:
        raise ValueError(f"The 'predicted' parameter of {owner} must have the shape of "
                         f"'measured' {tuple(measured.shape)}. Got {tuple(predicted.shape)}.")
    lo = check_positive(floor, "floor", owner=owner, allow_zero=True)
    start = measured[0]
    dev = (measured - predicted).abs() / start
    alive = predicted > lo * start
    return torch.where(alive, dev, torch.zeros_like(dev)).amax(dim=0)
