r"""Self-distillation of kernel ridge regression, with a weight on the ground truth.

A model retrained on its own predictions is the regression analogue of model collapse.
Step 1 fits kernel ridge regression (KRR) to the labels :math:`y`; step :math:`t \ge 2`
refits it, on the same inputs, to the mixed targets
:math:`\alpha y + (1-\alpha)\hat y^{(t-1)}`, where :math:`\hat y^{(t-1)}` are the previous
step's in-sample predictions. :math:`\alpha = 0` is pure self-distillation [Mobahi2020],
:math:`\alpha = 1` is no distillation at all. With :math:`K = V D V^\top`,
:math:`d_j \ge 0` and :math:`a_j = d_j/(d_j + n\lambda)`, every step is diagonal in the
eigenbasis [Borup2021]:

.. math::
    \hat y^{(t)} = V B^{(t)} V^\top y, \qquad
    B^{(t)} = A\big((1-\alpha) B^{(t-1)} + \alpha I\big), \quad B^{(0)} = I ,

so :math:`b_j^{(1)} = a_j` (step 1 is plain KRR), :math:`b_j^{(t)} = a_j^t \to 0` for
:math:`\alpha = 0`, and :math:`b_j^{(t)} \to \alpha d_j/(\alpha d_j + n\lambda)`, KRR with
ridge :math:`\lambda/\alpha`, for :math:`\alpha > 0`. The students of one step are affine
in :math:`\alpha`, so two trainings give the best :math:`\alpha` of that step.

Ridge convention: the primer's, :math:`(K + n\lambda I)\,c = y`
(:func:`learntheory.kernels.kernel_ridge_fit`); [Borup2021] and [Mobahi2020] solve
:math:`(K + \lambda' I)\,c = y`, so :math:`\lambda' = n\lambda`. Book:
``collapse-distillation``.

Notation: ``alpha`` ↔ α (weight of the labels), ``ridge`` ↔ λ, ``steps`` ↔ t,
``eigvals`` ↔ :math:`d_j` (descending), ``diagonal`` ↔ :math:`b_j^{(t)}`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from learntheory._core import (
    check_int,
    check_points,
    check_positive,
    check_same_device,
    check_targets,
)
from learntheory.kernels import (
    gram_eigh,
    kernel_ridge_fit,
    kernel_ridge_predict,
    ridge_filter,
)

__all__ = [
    "DistillationPath",
    "SelfDistillation",
    "distillation_diagonal",
    "distillation_limit",
    "distillation_limit_diagonal",
    "self_distill",
    "self_distill_spectral",
]


def _check_alpha(alpha, owner: str) -> float:
    value = check_positive(alpha, "alpha", owner=owner, allow_zero=True)
    if value > 1:
        raise ValueError(f"The 'alpha' parameter of {owner} must be in [0, 1] (the weight of "
                         f"the labels). Got {value!r} instead.")
    return value


def _check_gram(K, owner: str) -> int:
    check_points(K, "K", owner=owner)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"The 'K' parameter of {owner} must be square (n, n). "
                         f"Got shape {tuple(K.shape)} instead.")
    return K.shape[0]


def _check_cross(K_test, n: int, name: str, owner: str, K: torch.Tensor) -> None:
    if K_test is None:
        return
    check_points(K_test, name, owner=owner, features=n)
    check_same_device(owner, K=K, **{name: K_test})


def _check_problem(K, y, alpha, ridge, steps, K_test, owner):
    n = _check_gram(K, owner)
    y = check_targets(y, "y", n=n, owner=owner, like=K)
    _check_cross(K_test, n, "K_test", owner, K)
    return (y, _check_alpha(alpha, owner), check_positive(ridge, "ridge", owner=owner),
            check_int(steps, "steps", owner=owner))


@dataclass(frozen=True)
class DistillationPath:
    """Predictions of self-distillation steps ``t = 1, ..., T``.

    Attributes
    ----------
    alpha, ridge : float
        Weight of the labels and per-sample ridge.
    train : torch.Tensor, shape (T, n) or (T, n, m)
        In-sample predictions :math:`\\hat y^{(t)}` (row ``t - 1`` is step ``t``).
    test : torch.Tensor, shape (T, n_test) or (T, n_test, m), or None
        Predictions :math:`f^{(t)}` at the test inputs of ``K_test``.
    """

    alpha: float
    ridge: float
    train: torch.Tensor
    test: torch.Tensor | None

    @property
    def steps(self) -> int:
        """The number of steps T."""
        return self.train.shape[0]


def self_distill(K: torch.Tensor, y: torch.Tensor, *, alpha: float, ridge: float, steps: int,
                 K_test: torch.Tensor | None = None) -> DistillationPath:
    r"""Self-distillation done literally: retrain KRR ``steps`` times on mixed targets.

    Parameters
    ----------
    K : torch.Tensor, shape (n, n)
        Gram matrix of the training inputs.
    y : torch.Tensor, shape (n,) or (n, m)
        Labels (the ground truth of the paper's title); same device and dtype as ``K``.
    alpha : float
        Weight of the labels in every step, in [0, 1].
    ridge : float
        Per-sample ridge :math:`\lambda > 0`, :math:`(K + n\lambda I)c = \text{targets}`.
    steps : int
        Number of steps T >= 1 (step 1 is plain KRR).
    K_test : torch.Tensor, shape (n_test, n), optional
        Cross-Gram matrix of test and training inputs.

    Returns
    -------
    DistillationPath
        On ``K``'s device and dtype.

    Raises
    ------
    TypeError, ValueError
        Naming 'K', 'y', 'alpha', 'ridge', 'steps' or 'K_test'.

    Notes
    -----
    Step t minimises
    :math:`\frac{\alpha}{n}\sum_i (y_i - f(x_i))^2 + \frac{1-\alpha}{n}\sum_i
    (\hat y^{(t-1)}_i - f(x_i))^2 + \lambda\lVert f\rVert_{\mathcal H}^2`, whose minimiser
    is KRR on the targets :math:`\alpha y + (1-\alpha)\hat y^{(t-1)}`, with
    :math:`\hat y^{(0)} = y`. The distillation objective of [Borup2021] in the primer's
    ridge convention (the paper's equation number was not checked: derived here); each
    step is one call of :func:`~learntheory.kernels.kernel_ridge_fit`. Book:
    ``eq-distillation-step``.
    """
    y, a, lam, T = _check_problem(K, y, alpha, ridge, steps, K_test, "self_distill")
    teacher, train, test = y, [], []
    for _ in range(T):
        coef = kernel_ridge_fit(K, a * y + (1 - a) * teacher, ridge=lam)
        teacher = kernel_ridge_predict(K, coef)
        train.append(teacher)
        if K_test is not None:
            test.append(kernel_ridge_predict(K_test, coef))
    return DistillationPath(a, lam, torch.stack(train), torch.stack(test) if test else None)


def distillation_diagonal(eigvals: torch.Tensor, *, alpha: float, ridge: float, n: int,
                          steps: int) -> torch.Tensor:
    r"""The closed-form diagonal :math:`b_j^{(t)}` of self-distillation, for t = 1..T.

    Parameters
    ----------
    eigvals : torch.Tensor, shape (N,)
        Eigenvalues :math:`d_j` of K (negative round-off is clamped to 0).
    alpha : float
        Weight of the labels, in [0, 1].
    ridge : float
        Per-sample ridge :math:`\lambda > 0`.
    n : int
        Number of training points (the ridge enters as :math:`n\lambda`).
    steps : int
        T >= 1.

    Returns
    -------
    torch.Tensor, shape (T, N)
        Row ``t - 1`` is :math:`b^{(t)}`; row 0 is :math:`a_j`, the KRR filter.

    Notes
    -----
    With :math:`a_j = d_j/(d_j + n\lambda)` and :math:`r_j = (1-\alpha)a_j`,

    .. math::
        b_j^{(t)} = r_j^t + \alpha a_j\,\frac{1 - r_j^t}{1 - r_j}, \qquad B^{(0)} = I ,

    the solution of :math:`B^{(t)} = A((1-\alpha)B^{(t-1)} + \alpha I)`, the recursion of
    [Borup2021] (as in the authors' toy notebook, which starts from :math:`B^{(1)} = A`).
    Derived, not quoted: the paper's equation numbers were not checked; book:
    ``thm-distillation-closed-form``. :math:`1 - r_j = (1-a_j) + \alpha a_j`
    is formed without cancellation and the geometric sum through ``expm1``/``log1p``, so
    tiny :math:`\alpha` loses no accuracy; where :math:`r_j = 1` the sum is t.
    """
    owner = "distillation_diagonal"
    check_points(eigvals, "eigvals", owner=owner, ndim=1)
    a_ = _check_alpha(alpha, owner)
    lam = check_positive(ridge, "ridge", owner=owner)
    n = check_int(n, "n", owner=owner)
    T = check_int(steps, "steps", owner=owner)
    ev = eigvals.clamp_min(0.0)
    a = ridge_filter(ev, ridge=lam, n=n)
    one_minus_r = n * lam / (ev + n * lam) + a_ * a           # 1 - (1 - alpha) a
    t = torch.arange(1, T + 1, device=ev.device, dtype=ev.dtype)[:, None]
    log_r = torch.log1p(-one_minus_r.clamp(max=1.0))         # log r, -inf at r = 0
    r_t = torch.exp(t * log_r)                                # r^t
    geometric = torch.where(one_minus_r > 0, -torch.expm1(t * log_r) / one_minus_r, t)
    return r_t + a_ * a * geometric


def distillation_limit_diagonal(eigvals: torch.Tensor, *, alpha: float, ridge: float,
                                n: int) -> torch.Tensor:
    r"""The infinite-step diagonal :math:`b_j^{(\infty)} = \alpha d_j/(\alpha d_j + n\lambda)`.

    Returns
    -------
    torch.Tensor, shape (N,)
        The KRR filter with ridge :math:`\lambda/\alpha` (zeros for :math:`\alpha = 0`).

    Notes
    -----
    The fixed point of :math:`b = a((1-\alpha)b + \alpha)`; [Borup2021] state it as the
    amplified regularisation :math:`\lambda/\alpha` (derived in the book:
    ``eq-distillation-limit``).
    """
    owner = "distillation_limit_diagonal"
    check_points(eigvals, "eigvals", owner=owner, ndim=1)
    a_ = _check_alpha(alpha, owner)
    lam = check_positive(ridge, "ridge", owner=owner)
    n = check_int(n, "n", owner=owner)
    if a_ == 0:
        return torch.zeros_like(eigvals)
    return ridge_filter(eigvals, ridge=lam / a_, n=n)


def self_distill_spectral(K: torch.Tensor, y: torch.Tensor, *, alpha: float, ridge: float,
                          steps: int, K_test: torch.Tensor | None = None) -> DistillationPath:
    r"""Self-distillation from the closed-form diagonal, with no retraining.

    Same parameters, returns and errors as :func:`self_distill`.

    Notes
    -----
    In-sample :math:`\hat y^{(t)} = V\,\mathrm{diag}(b^{(t)})\,V^\top y`
    (:func:`distillation_diagonal`). At test inputs the step-t student is
    :math:`f^{(t)}(x) = k(x)^\top (K + n\lambda I)^{-1}[\alpha y + (1-\alpha)\hat y^{(t-1)}]
    = k(x)^\top V\,\mathrm{diag}\big((\alpha + (1-\alpha)b^{(t-1)})/(d + n\lambda)\big)
    V^\top y`, the diagonal carried through the kernel (Nyström style). One
    eigendecomposition serves every step; book: ``thm-distillation-closed-form``.
    """
    y, a_, lam, T = _check_problem(K, y, alpha, ridge, steps, K_test, "self_distill_spectral")
    n = K.shape[0]
    d, V = gram_eigh(K)
    d = d.clamp_min(0.0)
    b = distillation_diagonal(d, alpha=a_, ridge=lam, n=n, steps=T)          # (T, n)
    coef_y = V.mT @ y                                                        # (n,) or (n, m)
    train = torch.einsum("ij,tj,j...->ti...", V, b, coef_y)                  # V diag(b) V^T y
    test = None
    if K_test is not None:
        previous = torch.cat([torch.ones_like(b[:1]), b[:-1]])              # b^(t-1), B^(0) = I
        mix = (a_ + (1 - a_) * previous) / (d + n * lam)                     # (T, n)
        coef = torch.einsum("ij,tj,j...->ti...", V, mix, coef_y)             # dual coefficients
        test = torch.einsum("si,ti...->ts...", K_test, coef)
    return DistillationPath(a_, lam, train, test)


def distillation_limit(K: torch.Tensor, y: torch.Tensor, *, alpha: float, ridge: float,
                       K_test: torch.Tensor | None = None
                       ) -> tuple[torch.Tensor, torch.Tensor | None]:
    r"""The infinite-step student: KRR with ridge :math:`\lambda/\alpha` (zero for α = 0).

    Returns
    -------
    train : torch.Tensor, shape like ``y``
        In-sample predictions :math:`\hat y^{(\infty)}`.
    test : torch.Tensor, shape (n_test,) or (n_test, m), or None
        :math:`f^{(\infty)}` at the inputs of ``K_test``.

    Notes
    -----
    Solved by :func:`~learntheory.kernels.kernel_ridge_fit`, independently of the
    eigenbasis; book: ``eq-distillation-limit``.
    """
    y, a_, lam, _ = _check_problem(K, y, alpha, ridge, 1, K_test, "distillation_limit")
    if a_ == 0:
        zero_test = None if K_test is None else K_test.new_zeros((K_test.shape[0],) + y.shape[1:])
        return torch.zeros_like(y), zero_test
    coef = kernel_ridge_fit(K, y, ridge=lam / a_)
    test = None if K_test is None else kernel_ridge_predict(K_test, coef)
    return kernel_ridge_predict(K, coef), test


@dataclass(frozen=True)
class SelfDistillation:
    r"""Self-distillation of kernel ridge regression with label weight α and ridge λ.

    A thin, validated shell over this module's functions.

    Parameters
    ----------
    alpha : float
        Weight of the labels in every step, in [0, 1] (0: pure self-distillation,
        1: plain KRR at every step).
    ridge : float
        Per-sample ridge :math:`\lambda > 0` (the system :math:`(K + n\lambda I)c = \cdot`).

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha' or 'ridge'.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> x = torch.linspace(0, 1, 8, dtype=torch.float64)[:, None]
    >>> K, y = lt.kernels.gaussian(x, bandwidth=0.3), torch.sin(6 * x[:, 0])
    >>> sd = lt.collapse.SelfDistillation(alpha=0.25, ridge=1e-3)
    >>> literal = sd.retrain(K, y, steps=4).train
    >>> closed = sd.predict(K, y, steps=4).train
    >>> bool(torch.allclose(literal, closed, atol=1e-10))
    True
    """

    alpha: float
    ridge: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "alpha", _check_alpha(self.alpha, "SelfDistillation"))
        object.__setattr__(self, "ridge",
                           check_positive(self.ridge, "ridge", owner="SelfDistillation"))

    def retrain(self, K: torch.Tensor, y: torch.Tensor, *, steps: int,
                K_test: torch.Tensor | None = None) -> DistillationPath:
        """Retrain KRR ``steps`` times (:func:`self_distill`)."""
        return self_distill(K, y, alpha=self.alpha, ridge=self.ridge, steps=steps,
                            K_test=K_test)

    def predict(self, K: torch.Tensor, y: torch.Tensor, *, steps: int,
                K_test: torch.Tensor | None = None) -> DistillationPath:
        """The same path from the closed-form diagonal (:func:`self_distill_spectral`)."""
        return self_distill_spectral(K, y, alpha=self.alpha, ridge=self.ridge, steps=steps,
                                     K_test=K_test)

    def diagonal(self, eigvals: torch.Tensor, *, n: int, steps: int) -> torch.Tensor:
        """:math:`b_j^{(t)}` for t = 1..T (:func:`distillation_diagonal`)."""
        return distillation_diagonal(eigvals, alpha=self.alpha, ridge=self.ridge, n=n,
                                     steps=steps)

    def limit_diagonal(self, eigvals: torch.Tensor, *, n: int) -> torch.Tensor:
        """:math:`b_j^{(\\infty)}` (:func:`distillation_limit_diagonal`)."""
        return distillation_limit_diagonal(eigvals, alpha=self.alpha, ridge=self.ridge, n=n)

    def limit(self, K: torch.Tensor, y: torch.Tensor, *,
              K_test: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The infinite-step student, KRR with ridge λ/α (:func:`distillation_limit`)."""
        return distillation_limit(K, y, alpha=self.alpha, ridge=self.ridge, K_test=K_test)
