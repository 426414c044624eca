"""Five fixes to the Jupyter Book 1 toolchain for this book's site.

1. Offer each executed notebook page as a downloadable ``.ipynb``.
   sphinx-book-theme shows a ".ipynb" download button only for pages whose
executed notebook it copied into ``_sources`` itself, which it does only when
a launch service (Binder, JupyterHub, ...) is configured. This extension does
the copy for every MyST-markdown notebook page, with no launch service, and
sets the context key the theme reads. It runs before the theme's header
buttons (priority 500 < 501). The outputs come from the execution cache: myst-nb
1.4 writes ``jupyter_execute/<page>.ipynb`` without outputs for a cached page.

2. Load each script once. Under Sphinx 7.4, sphinx-thebe's inline
   configuration script is emitted twice per page, and the second copy throws
   "Identifier 'THEBE_JS_URL' has already been declared" in the browser
   console. Duplicate entries of the page's script list are dropped.

3. Give every figure alt text. Images of glued figures get their file path as
   ``alt`` (a hash); a screen reader then reads the hash. Each image inside a
   captioned figure gets the caption's text instead (unless it has real alt text).

4. State the edition from the build, not by hand. MyST substitutions ``{{ version }}``
   (pyproject.toml), ``{{ build_date }}`` (the build's UTC date, or SOURCE_DATE_EPOCH),
   ``{{ commit }}`` (``git rev-parse --short HEAD``) and ``{{ citation }}`` (from
   CITATION.cff) are set when the configuration is read, for the landing page.

5. Build the single-page HTML that ``make pdf`` prints: sphinx-exercise's visitors
   registered for ``singlehtml`` by name would otherwise hide every other extension's
   HTML visitors there.
"""

from __future__ import annotations

from pathlib import Path
from shutil import copy2


def _copy_executed_notebook(app, pagename, templatename, context, doctree):
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    # myst-nb 1.4 writes jupyter_execute/<page>.ipynb *without* outputs when the page
    # comes from the execution cache (it saves the notebook it read, not the one merged
    # with the cached outputs), so the outputs are merged from the cache here.
    notebook = _cached_notebook(app, pagename)
    if notebook is not None:
        import nbformat

        target.write_text(nbformat.writes(notebook), encoding="utf-8")
    elif executed.exists():
        copy2(executed, target)
    else:
        return
    context["ipynb_source"] = f"{pagename}.ipynb"


def _cached_notebook(app, pagename):
    """The page's notebook with the outputs of its execution-cache record, or None."""
    cache_dir = Path(app.outdir).parent / ".jupyter_cache"
    if not cache_dir.exists():
        return None
    import jupytext
    from jupyter_cache import get_cache

    notebook = jupytext.read(app.env.doc2path(pagename))
    try:
        _, merged = get_cache(str(cache_dir)).merge_match_into_notebook(notebook)
    except KeyError:
        return None
    return merged


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attrs = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", None) or "", tuple(sorted(attrs.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: later handlers (MathJax) append to this very list


def _alt_text_from_captions(app, doctree, docname):
    from docutils import nodes

    for figure in doctree.findall(nodes.figure):
        captions = list(figure.findall(nodes.caption))
        if not captions:
            continue
        text = " ".join(captions[0].astext().split())
        for image in figure.findall(nodes.image):
            alt = image.get("alt", "")
            if not alt or alt == image.get("uri") or "/_images/" in alt or alt.endswith(".png"):
                image["alt"] = text


ROOT = Path(__file__).resolve().parents[2]


def edition() -> dict[str, str]:
    """Version, build date, commit and citation of this build (fix 4)."""
    import datetime
    import os
    import subprocess
    import tomllib

    import yaml

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.UTC) if epoch
            else datetime.datetime.now(datetime.UTC))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "not a git checkout"
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    authors = ", ".join(a.get("name") or f"{a['given-names']} {a['family-names']}"
                        for a in cff["authors"])
    year = str(cff["date-released"])[:4]
    citation = f"{authors} ({year}). *{cff['title']}*. Version {cff['version']}."
    return {"version": version, "build_date": when.date().isoformat(), "commit": commit,
            "citation": citation}


def _edition_substitutions(app, config):
    config.myst_substitutions = {**(config.myst_substitutions or {}), **edition()}


def _singlehtml_handlers(app):
    """Fix 5: sphinx-exercise registers its node visitors for the builder named
    'singlehtml', after which Sphinx ignores every other extension's 'html' visitors in
    the single-page build (make pdf): copy the 'html' ones over."""
    handlers = app.registry.translation_handlers
    if app.builder.name == "singlehtml" and "singlehtml" in handlers:
        for name, pair in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(name, pair)


def setup(app):
    app.connect("builder-inited", _singlehtml_handlers, priority=900)
    app.connect("config-inited", _edition_substitutions)
    app.connect("doctree-resolved", _alt_text_from_captions)
    app.connect("html-page-context", _copy_executed_notebook, priority=500)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
