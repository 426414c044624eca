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
