"""Device, dtype and random-generator resolution.

Library numerics never choose a device: they follow their inputs. Only
functions that *create* tensors from nothing (samplers, initialisers,
synthetic data) take ``device``, ``dtype`` and ``generator``, and they resolve
them here. :func:`default_device` exists for notebooks to call once, visibly;
library code never calls it implicitly.
"""

from __future__ import annotations

import torch

__all__ = ["default_device", "make_generator", "resolve_factory"]


def default_device() -> torch.device:
    """Return the CUDA device when one is present, else the CPU.

    Returns
    -------
    torch.device
        ``cuda`` if :func:`torch.cuda.is_available`, otherwise ``cpu``.

    Examples
    --------
    >>> import learntheory as lt
    >>> lt.default_device().type in {"cpu", "cuda"}
    True
    """
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def resolve_factory(
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    generator: torch.Generator | None = None,
) -> tuple[torch.device, torch.dtype]:
    """Resolve the ``device``/``dtype`` arguments of a tensor-creating function.

    The device defaults to the generator's device (so that sampling with a
    CUDA generator lands on CUDA), else the CPU; the dtype defaults to
    :func:`torch.get_default_dtype`.

    Raises
    ------
    TypeError
        If ``dtype`` is not a floating dtype or ``generator`` is not a
        :class:`torch.Generator`.
    ValueError
        If the generator lives on a different device type than ``device``.
    """
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            "The 'generator' parameter must be a torch.Generator or None. "
            f"Got {type(generator).__name__} instead."
        )
    if device is None:
        device = generator.device if generator is not None else torch.device("cpu")
    device = torch.device(device)
    if generator is not None and generator.device.type != device.type:
        raise ValueError(
            "The 'generator' parameter must live on the requested device "
            f"({device.type}). Got a generator on {generator.device.type} instead."
        )
    if dtype is None:
        dtype = torch.get_default_dtype()
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"The 'dtype' parameter must be a floating torch.dtype. Got {dtype!r}.")
    return device, dtype


def make_generator(seed: int, device: torch.device | str | None = None) -> torch.Generator:
    """Return a :class:`torch.Generator` on ``device`` seeded with ``seed``.

    Parameters
    ----------
    seed : int
        Non-negative seed.
    device : torch.device or str, optional
        Where the generator lives (default CPU). Sampling functions put their
        output on the generator's device unless told otherwise.

    Examples
    --------
    >>> import learntheory as lt
    >>> g = lt.make_generator(0)
    >>> g.initial_seed()
    0
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"The 'seed' parameter must be a non-negative int. Got {seed!r} instead.")
    gen = torch.Generator(device=torch.device(device) if device is not None else "cpu")
    gen.manual_seed(seed)
    return gen
