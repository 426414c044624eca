r"""The bootstrap: error bars for Monte Carlo numbers, and what one resample leaves out.

A bootstrap resample draws :math:`n` of :math:`n` values with replacement. It leaves a
given value out with probability :math:`(1 - 1/n)^n \to e^{-1} \approx 0.368`
(:func:`out_of_bag_fraction`); those *out-of-bag* values give the .632 estimate of a
prediction error ([Efron1983], :func:`err632`). A percentile interval of a statistic is
read off the quantiles of its value over many resamples ([Efron1979],
:func:`bootstrap_interval`). Iterating the resampling is the zero-bandwidth case of
:class:`~learntheory.collapse.KDELoop`: the bootstrap run as a collapse loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from learntheory._core import check_int, check_positive

__all__ = ["BootstrapInterval", "bootstrap_interval", "err632", "out_of_bag_fraction"]


def out_of_bag_fraction(n: int) -> float:
    r"""Probability :math:`(1 - 1/n)^n` that a resample of size :math:`n` misses a given
    point (the expected out-of-bag fraction); it increases to :math:`e^{-1}`.

    Notes
    -----
    [Raschka2018], Sec. 2 (the bootstrap); book: ``collapse-bootstrap``.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(lt.collapse.out_of_bag_fraction(10**6), 6)
    0.367879
    """
    n = check_int(n, "n", owner="out_of_bag_fraction")
    return math.exp(n * math.log1p(-1 / n)) if n > 1 else 0.0


def err632(train_error: float, oob_error: float) -> float:
    r"""The .632 bootstrap error :math:`0.368\,\mathrm{err}_{\rm train} + 0.632\,
    \mathrm{Err}_{\rm OOB}` ([Efron1983]; .632+ in [EfronTibshirani1997])."""
    train = check_positive(train_error, "train_error", owner="err632", allow_zero=True)
    oob = check_positive(oob_error, "oob_error", owner="err632", allow_zero=True)
    return (1 - 0.632) * train + 0.632 * oob


@dataclass(frozen=True)
class BootstrapInterval:
    """A statistic, its percentile interval, and the bootstrap replicates behind it.

    Attributes
    ----------
    estimate : torch.Tensor, shape (...)
        The statistic of the data.
    low, high : torch.Tensor, shape (...)
        The ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the replicates.
    replicates : torch.Tensor, shape (n_boot, ...)
    level : float
    """

    estimate: torch.Tensor
    low: torch.Tensor
    high: torch.Tensor
    replicates: torch.Tensor
    level: float

    @property
    def std(self) -> torch.Tensor:
        """The bootstrap standard error (standard deviation of the replicates)."""
        return self.replicates.std(0)


def bootstrap_interval(
    values: torch.Tensor,
    *,
    statistic: Callable[[torch.Tensor], torch.Tensor] | None = None,
    n_boot: int = 1000,
    level: float = 0.95,
    generator: torch.Generator | None = None,
) -> BootstrapInterval:
    r"""Percentile bootstrap interval of ``statistic`` over the last axis of ``values``.

    Parameters
    ----------
    values : torch.Tensor, shape (..., n)
        Independent observations along the last axis (e.g. one per chain), for each
        leading index (e.g. each generation).
    statistic : callable, optional
        Maps ``(..., n)`` to ``(...)``; the mean over the last axis by default.
    n_boot : int
        Number of resamples.
    level : float
        Coverage in (0, 1).
    generator : torch.Generator, optional
        On the values' device.

    Notes
    -----
    The percentile interval of [Efron1979]; as a tool for Monte Carlo error bars,
    [Raschka2018], Sec. 2; book: ``collapse-bootstrap``.
    """
    owner = "bootstrap_interval"
    if not isinstance(values, torch.Tensor) or values.ndim < 1 or values.shape[-1] < 2:
        got = tuple(values.shape) if isinstance(values, torch.Tensor) else type(values).__name__
        raise ValueError(f"The 'values' parameter of {owner} must be a tensor whose last axis "
                         f"holds at least 2 observations. Got {got}.")
    if not bool(torch.isfinite(values).all()):
        raise ValueError(f"The 'values' parameter of {owner} must be finite (NaN or inf found).")
    n_boot = check_int(n_boot, "n_boot", owner=owner, minimum=2)
    level = check_positive(level, "level", owner=owner)
    if level >= 1:
        raise ValueError(f"The 'level' parameter of {owner} must lie in (0, 1). Got {level}.")
    stat = statistic if statistic is not None else (lambda v: v.mean(-1))
    n = values.shape[-1]
    idx = torch.randint(n, (n_boot, n), generator=generator, device=values.device)
    reps = torch.stack([stat(values[..., row]) for row in idx])
    q = torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=reps.dtype, device=reps.device)
    low, high = torch.quantile(reps, q, dim=0)
    return BootstrapInterval(estimate=stat(values), low=low, high=high, replicates=reps,
                             level=level)
