"""The teaching apparatus, checked on the sources (no build): exercises, their tags and
the bank's reader, the learning objectives, the solution stripping of the student
edition, the chapter dependency graph and the course plans."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


# the book's own Sphinx extensions, imported as the build imports them
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import editions  # noqa: E402
import teaching  # noqa: E402

EXERCISES = teaching.exercises()
CHAPTERS = teaching.toc_chapters()
CONTENT_PAGES = [doc for _, _, docs in CHAPTERS for doc in docs[1:]]
OBJECTIVES = re.compile(r"^:::\{admonition\} Learning objectives\n:class: objectives\n(.*?)^:::",
                        re.S | re.M)


def test_the_chapters_are_read_from_the_toc():
    assert [c[0] for c in CHAPTERS] == ["kernels", "ntk", "kde", "collapse", "inductive_bias"]
    assert len(CONTENT_PAGES) >= 20


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.label or f"{e.docname}:{e.line}")
def test_every_exercise_has_a_summary_a_difficulty_and_a_medium(ex):
    assert teaching.problems(ex) == [], f"{ex.docname}:{ex.line}"
    assert len(ex.title) <= 60 and "$" not in ex.title and "`" not in ex.title, ex.title


def test_exercise_labels_are_unique():
    labels = [ex.label for ex in EXERCISES]
    assert len(labels) == len(set(labels)), sorted(x for x in labels if labels.count(x) > 1)


@pytest.mark.parametrize("doc", CONTENT_PAGES)
def test_every_page_has_at_least_two_exercises_with_solutions(doc):
    mine = [ex for ex in EXERCISES if ex.docname == doc]
    assert len(mine) >= 2, f"{doc} has {len(mine)} exercise(s)"
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    for ex in mine:
        assert re.search(rf"\{{solution-start\}} {re.escape(ex.label)}\s*$", text, re.M), (
            f"{doc}: {ex.label} has no solution")


def test_the_problems_reader_catches_a_missing_tag():
    """The bank warns (fails -W) on what the test above checks: the reader can fail."""
    bad = teaching.Exercise("ex-x", "A title", ("level-2",), "book/x", "X", 1)
    assert teaching.problems(bad) == [f"not exactly one medium class of {teaching.MEDIA}"]
    two = teaching.Exercise("ex-x", "", ("level-1", "level-3", "paper"), "book/x", "X", 1)
    assert len(teaching.problems(two)) == 2


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c[0])
def test_each_chapter_opens_with_learning_objectives_linked_to_its_exercises(chapter):
    folder, _, docs = chapter
    text = (ROOT / f"{docs[0]}.md").read_text(encoding="utf-8")
    m = OBJECTIVES.search(text)
    assert m, f"{docs[0]} has no learning-objectives admonition"
    assert "\n## " not in text[: m.start()], "the objectives come before the first section"
    items = re.findall(r"^\d+\. (.*?)(?=^\d+\. |\n\n|\Z)", m.group(1), re.S | re.M)
    assert 3 <= len(items) <= 6, f"{folder}: {len(items)} objectives"
    own = {ex.label for ex in EXERCISES if ex.docname in docs}
    for item in items:
        refs = re.findall(r"\{ref\}`(?:[^`<]*<)?([^`>]+)>?`", item)
        assert refs and set(refs) <= own, f"{folder}: objective {item[:60]!r} -> {refs}"


@pytest.mark.parametrize("doc", sorted({ex.docname for ex in EXERCISES}))
def test_stripping_removes_every_solution_and_keeps_the_rest(doc):
    text = (ROOT / f"{doc}.md").read_text(encoding="utf-8")
    out = editions.strip_solutions(text)
    assert "{solution" not in out
    for ex in EXERCISES:
        if ex.docname == doc:
            assert f":label: {ex.label}" in out
    nb = json.loads(nbformat.writes(jupytext.reads(text, fmt="md:myst")))
    stripped = editions.strip_notebook_solutions(nb)
    n_solutions = text.count("{solution-start}")
    # the notebook of the stripped source has exactly the code cells the stripper kept
    expect = json.loads(nbformat.writes(jupytext.reads(out, fmt="md:myst")))
    code = [c["source"] for c in stripped["cells"] if c["cell_type"] == "code"]
    assert code == [c["source"] for c in expect["cells"] if c["cell_type"] == "code"]
    assert len(code) < sum(c["cell_type"] == "code" for c in nb["cells"]) or n_solutions == 0
    assert "solution-start" not in json.dumps(stripped)


def test_stripping_handles_a_solution_directive_and_nested_fences():
    text = ("intro\n````{solution-start} ex-a\n:class: dropdown\n````\nproof\n"
            "```{code-cell} ipython3\nx = 1\n```\n````{solution-end}\n````\nafter\n"
            ":::{solution} ex-b\nhidden\n:::\nend\n")
    assert editions.strip_solutions(text) == "intro\nafter\nend\n"


def test_the_dependency_graph_contains_what_the_library_builds_on():
    sys.path.insert(0, str(ROOT / "tests"))
    from test_imports import BUILDS_ON

    edges = teaching.chapter_dependencies()
    for chapter, needs in BUILDS_ON.items():
        for need in needs:
            assert edges.get((need, chapter), 0) > 0, f"{chapter} cites nothing of {need}"
    assert all(a != b for a, b in edges)


def test_the_twelve_week_plan_covers_every_page():
    text = (ROOT / "book" / "teaching" / "course-plans.md").read_text(encoding="utf-8")
    weeks = re.findall(r"^```\{course-week\}.*\n:pages: (.*)$", text, re.M)
    assert len(weeks) >= 6 + 12, f"{len(weeks)} course weeks"
    covered = {p for week in weeks for p in week.split()}
    assert set(CONTENT_PAGES) <= covered, sorted(set(CONTENT_PAGES) - covered)
