"""Shared oracles of the KDE tests."""

import math

import pytest
from scipy.optimize import brentq, minimize_scalar


def _constrained_min(alpha: float) -> float:
    """min (1-a)^2 + b s.t. a^2/2 + (b - 1 - ln b)/2 <= alpha, by scipy: for each a, the
    smallest feasible b is the root in (0, 1] of b - 1 - ln b = 2 alpha - a^2 (brentq,
    xtol 1e-15), then a bounded 1-D minimisation over a in [0, sqrt(2 alpha)]."""
    def b_of(a):
        c = 2 * alpha - a * a
        if c <= 0:
            return 1.0
        return brentq(lambda b: b - 1 - math.log(b) - c, 1e-300, 1.0, xtol=1e-15, rtol=1e-15)

    res = minimize_scalar(lambda a: (1 - a) ** 2 + b_of(a), bounds=(0.0, math.sqrt(2 * alpha)),
                          method="bounded", options={"xatol": 1e-10})
    return float(res.fun)


@pytest.fixture
def constrained_min():
    """D_min(alpha) as the constrained minimum, computed with scipy (no library code)."""
    return _constrained_min
