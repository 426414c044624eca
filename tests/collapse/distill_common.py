"""Shared by the self-distillation tests (test_distillation*.py): sizes, the float64
tolerance ``_tol`` (derived in the docstring of test_distillation.py) and one KRR fit.
Each test module wraps ``make_problem`` in its own ``problem`` fixture (a conftest.py here
would clash with tests/conftest.py under --doctest-modules)."""

import torch

import learntheory as lt

EPS = torch.finfo(torch.float64).eps
N, H, RIDGE = 30, 0.1, 1e-3
GAMMA = 10


def _tol(K: torch.Tensor, y: torch.Tensor, steps: int, ridge: float = RIDGE, *,
         test: bool = False) -> float:
    """The float64 bound of the module docstring."""
    n = K.shape[0]
    d1 = float(torch.linalg.eigvalsh(K)[-1])
    kappa = (d1 + n * ridge) / (n * ridge)
    tol = steps * GAMMA * n * EPS * kappa * float(torch.linalg.norm(y))
    return tol * (1 + n**0.5 / (n * ridge)) if test else tol


def _krr(K, targets, ridge=RIDGE, K_out=None):
    """One KRR fit, predicted at K_out (in-sample by default)."""
    coef = lt.kernels.kernel_ridge_fit(K, targets, ridge=ridge)
    return (K if K_out is None else K_out) @ coef


def make_problem():
    """A 1-D regression sample and its Gram matrices (train, test x train)."""
    data = lt.datasets.regression_1d(N, noise=0.3, dtype=torch.float64,
                                     generator=lt.make_generator(2021))
    K = lt.kernels.gaussian(data.x_train, bandwidth=H)
    K_test = lt.kernels.gaussian(data.x_test, data.x_train, bandwidth=H)
    return data, K, K_test
