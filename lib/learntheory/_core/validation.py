"""Input validation with messages that teach.

Every public function of :mod:`learntheory` validates its inputs here and
raises :class:`ValueError` or :class:`TypeError` whose message names the
parameter, what was expected and what was received (scikit-learn's format:
"The 'bandwidth' parameter of gaussian must be > 0. Got -1.0 instead.").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from typing import Any

import torch

__all__ = [
    "check_choice",
    "check_instance",
    "check_int",
    "check_pair",
    "check_points",
    "check_positive",
    "check_same_device",
    "check_targets",
]


def _where(owner: str | None) -> str:
    return f" of {owner}" if owner else ""


def check_points(
    x: Any,
    name: str,
    *,
    owner: str | None = None,
    ndim: int = 2,
    features: int | None = None,
    allow_empty: bool = False,
) -> torch.Tensor:
    """Check that ``x`` is a finite floating tensor of the expected rank.

    Parameters
    ----------
    x : Any
        The candidate tensor.
    name : str
        The parameter's name, used in messages.
    owner : str, optional
        The public function or class receiving it, used in messages.
    ndim : int
        Expected number of dimensions (2 for a batch of points ``(n, d)``).
    features : int, optional
        Expected size of the last dimension.
    allow_empty : bool
        Whether a zero-length first dimension is accepted.

    Returns
    -------
    torch.Tensor
        ``x`` itself, unchanged.

    Raises
    ------
    TypeError
        If ``x`` is not a tensor or not floating point.
    ValueError
        If the rank or feature dimension is wrong, or ``x`` holds NaN or inf.
    """
    where = _where(owner)
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"The '{name}' parameter{where} must be a torch.Tensor. "
            f"Got {type(x).__name__} instead."
        )
    if not x.is_floating_point():
        raise TypeError(
            f"The '{name}' parameter{where} must have a floating dtype "
            f"(float32 or float64). Got {x.dtype} instead; convert with .to(torch.float64)."
        )
    if x.ndim != ndim:
        shape = "(n, d)" if ndim == 2 else f"{ndim} dimensions"
        raise ValueError(
            f"The '{name}' parameter{where} must be {shape}. "
            f"Got a tensor of shape {tuple(x.shape)} ({x.ndim} dimensions) instead."
        )
    if features is not None and x.shape[-1] != features:
        raise ValueError(
            f"The '{name}' parameter{where} must have feature dimension {features}. "
            f"Got shape {tuple(x.shape)} (feature dimension {x.shape[-1]}) instead."
        )
    if not allow_empty and x.ndim >= 1 and x.shape[0] == 0:
        raise ValueError(f"The '{name}' parameter{where} must hold at least one point. Got shape "
                         f"{tuple(x.shape)}.")
    if not bool(torch.isfinite(x).all()):
        n_bad = int((~torch.isfinite(x)).sum())
        raise ValueError(
            f"The '{name}' parameter{where} must be finite. "
            f"Got {n_bad} NaN or inf entries (shape {tuple(x.shape)})."
        )
    return x


def check_same_device(owner: str | None = None, **tensors: torch.Tensor | None) -> None:
    """Check that all given tensors share one device and one dtype.

    Raises
    ------
    ValueError
        Naming each parameter with its device (or dtype) when they differ.
    """
    present = {k: v for k, v in tensors.items() if v is not None}
    devices = {k: v.device for k, v in present.items()}
    if len(set(devices.values())) > 1:
        listing = ", ".join(f"'{k}' on {d}" for k, d in devices.items())
        raise ValueError(
            f"The parameters {', '.join(repr(k) for k in present)}{_where(owner)} must be on "
            f"the same device. Got {listing}."
        )
    dtypes = {k: v.dtype for k, v in present.items()}
    if len(set(dtypes.values())) > 1:
        listing = ", ".join(f"'{k}' of {d}" for k, d in dtypes.items())
        raise ValueError(
            f"The parameters {', '.join(repr(k) for k in present)}{_where(owner)} must share "
            f"one dtype. Got {listing}."
        )


def check_positive(
    value: Any, name: str, *, owner: str | None = None, allow_zero: bool = False
) -> float:
    """Check that ``value`` is a finite real number > 0 (or >= 0).

    Returns
    -------
    float
        ``value`` as a Python float.
    """
    where = _where(owner)
    bound = ">= 0" if allow_zero else "> 0"
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"The '{name}' parameter{where} must be a real number {bound}. "
            f"Got {type(value).__name__} ({value!r}) instead."
        )
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"The '{name}' parameter{where} must be {bound}. Got {value!r} instead.")
    return value


def check_int(
    value: Any, name: str, *, owner: str | None = None, minimum: int = 1
) -> int:
    """Check that ``value`` is an integer >= ``minimum``.

    Returns
    -------
    int
        ``value`` as a Python int.
    """
    where = _where(owner)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"The '{name}' parameter{where} must be an int >= {minimum}. "
            f"Got {type(value).__name__} ({value!r}) instead."
        )
    if value < minimum:
        raise ValueError(
            f"The '{name}' parameter{where} must be an int >= {minimum}. Got {value!r} instead."
        )
    return int(value)


def check_choice(
    value: Any, name: str, choices: Collection[str], *, owner: str | None = None
) -> str:
    """Check that ``value`` is one of ``choices``.

    Returns
    -------
    str
        ``value`` unchanged.
    """
    if value not in choices:
        raise ValueError(
            f"The '{name}' parameter{_where(owner)} must be one of {sorted(choices)}. "
            f"Got {value!r} instead."
        )
    return value


def check_pair(
    x1: Any, x2: Any | None, owner: str
) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate ``x1`` (n1, d) and optional ``x2`` (n2, d); return ``(x1, x2 or x1)``.

    Raises
    ------
    TypeError, ValueError
        Naming 'x1' or 'x2' for a non-tensor, integer dtype, wrong rank,
        mismatched feature dimension, NaN/inf, or a device/dtype mismatch.
    """
    check_points(x1, "x1", owner=owner)
    if x2 is None:
        return x1, x1
    check_points(x2, "x2", owner=owner, features=x1.shape[-1])
    check_same_device(owner, x1=x1, x2=x2)
    return x1, x2


