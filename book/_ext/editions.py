"""Editions of the book and what a reader takes home from the site.

1. The student edition. ``LT_EDITION=student`` (``make student``,
   ``scripts/build_book.py --edition student``) builds the same pages, executed the
   same way, with every solution *removed*: the solution nodes leave the doctree as
   soon as a page is read (so neither the HTML nor the search index has them), and
   the page sources the site serves (``_sources/**/*.md``) and the downloadable
   notebooks (``_sources/**/*.ipynb``) lose their solution blocks and cells.
   sphinx-exercise's own ``hide_solutions`` drops only the ``solution-start`` marker of
   a gated solution and leaves its content on the page, so it is not used.

2. Take-home notebooks. Every downloadable ``.ipynb`` opens with a markdown cell
   saying how to install the ``learntheory`` wheel that the site serves and run the
   notebook (both editions).

3. Downloads. ``scripts/build_book.py`` puts a wheel of ``learntheory`` and a source
   archive of the book into the site's ``downloads/`` folder; every page's download
   menu links to them and to the "Run this book" page, and the directive
   ``{book-downloads}`` lists them there.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
EDITIONS = ("full", "student")
RUN_PAGE = "book/run-this-book"
INSTALL_MARKER = "<!-- learntheory: how to run this notebook -->"

_FENCE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}")


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def download_names(ver: str | None = None) -> dict[str, str]:
    """File names of the wheel and the source archive that a build puts on the site."""
    ver = ver or version()
    return {"wheel": f"learntheory-{ver}-py3-none-any.whl",
            "archive": f"learning-theory-{ver}.tar.gz"}


def edition() -> str:
    name = os.environ.get("LT_EDITION", "full") or "full"
    if name not in EDITIONS:
        raise ValueError(f"LT_EDITION must be one of {EDITIONS}; got {name!r}")
    return name


class _SolutionFilter:
    """Drops the lines of solutions from a stream of MyST lines, across cells: from a
    ``solution-start`` fence to the closing fence of its ``solution-end``, and every
    ``{solution}`` directive, fences included."""

    def __init__(self):
        self.inside = False  # inside a solution (its lines are dropped)
        self.close: re.Pattern | None = None  # the closing fence being waited for
        self.gated = False

    def keep(self, line: str) -> bool:
        if not self.inside:
            m = _FENCE.match(line)
            if m and m["name"] in ("solution-start", "solution"):
                self.inside, self.gated = True, m["name"] == "solution-start"
                self.close = None if self.gated else _closing(m["fence"])
                return False
            return True
        if self.close is not None:
            if self.close.match(line):
                self.inside, self.close = False, None
            return False
        m = _FENCE.match(line)
        if m and m["name"] == "solution-end":
            self.close = _closing(m["fence"])
        return False


def _closing(fence: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}\s*$")


def strip_solutions(text: str) -> str:
    """MyST source without its solutions: every ``solution-start`` ... ``solution-end``
    block (gated) and every ``{solution}`` directive, fences included."""
    keep = _SolutionFilter().keep
    return "".join(line for line in text.splitlines(keepends=True) if keep(line))


def strip_notebook_solutions(nb: dict) -> dict:
    """A notebook (nbformat JSON) without its solutions: markdown cells lose their
    solution lines, and code cells inside a solution are dropped."""
    filt, cells = _SolutionFilter(), []
    for cell in nb["cells"]:
        source = cell["source"]
        source = "".join(source) if isinstance(source, list) else source
        if cell["cell_type"] == "markdown":
            text = "".join(line for line in source.splitlines(keepends=True)
                           if filt.keep(line))
            if text.strip():
                cells.append({**cell, "source": text})
        elif not filt.inside:
            cells.append(cell)
    return {**nb, "cells": cells}


def install_cell(pagename: str, ver: str, student: bool) -> dict:
    """The first cell of a downloaded notebook: how to install the wheel and run it."""
    names = download_names(ver)
    depth = "../" * pagename.count("/")
    kind = "student edition: exercises without solutions" if student else "full edition"
    text = f"""{INSTALL_MARKER}
**Running this notebook.** It is a page of *Learning Theory, Executed* (version {ver},
{kind}) and needs the book's library, `learntheory`, which the site serves as a wheel:
[{names['wheel']}]({depth}downloads/{names['wheel']}) (see the
[Run this book]({depth}{RUN_PAGE}.html) page). In a fresh virtual environment:

