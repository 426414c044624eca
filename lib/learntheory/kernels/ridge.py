r"""Kernel ridge regression: the closed form, solved by Cholesky.

For data :math:`(x_i, y_i)_{i=1}^n`, a kernel :math:`k` and ridge
:math:`\lambda > 0`, the minimiser of
:math:`\frac1n\sum_i (f(x_i) - y_i)^2 + \lambda \lVert f\rVert_{\mathcal H}^2`
is :math:`f(x) = k(x, X)\,\alpha` with
:math:`\alpha = (K + n\lambda I)^{-1} y` (representer theorem).

Notation: ``ridge`` ↔ λ, ``dual_coef`` ↔ α, ``K`` ↔ k(X, X).

Implements Eq. (2.27) of [Rasmussen2006] (the GP posterior mean, which is
this predictor with noise variance :math:`\sigma_n^2 = n\lambda`); book:
``eq-krr-closed-form``. scikit-learn's ``KernelRidge(alpha=a)`` solves
:math:`(K + aI)\alpha = y`, i.e. ``a = n * ridge``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from learntheory._core import (
    check_choice,
    check_points,
    check_positive,
    check_same_device,
    check_targets,
)
from learntheory.kernels.classic import gaussian, laplace, polynomial

__all__ = ["KernelRidge", "kernel_ridge_fit", "kernel_ridge_predict", "KERNELS"]

#: Kernels known by name to :class:`KernelRidge`.
KERNELS: dict[str, Callable[..., torch.Tensor]] = {
    "gaussian": gaussian,
    "laplace": laplace,
    "polynomial": polynomial,
}


def kernel_ridge_fit(K: torch.Tensor, y: torch.Tensor, *, ridge: float) -> torch.Tensor:
    r"""Solve :math:`(K + n\lambda I)\,\alpha = y` by Cholesky.

    Parameters
    ----------
    K : torch.Tensor, shape (n, n)
        Symmetric positive semi-definite Gram matrix of the training inputs.
    y : torch.Tensor, shape (n,) or (n, m)
        Targets, same device and dtype as ``K``.
    ridge : float
        Regularisation :math:`\lambda > 0` (per-sample convention, see Notes).

    Returns
    -------
    torch.Tensor, shape like ``y``
        Dual coefficients :math:`\alpha`.

    Raises
    ------
    ValueError
        If shapes disagree, ``ridge <= 0``, or :math:`K + n\lambda I` is not
        numerically positive definite (the message says by how much to raise
        ``ridge``).

    Notes
    -----
    .. math:: \alpha = (K + n\lambda I)^{-1} y

    Implements Eq. (2.27) of [Rasmussen2006]; book: ``eq-krr-closed-form``.
    The Cholesky factorisation costs :math:`n^3/3` flops, half of LU, and
    fails loudly instead of returning garbage for an indefinite system.
    """
    owner = "kernel_ridge_fit"
    lam = check_positive(ridge, "ridge", owner=owner)
    check_points(K, "K", owner=owner)
    n = K.shape[0]
    if K.shape != (n, n):
        raise ValueError(f"The 'K' parameter of {owner} must be square (n, n). "
                         f"Got shape {tuple(K.shape)} instead.")
    y = check_targets(y, "y", n=n, owner=owner)
    check_same_device(owner, K=K, y=y)
    A = K + (n * lam) * torch.eye(n, dtype=K.dtype, device=K.device)
    L, info = torch.linalg.cholesky_ex(A)
    if int(info) != 0:
        min_eig = float(torch.linalg.eigvalsh(0.5 * (K + K.mT)).min())
        raise ValueError(
            f"The system K + n*ridge*I of {owner} is not positive definite (Cholesky failed "
            f"at column {int(info)}; smallest eigenvalue of K is {min_eig:.3e}, n*ridge = "
            f"{n * lam:.3e}). Is K a valid (PSD) kernel matrix? If so, increase 'ridge'."
        )
    rhs = y.unsqueeze(-1) if y.ndim == 1 else y
    alpha = torch.cholesky_solve(rhs, L)
    return alpha.squeeze(-1) if y.ndim == 1 else alpha


def kernel_ridge_predict(K_test: torch.Tensor, dual_coef: torch.Tensor) -> torch.Tensor:
    r"""Predict :math:`f(x) = k(x, X)\,\alpha` from the cross-Gram matrix.

    Parameters
    ----------
    K_test : torch.Tensor, shape (n_test, n)
        :math:`k(x_j, x_i)` between test and training inputs.
    dual_coef : torch.Tensor, shape (n,) or (n, m)
        Output of :func:`kernel_ridge_fit`.

    Returns
    -------
    torch.Tensor, shape (n_test,) or (n_test, m)

    Notes
    -----
    Implements Eq. (2.27) of [Rasmussen2006]; book: ``eq-krr-closed-form``.
    """
    owner = "kernel_ridge_predict"
    check_points(K_test, "K_test", owner=owner)
    dual_coef = check_targets(dual_coef, "dual_coef", n=K_test.shape[1], owner=owner)
    check_same_device(owner, K_test=K_test, dual_coef=dual_coef)
    return K_test @ dual_coef


class KernelRidge:
    r"""Kernel ridge regression with scikit-learn's estimator contract.

    Parameters
    ----------
    kernel : {"gaussian", "laplace", "polynomial"} or callable
        A name from :data:`KERNELS`, or ``k(x1, x2) -> (n1, n2)``.
    ridge : float
        :math:`\lambda > 0`; the system solved is :math:`(K + n\lambda I)\alpha = y`.
    bandwidth : float
        Passed to the Gaussian and Laplace kernels.
    degree : int
        Passed to the polynomial kernel.
    c : float
        Passed to the polynomial kernel.

    Attributes
    ----------
    X_fit_ : torch.Tensor, shape (n, d)
        Training inputs.
    dual_coef_ : torch.Tensor, shape (n,) or (n, m)
        :math:`\alpha`.

    Notes
    -----
    A thin shell over :func:`kernel_ridge_fit` and :func:`kernel_ridge_predict`.
    Implements Eq. (2.27) of [Rasmussen2006]; book: ``eq-krr-closed-form``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> X = torch.linspace(-1, 1, 20, dtype=torch.float64)[:, None]
    >>> model = lt.kernels.KernelRidge(ridge=1e-6, bandwidth=0.5).fit(X, torch.sin(3 * X[:, 0]))
    >>> float((model.predict(X) - torch.sin(3 * X[:, 0])).abs().max()) < 1e-3
    True
    """

    def __init__(
        self,
        kernel: str | Callable[..., torch.Tensor] = "gaussian",
        *,
        ridge: float = 1e-3,
        bandwidth: float = 1.0,
        degree: int = 3,
        c: float = 1.0,
    ) -> None:
        self.kernel = kernel
        self.ridge = ridge
        self.bandwidth = bandwidth
        self.degree = degree
        self.c = c

    # -- scikit-learn's parameter protocol (makes sklearn.base.clone work) --
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the hyperparameters, as scikit-learn estimators do."""
        return {k: getattr(self, k) for k in ("kernel", "ridge", "bandwidth", "degree", "c")}

    def set_params(self, **params: Any) -> KernelRidge:
        """Set hyperparameters by name; unknown names raise ``ValueError``."""
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"Invalid parameter {key!r} for KernelRidge. "
                                 f"Valid parameters are {sorted(valid)}.")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"KernelRidge({args})"

    def _gram(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if callable(self.kernel):
            return self.kernel(a, b)
        name = check_choice(self.kernel, "kernel", KERNELS, owner="KernelRidge")
        if name == "polynomial":
            return polynomial(a, b, degree=self.degree, c=self.c)
        return KERNELS[name](a, b, bandwidth=self.bandwidth)

    def fit(self, X: torch.Tensor, y: torch.Tensor) -> KernelRidge:
        """Fit on inputs ``X`` (n, d) and targets ``y`` (n,) or (n, m); return ``self``."""
        check_points(X, "X", owner="KernelRidge.fit")
        self.dual_coef_ = kernel_ridge_fit(self._gram(X, X), y, ridge=self.ridge)
        self.X_fit_ = X
        return self

    def predict(self, X: torch.Tensor) -> torch.Tensor:
        """Predict at ``X`` (n_test, d); same device and dtype as the training data."""
        if not hasattr(self, "dual_coef_"):
            raise ValueError("This KernelRidge instance is not fitted yet. "
                             "Call 'fit' with appropriate arguments before 'predict'.")
        check_points(X, "X", owner="KernelRidge.predict", features=self.X_fit_.shape[1])
        check_same_device("KernelRidge.predict", X=X, X_fit_=self.X_fit_)
        return kernel_ridge_predict(self._gram(X, self.X_fit_), self.dual_coef_)
