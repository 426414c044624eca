"""The printed book (``make pdf``), at smoke size: scripts/build_pdf.py end to end.

One module fixture builds the smoke single-page site (sharing the smoke site's execution
cache, so with ``LT_SITE_PREBUILT=1`` after ``make test``'s site build no notebook runs) and
prints it with headless Chromium; the tests read the PDF back with pypdf and check what
the browser reported just before printing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser

#: The smoke PDF had 229 A4 pages when this test was written (the whole book with the
#: teaching chapter, every solution open, 14 explorers; 167 an hour earlier, before the
#: explorers' frames and four teaching pages). Far fewer pages means the print was cut short
#: or outputs went missing; far more, that the print layout broke (a figure per sheet, a
#: collapsed column). The range leaves the book room to grow to twice its size and to shrink
#: by a third; the chapter-title test below catches a single missing chapter.
PAGES = (140, 450)

#: A labelled equation whose number must print as the site shows it.
EQUATION = "eq-krr-objective"


@pytest.fixture(scope="module")
def printed(chromium, tmp_path_factory):
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_pdf

    # In its own process: Playwright's sync API refuses to start a second time inside the
    # event loop that the session's browser fixture (tests/conftest.py) runs.
    report = tmp_path_factory.mktemp("pdf") / "report.json"
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_pdf.py"), "smoke",
                           "--report", str(report)], cwd=ROOT)
    assert proc.returncode == 0, "the smoke PDF build failed (see its output above)"
    seen = json.loads(report.read_text(encoding="utf-8"))
    out = build_pdf.pdf_path("smoke", "full")
    from pypdf import PdfReader

    reader = PdfReader(str(out))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return {"out": out, "seen": seen, "reader": reader, "text": " ".join(text.split()),
            "single_page": build_pdf.single_page(
                build_pdf.build_book.build_dir("smoke") / "singlehtml")}


def _chapter_titles() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    titles = []
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            source = (ROOT / chapter["file"]).with_suffix(".md").read_text(encoding="utf-8")
            titles.append(next(line[2:].strip() for line in source.splitlines()
                                if line.startswith("# ")))
    return titles


def test_page_count_is_in_range(printed):
    pages = len(printed["reader"].pages)
    assert PAGES[0] <= pages <= PAGES[1], f"{pages} pages, expected {PAGES}"


def test_every_chapter_is_printed_in_order(printed):
    """Each chapter of _toc.yml is printed, in order, and is a top-level bookmark after the
    landing page's."""
    titles, text, where = _chapter_titles(), printed["text"], -1
    for title in titles:
        found = text.find(title, where + 1)
        assert found > where, f"chapter {title!r} missing from the PDF, or out of _toc.yml order"
        where = found
    # (Chromium's bookmark of a heading that wraps loses the space at the line break)
    top = [item.title for item in printed["reader"].outline if not isinstance(item, list)]
    assert [t.replace(" ", "") for t in top[1:]] == [t.replace(" ", "") for t in titles], top
    assert len(printed["seen"]["chapters"]) == len(titles), "chapters not marked for new sheets"


def test_equation_numbers_print_as_on_the_site(printed):
    """The number of a labelled equation, read from the built page, appears in the PDF at
    the equation and at each reference to it."""
    html = printed["single_page"].read_text(encoding="utf-8")
    number = re.search(rf'<span class="eqno">(\(\d+(?:\.\d+)*\))<a class="headerlink" '
                       rf'href="#equation-{EQUATION}"', html)
    assert number, f"equation {EQUATION} not numbered in the single page"
    refs = re.findall(rf'href="#equation-{EQUATION}">(\([^<]*\))</a>', html)
    assert refs and set(refs) == {number.group(1)}, (number.group(1), refs)
    site_page = ROOT / "_build" / "smoke" / "_build" / "html" / "book" / "kernels"
    if (site_page / "ridge-regression.html").exists():  # the multi-page site, when built
        assert number.group(1) in (site_page / "ridge-regression.html").read_text("utf-8")
    assert printed["text"].count(number.group(1)) >= 1 + len(refs)


def test_no_maths_left_as_tex(printed):
    """MathJax typeset every formula, and no TeX is left in the text (a line of inline maths
    that starts with "- " becomes a Markdown list item and is never typeset, for example)."""
    seen, text = printed["seen"], printed["text"]
    assert seen["mjx"] > 100 and seen["untypeset"] == 0, seen["untypeset"]
    assert seen["wideMath"] == [], "display maths cut off at the page's edge"
    leftovers = [m for m in (r"\frac", r"\sum", r"\begin{", r"\mathcal", r"\mathbb", r"\(",
                             r"\[", "$$") if m in text]
    assert not leftovers, [text[max(0, text.find(m) - 80):text.find(m) + 40] for m in leftovers]
    prose = seen["prose"]  # the text outside code and typeset maths
    tex = re.findall(r".{0,60}(?:\$[^$]{0,300}?\$|\\[A-Za-z]{2,}).{0,20}", prose, re.S)
    assert not tex, tex[:5]


def _image_xobjects(reader) -> int:
    """Distinct raster images drawn in the PDF (form XObjects searched too)."""
    seen: set = set()

    def walk(resources) -> None:
        xobjects = resources.get_object().get("/XObject") if resources else None
        for ref in (xobjects.get_object().values() if xobjects else ()):
            key = getattr(ref, "idnum", None) or id(ref)
            if key in seen:
                continue
            seen.add(key)
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                images.append(key)
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    images: list = []
    for page in reader.pages:
        walk(page.get("/Resources"))
    return len(images)


def test_no_empty_figure(printed):
    """Every figure loaded and is drawn (checked in the browser before printing), every
    figure's number is printed, and each raster image (explorer frames, PNG figures) is
    embedded in the PDF; SVG figures print as vector drawings, not images."""
    seen, text = printed["seen"], printed["text"]
    figures = seen["figures"]
    assert len(figures) >= 10, f"only {len(figures)} figures in the book"
    empty = [f["src"] for f in figures if not f["width"] or f["ink"] < 0.002]
    assert not empty, empty
    assert seen["brokenImages"] == 0
    missing = [f["number"] for f in figures if f["number"] and f["number"] not in text]
    assert not missing, missing
    raster = seen["explorerFrames"] + sum(not f["src"].endswith(".svg") for f in figures)
    assert _image_xobjects(printed["reader"]) >= raster


def test_explorers_print_their_visible_frame(printed):
    seen = printed["seen"]
    assert seen["widgetViews"] == 0, "explorers without their static frames (widget views)"
    assert seen["explorers"] >= 1 and seen["explorerFrames"] == seen["explorers"], seen


def test_solutions_are_printed_open_and_nothing_left_the_machine(printed):
    assert "Solution to Exercise" in printed["text"]
    assert printed["seen"]["refused"] == []


def test_links_stay_in_the_pdf(printed):
    """Cross-references are links within the PDF, never to the print server."""
    uris, internal = [], 0
    for page in printed["reader"].pages:
        for annot in page.get("/Annots") or ():
            annot = annot.get_object()
            action = annot.get("/A")
            if action is not None and "/URI" in action.get_object():
                uris.append(str(action.get_object()["/URI"]))
            elif "/Dest" in annot or action is not None:
                internal += 1
    local = [u for u in uris if "127.0.0.1" in u or "localhost" in u or u.startswith("file:")]
    assert not local, local[:5]
    assert internal > 100, f"only {internal} links within the PDF"
