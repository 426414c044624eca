r"""The best weight on the labels from two trainings, and the 1-D self-distillation run.

The students of one distillation step are affine in the label weight :math:`\alpha`
(:mod:`learntheory.collapse.distillation`), so for squared loss against targets :math:`z`
the best weight is the projection
:math:`\alpha^* = \langle z - f_0, f_1 - f_0\rangle / \lVert f_1 - f_0\rVert^2` of two
trainings, at :math:`\alpha = 0` and :math:`\alpha = 1` ([Borup2021]).
:func:`distill_krr_1d` runs the closed-form path on a 1-D regression sample, as the
page's figures and explorer draw it. Book: ``collapse-distillation``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from learntheory._core import (
    check_choice,
    check_instance,
    check_int,
    check_points,
    check_positive,
    check_same_device,
)
from learntheory.collapse.distillation import (
    _check_cross,
    _check_gram,
    distillation_diagonal,
    distillation_limit,
    distillation_limit_diagonal,
    self_distill_spectral,
)
from learntheory.datasets import Regression1D
from learntheory.kernels import KERNELS, gram_eigh, kernel_ridge_fit

__all__ = ["DistillationRun", "OptimalAlphaPath", "distill_krr_1d", "optimal_alpha",
           "optimal_alpha_path"]


def optimal_alpha(f0: torch.Tensor, f1: torch.Tensor, z: torch.Tensor, *,
                  clip: bool = True) -> torch.Tensor:
    r"""The weight α that brings one step's student closest to targets z, from two trainings.

    Parameters
    ----------
    f0, f1 : torch.Tensor, shape (m,)
        The students of the same step and teacher trained with :math:`\alpha = 0` (on the
        teacher's predictions) and :math:`\alpha = 1` (on the labels), evaluated at m points.
    z : torch.Tensor, shape (m,)
        Targets at the same points: held-out labels, or the noiseless function when it is
        known (see Notes for the training labels).
    clip : bool
        Clip to [0, 1], the weights the procedure is defined for (default); ``False``
        returns the unconstrained minimiser.

    Returns
    -------
    torch.Tensor, shape ()
        NaN where :math:`f_1 = f_0` (at step 1 the teacher is the labels and every α gives
        the same student).

    Notes
    -----
    The targets, hence the student, are affine in α:
    :math:`f_\alpha = f_0 + \alpha(f_1 - f_0)`, so
    :math:`\lVert z - f_\alpha\rVert^2` is a parabola in α with minimiser

    .. math::
        \alpha^* = \frac{\langle z - f_0,\ f_1 - f_0\rangle}{\lVert f_1 - f_0\rVert^2} ,

    and its minimiser over [0, 1] is the clipped value. [Borup2021] derive the optimal α
    of a step in closed form and estimate it for networks from the α = 0 and α = 1
    trainings; the formula here is derived (book: ``eq-optimal-alpha``). Against the
    *training labels* (z = y in-sample) it is always >= 1, so the training loss never
    asks for distillation (the page's exercise).
    """
    owner = "optimal_alpha"
    check_points(f0, "f0", owner=owner, ndim=1)
    check_points(f1, "f1", owner=owner, ndim=1, features=f0.shape[0])
    check_points(z, "z", owner=owner, ndim=1, features=f0.shape[0])
    check_same_device(owner, f0=f0, f1=f1, z=z)
    direction = f1 - f0
    alpha = torch.dot(z - f0, direction) / torch.dot(direction, direction)
    return alpha.clamp(0.0, 1.0) if clip else alpha


@dataclass(frozen=True)
class OptimalAlphaPath:
    """Self-distillation that picks the best α at every step (greedily, from two trainings).

    Attributes
    ----------
    alphas : torch.Tensor, shape (T,)
        :math:`\\alpha^*_t` of each step (NaN at step 1, where α plays no role).
    ridge : float
    train : torch.Tensor, shape (T, n)
        In-sample predictions of the chosen students (the next teachers).
    eval : torch.Tensor, shape (T, m)
        The chosen students at the evaluation inputs (where α* was fitted).
    test : torch.Tensor, shape (T, n_test), or None
    """

    alphas: torch.Tensor
    ridge: float
    train: torch.Tensor
    eval: torch.Tensor
    test: torch.Tensor | None


def optimal_alpha_path(K: torch.Tensor, y: torch.Tensor, *, ridge: float, steps: int,
                       K_eval: torch.Tensor, z_eval: torch.Tensor,
                       K_test: torch.Tensor | None = None, clip: bool = True) -> OptimalAlphaPath:
    r"""Distil for T steps, choosing each step's α by :func:`optimal_alpha` against z_eval.

    Parameters
    ----------
    K : torch.Tensor, shape (n, n)
    y : torch.Tensor, shape (n,)
    ridge : float
        Per-sample ridge :math:`\lambda > 0`.
    steps : int
        T >= 1.
    K_eval : torch.Tensor, shape (m, n)
        Cross-Gram matrix of the evaluation inputs (held-out points) and training inputs.
    z_eval : torch.Tensor, shape (m,)
        Targets there (held-out labels, or the noiseless function).
    K_test : torch.Tensor, shape (n_test, n), optional
    clip : bool
        Passed to :func:`optimal_alpha`.

    Returns
    -------
    OptimalAlphaPath

    Notes
    -----
    Each step solves one KRR system with two right-hand sides (teacher and labels), the
    students :math:`\alpha = 0, 1`; the chosen student's dual coefficients are their
    affine combination. Book: ``eq-optimal-alpha``.
    """
    owner = "optimal_alpha_path"
    n = _check_gram(K, owner)
    check_points(y, "y", owner=owner, ndim=1, features=n)
    check_same_device(owner, K=K, y=y)
    lam = check_positive(ridge, "ridge", owner=owner)
    T = check_int(steps, "steps", owner=owner)
    _check_cross(K_eval, n, "K_eval", owner, K)
    check_points(z_eval, "z_eval", owner=owner, ndim=1, features=K_eval.shape[0])
    check_same_device(owner, K=K, z_eval=z_eval)
    _check_cross(K_test, n, "K_test", owner, K)
    teacher, alphas, train, evals, tests = y, [], [], [], []
    for t in range(T):
        coef = kernel_ridge_fit(K, torch.stack([teacher, y], dim=1), ridge=lam)
        c0, c1 = coef[:, 0], coef[:, 1]
        if t == 0:      # the teacher is y itself: both students are plain KRR
            a, c = y.new_tensor(float("nan")), c1
        else:
            a = optimal_alpha(K_eval @ c0, K_eval @ c1, z_eval, clip=clip)
            c = c0 + a * (c1 - c0)
        teacher = K @ c
        alphas.append(a)
        train.append(teacher)
        evals.append(K_eval @ c)
        if K_test is not None:
            tests.append(K_test @ c)
    return OptimalAlphaPath(torch.stack(alphas), lam, torch.stack(train), torch.stack(evals),
                            torch.stack(tests) if tests else None)


@dataclass(frozen=True)
class DistillationRun:
    """Self-distillation of KRR on a 1-D regression sample (what the page's figures draw).

    Attributes
    ----------
    alpha, ridge, bandwidth : float
    eigvals : torch.Tensor, shape (n,)
        Eigenvalues :math:`d_j` of the training Gram matrix, descending.
    diagonal : torch.Tensor, shape (T, n)
        :math:`b_j^{(t)}`, t = 1..T (closed form).
    limit_diagonal : torch.Tensor, shape (n,)
        :math:`b_j^{(\\infty)}`.
    train : torch.Tensor, shape (T, n)
    test : torch.Tensor, shape (T, m)
        :math:`f^{(t)}` on the sample's test grid.
    test_mse : torch.Tensor, shape (T,)
        Mean squared error of :math:`f^{(t)}` against the noiseless target on the grid.
    limit_test : torch.Tensor, shape (m,)
    limit_test_mse : float
    """

    alpha: float
    ridge: float
    bandwidth: float
    eigvals: torch.Tensor
    diagonal: torch.Tensor
    limit_diagonal: torch.Tensor
    train: torch.Tensor
    test: torch.Tensor
    test_mse: torch.Tensor
    limit_test: torch.Tensor
    limit_test_mse: float

    @property
    def steps(self) -> int:
        """The number of steps T."""
        return self.train.shape[0]


def distill_krr_1d(data: Regression1D, *, alpha: float, ridge: float, bandwidth: float,
                   steps: int, kernel: str = "gaussian") -> DistillationRun:
    """Self-distil KRR on a :class:`~learntheory.datasets.Regression1D` sample, closed form.

    Parameters
    ----------
    data : Regression1D
        From :func:`learntheory.datasets.regression_1d`.
    alpha : float
        Weight of the labels, in [0, 1].
    ridge, bandwidth : float
        Per-sample ridge and kernel length scale, both > 0.
    steps : int
        T >= 1.
    kernel : {"gaussian", "laplace"}

    Returns
    -------
    DistillationRun

    Notes
    -----
    Uses :func:`self_distill_spectral`, :func:`distillation_diagonal` and
    :func:`distillation_limit`; book: ``collapse-distillation``.
    """
    owner = "distill_krr_1d"
    check_instance(data, "data", Regression1D, owner=owner)
    check_choice(kernel, "kernel", ("gaussian", "laplace"), owner=owner)
    h = check_positive(bandwidth, "bandwidth", owner=owner)
    k = KERNELS[kernel]
    K = k(data.x_train, bandwidth=h)
    K_test = k(data.x_test, data.x_train, bandwidth=h)
    path = self_distill_spectral(K, data.y_train, alpha=alpha, ridge=ridge, steps=steps,
                                 K_test=K_test)
    n = K.shape[0]
    eigvals = gram_eigh(K)[0].clamp_min(0.0)
    _, limit_test = distillation_limit(K, data.y_train, alpha=alpha, ridge=ridge, K_test=K_test)
    return DistillationRun(
        alpha=path.alpha, ridge=path.ridge, bandwidth=h, eigvals=eigvals,
        diagonal=distillation_diagonal(eigvals, alpha=alpha, ridge=ridge, n=n, steps=steps),
        limit_diagonal=distillation_limit_diagonal(eigvals, alpha=alpha, ridge=ridge, n=n),
        train=path.train, test=path.test,
        test_mse=((path.test - data.f_test) ** 2).mean(dim=1),
        limit_test=limit_test, limit_test_mse=float(((limit_test - data.f_test) ** 2).mean()),
    )
