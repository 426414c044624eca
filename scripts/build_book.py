"""Build the book: execute the notebooks (cached) and write the site.

Usage: ``python scripts/build_book.py {full,smoke} [--edition full|student]
[--builder html|singlehtml]``

* ``full`` (``make book``): publication sizes, output in ``_build/html``.
* ``smoke`` (``make test``): ``BOOK_SMOKE=1``, output in ``_build/smoke/_build/html``,
  warnings are errors (``-W -n --keep-going``) and a failing cell fails the build.
* ``--edition student`` (``make student``): the same pages with every solution
  removed (``book/_ext/editions.py``), in ``_build/student/html`` (full) or
  ``_build/smoke/student/_build/html`` (smoke). It starts from a copy of the full
  edition's execution cache, so pages are executed once for both editions.
* ``--builder singlehtml``: the whole book as one HTML page (``make pdf`` prints it),
  in ``<build dir>/singlehtml``, sharing the HTML build's cache and doctrees.

Each size has its own jupyter-cache, so smoke outputs never leak into the full
site. The cache is keyed on the notebooks' code only, so this script also
clears it when the library's source (``lib/``) changed since the last build:
a notebook is never shown with outputs of an older library.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = ("full", "smoke")
EDITIONS = ("full", "student")
BUILDERS = ("html", "singlehtml")


def output_root(size: str, edition: str = "full") -> Path:
    """The ``--path-output`` of one build: Jupyter Book writes into its ``_build``."""
    if size not in SIZES or edition not in EDITIONS:
        raise ValueError(f"size must be one of {SIZES} and edition one of {EDITIONS}; "
                         f"got size={size!r}, edition={edition!r}")
    base = ROOT if size == "full" else ROOT / "_build" / "smoke"
    return base if edition == "full" else base / ("_build" if size == "full" else "") / "student"


def build_dir(size: str, edition: str = "full") -> Path:
    """Where one build's ``html``, ``singlehtml``, doctrees and cache live."""
    return output_root(size, edition) / "_build"


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


def make_downloads(target: Path) -> dict[str, Path]:
    """Put the take-home files into ``target`` (the site's ``downloads/``): a wheel of
    ``learntheory`` (``python -m build``, checked by ``twine check``) and a ``git archive``
    of the commit the book is built from. Names: ``book/_ext/editions.py``."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from editions import download_names

    names = download_names()
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        made = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                               "--outdir", tmp, str(ROOT)], cwd=ROOT, capture_output=True,
                              text=True)
        if made.returncode:
            print(made.stdout, made.stderr, sep="\n", file=sys.stderr)
            raise RuntimeError(f"building the learntheory wheel failed (exit {made.returncode})")
        shutil.copy2(Path(tmp) / names["wheel"], target / names["wheel"])
    # build leaves build/ and lib/*.egg-info next to the sources (both gitignored)
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                    str(target / names["wheel"])], check=True, stdout=subprocess.DEVNULL)
    prefix = names["archive"].removesuffix(".tar.gz")
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() == "true"
    if inside:
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        if dirty:
            print("Note: the working tree has uncommitted changes; the source archive holds "
                  "the last commit (HEAD) only.", flush=True)
        subprocess.run(["git", "archive", "--format=tar.gz", f"--prefix={prefix}/",
                        "-o", str(target / names["archive"]), "HEAD"], check=True, cwd=ROOT)
    else:
        # built from an unpacked archive: pack the same tree again, without what a build
        # or an install added
        _archive_tree(target / names["archive"], prefix)
    return {key: target / name for key, name in names.items()}


#: What a build or an install adds to an unpacked source tree (not in a source archive).
NOT_SOURCES = {".venv", "_build", "build", "mutants", "src", ".pytest_cache", ".ruff_cache",
               "__pycache__", ".hypothesis", ".ipynb_checkpoints"}


def _archive_tree(out: Path, prefix: str) -> None:
    import tarfile

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        parts = Path(info.name).parts[1:]
        if any(p in NOT_SOURCES or p.endswith(".egg-info") for p in parts):
            return None
        return info

    with tarfile.open(out, "w:gz") as tar:
        for path in sorted(ROOT.iterdir()):
            tar.add(path, arcname=f"{prefix}/{path.name}", filter=keep)


def _seed_student_cache(size: str) -> None:
    """Start the student edition from the full edition's cache and library stamp."""
    source, target = build_dir(size, "full"), build_dir(size, "student")
    if not (source / ".jupyter_cache").exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target / ".jupyter_cache", ignore_errors=True)
    shutil.copytree(source / ".jupyter_cache", target / ".jupyter_cache")
    if (source / ".library-hash").exists():
        shutil.copy2(source / ".library-hash", target / ".library-hash")


