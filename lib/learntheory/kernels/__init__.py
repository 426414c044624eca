r"""Kernel maths shared by every chapter.

Kernels are pure functions ``k(x1, x2=None, *, ...) -> (n1, n2)`` that follow
their inputs' device and dtype. Kernel ridge regression is solved by Cholesky;
the spectral helpers expose how regression acts eigen-direction by
eigen-direction.

Modules
-------
* :mod:`learntheory.kernels.classic`: Gaussian, Laplace and polynomial kernels.
* :mod:`learntheory.kernels.gram`: chunked Gram matrices and distances.
* :mod:`learntheory.kernels.ridge`: kernel ridge regression (Cholesky; ``KernelRidge``).
* :mod:`learntheory.kernels.spectrum`: eigendecomposition, the ridge, gradient-flow and
  gradient-descent filters, the stable step size, early stopping against ridge.
* :mod:`learntheory.kernels.tradeoff`: exact bias and variance of KRR on a 1-D sample.
* :mod:`learntheory.kernels.dual`: dual activations (arc-cosine and arcsine kernels).

Notation
--------
==============  ==============================================
symbol          argument
==============  ==============================================
:math:`h`       ``bandwidth``
:math:`p, c`    ``degree``, ``c`` (polynomial kernel)
:math:`K`       Gram matrix ``k(X, X)``
:math:`\lambda` ``ridge`` (per-sample: solve ``(K + n λ I) α = y``)
:math:`\alpha`  ``dual_coef``
:math:`\lambda_i, u_i`  ``eigvals``, ``eigvecs`` (descending)
:math:`\eta, t` ``lr``, ``t`` (gradient flow)
==============  ==============================================

Implemented equations: the kernels of [Rasmussen2006] Sec. 4.2, the KRR
closed form (Eq. 2.27 there), the spectral filters (book:
``eq-spectral-filter``) and the Nystrom extension of [Williams2001].
"""

from learntheory.kernels.classic import gaussian, laplace, polynomial
from learntheory.kernels.dual import (
    DUAL_ACTIVATIONS,
    dual_activation,
    erf_dual,
    erf_dual_derivative,
    relu_dual,
    relu_dual_derivative,
)
from learntheory.kernels.gram import euclidean_distances, gram, gram_chunks, squared_distances
from learntheory.kernels.ridge import KERNELS, KernelRidge, kernel_ridge_fit, kernel_ridge_predict
from learntheory.kernels.spectrum import (
    FilterComparison,
    early_stopping_filters,
    gradient_descent_filter,
    gradient_flow_filter,
    gram_eigh,
    max_learning_rate,
    nystrom_eigenfunctions,
    ridge_filter,
    spectral_fit,
)
from learntheory.kernels.tradeoff import (
    BiasVariance,
    ErrorCurves,
    KRRFit,
    krr_bias_variance,
    krr_error_curves,
    krr_fit_1d,
)

__all__ = [
    "DUAL_ACTIVATIONS",
    "dual_activation",
    "erf_dual",
    "erf_dual_derivative",
    "relu_dual",
    "relu_dual_derivative",
    "BiasVariance",
    "ErrorCurves",
    "KERNELS",
    "FilterComparison",
    "KRRFit",
    "krr_bias_variance",
    "krr_error_curves",
    "krr_fit_1d",
    "KernelRidge",
    "early_stopping_filters",
    "euclidean_distances",
    "gaussian",
    "gradient_descent_filter",
    "gradient_flow_filter",
    "gram",
    "gram_chunks",
    "gram_eigh",
    "kernel_ridge_fit",
    "kernel_ridge_predict",
    "laplace",
    "max_learning_rate",
    "nystrom_eigenfunctions",
    "polynomial",
    "ridge_filter",
    "spectral_fit",
    "squared_distances",
]
