"""Imports flow one way: numeric subpackages never import matplotlib or ipywidgets."""

from __future__ import annotations

import subprocess
import sys

import pytest

NUMERIC = ["learntheory", "learntheory._core", "learntheory.kernels", "learntheory.datasets",
           "learntheory.ntk"]


@pytest.mark.parametrize("module", NUMERIC)
def test_numeric_subpackage_imports_no_plotting_or_widgets(module):
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing {module} imported {out.stdout.strip()}"


def test_plotting_and_widgets_are_reachable_lazily():
    import learntheory as lt

    assert lt.plotting.new_figure is not None
    assert lt.widgets.Explorer is not None
