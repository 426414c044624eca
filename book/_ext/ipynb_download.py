"""Offer each executed notebook page as a downloadable ``.ipynb``.

sphinx-book-theme shows a ".ipynb" download button only for pages whose
executed notebook it copied into ``_sources`` itself, which it does only when
a launch service (Binder, JupyterHub, ...) is configured. This extension does
the copy for every MyST-markdown notebook page, with no launch service, and
sets the context key the theme reads. It runs before the theme's header
buttons (priority 500 < 501).
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


def setup(app):
    app.connect("html-page-context", _copy_executed_notebook, priority=500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
