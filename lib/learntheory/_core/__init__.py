"""Shared core: device/dtype/generator resolution, input validation, sizes.

Everything else in :mod:`learntheory` depends on this package and nothing in it
depends on anything else in :mod:`learntheory`.
"""

from learntheory._core.device import default_device, make_generator, resolve_factory
from learntheory._core.sizes import Sizes, sizes, smoke_mode
from learntheory._core.validation import (
    check_choice,
    check_instance,
    check_int,
    check_pair,
    check_points,
    check_positive,
    check_same_device,
    check_targets,
)

__all__ = [
    "Sizes",
    "check_choice",
    "check_instance",
    "check_int",
    "check_pair",
    "check_points",
    "check_positive",
    "check_same_device",
    "check_targets",
    "default_device",
    "make_generator",
    "resolve_factory",
    "sizes",
    "smoke_mode",
]