def build(size: str = "full", edition: str = "full", builder: str = "html") -> int:
    """Build one edition of the book at one size with one Sphinx builder; 0 on success."""
    if builder not in BUILDERS:
        raise ValueError(f"builder must be one of {BUILDERS}; got {builder!r}")
    out = output_root(size, edition)
    build_dir = out / "_build"
    if edition == "student":
        _seed_student_cache(size)
    cache = build_dir / ".jupyter_cache"
    stamp = build_dir / ".library-hash"
    digest = library_hash()
    if cache.exists() and (not stamp.exists() or stamp.read_text() != digest):
        print("learntheory's source changed since the last build: clearing the execution cache.")
        shutil.rmtree(cache)
        for stale in ("html", "singlehtml", "jupyter_execute"):
            shutil.rmtree(build_dir / stale, ignore_errors=True)
    site_stamp, site_digest = build_dir / ".site-hash", site_hash()
    if any((build_dir / b).exists() for b in BUILDERS) and (
            not site_stamp.exists() or site_stamp.read_text() != site_digest):
        # Sphinx re-renders only changed pages; an extension's or a stylesheet's change
        # must reach every page (the executed notebooks stay cached).
        print("The site's extensions, static files, contents or titles changed: "
              "re-rendering every page.")
        for stale in (*BUILDERS, ".doctrees"):
            shutil.rmtree(build_dir / stale, ignore_errors=True)
    env = dict(os.environ, BOOK_SMOKE="1" if size == "smoke" else "0", PYTHONUNBUFFERED="1",
               LT_EDITION=edition)
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(ROOT),
           "--path-output", str(out), "--builder", builder, "--verbose"]
    if size == "smoke":
        cmd += ["-W", "-n", "--keep-going"]
    mode = f"{size}-size {edition} edition ({builder})"
    print(f"Building the {mode}: {' '.join(cmd)}", flush=True)
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
    if builder == "html":
        made = make_downloads(build_dir / "html" / "downloads")
        print("Downloads on the site: " + ", ".join(
            f"{p.name} ({p.stat().st_size / 1e6:.2f} MB)" for p in made.values()), flush=True)
    site_stamp.write_text(site_digest)
    site = build_dir / builder
    if edition == "student" and size == "full" and builder == "html":
        # make student's promised place: _build/student/html
        link = ROOT / "_build" / "student" / "html"
        if not link.is_symlink():
            shutil.rmtree(link, ignore_errors=True)
            link.symlink_to(Path("_build") / "html")
    print(f"The {mode} was built in {elapsed:.0f} s: {site / 'index.html'}", flush=True)
    if builder != "html":
        return 0
    pages = sorted((p.stat().st_size, p) for p in (build_dir / "html" / "book").rglob("*.html"))
    heavy = ", ".join(f"{p.relative_to(build_dir / 'html').as_posix()} {nbytes / 1e6:.2f} MB"
                      for nbytes, p in reversed(pages[-3:]))
    print(f"Heaviest pages (limit {PAGE_LIMIT_MB} MB each): {heavy}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", default="full", choices=SIZES)
    parser.add_argument("--edition", default="full", choices=EDITIONS)
    parser.add_argument("--builder", default="html", choices=BUILDERS)
    args = parser.parse_args(argv)
    return build(args.size, args.edition, args.builder)


if __name__ == "__main__":
    sys.exit(main())
