r"""How bandwidth and ridge trade bias for variance in kernel ridge regression.

Kernel ridge regression is a *linear smoother*: its prediction at test points
is :math:`\hat f(X_*) = S y` with :math:`S = K_{*X}(K + n\lambda I)^{-1}`. For
:math:`y = f + \sigma\varepsilon` the expected squared error at the test points
splits exactly into

.. math::
   \mathbb E\,\lVert \hat f(X_*) - f_*\rVert^2 / m
   = \underbrace{\lVert S f - f_*\rVert^2 / m}_{\text{bias}^2}
   + \underbrace{\sigma^2 \lVert S\rVert_F^2 / m}_{\text{variance}} ,

with no Monte Carlo needed. Implements Eq. (2.27) of [Rasmussen2006] as a
linear smoother and the decomposition of [Hastie2009], Eq. (7.9);
book: ``eq-bias-variance``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from learntheory._core import check_choice, check_instance, check_positive
from learntheory.datasets import Regression1D
from learntheory.kernels.ridge import KERNELS, kernel_ridge_fit, kernel_ridge_predict

__all__ = [
    "BiasVariance",
    "ErrorCurves",
    "KRRFit",
    "krr_bias_variance",
    "krr_error_curves",
    "krr_fit_1d",
]


#: Kernels with a length scale, as the bandwidth sweeps of this module need.
BANDWIDTH_KERNELS = ("gaussian", "laplace")


def _check(data: Regression1D, kernel: str, owner: str) -> None:
    check_instance(data, "data", Regression1D, owner=owner)
    if kernel == "polynomial":
        raise ValueError(f"The 'kernel' parameter of {owner} must be one of "
                         f"{list(BANDWIDTH_KERNELS)} (a kernel with a bandwidth). Got "
                         f"'polynomial', which has a degree instead; use lt.kernels.KernelRidge.")
    check_choice(kernel, "kernel", BANDWIDTH_KERNELS, owner=owner)


@dataclass(frozen=True)
class KRRFit:
    """One kernel ridge fit and its errors (what the primer's explorer shows).

    Attributes
    ----------
    x_test : (m, 1) tensor; prediction : (m,) tensor
        The fitted function on the test grid.
    train_mse, test_mse : float
        Mean squared error on the noisy training labels and against the
        noiseless target on the test grid.
    bandwidth, ridge : float
    """

    x_test: torch.Tensor
    prediction: torch.Tensor
    train_mse: float
    test_mse: float
    bandwidth: float
    ridge: float


@dataclass(frozen=True)
class BiasVariance:
    """Exact squared bias, variance and their sum (the expected test MSE)."""

    bias2: float
    variance: float

    @property
    def risk(self) -> float:
        """Expected test error: bias² + variance."""
        return self.bias2 + self.variance


def _smoother(kernel: str, x_train, x_test, bandwidth: float, ridge: float) -> torch.Tensor:
    """The (m, n) smoother matrix S = K_{*X} (K + n λ I)^{-1}."""
    k = KERNELS[kernel]
    K = k(x_train, bandwidth=bandwidth)
    # K is symmetric, so S^T = (K + n λ I)^{-1} K_{X*}: one Cholesky, m right-hand sides.
    return kernel_ridge_fit(K, k(x_train, x_test, bandwidth=bandwidth), ridge=ridge).mT


def krr_fit_1d(
    data: Regression1D, *, bandwidth: float, ridge: float, kernel: str = "gaussian"
) -> KRRFit:
    """Fit KRR to a :class:`~learntheory.datasets.Regression1D` and measure its errors.

    Parameters
    ----------
    data : Regression1D
        From :func:`learntheory.datasets.regression_1d`.
    bandwidth, ridge : float
        Kernel length scale (> 0) and per-sample ridge (> 0).
    kernel : {"gaussian", "laplace"}

    Raises
    ------
    TypeError, ValueError
        Naming 'data' if it is not a Regression1D, 'kernel' for an unknown or
        bandwidth-free kernel, 'bandwidth' or 'ridge' if not > 0.

    Returns
    -------
    KRRFit

    Notes
    -----
    Implements Eq. (2.27) of [Rasmussen2006]; book: ``eq-krr-closed-form``.
    """
    _check(data, kernel, "krr_fit_1d")
    h = check_positive(bandwidth, "bandwidth", owner="krr_fit_1d")
    lam = check_positive(ridge, "ridge", owner="krr_fit_1d")
    k = KERNELS[kernel]
    alpha = kernel_ridge_fit(k(data.x_train, bandwidth=h), data.y_train, ridge=lam)
    pred_train = kernel_ridge_predict(k(data.x_train, bandwidth=h), alpha)
    pred = kernel_ridge_predict(k(data.x_test, data.x_train, bandwidth=h), alpha)
    return KRRFit(
        x_test=data.x_test,
        prediction=pred,
        train_mse=float(((pred_train - data.y_train) ** 2).mean()),
        test_mse=float(((pred - data.f_test) ** 2).mean()),
        bandwidth=h,
        ridge=lam,
    )


def krr_bias_variance(
    data: Regression1D, *, bandwidth: float, ridge: float, kernel: str = "gaussian"
) -> BiasVariance:
    r"""Exact bias² and variance of KRR at the test grid, over the label noise.

    The training inputs are held fixed; the expectation is over the Gaussian
    label noise of standard deviation ``data.noise``.

    Returns
    -------
    BiasVariance

    Notes
    -----
    .. math:: \text{bias}^2 = \lVert S f - f_*\rVert^2/m,\qquad
              \text{variance} = \sigma^2\lVert S\rVert_F^2/m,\qquad
              S = K_{*X}(K + n\lambda I)^{-1}

    Implements [Hastie2009], Eq. (7.9); book: ``eq-bias-variance``.
    """
    _check(data, kernel, "krr_bias_variance")
    h = check_positive(bandwidth, "bandwidth", owner="krr_bias_variance")
    lam = check_positive(ridge, "ridge", owner="krr_bias_variance")
    S = _smoother(kernel, data.x_train, data.x_test, h, lam)
    m = S.shape[0]
    bias2 = float(((S @ data.f_train - data.f_test) ** 2).sum() / m)
    variance = float(data.noise**2 * (S**2).sum() / m)
    return BiasVariance(bias2=bias2, variance=variance)


@dataclass(frozen=True)
class ErrorCurves:
    """Train error, test error and exact expected risk along a bandwidth sweep."""

    bandwidths: torch.Tensor
    train_mse: torch.Tensor
    test_mse: torch.Tensor
    bias2: torch.Tensor
    variance: torch.Tensor


def krr_error_curves(
    data: Regression1D, *, bandwidths, ridge: float, kernel: str = "gaussian"
) -> ErrorCurves:
    """Sweep the bandwidth at fixed ridge: errors of this sample and exact bias²/variance.

    Returns
    -------
    ErrorCurves
        One entry per bandwidth (CPU float64 tensors, for plotting and glue).

    Notes
    -----
    Implements [Hastie2009], Eq. (7.9) along a sweep; book: ``eq-bias-variance``.
    """
    _check(data, kernel, "krr_error_curves")
    rows = []
    for h in bandwidths:
        fit = krr_fit_1d(data, bandwidth=float(h), ridge=ridge, kernel=kernel)
        bv = krr_bias_variance(data, bandwidth=float(h), ridge=ridge, kernel=kernel)
        rows.append((float(h), fit.train_mse, fit.test_mse, bv.bias2, bv.variance))
    cols = torch.tensor(rows, dtype=torch.float64).mT
    return ErrorCurves(*cols)
