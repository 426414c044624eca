r"""Rates: fitting the exponent of a power law on a log-log scale.

Every rate claim in the book ("the error falls like width^{-1/2}") is checked
by a least-squares fit of :math:`\log y = a + s \log x` and reported with the
standard error of the slope :math:`s`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

__all__ = ["SlopeFit", "loglog_slope"]


@dataclass(frozen=True)
class SlopeFit:
    """Least-squares fit of ``log y = intercept + slope * log x``.

    Attributes
    ----------
    slope, intercept : float
    stderr : float
        Standard error of the slope from the residuals (``nan`` with 2 points).
    """

    slope: float
    intercept: float
    stderr: float

    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """The fitted power law ``exp(intercept) * x**slope``."""
        return math.exp(self.intercept) * torch.as_tensor(x, dtype=torch.float64) ** self.slope


def loglog_slope(x, y) -> SlopeFit:
    r"""Fit a power law :math:`y \approx C x^s` by least squares on :math:`(\log x, \log y)`.

    Parameters
    ----------
    x, y : array-like of positive numbers, same length >= 2

    Returns
    -------
    SlopeFit
        With :math:`\mathrm{se}(s) = \sqrt{\hat\sigma^2 / \sum_i (u_i - \bar u)^2}`,
        :math:`\hat\sigma^2 = \mathrm{RSS}/(m - 2)`, :math:`u = \log x`.

    Raises
    ------
    ValueError
        If the lengths differ, fewer than two points are given, or a value is
        not positive and finite.

    Notes
    -----
    Ordinary least squares, [Hastie2009], Eq. (3.8) for the slope's variance;
    book: ``ntk-concentration``.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(lt.loglog_slope([1, 10, 100], [3.0, 0.3, 0.03]).slope, 12)
    -1.0
    """
    u = torch.as_tensor(x, dtype=torch.float64).flatten()
    v = torch.as_tensor(y, dtype=torch.float64).flatten()
    if u.shape != v.shape:
        raise ValueError(f"The 'x' and 'y' parameters of loglog_slope must have the same length. "
                         f"Got {u.numel()} and {v.numel()}.")
    if u.numel() < 2:
        raise ValueError(f"The 'x' parameter of loglog_slope must hold at least 2 points. "
                         f"Got {u.numel()}.")
    for name, t in (("x", u), ("y", v)):
        if not bool(torch.isfinite(t).all()) or not bool((t > 0).all()):
            raise ValueError(f"The '{name}' parameter of loglog_slope must be positive and "
                             f"finite. Got {t.tolist()}.")
    lu, lv = u.log(), v.log()
    du = lu - lu.mean()
    sxx = float((du * du).sum())
    if sxx == 0.0:
        raise ValueError("The 'x' parameter of loglog_slope must take at least two distinct "
                         "values.")
    slope = float((du * (lv - lv.mean())).sum()) / sxx
    intercept = float(lv.mean()) - slope * float(lu.mean())
    m = u.numel()
    if m > 2:
        rss = float(((lv - intercept - slope * lu) ** 2).sum())
        stderr = math.sqrt(rss / (m - 2) / sxx)
    else:
        stderr = float("nan")
    return SlopeFit(slope=slope, intercept=intercept, stderr=stderr)
