"""The student edition and the take-home files, checked on the built smoke sites.

Run by ``make test`` after the smoke site is built (``LT_SITE_PREBUILT=1``): the student
edition is built from a copy of the smoke execution cache (no notebook runs again),
then compared with the full edition page by page. For every exercise label in the
sources, the exercise must be on the student page and nothing of its solution may be
anywhere the student site serves it: the HTML, the search index, the page sources
(``_sources/*.md``) or the downloadable notebooks (``_sources/*.ipynb``). "Nothing" is
checked against fingerprints taken from the full edition, so each check is first shown
to find the solution there (a check that cannot fail is not run). Then the wheel on the
site is installed into a fresh virtual environment and a downloaded notebook runs on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


# the book's own Sphinx extensions and build script, imported as the build imports them
sys.path[:0] = [str(ROOT / "book" / "_ext"), str(ROOT / "scripts")]
import build_book  # noqa: E402
import editions  # noqa: E402
import teaching  # noqa: E402

FULL = build_book.build_dir("smoke", "full") / "html"
STUDENT = build_book.build_dir("smoke", "student") / "html"
EXERCISES = teaching.exercises()
MIN_LINE = 25  # a solution's text line shorter than this could occur by chance elsewhere


@pytest.fixture(scope="session")
def full_site() -> Path:
    if os.environ.get("LT_SITE_PREBUILT") != "1":
        assert build_book.build("smoke") == 0, "the smoke build failed (see its output)"
    assert (FULL / "book" / "intro.html").exists(), f"no built site under {FULL}"
    return FULL


@pytest.fixture(scope="session")
def student_site(full_site) -> Path:
    assert build_book.build("smoke", "student") == 0, "the smoke student build failed"
    return STUDENT


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _lines(text: str) -> set[str]:
    return {" ".join(line.split()) for line in text.splitlines()
            if len(" ".join(line.split())) >= MIN_LINE}


def _fingerprints(page: Path) -> dict[str, set[str]]:
    """Per solution of a full-edition page (by the exercise it solves): its text lines
    that occur nowhere else on the page."""
    soup = _soup(page)
    solutions = soup.select("div.solution")
    found = {}
    for sol in solutions:
        title = sol.select_one(".admonition-title")
        ref = title.find("a") if title else None
        target = ref["href"].split("#")[-1] if ref and ref.get("href") else sol.get("id")
        if title:  # "Solution to Exercise N (its title)" repeats the exercise's title
            title.extract()
        found[target] = _lines(sol.get_text("\n"))
    for sol in solutions:
        sol.decompose()
    rest = " ".join(soup.get_text(" ").split())
    return {k: {line for line in v if line not in rest} for k, v in found.items()}


@pytest.mark.parametrize("doc", sorted({ex.docname for ex in EXERCISES}))
def test_the_student_page_keeps_each_exercise_and_no_byte_of_its_solution(
        full_site, student_site, doc):
    labels = [ex.label for ex in EXERCISES if ex.docname == doc]
    full_page, student_page = full_site / f"{doc}.html", student_site / f"{doc}.html"
    prints = _fingerprints(full_page)
    student_text = _soup(student_page).get_text("\n")
    student_soup = _soup(student_page)
    assert not student_soup.select("div.solution"), f"{doc}: a solution block is left"
    for label in labels:
        assert student_soup.find(id=label) is not None, f"{doc}: exercise {label} is missing"
        lines = prints.get(label, set())
        assert lines, f"{doc}: no solution text of {label} found in the full edition"
        left = {line for line in lines if line in " ".join(student_text.split())}
        assert not left, f"{doc}: solution text of {label} in the student edition: {left}"


def _solution_stems(site: Path) -> set[str]:
    """Search stems (Sphinx's own splitter and stemmer) of the solutions' words that no
    other text of the full site has."""
    from sphinx.search.en import SearchEnglish

    lang = SearchEnglish({})

    def stems(text: str, shortest: int = 1) -> set[str]:
        return {lang.stem(w.lower()) for w in lang.split(text) if len(w) >= shortest}

    sol, other = set(), set()
    for page in sorted(site.rglob("*.html")):
        soup = _soup(page.resolve())
        for block in soup.select("div.solution"):
            sol |= stems(block.get_text(" "), shortest=4)
            block.decompose()
        other |= stems(soup.get_text(" "))
    return sol - other


def _index_terms(site: Path) -> set[str]:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1: text.rindex(")")])
    return set(index["terms"]) | set(index.get("titleterms", {}))


def test_the_student_search_index_has_no_solution_words(full_site, student_site):
    in_full = _solution_stems(full_site) & _index_terms(full_site)
    # the check can fail: the full edition's index has these solution-only stems
    assert len(in_full) >= 20, f"only {len(in_full)} solution-only terms in the full index"
    left = in_full & _index_terms(student_site)
    assert not left, f"solution-only terms in the student search index: {sorted(left)[:20]}"
    titles = (student_site / "searchindex.js").read_text(encoding="utf-8")
    assert "Solution to" not in titles


def test_the_student_sources_and_notebooks_have_no_solutions(full_site, student_site):
    assert EXERCISES, "no exercises found in the sources"
    checked = 0
    for doc in sorted({ex.docname for ex in EXERCISES}):
        md = (student_site / "_sources" / f"{doc}.md").read_text(encoding="utf-8")
        full_md = (full_site / "_sources" / f"{doc}.md").read_text(encoding="utf-8")
        assert "{solution-start}" in full_md and "{solution-start}" not in md, doc
        assert "{solution-end}" not in md and "{solution}" not in md, doc
        for ex in EXERCISES:
            if ex.docname == doc:
                assert f":label: {ex.label}" in md, f"{doc}: {ex.label} left the source"
        full_nb = json.loads((full_site / "_sources" / f"{doc}.ipynb").read_text("utf-8"))
        nb = json.loads((student_site / "_sources" / f"{doc}.ipynb").read_text("utf-8"))
        solution_cells = _solution_code(full_nb)
        assert solution_cells, f"{doc}: no solution code cells found in the full notebook"
        kept = {"".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"}
        assert not (solution_cells & kept), f"{doc}: a solution code cell is in the notebook"
        text = json.dumps(nb)
        assert "solution-start" not in text and "solution-end" not in text, doc
        # every non-solution code cell is still there, outputs included
        full_kept = [c for c in full_nb["cells"] if c["cell_type"] == "code"
                     and "".join(c["source"]) not in solution_cells]
        assert [c["outputs"] for c in full_kept] == [
            c["outputs"] for c in nb["cells"] if c["cell_type"] == "code"], doc
        checked += 1
    assert checked == len({ex.docname for ex in EXERCISES})


def _solution_code(nb: dict) -> set[str]:
    """Sources of the code cells between a solution's start and end (full notebook)."""
    stripped = editions.strip_notebook_solutions(nb)
    kept = {"".join(c["source"]) for c in stripped["cells"] if c["cell_type"] == "code"}
    return {"".join(c["source"]) for c in nb["cells"]
            if c["cell_type"] == "code" and "".join(c["source"]) not in kept}


def test_every_downloaded_notebook_opens_with_how_to_run_it(full_site):
    notebooks = sorted((full_site / "_sources").rglob("*.ipynb"))
    assert len(notebooks) >= 20
    wheel = editions.download_names()["wheel"]
    for path in notebooks:
        first = json.loads(path.read_text(encoding="utf-8"))["cells"][0]
        text = "".join(first["source"])
        assert first["cell_type"] == "markdown" and editions.INSTALL_MARKER in text, path
        assert f"{wheel}[run]" in text and "downloads/" in text, path
        # with their outputs, also for pages read from the execution cache (myst-nb
        # saves those without outputs in jupyter_execute/)
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert any(c.get("outputs") for c in cells if c["cell_type"] == "code"), path


def test_the_site_serves_the_wheel_and_the_source_archive(full_site):
    import tarfile

    names = editions.download_names()
    wheel, archive = (full_site / "downloads" / names[k] for k in ("wheel", "archive"))
    assert wheel.exists() and archive.exists()
    with tarfile.open(archive) as tar:
        members = set(tar.getnames())
    prefix = names["archive"].removesuffix(".tar.gz")
    for needed in ("Makefile", "pyproject.toml", "_toc.yml", "_config.yml",
                   "lib/learntheory/__init__.py", "book/intro.md", "LICENSE"):
        assert f"{prefix}/{needed}" in members, needed
    # every page's download menu links to both, and to the Run this book page
    page = (full_site / "book" / "kernels" / "similarity.html").read_text(encoding="utf-8")
    for href in (f"../../downloads/{names['wheel']}", f"../../downloads/{names['archive']}",
                 "../run-this-book.html"):
        assert f'href="{href}"' in page, href


def test_a_downloaded_notebook_runs_on_the_wheel_in_a_fresh_venv(full_site, tmp_path):
    """The wheel installed with pip into a new venv (without the editable checkout); its
    dependencies come from the book's venv through a .pth path entry (no download)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    wheel = full_site / "downloads" / editions.download_names()["wheel"]
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet",
                    "--no-deps", "--no-index", "--disable-pip-version-check", str(wheel)],
                   check=True)
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path"
                           "('purelib'))"], check=True, capture_output=True, text=True)
    purelib = Path(site.stdout.strip())
    # a plain path entry: the book venv's .pth files (the editable finder) are not run
    (purelib / "book-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    notebook = json.loads((full_site / "_sources" / "book" / "kernels" /
                           "similarity.ipynb").read_text(encoding="utf-8"))
    probe = ("import sys, learntheory\n"
             f"assert sys.prefix == {str(venv)!r}, sys.prefix\n"
             f"assert learntheory.__file__.startswith({str(purelib)!r}), learntheory.__file__")
    notebook["cells"].insert(1, {"cell_type": "code", "metadata": {}, "source": probe,
                                 "outputs": [], "execution_count": None})
    work = tmp_path / "work"
    work.mkdir()
    (work / "similarity.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    run = ("import nbformat, nbclient\n"
           "nb = nbformat.read('similarity.ipynb', as_version=4)\n"
           "nbclient.NotebookClient(nb, timeout=600, kernel_name='python3',"
           " resources={'metadata': {'path': '.'}}).execute()\n"
           "print('executed', sum(c.cell_type == 'code' for c in nb.cells), 'cells')\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(py), "-c", run], cwd=work, capture_output=True, text=True,
                          env={**env, "BOOK_SMOKE": "1", "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "executed" in done.stdout


def test_every_exercise_appears_in_the_bank_with_its_tags(full_site):
    page = full_site / "book" / "teaching" / "exercises.html"
    soup = _soup(page)
    rows = soup.select("table tbody tr")
    assert len(rows) == len(EXERCISES)
    for row, ex in zip(rows, EXERCISES, strict=True):
        link = row.find("a")
        assert link is not None and link["href"].endswith(f"#{ex.label}"), ex.label
        text = " ".join(row.get_text(" ").split()).replace("\u2019", "'")  # smart quotes
        assert ex.title in text and ex.chapter in text, ex.label
        assert teaching.LEVEL_WORDS[ex.level] in text, ex.label
        assert ("a computer" if ex.medium == "computer" else "pen and paper") in text


def test_the_student_edition_states_it_and_links_the_same_pages(full_site, student_site):
    full_pages = {p.relative_to(full_site) for p in (full_site / "book").rglob("*.html")}
    student_pages = {p.relative_to(student_site)
                     for p in (student_site / "book").rglob("*.html")}
    assert full_pages == student_pages
    page = "book/kernels/similarity.html"
    assert editions.STUDENT_NOTE in (student_site / page).read_text(encoding="utf-8")
    assert editions.STUDENT_NOTE not in (full_site / page).read_text(encoding="utf-8")
