"""Checks over the pages' sources (no execution): prose says numbers, not variable names.

A size declared with ``lt.sizes(full=dict(n_seeds=...), ...)`` reaches the prose through
``{glue:text}``; a backticked size name (```n_seeds```) or ``S.n_seeds`` in the prose shows the
reader a variable where a number belongs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p for p in (ROOT / "book").rglob("*.md") if "_build" not in p.parts)
FENCE = re.compile(r"^```\{code-cell\}.*?^```\s*$", re.S | re.M)
SIZES = re.compile(r"lt\.sizes\(\s*full=dict\((.*?)\),\s*smoke=", re.S)


def _size_names(text: str) -> set[str]:
    m = SIZES.search(text)
    return set(re.findall(r"(\w+)=", m.group(1))) if m else set()


def _prose(text: str) -> str:
    text = FENCE.sub("", text)
    text = re.sub(r"^```\{math\}.*?^```\s*$", "", text, flags=re.S | re.M)
    return text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_prose_shows_no_size_names(page: Path):
    text = page.read_text(encoding="utf-8")
    names = _size_names(text)
    prose = _prose(text)
    # a backticked name, but not the argument of a role such as {glue:text}`n`
    bad = [m.group(0) for m in re.finditer(r"(?<!\})`(S\.)?(\w+)`", prose)
           if m.group(2) in names]
    bad += re.findall(r"\bS\.\w+", prose)
    assert not bad, f"{page.name}: glue the number instead of showing {sorted(set(bad))}"


CELL = re.compile(r"^```\{code-cell\}[^\n]*\n((?::[^\n]*\n)*)(.*?)^```\s*$", re.S | re.M)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_code_fits_the_column(page: Path):
    """Page code stays within 80 characters, so no cell scrolls sideways on a desktop."""
    long = [line for m in CELL.finditer(page.read_text(encoding="utf-8"))
            for line in m.group(2).splitlines() if len(line) > 80]
    assert not long, f"{page.name}: {len(long)} code lines over 80 characters: {long[:3]}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_figure_code_is_folded(page: Path):
    """A cell that draws a figure folds its code (tags: [hide-input]), in every chapter."""
    unfolded = [m.group(2).splitlines()[0] for m in CELL.finditer(
        page.read_text(encoding="utf-8"))
        if "new_figure(" in m.group(2) and "hide-input" not in m.group(1)]
    assert not unfolded, f"{page.name}: figure cells without hide-input: {unfolded}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT / "book")))
def test_titles_have_no_maths(page: Path):
    """Page titles appear in every page's navigation, where MathJax is not loaded on pages
    without maths of their own (raw TeX shows there): write symbols as Unicode."""
    titles = re.findall(r"^# (.*)$", FENCE.sub("", page.read_text(encoding="utf-8")), re.M)
    assert not [t for t in titles if "$" in t], f"{page.name}: maths in a title: {titles}"
