"""The built smoke site, read in a real browser (headless Chromium, driven by Playwright).

The session fixture builds the smoke site with warnings as errors (the same
command as ``make test``'s site step), serves it on a loopback port, and the
tests open every page: no JavaScript error, no request to any other host (and
no failed local request), math rendered by the vendored MathJax, every
explorer's slider changes the displayed frame (test_site_explorers.py), nothing is
wider than its box at 1280 and 390 px (test_site_desktop.py, test_site_phone.py).
Screenshots of the landing page and of one chapter page are saved under
``_build/screenshots`` for a person to look at. The fixtures are in tests/conftest.py
and the helpers in site_common.py.
"""

from __future__ import annotations

import pytest
from site_common import ROOT, SHOTS, PageVisit, pages

pytestmark = pytest.mark.browser


def test_site_has_the_chapter_pages(site):
    found = pages(site)
    for expected in ("book/intro.html", "book/kernels/ridge-regression.html"):
        assert expected in found, f"{expected} missing from the built site: {found}"


def test_every_executed_notebook_has_no_error_output(site):
    """The site build executes every notebook (smoke size) and fails on a cell error; a
    failing display (e.g. a figure refused by lt.plotting's style check when glued)
    leaves an error output without failing its cell: fail on it here. (This is the
    check tests/book/test_notebooks.py makes with nbclient, `make notebooks`, on the
    notebooks the site really executed.)"""
    import json

    executed = sorted((site.parent / "jupyter_execute").rglob("*.ipynb"))
    sources = [p for p in (ROOT / "book").rglob("*.md") if "kernelspec:" in
               p.read_text(encoding="utf-8")[:600]]
    assert len(executed) == len(sources), (len(executed), len(sources))
    for path in executed:
        nb = json.loads(path.read_text(encoding="utf-8"))
        errors = [f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
                  for i, cell in enumerate(nb["cells"]) for out in cell.get("outputs", [])
                  if out.get("output_type") == "error"
                  or (out.get("name") == "stderr" and "Traceback" in "".join(out.get("text", "")))]
        assert not errors, f"{path.name} has error outputs: {errors}"


def test_every_page_is_light(site):
    """Each page, explorer frames included, weighs at most 1.5 MB (the smoke site has fewer
    frames than the full one; `make book` prints the full site's heaviest pages)."""
    heavy = {p: (site / p).stat().st_size for p in pages(site)
             if (site / p).stat().st_size > 1.5e6}
    assert not heavy, heavy


def test_every_figure_has_alt_text_from_its_caption(site):
    import re

    for path in pages(site):
        text = (site / path).read_text(encoding="utf-8")
        for alt in re.findall(r'<img alt="([^"]*)"', text):
            assert alt and not alt.endswith(".png") and "_images/" not in alt, (path, alt)


def test_the_index_lists_the_main_terms(site):
    import re

    text = (site / "genindex.html").read_text(encoding="utf-8")
    entries = re.findall(r'<li><a href="book/[^"]+">', text)
    assert len(entries) >= 20, f"the index has {len(entries)} entries"
    assert "genindex.html" in (site / "book" / "bibliography.html").read_text(encoding="utf-8")


def test_footer_with_the_licence_is_on_every_page(site):
    for path in pages(site):
        text = (site / path).read_text(encoding="utf-8")
        assert 'class="extra_footer"' in text and "MIT licence" in text, path
        assert "CC BY" in text and "creativecommons.org/licenses/by/4.0" in text, path


def test_the_landing_page_states_the_edition_and_citation(site):
    """Version, build date, commit and citation come from the build (book/_ext/site_fixes.py)."""
    import sys

    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from site_fixes import edition

    ed = edition()
    text = (site / "book" / "intro.html").read_text(encoding="utf-8")
    assert f"Version {ed['version']}, built on" in text
    assert ed["commit"] in text and "{{" not in text
    assert "The learntheory authors (2026)" in text


def test_bibliography_is_author_year_and_alphabetical(site):
    """Labels match the author-year citations (book/_ext/bibstyle.py), sorted by author."""
    import re

    text = (site / "book" / "bibliography.html").read_text(encoding="utf-8")
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<', text)
    assert labels and all(re.search(r", (\d{4}|n\.d\.)$", lab) for lab in labels), labels[:5]
    import html
    import unicodedata

    def key(label):  # "Schölkopf and Smola, 2002" -> "scholkopf"
        name = html.unescape(label).split(",")[0].split(" ")[0].lower()
        return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()

    surnames = [key(lab) for lab in labels]
    assert all(s.isalpha() for s in surnames), surnames
    assert surnames == sorted(surnames), surnames


def test_every_page_loads_offline_without_errors(site, server, browser):
    for path in pages(site):
        visit = PageVisit(browser, server, path)
        try:
            assert visit.errors == [], f"{path}: JavaScript errors {visit.errors}"
            assert visit.external(server) == [], f"{path}: requests left the site: " \
                                                 f"{visit.external(server)}"
            assert visit.failed == [], f"{path}: failed local requests {visit.failed}"
        finally:
            visit.page.close()


def test_math_is_rendered_by_the_vendored_mathjax(server, browser):
    visit = PageVisit(browser, server, "book/kernels/ridge-regression.html")
    try:
        visit.page.wait_for_selector("mjx-container", timeout=20_000)
        n = visit.page.locator("mjx-container").count()
        assert n > 5, f"expected rendered equations, found {n} mjx-container elements"
        assert any("/mathjax/tex-chtml-full.js" in u for u in visit.requests)
    finally:
        visit.page.close()


def test_screenshots_for_a_person(server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("landing", "book/intro.html"),
                       ("kernels-ridge-regression", "book/kernels/ridge-regression.html")):
        visit = PageVisit(browser, server, path)
        try:
            visit.page.wait_for_timeout(500)
            out = SHOTS / f"{name}.png"
            visit.page.screenshot(path=str(out), full_page=False)
            assert out.stat().st_size > 10_000, f"{out} looks empty"
            explorer = visit.page.locator(".lt-explorer")
            if explorer.count():
                explorer.first.scroll_into_view_if_needed()
                explorer.first.screenshot(path=str(SHOTS / f"{name}-explorer.png"))
        finally:
            visit.page.close()


def test_notebook_pages_offer_their_ipynb(site, server, browser):
    """Each chapter notebook page links its executed .ipynb, and the link resolves."""
    visit = PageVisit(browser, server, "book/kernels/ridge-regression.html")
    try:
        links = visit.page.locator("a[href$='.ipynb']")
        assert links.count() >= 1, "no .ipynb download link on a notebook page"
        href = links.first.get_attribute("href")
        target = (site / "book" / "kernels" / href).resolve()
        assert target.exists() and target.suffix == ".ipynb", f"{href} -> {target} missing"
    finally:
        visit.page.close()


