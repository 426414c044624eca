"""The checklist of README "Adding a chapter", as tests: each item forgotten fails one.

A chapter is a subpackage of ``lib/learntheory`` outside the shared layers (found by
pkgutil, so a new chapter is checked without editing this file). The primer's
``kernels`` is held to the same checklist.
"""

from __future__ import annotations

import ast
import pkgutil
import re
from pathlib import Path

import pytest

import learntheory

ROOT = Path(__file__).resolve().parents[1]
PKG = Path(learntheory.__file__).parent
SHARED = {"_core", "plotting", "widgets"}
CHAPTERS = sorted(m.name for m in pkgutil.iter_modules([str(PKG)])
                  if m.ispkg and m.name not in SHARED)
TOC = (ROOT / "_toc.yml").read_text(encoding="utf-8")
BIB = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(encoding="utf-8"),
                     re.M))


def _modules(chapter: str) -> list[str]:
    return sorted(p.stem for p in (PKG / chapter).glob("*.py") if p.stem != "__init__")


def test_chapters_are_found():
    assert {"kernels", "ntk"} <= set(CHAPTERS)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_tests_mirror_the_modules(chapter):
    missing = [m for m in _modules(chapter) if not (ROOT / "tests" / chapter / f"test_{m}.py")
               .exists()]
    assert not missing, f"add tests/{chapter}/test_<module>.py for {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_subpackage_docstring_names_every_module(chapter):
    doc = ast.get_docstring(ast.parse((PKG / chapter / "__init__.py").read_text(encoding="utf-8")))
    doc = doc or ""
    missing = [m for m in _modules(chapter) if f"{chapter}.{m}" not in doc]
    assert not missing, f"learntheory/{chapter}/__init__.py does not document {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_pages_are_in_the_table_of_contents(chapter):
    pages = sorted((ROOT / "book" / chapter).glob("*.md"))
    assert pages, f"book/{chapter}/ has no pages"
    missing = [p.stem for p in pages if f"book/{chapter}/{p.stem}" not in TOC]
    assert not missing, f"_toc.yml lacks book/{chapter}/{missing}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_benchmark_plotting_and_explorers_exist(chapter):
    assert (ROOT / "benchmarks" / f"bench_{chapter}.py").exists(), f"benchmarks/bench_{chapter}.py"
    assert list((PKG / "plotting").glob(f"{chapter}*.py")), f"plotting/{chapter}.py"
    assert list((PKG / "widgets").glob(f"{chapter}*.py")), f"widgets/{chapter}.py"


def test_every_cited_key_is_in_references_bib():
    """[Key] in a docstring and {cite}`Key` on a page must be entries of references.bib."""
    cited = {}
    for path in list(PKG.rglob("*.py")) + list((ROOT / "book").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        keys = re.findall(r"\[([A-Z][A-Za-z]+\d{4}[a-z]?)\]", text)
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text):
            keys += [k.strip() for k in group.split(",")]
        for k in keys:
            cited.setdefault(k, path.relative_to(ROOT))
    missing = {k: str(p) for k, p in cited.items() if k not in BIB}
    assert not missing, f"not in references.bib: {missing}"


def test_test_modules_have_unique_basenames():
    """pytest imports test modules by basename (no __init__.py in tests/): two
    tests/<chapter>/test_<module>.py with one name fail collection in a fresh clone."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(ROOT)} ~ {path.relative_to(ROOT)}")
        seen.setdefault(path.name, path)
    assert not clashes, f"rename a module (or its test): {clashes}"
