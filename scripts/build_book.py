"""Build the book: execute the notebooks (cached) and write the HTML site.

Usage: ``python scripts/build_book.py {full,smoke}``

* ``full`` (``make book``): publication sizes, output in ``_build/html``.
* ``smoke`` (``make test``): ``BOOK_SMOKE=1``, output in ``_build/smoke/_build/html``,
  warnings are errors (``-W -n --keep-going``) and a failing cell fails the build.

Each mode has its own jupyter-cache, so smoke outputs never leak into the full
site. The cache is keyed on the notebooks' code only, so this script also
clears it when the library's source (``lib/``) changed since the last build:
a notebook is never shown with outputs of an older library.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = {"full": ROOT, "smoke": ROOT / "_build" / "smoke"}


#: Weight limit of one built page, explorer frames included (tests/book/test_site.py).
PAGE_LIMIT_MB = 1.5


def library_hash() -> str:
    h = hashlib.sha256()
    for path in sorted((ROOT / "lib").rglob("*.py")):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def site_hash() -> str:
    """What Sphinx does not track for unchanged pages: local extensions, static files,
    the table of contents and the page titles (every page's navigation shows them)."""
    h = hashlib.sha256()
    h.update((ROOT / "_toc.yml").read_bytes())
    for page in sorted((ROOT / "book").rglob("*.md")):
        titles = [line for line in page.read_text(encoding="utf-8").splitlines()
                  if line.startswith("# ")]
        h.update(f"{page.relative_to(ROOT)}:{titles[:1]}".encode())
    for path in sorted(p for p in (ROOT / "book" / "_ext").rglob("*") if p.is_file()) + sorted(
            p for p in (ROOT / "book" / "_static").rglob("*") if p.is_file()):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def main(mode: str) -> int:
    if mode not in OUTPUTS:
        print(f"usage: build_book.py {{{','.join(OUTPUTS)}}}; got {mode!r}", file=sys.stderr)
        return 2
    out = OUTPUTS[mode]
    build_dir = out / "_build"
    cache = build_dir / ".jupyter_cache"
    stamp = build_dir / ".library-hash"
    digest = library_hash()
    if cache.exists() and (not stamp.exists() or stamp.read_text() != digest):
        print("learntheory's source changed since the last build: clearing the execution cache.")
        shutil.rmtree(cache)
        shutil.rmtree(build_dir / "html", ignore_errors=True)
        shutil.rmtree(build_dir / "jupyter_execute", ignore_errors=True)
    site_stamp, site_digest = build_dir / ".site-hash", site_hash()
    if (build_dir / "html").exists() and (not site_stamp.exists()
                                          or site_stamp.read_text() != site_digest):
        # Sphinx re-renders only changed pages; an extension's or a stylesheet's change
        # must reach every page (the executed notebooks stay cached).
        print("The site's extensions, static files, contents or titles changed: "
              "re-rendering every page.")
        shutil.rmtree(build_dir / "html", ignore_errors=True)
        shutil.rmtree(build_dir / ".doctrees", ignore_errors=True)
    env = dict(os.environ, BOOK_SMOKE="1" if mode == "smoke" else "0", PYTHONUNBUFFERED="1")
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT),
           "--path-output", str(out), "--verbose"]
    if mode == "smoke":
        cmd += ["-W", "-n", "--keep-going"]
    print(f"Building the {mode} site: {' '.join(cmd)}", flush=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    shown = ("Executing notebook", "Executed notebook", "WARNING:", "ERROR", "Error", "Traceback",
             "build succeeded", "build finished")
    for line in proc.stdout:
        # Show which notebook is executing, and every warning or error; keep the rest quiet.
        if "Kernel is running over TCP" in line:  # ipykernel's notice: harmless, not Sphinx's
            continue
        if any(key in line for key in shown):
            print(line, end="", flush=True)
    rc = proc.wait()
    elapsed = time.perf_counter() - start
    if rc != 0:
        print(f"The {mode} build FAILED (exit {rc}) after {elapsed:.0f} s.", flush=True)
        return rc
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
    site_stamp.write_text(site_digest)
    index = build_dir / "html" / "index.html"
    print(f"The {mode} site was built in {elapsed:.0f} s: {index}", flush=True)
    pages = sorted((p.stat().st_size, p) for p in (build_dir / "html" / "book").rglob("*.html"))
    heavy = ", ".join(f"{p.relative_to(build_dir / 'html').as_posix()} {size / 1e6:.2f} MB"
                      for size, p in reversed(pages[-3:]))
    print(f"Heaviest pages (limit {PAGE_LIMIT_MB} MB each): {heavy}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "full"))