```bash
pip install torch==2.13.0
pip install "{names['wheel']}[run]"   # learntheory, JupyterLab, myst-nb, scipy
jupyter lab {pagename.rsplit('/', 1)[-1]}.ipynb
```

Set `BOOK_SMOKE=1` in the environment before starting JupyterLab to run the page at the
small sizes used in CI (seconds instead of minutes). The whole book, with the commands
that build and test it, is in [{names['archive']}]({depth}downloads/{names['archive']})."""
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def prepare_notebook(path: Path, pagename: str, student: bool) -> None:
    """Rewrite one downloadable notebook in place (idempotent)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    if student:
        nb = strip_notebook_solutions(nb)
    first = nb["cells"][0] if nb["cells"] else None
    if not (first and INSTALL_MARKER in "".join(first["source"])):
        nb["cells"].insert(0, install_cell(pagename, version(), student))
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


STUDENT_NOTE = "Student edition: the solutions of the exercises are not included."


def _state_the_edition(app, config):
    if config.lt_edition == "student":
        options = dict(config.html_theme_options or {})
        options["extra_footer"] = (options.get("extra_footer") or "") + f"<p>{STUDENT_NOTE}</p>"
        config.html_theme_options = options


def _remove_solutions(app, doctree):
    if app.config.lt_edition != "student":
        return
    from sphinx_exercise.nodes import solution_end_node, solution_node, solution_start_node

    for kind in (solution_node, solution_start_node, solution_end_node):
        for node in list(doctree.findall(kind)):
            node.parent.remove(node)


def _take_home_sources(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    student = app.config.lt_edition == "student"
    for path in sorted(sources.rglob("*.ipynb")):
        pagename = path.relative_to(sources).with_suffix("").as_posix()
        prepare_notebook(path, pagename, student)
    if student:
        for path in sorted(sources.rglob("*.md*")):
            text = path.read_text(encoding="utf-8")
            path.write_text(strip_solutions(text), encoding="utf-8")


def _download_menu(app, pagename, templatename, context, doctree):
    groups = [b for b in context.get("header_buttons", [])
              if b.get("label") == "download-buttons"]
    if not groups:
        return
    names, root = download_names(), context["pathto"]("", 1).rstrip("/")
    prefix = f"{root}/" if root and root != "." else ""
    groups[0]["buttons"] += [
        {"type": "link", "url": f"{prefix}downloads/{names['wheel']}", "text": "learntheory wheel",
         "tooltip": "The book's library, to run downloaded notebooks",
         "icon": "fas fa-box", "label": "download-wheel-button"},
        {"type": "link", "url": f"{prefix}downloads/{names['archive']}", "text": "book sources",
         "tooltip": "The whole book: make book, make test", "icon": "fas fa-file-archive",
         "label": "download-archive-button"},
        {"type": "link", "url": context["pathto"](RUN_PAGE), "text": "run this book",
         "tooltip": "How to install and run the notebooks", "icon": "fas fa-play",
         "label": "run-this-book-button"},
    ]


class BookDownloads(SphinxDirective):
    """``{book-downloads}``: links to the wheel and the source archive of this build."""

    def run(self):
        names = download_names()
        depth = "../" * self.env.docname.count("/")
        items = "".join(
            f'<li><a class="reference external" href="{depth}downloads/{name}">{name}</a>'
            f" {what}</li>"
            for name, what in ((names["wheel"], "(the library, a Python wheel)"),
                               (names["archive"], "(the whole book: sources, tests, Makefile)")))
        commands = (
            "python -m venv lt-env && source lt-env/bin/activate\n"
            "pip install torch==2.13.0   # the CPU build; the CUDA build of 2.13.0 for a GPU\n"
            f'pip install "{names["wheel"]}[run]"   # + JupyterLab, myst-nb, scipy\n'
            "jupyter lab similarity.ipynb   # a page downloaded from its menu")
        block = nodes.literal_block(commands, commands, language="bash")
        return [nodes.raw("", f'<ul class="book-downloads">{items}</ul>', format="html"), block]


def setup(app):
    app.add_config_value("lt_edition", edition(), "env")
    app.add_directive("book-downloads", BookDownloads)
    app.connect("config-inited", _state_the_edition)
    app.connect("doctree-read", _remove_solutions)
    app.connect("html-page-context", _download_menu, priority=510)
    app.connect("build-finished", _take_home_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
