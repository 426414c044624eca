"""Two fixes to the Jupyter Book 1 toolchain for this book's site.

1. Offer each executed notebook page as a downloadable ``.ipynb``.
   sphinx-book-theme shows a ".ipynb" download button only for pages whose
executed notebook it copied into ``_sources`` itself, which it does only when
a launch service (Binder, JupyterHub, ...) is configured. This extension does
the copy for every MyST-markdown notebook page, with no launch service, and
sets the context key the theme reads. It runs before the theme's header
buttons (priority 500 < 501).

2. Load each script once. Under Sphinx 7.4, sphinx-thebe's inline
   configuration script is emitted twice per page, and the second copy throws
   "Identifier 'THEBE_JS_URL' has already been declared" in the browser
   console. Duplicate entries of the page's script list are dropped.
"""

from __future__ import annotations

from pathlib import Path
from shutil import copy2


def _copy_executed_notebook(app, pagename, templatename, context, doctree):
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


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


def setup(app):
    app.connect("html-page-context", _copy_executed_notebook, priority=500)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