def check_targets(
    y: Any, name: str, *, n: int, owner: str | None = None, like: torch.Tensor | None = None
) -> torch.Tensor:
    """Check targets: a finite floating tensor of shape (n,) or (n, m).

    Parameters
    ----------
    y : Any
        The candidate targets.
    name : str
        The parameter's name, used in messages.
    n : int
        Required number of rows (one per point).
    owner : str, optional
        The public function receiving it.
    like : torch.Tensor, optional
        When given, ``y`` must share its device and dtype.

    Returns
    -------
    torch.Tensor
        ``y`` itself, unchanged.

    Raises
    ------
    TypeError, ValueError
        Naming the parameter for a non-tensor, a rank other than 1 or 2, the
        wrong number of rows, NaN/inf, or another device/dtype than ``like``.
    """
    where = _where(owner)
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"The '{name}' parameter{where} must be a torch.Tensor. "
                        f"Got {type(y).__name__} instead.")
    if y.ndim not in (1, 2):
        raise ValueError(f"The '{name}' parameter{where} must be (n,) or (n, m). "
                         f"Got shape {tuple(y.shape)} instead.")
    check_points(y, name, owner=owner, ndim=y.ndim)
    if y.shape[0] != n:
        raise ValueError(f"The '{name}' parameter{where} must have one row per point "
                         f"(n = {n}). Got shape {tuple(y.shape)} instead.")
    if like is not None and (y.device != like.device or y.dtype != like.dtype):
        raise ValueError(f"The '{name}' parameter{where} must be on {like.device} with dtype "
                         f"{like.dtype}. Got {y.device}, {y.dtype} instead.")
    return y


def check_instance(value: Any, name: str, cls: type, *, owner: str | None = None) -> Any:
    """Check that ``value`` is an instance of ``cls`` (typed data and configurations).

    Returns
    -------
    Any
        ``value`` unchanged.

    Raises
    ------
    TypeError
        Naming the parameter, the expected class and the received type.
    """
    if not isinstance(value, cls):
        raise TypeError(f"The '{name}' parameter{_where(owner)} must be a "
                        f"{cls.__module__}.{cls.__qualname__}. Got {type(value).__name__} instead.")
    return value
