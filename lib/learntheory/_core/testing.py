"""Test helpers whose tolerances come from theory, not from guesses."""

from __future__ import annotations

import math

import torch

__all__ = ["assert_close_mc", "float_floor"]

#: Relative floating-point floors for algebraically exact comparisons. A
#: float64 computation of an O(n) sum or an O(n^3) Cholesky solve on
#: well-conditioned inputs loses a few hundred ulps at the sizes used in the
#: tests (eps64 = 2.2e-16, so 1e-12 leaves a factor of ~4500); float32
#: (eps32 = 1.2e-7) gets the analogous 1e-4.
FLOAT_FLOORS = {torch.float64: 1e-12, torch.float32: 1e-4}


def float_floor(dtype: torch.dtype) -> float:
    """Return the relative tolerance floor for an exact computation in ``dtype``."""
    try:
        return FLOAT_FLOORS[dtype]
    except KeyError:
        raise ValueError(
            f"The 'dtype' parameter must be one of {list(FLOAT_FLOORS)}. Got {dtype}."
        ) from None


def assert_close_mc(
    estimate: torch.Tensor,
    target: torch.Tensor,
    std: torch.Tensor,
    n_samples: int,
    *,
    z: float = 5.0,
    atol: float = 0.0,
) -> None:
    """Assert a Monte Carlo mean is within ``z`` standard errors of its target.

    The CLT gives ``estimate - target ~ N(0, std^2 / n_samples)``; with
    ``z = 5`` a correct implementation fails with probability < 6e-7 per entry.

    Parameters
    ----------
    estimate, target, std : torch.Tensor
        Sample mean, exact value, and per-sample standard deviation (same shape).
    n_samples : int
        Number of i.i.d. samples averaged in ``estimate``.
    z : float
        Number of standard errors allowed.
    atol : float
        Extra absolute slack (e.g. a float floor when ``std`` can vanish).
    """
    se = std / math.sqrt(n_samples)
    err = (estimate - target).abs()
    bound = z * se + atol
    bad = err > bound
    if bool(bad.any()):
        worst = int(torch.argmax(err - bound))
        raise AssertionError(
            f"Monte Carlo estimate off by more than {z} standard errors at "
            f"{int(bad.sum())} of {bad.numel()} entries; worst: |err|="
            f"{err.flatten()[worst].item():.3e} > bound={bound.flatten()[worst].item():.3e}."
        )
