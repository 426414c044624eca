"""Shared by the self-distillation tests (test_distillation*.py): sizes, the float64
tolerance ``_tol`` (derived in the docstring of test_distillation.py) and one KRR fit.
The ``problem`` fixture is in this folder's conftest.py."""

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
