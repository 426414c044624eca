"""Helpers of the site checks (tests/book/test_site*.py): the smoke site's pages, a
recorded page visit, and the check that nothing is wider than its box. The ``site`` and
``server`` fixtures are in tests/conftest.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "_build" / "screenshots"


def pages(site: Path) -> list[str]:
    pages = sorted(p.relative_to(site).as_posix() for p in (site / "book").rglob("*.html"))
    return pages


class PageVisit:
    """Open one page and record console errors, page errors and every request."""

    def __init__(self, browser, origin: str, path: str) -> None:
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.status} {r.url}"))
        self.page.goto(f"{origin}/{path}", wait_until="networkidle")

    def external(self, origin: str) -> list[str]:
        host = urlparse(origin).netloc
        return [u for u in self.requests
                if urlparse(u).scheme in ("http", "https", "ws", "wss")
                and urlparse(u).netloc != host]


# Elements whose content may be wider than the column; each must fit or scroll itself
# (or sit inside an element that scrolls), never be clipped or spill over the page.
_OVERFLOW_JS = """() => {
  const sel = 'div.math, mjx-container[display="true"], div.cell_input, div.cell_output, '
            + 'div.highlight pre, figure, .lt-explorer, table';
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const bad = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.getClientRects().length === 0) continue;           // hidden (e.g. a closed dropdown)
    if (el.scrollWidth <= el.clientWidth + 1 || scrolls(el)) continue;
    let up = el.parentElement, ok = false;
    while (up && up !== document.body) {
      if (scrolls(up) && up.clientWidth < document.documentElement.clientWidth) {
        ok = true; break;
      }
      up = up.parentElement;
    }
    if (!ok) bad.push(el.tagName.toLowerCase() + '.' + (el.className || '').toString()
                      .split(' ')[0] + ' (' + el.scrollWidth + ' > ' + el.clientWidth + ')');
  }
  // inline maths cannot wrap: one that runs past its paragraph must scroll in its own box
  for (const el of document.querySelectorAll('mjx-container:not([display="true"])')) {
    if (el.getClientRects().length === 0) continue;
    const box = el.closest('p, li, dd, td, th, figcaption, div');
    if (!box) continue;
    const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.right <= b.right + 1 && r.left >= b.left - 1) continue;
    let up = el, ok = false;
    while (up && up !== document.body) {
      if (scrolls(up) && up.scrollWidth > up.clientWidth) { ok = true; break; }
      up = up.parentElement;
    }
    if (!ok) bad.push('inline maths "' + (el.textContent || '').slice(0, 30) + '" ('
                      + Math.round(r.right - b.right) + ' px past its box)');
  }
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) bad.push('the page itself scrolls sideways');
  return bad;
}"""


def nothing_is_cut_off(site: Path, server: str, browser, width: int) -> None:
    """At a desktop and a phone width, no equation (display or inline), code cell, output or
    figure is wider than its box unless the box scrolls; a screenshot of each page is saved
    per width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for path in pages(site):
        page = browser.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        try:
            page.goto(f"{server}/{path}", wait_until="networkidle")
            if page.locator("div.math, span.math").count():
                page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
                page.wait_for_timeout(500)
            bad = page.evaluate(_OVERFLOW_JS)
            if bad:
                problems[path] = bad
            if width == 390 or path.endswith(("ntk/lazy-training.html", "intro.html")):
                name = path.removeprefix("book/").removesuffix(".html").replace("/", "-")
                page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        finally:
            page.close()
    assert not problems, f"content wider than its box at {width} px: {problems}"
