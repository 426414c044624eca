"""Print the book to PDF: the single-page build, rendered by headless Chromium.

Usage: ``python scripts/build_pdf.py {full,smoke} [--edition full|student]``
(``make pdf`` runs ``full``; ``make pdf EDITION=student`` the student edition).

1. ``build_book.build(size, edition, "singlehtml")`` writes the whole book as one HTML
   page (sharing the execution cache of the HTML site of the same size and edition, so
   no notebook runs again when that site is built).
2. The page is served on a loopback port and opened in headless Chromium (Playwright),
   every request to another host refused. The script waits until MathJax has typeset
   every formula, its fonts have loaded and every image has been decoded. It opens every
   dropdown (the solutions: the student edition has none), puts the landing page's own
   sections before the book, lifts the headings of the book's pages back to the levels of
   the site (the single page nests them two levels down), starts each chapter on a new
   sheet under its part's caption, shrinks any display equation wider than the page, and
   prints A4 with page numbers in the footer and an outline (bookmarks); the
   ``@media print`` block of ``book/_static/learntheory.css`` does the rest of the layout.
3. Output: ``_build/pdf/learning-theory.pdf`` (``learning-theory-student.pdf`` for the
   student edition); smoke builds go to ``_build/smoke/pdf/``. The time taken, the page
   count and the size are printed.

No LaTeX is needed. Chromium is ``$CHROMIUM`` or ``chromium`` on the PATH.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_book  # noqa: E402  (scripts/ is not a package)

ROOT = build_book.ROOT

#: As tests/conftest.py: without the background-networking flags Chromium tries to reach
#: hosts this machine cannot.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

#: Chromium prints the page at this scale: the site's 16 px body text comes out at about
#: 9.6 pt, as in a book, and the column is PRINT_WIDTH CSS pixels wide (A4 less the margins).
PRINT_SCALE = 0.8
MARGIN_MM = 16
PRINT_WIDTH = round((210 - 2 * MARGIN_MM) / 25.4 * 96 / PRINT_SCALE)

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')

#: Runs in the page before printing: waits for MathJax, fonts and images, prepares the
#: page for paper and reports what it found (tests/book/test_pdf.py checks it).
PREPARE_JS = """
async ({chapterIds, pagePath}) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // MathJax: loaded with `defer`; its startup promise resolves after the first typeset.
  for (let i = 0; i < 1200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise);
       i++) await sleep(100);
  if (!(window.MathJax && MathJax.startup)) return {error: "MathJax did not load"};
  await MathJax.startup.promise;
  if (MathJax.typesetPromise) await MathJax.typesetPromise();
  // Images: load every one now (a lazy image below the fold would print blank).
  const imgs = Array.from(document.images);
  for (const img of imgs) img.loading = "eager";
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  // Dropdowns (the solutions): sphinx-togglebutton hides them behind a button, sphinx-design
  // in <details>; paper cannot be clicked, so they print open.
  document.querySelectorAll(".toggle-hidden").forEach((e) => e.classList.remove("toggle-hidden"));
  document.querySelectorAll("button.toggle-button-hidden").forEach(
    (b) => b.classList.remove("toggle-button-hidden"));
  document.querySelectorAll("details.sd-dropdown, details.toggle-details, details.dropdown")
    .forEach((d) => { d.open = true; });
  // Links: one into the single page itself becomes a link within the PDF; one to another
  // file of the site (the index, a download) would lead to the print server: plain text.
  for (const a of Array.from(document.querySelectorAll(".bd-article a[href]"))) {
    const url = new URL(a.getAttribute("href"), location.href);
    if (url.origin !== location.origin) continue;
    if (url.pathname === "/" + pagePath || url.pathname === location.pathname) {
      if (url.hash) a.setAttribute("href", url.hash);
    } else {
      a.removeAttribute("href");
    }
  }
  // The landing page's sections after its contents (which hold the whole book) come first.
  const book = document.querySelector(".bd-article .toctree-wrapper");
  const contents = book && book.closest("section");
  if (contents && contents.parentElement) {
    let next = contents.nextElementSibling;
    while (next) {
      const after = next.nextElementSibling;
      if (next.tagName === "SECTION") contents.parentElement.insertBefore(next, contents);
      next = after;
    }
    const heading = contents.querySelector(":scope > h2");  // "Contents": the book follows
    if (heading) heading.style.display = "none";
  }
  // Headings: the single page nests the whole book two levels down (a chapter's title is
  // an h3); lift every page's headings back to the levels of the site, so that the PDF's
  // outline lists chapters, their pages and sections, and the theme sizes them as it does.
  if (book) {
    const inBook = [3, 4, 5, 6].map((n) => `.bd-article .toctree-wrapper h${n}`).join(", ");
    for (const old of Array.from(document.querySelectorAll(inBook))) {
      const heading = document.createElement("h" + (Number(old.tagName[1]) - 2));
      for (const attr of Array.from(old.attributes)) heading.setAttribute(attr.name, attr.value);
      heading.append(...old.childNodes);
      old.replaceWith(heading);
    }
  }
  // Chapters: each starts a new sheet (learntheory.css, .lt-print-chapter), its part's
  // caption above the first chapter of a part (_toc.yml).
  const chapters = [];
  for (const {id, part} of chapterIds) {
    const anchor = document.getElementById(id);
    if (!anchor) continue;
    let target = anchor.nextElementSibling && anchor.nextElementSibling.tagName === "SECTION"
      ? anchor.nextElementSibling : anchor;
    target.classList.add("lt-print-chapter");
    if (part) {
      const caption = document.createElement("p");
      caption.className = "lt-print-part";
      caption.textContent = part;
      target.prepend(caption);
    }
    chapters.push(id);
  }
  await document.fonts.ready;
  // What the test checks from the browser's side.
  const math = Array.from(document.querySelectorAll(".math"));
  const untypeset = math.filter((e) => !e.querySelector("mjx-container")).length;
  // Each figure: its number, whether it loaded, and how much of it is drawn (an empty
  // figure is blank: drawn into a canvas, no pixel differs from the background).
  const inked = (img) => {
    if (!img.naturalWidth) return 0;
    const canvas = document.createElement("canvas");
    canvas.width = 200;
    canvas.height = Math.max(1, Math.round(200 * img.naturalHeight / img.naturalWidth));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let dark = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] + px[i + 1] + px[i + 2] < 720) dark++;
    return dark / (px.length / 4);
  };
  const figures = Array.from(document.querySelectorAll(".bd-article figure img")).map((img) => {
    const number = img.closest("figure").querySelector(".caption-number");
    return {src: img.currentSrc.slice(0, 120), width: img.naturalWidth, ink: inked(img),
            number: number ? number.textContent.trim() : null};
  });
  // An explorer prints its visible frame; a widget view left in the page (no static twin)
  // would print nothing at all.
  const explorers = document.querySelectorAll(".lt-explorer").length;
  const explorerFrames = Array.from(document.querySelectorAll(".lt-explorer img"))
    .filter((img) => img.offsetParent !== null && img.naturalWidth > 0).length;
  const widgetViews = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length;
  const walker = document.createTreeWalker(document.querySelector(".bd-article"),
                                           NodeFilter.SHOW_TEXT);
  let prose = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (p.closest("pre, code, mjx-container, script, style, .cell_input, .cell_output")) continue;
    prose += n.textContent;
  }
  // Display maths wider than the printed column (the page is laid out for print: see
  // print_pdf) would be cut off on paper, where nothing scrolls: shrink it to fit.
  const overflow = (mjx) => mjx.scrollWidth > mjx.clientWidth + 1;
  const displayMaths = Array.from(document.querySelectorAll("div.math mjx-container"));
  const shrunk = [];
  for (const mjx of displayMaths.filter(overflow)) {
    const fit = Math.floor(100 * (mjx.clientWidth - 2) / mjx.scrollWidth);
    // (MathJax sets its own font-size on the container: scale what is there)
    mjx.style.fontSize = `${parseFloat(getComputedStyle(mjx).fontSize) * fit / 100}px`;
    const where = mjx.closest("div.math").id || (mjx.closest("section[id]") || {}).id;
    shrunk.push(`${where} to ${fit}%`);
  }
  const wideMath = displayMaths.filter(overflow).map(
    (mjx) => mjx.closest("div.math").id || (mjx.closest("section[id]") || {}).id || "?");
  return {math: math.length, untypeset, mjx: document.querySelectorAll("mjx-container").length,
          figures, explorers, explorerFrames, widgetViews, chapters, prose, wideMath, shrunk,
          images: imgs.length, brokenImages: imgs.filter((i) => !i.naturalWidth).length};
}
"""


def pdf_path(size: str, edition: str = "full") -> Path:
    base = ROOT / "_build" if size == "full" else ROOT / "_build" / "smoke"
    name = "learning-theory" + ("-student" if edition == "student" else "") + ".pdf"
    return base / "pdf" / name


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        raise RuntimeError("Headless Chromium is needed to print the book and was not found: "
                           "install Debian's 'chromium' package (make pdf does it when run as "
                           "root) or set CHROMIUM=/path/to/chromium.")
    return path


#: The URL the single page is served at: the site's root, where its relative links
#: (``_static/``, ``_images/``, ``mathjax/``) point.
PRINT_URL = "/lt-print.html"


def single_page(site: Path) -> Path:
    """The single page of a singlehtml build. Jupyter Book's ``index.html`` only redirects
    to the root document (``book/intro.html``), whose links are relative to the site root."""
    index = site / "index.html"
    found = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"',
                      index.read_text(encoding="utf-8"))
    return site / found.group(1) if found else index


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    page: Path  # served at PRINT_URL

    def translate_path(self, path: str) -> str:
        if urlparse(path).path == PRINT_URL:
            return str(self.page)
        return super().translate_path(path)

    def log_message(self, *args) -> None:
        pass


def chapter_anchor_ids() -> list[dict]:
    """singlehtml's anchor (``document-<docname>``) of every chapter in _toc.yml, with its
    part's caption on the part's first chapter: each starts a new sheet."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [{"id": f"document-{chapter['file']}",
             "part": part.get("caption") if i == 0 else None}
            for part in toc.get("parts", []) for i, chapter in enumerate(part.get("chapters", []))]


