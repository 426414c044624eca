"""`make lab` works as a student uses it: a book page opens as a notebook and its explorer is live.

Starts JupyterLab through `make lab` itself (the project's settings and flags; the test
only adds `--no-browser`, a free port, a fixed token, `expose_app_in_browser` to read the
notebook model, and `BOOK_SMOKE=1` in the server's environment, which kernels inherit).
In headless Chromium it then does what a student does: in the file browser, double-click
`book`, `kernels`, `ridge-regression.md`; the page must open as a notebook (jupytext),
not as Markdown text. Run > Run All Cells must finish with no error, a slider of the
page's explorer moved with the keyboard must redraw its image, and no Jupyter-news prompt
may appear.

The user's own JupyterLab settings and workspaces are kept out (empty scratch
JUPYTERLAB_SETTINGS_DIR and JUPYTERLAB_WORKSPACES_DIR), so what is checked is what a
fresh clone gets. Opening a page marks it modified at once (JupyterLab writes the running
kernel's `{name, display_name, language}` into its metadata), and saving would rewrite
the page's header: the shipped settings turn autosave off, which the test reads back
from the server, and the fixture checks that the book is left as it was found (no file
changed, no checkpoint or `.ipynb` left in `book/`).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "book" / "kernels" / "ridge-regression.md"
TOKEN = "lab-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _book_files() -> set[Path]:
    return {p for p in (ROOT / "book").rglob("*")}


@pytest.fixture
def lab(tmp_path):
    """JupyterLab started by `make lab` (smoke sizes); the book left as it was found."""
    before_files = _book_files()
    before_page = PAGE.read_bytes()
    port = _free_port()
    env = dict(os.environ, BOOK_SMOKE="1",
               LAB_ARGS=f"--no-browser --port={port} --ServerApp.token={TOKEN} "
                        "--LabApp.expose_app_in_browser=True",
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "user-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = tmp_path / "lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["make", "--no-print-directory", "lab"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 300  # `make lab` first brings the environment up to date
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2).close()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail("`make lab` did not serve JupyterLab:\n" + log.read_text()[-3000:])
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # Checkpoints JupyterLab made for the opened page are ignored by git but do not
        # belong in book/: remove what this test created, then check nothing else is left.
        for p in sorted(_book_files() - before_files):
            if p.name == ".ipynb_checkpoints" and p.is_dir():
                shutil.rmtree(p)
        left = sorted(str(p.relative_to(ROOT)) for p in _book_files() - before_files)
        changed = PAGE.read_bytes() != before_page
        if changed:
            diff = "".join(difflib.unified_diff(
                before_page.decode().splitlines(True), PAGE.read_text().splitlines(True),
                "before", "after saving"))
            PAGE.write_bytes(before_page)
        assert not left, f"the lab session left files in book/: {left}"
        assert not changed, ("the lab session changed "
                             f"{PAGE.relative_to(ROOT)} (restored):\n{diff[:4000]}")


# The executed notebook, read from JupyterLab's model: per code cell its execution
# count and its error outputs (error outputs, or stderr streams carrying a traceback).
CELLS_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const cells = [];
  for (let i = 0; i < nb.model.cells.length; i++) {
    const c = nb.model.cells.get(i);
    if (c.type !== 'code') continue;
    const errors = [];
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      const text = [].concat(o.text || []).join('');
      if (o.output_type === 'error') errors.push(o.ename + ': ' + o.evalue);
      else if (o.name === 'stderr' && text.includes('Traceback')) errors.push(text);
    }
    cells.push({count: c.executionCount, errors: errors});
  }
  return cells;
}"""


def _setting(url: str, plugin: str) -> dict:
    """The settings of `plugin` as JupyterLab composes them: the schema's defaults (which
    the server has already replaced by the overrides), then the user's settings."""
    with urllib.request.urlopen(f"{url}/lab/api/settings/{plugin}?token={TOKEN}") as r:
        reply = json.load(r)
    defaults = {k: v.get("default") for k, v in reply["schema"]["properties"].items()}
    return {**defaults, **reply["settings"]}


def _item(page, name: str):
    """The file-browser entry called exactly `name`."""
    return page.locator(".jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$")))


def test_book_page_opens_as_notebook_and_its_explorer_is_live(lab, browser):
    page = browser.new_page()
    try:
        page.goto(f"{lab}/lab?token={TOKEN}")
        # The file browser, as a student sees it: double-click down to the page.
        for name in ("book", "kernels", "ridge-regression.md"):
            _item(page, name).dblclick(timeout=90_000)
        page.locator(".jp-NotebookPanel .jp-Notebook, .jp-FileEditor").first.wait_for(
            timeout=60_000)
        assert page.locator(".jp-FileEditor:visible").count() == 0, (
            "the page opened as Markdown text, not as a notebook")
        page.locator(".jp-NotebookPanel .jp-CodeCell").first.wait_for(timeout=30_000)
        title = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").inner_text()
        assert "ridge-regression.md" in title
        try:  # JupyterLab may ask which kernel to start
            page.locator(".jp-Dialog button.jp-mod-accept").first.click(timeout=5_000)
        except Exception:  # noqa: BLE001 - no dialog is fine
            pass

        # Run > Run All Cells, then wait until every code cell ran or one failed.
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
        page.wait_for_function(
            f"() => {{ const cells = ({CELLS_JS})();"
            " return cells.some(c => c.errors.length) || cells.every(c => c.count !== null); }",
            timeout=240_000, polling=500)
        cells = page.evaluate(CELLS_JS)
        errors = [e for c in cells for e in c["errors"]]
        assert not errors, f"cells failed in smoke mode: {errors}"
        assert len(cells) > 5 and all(c["count"] for c in cells)

        # The explorer: one live widget with a bandwidth and a ridge slider.
        explorer = page.locator(".jp-OutputArea-output").filter(
            has=page.locator(".widget-slider"))
        assert explorer.count() == 1
        assert explorer.locator(".widget-slider").count() == 2
        explorer.scroll_into_view_if_needed()
        image = explorer.locator("img").first
        image.wait_for(timeout=60_000)
        before = image.get_attribute("src")
        explorer.locator(".widget-slider .noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([el, before]) => el.getAttribute('src') !== before",
            arg=[image.element_handle(), before], timeout=60_000)
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "jupyterlab-live-explorer.png"))

        # The shipped settings keep the news prompt away and do not autosave the page.
        assert page.get_by_text("Jupyter news").count() == 0
        docmanager = _setting(lab, "@jupyterlab/docmanager-extension:plugin")
        assert docmanager["autosave"] is False
    finally:
        page.close()
