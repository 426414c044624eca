"""learntheory: the tested numerics behind an executable textbook of learning theory.

Import as ``import learntheory as lt``. Numeric subpackages (``kernels`` and
one per chapter) never import matplotlib or ipywidgets; ``lt.plotting``
(matplotlib) and ``lt.widgets`` (ipywidgets) are loaded on first access.

Layers, imports flowing one way (``tests/test_imports.py`` checks every module)::

    _core  <-  datasets, rates  <-  kernels  <-  ntk, ...  <-  plotting  <-  widgets
"""

from __future__ import annotations

import importlib
from typing import Any

from learntheory import datasets, kernels, rates
from learntheory._core import (
    Sizes,
    default_device,
    make_generator,
    sizes,
    smoke_mode,
)
from learntheory.rates import SlopeFit, loglog_slope

__version__ = "0.1.0"

__all__ = [
    "SlopeFit",
    "Sizes",
    "datasets",
    "default_device",
    "kernels",
    "loglog_slope",
    "make_generator",
    "rates",
    "sizes",
    "smoke_mode",
]

# Subpackages loaded lazily on first attribute access (PEP 562), so that
# ``import learntheory`` stays free of matplotlib and ipywidgets.
_LAZY = {"collapse", "inductive_bias", "kde", "ntk", "plotting", "widgets"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f"learntheory.{name}")
    raise AttributeError(f"module 'learntheory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | _LAZY)
