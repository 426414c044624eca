"""Every notebook of the book executes in smoke mode (a smoke test, not a correctness test).

Notebooks are MyST markdown files with a jupytext header. nbmake only collects
``.ipynb``, so each file is read with jupytext and executed with nbclient in
its own folder (relative paths stay right), with ``BOOK_SMOKE=1``. Run in
parallel with ``pytest -n 2``.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"


def _is_notebook(path: Path) -> bool:
    head = path.read_text(encoding="utf-8")[:600]
    return head.startswith("---") and "jupytext:" in head and "kernelspec:" in head


NOTEBOOKS = sorted(p for p in BOOK.rglob("*.md") if "_build" not in p.parts and _is_notebook(p))


def test_the_book_has_notebooks():
    """Guard against a collector that silently finds nothing."""
    assert len(NOTEBOOKS) >= 3, f"expected the book's notebooks under {BOOK}, found {NOTEBOOKS}"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(BOOK)))
def test_notebook_executes_in_smoke_mode(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOK_SMOKE", "1")
    # Two notebooks run side by side on two cores: one thread each.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = jupytext.read(path)
    client = NotebookClient(
        nb, timeout=900, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    # A failing display (e.g. a figure refused by lt.plotting's style check when glued)
    # leaves an error output without failing its cell: fail on it here.
    errors = [f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
              for i, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
              if out.get("output_type") == "error"
              or (out.get("name") == "stderr" and "Traceback" in out.get("text", ""))]
    assert not errors, f"{path.name} has error outputs: {errors}"

