"""The package's layering, checked on every module rather than a hand-kept list.

Layers, imports flowing one way (a module may import its own layer or lower ones)::

    _core  <-  datasets, rates  <-  kernels  <-  chapters (ntk, ...)  <-  plotting  <-  widgets

Chapters talk through ``kernels``, except where a later chapter is built on an earlier
one's method and says so in ``BUILDS_ON`` (model collapse reruns the KDE chapter's
estimator in a loop; inductive bias compares the NTK chapter's NNGP and NTK kernels); the
dependencies form a DAG, checked below.

A new chapter subpackage is found by ``pkgutil`` and lands in the chapter layer without
editing this file; so does a new module of an existing subpackage.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import learntheory

PKG = Path(learntheory.__file__).parent
LAYER = {"_core": 0, "datasets": 1, "rates": 1, "kernels": 2, "plotting": 4, "widgets": 5}
CHAPTER = 3  # every other subpackage is a chapter
#: The only chapter -> chapter imports allowed: chapter -> chapters it builds on.
BUILDS_ON = {"collapse": {"kde"}, "inductive_bias": {"ntk"}}


def _layer(name: str) -> int:
    return LAYER.get(name, CHAPTER)


TOP = sorted(m.name for m in pkgutil.iter_modules([str(PKG)]))
SUBPACKAGES = sorted(m.name for m in pkgutil.iter_modules([str(PKG)]) if m.ispkg)
MODULES = sorted(PKG.rglob("*.py"))
NUMERIC = ["learntheory"] + [f"learntheory.{m}" for m in TOP if _layer(m) <= CHAPTER]


def test_the_walk_finds_the_package():
    """Guard against a walk that silently finds nothing."""
    assert {"_core", "kernels", "ntk", "plotting", "widgets"} <= set(SUBPACKAGES)
    assert len(MODULES) > 20


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_flow_one_way(path: Path):
    """No module imports a higher layer (other chapters count as the same layer but are
    forbidden too: chapters talk through kernels, not to each other)."""
    rel = path.relative_to(PKG).parts
    own = rel[0].removesuffix(".py") if len(rel) > 0 else ""
    if own == "__init__":
        return  # the root re-exports and loads subpackages lazily
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] != "learntheory" or len(parts) < 2:
                continue
            target = parts[1]
            chapter_to_chapter = (_layer(own) == CHAPTER == _layer(target) and target != own
                                  and target not in BUILDS_ON.get(own, set()))
            if _layer(target) > _layer(own) or chapter_to_chapter:
                bad.append(f"line {node.lineno}: {name}")
    assert not bad, f"{path.relative_to(PKG)} ({own}, layer {_layer(own)}) imports upward: {bad}"


def test_chapters_build_on_earlier_chapters_only():
    """BUILDS_ON names existing chapters and has no cycle (a chapter it builds on builds
    on nothing that builds on it)."""
    chapters = {m for m in SUBPACKAGES if _layer(m) == CHAPTER}
    for own, bases in BUILDS_ON.items():
        assert {own} | bases <= chapters, f"BUILDS_ON names a missing chapter: {own}, {bases}"
        for base in bases:
            assert own not in BUILDS_ON.get(base, set()), f"{own} and {base} build on each other"


@pytest.mark.parametrize("module", NUMERIC)
def test_numeric_subpackage_imports_no_plotting_or_widgets(module):
    code = (
        f"import importlib, sys; importlib.import_module({module!r}); "
        "bad = [m for m in ('matplotlib', 'ipywidgets') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing {module} imported {out.stdout.strip()}"


def test_every_subpackage_is_reachable_as_an_attribute_and_listed():
    """lt.<name> works for every public subpackage (eagerly or lazily) and dir(lt) lists
    exactly what exists: no stale names (an `explorer` that raised once did)."""
    code = (
        "import learntheory as lt, sys; "
        "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules); "
        f"[getattr(lt, n) for n in {[m for m in SUBPACKAGES if not m.startswith('_')]!r}]; "
        "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "True"]
    public = {m for m in TOP if not m.startswith("_")}
    listed = {n for n in dir(learntheory) if not n.startswith("_")}
    modules = {n for n in listed if n in public or importlib.util.find_spec(
        f"learntheory.{n}") is not None}
    assert public <= listed, public - listed
    assert modules == public, modules ^ public
    for name in listed:
        getattr(learntheory, name)  # nothing listed raises


WIDGET_MODULES = sorted((PKG / "widgets").glob("*.py"))
DRAWING = {"plot", "scatter", "hist", "bar", "semilogx", "semilogy", "loglog", "errorbar",
           "imshow", "fill_between", "axhline", "axvline", "contour", "contourf"}


@pytest.mark.parametrize("path", WIDGET_MODULES, ids=lambda p: p.name)
def test_widgets_only_wire(path: Path):
    """Explorers wire a grid to numeric functions and lt.plotting: no drawing primitive
    (ax.plot, ax.scatter, ...) and no torch arithmetic beyond calling the library."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [n.func.attr for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    assert not DRAWING & set(calls), f"{path.name} draws directly: {DRAWING & set(calls)}"