def print_pdf(site: Path, out: Path) -> dict:
    """Print the singlehtml build in ``site`` to ``out``; returns what the browser saw."""
    from playwright.sync_api import sync_playwright

    html = single_page(site)
    handler = functools.partial(type("Handler", (_QuietHandler,), {"page": html}),
                                directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    refused: list[str] = []

    def only_localhost(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.netloc != urlparse(origin).netloc:
            refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
                color_scheme="light", viewport={"width": PRINT_WIDTH, "height": 1200})
            try:
                page = context.new_page()
                page.set_default_timeout(600_000)
                page.route("**/*", only_localhost)
                t0 = time.perf_counter()
                page.emulate_media(media="print")  # measure the page as it will print
                page.goto(origin + PRINT_URL, wait_until="load")
                t1 = time.perf_counter()
                seen = page.evaluate(PREPARE_JS, {
                    "chapterIds": chapter_anchor_ids(),
                    "pagePath": html.relative_to(site).as_posix()})
                t2 = time.perf_counter()
                if "error" in seen:
                    raise RuntimeError(seen["error"])
                page.pdf(path=str(out), format="A4", print_background=True,
                         scale=PRINT_SCALE, display_header_footer=True,
                         outline=True, tagged=True,  # bookmarks: chapters, pages, sections
                         header_template="<div></div>", footer_template=FOOTER,
                         margin={"top": f"{MARGIN_MM}mm", "bottom": f"{MARGIN_MM + 2}mm",
                                 "left": f"{MARGIN_MM}mm", "right": f"{MARGIN_MM}mm"})
                t3 = time.perf_counter()
                tidy_outline(out)
                seen["timings"] = {"load_s": t1 - t0, "typeset_s": t2 - t1, "pdf_s": t3 - t2,
                                   "outline_s": time.perf_counter() - t3}
            finally:
                context.close()
    finally:
        httpd.shutdown()
    seen["refused"] = refused
    return seen


def tidy_outline(path: Path) -> int:
    """Chromium's outline repeats the title of a heading that opens a sheet ("Gram
    matricesGram matrices"); write each such bookmark once (an incremental update of the
    file). Returns how many were repeated."""
    import logging

    from pypdf import PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    writer = PdfWriter(str(path), incremental=True)
    fixed = 0
    stack = [writer.root_object.get("/Outlines")]
    while stack:
        ref = stack.pop()
        while ref is not None:
            node = ref.get_object()
            title = str(node.get("/Title", ""))
            half = len(title) // 2
            if half and title == title[:half] * 2:
                node[NameObject("/Title")] = TextStringObject(title[:half])
                fixed += 1
            stack.append(node.get("/First"))
            ref = node.get("/Next")
    if fixed:
        writer.write(str(path))
    return fixed


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def build_pdf(size: str = "full", edition: str = "full") -> tuple[Path, dict]:
    """Build the single page (cached) and print it; returns the PDF and the browser's report.
    Raises RuntimeError when the build fails."""
    start = time.perf_counter()
    rc = build_book.build(size, edition, "singlehtml")
    if rc != 0:
        raise RuntimeError(f"the {size} {edition} single-page build failed (exit {rc})")
    built = time.perf_counter()
    out = pdf_path(size, edition)
    seen = print_pdf(build_book.build_dir(size, edition) / "singlehtml", out)
    done = time.perf_counter()
    seen.update(build_s=built - start, print_s=done - built, pages=page_count(out),
                bytes=out.stat().st_size)
    print(f"Printed {out.relative_to(ROOT)}: {seen['pages']} pages, "
          f"{seen['bytes'] / 1e6:.1f} MB, in {done - start:.0f} s "
          f"(single-page build {seen['build_s']:.0f} s, Chromium {seen['print_s']:.0f} s); "
          f"{len(seen['figures'])} figures, {seen['mjx']} formulas.", flush=True)
    problems = []
    if seen["untypeset"]:
        problems.append(f"{seen['untypeset']} formulas left untypeset")
    if seen["brokenImages"]:
        problems.append(f"{seen['brokenImages']} images failed to load")
    if seen["shrunk"]:
        print(f"Display equations shrunk to fit the page: {', '.join(seen['shrunk'])}", flush=True)
    if seen["wideMath"]:
        problems.append(f"{len(seen['wideMath'])} display equations are wider than the page "
                        f"and print cut off: {seen['wideMath'][:5]}")
    if seen["widgetViews"]:
        problems.append(f"{seen['widgetViews']} explorers have no static frame to print")
    if seen["refused"]:
        problems.append(f"requests to other hosts refused: {seen['refused'][:3]}")
    for problem in problems:
        print(f"WARNING: {problem}", flush=True)
    return out, seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="full", choices=build_book.SIZES)
    parser.add_argument("--edition", default="full", choices=build_book.EDITIONS)
    parser.add_argument("--report", type=Path, default=None,
                        help="also write the browser's report as JSON here (for the tests)")
    args = parser.parse_args(argv)
    try:
        _, seen = build_pdf(args.size, args.edition)
    except RuntimeError as err:
        print(f"make pdf: {err}", file=sys.stderr)
        return 1
    if args.report is not None:
        args.report.write_text(json.dumps(seen, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
