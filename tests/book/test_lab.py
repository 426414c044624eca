"""`make lab` works: JupyterLab on the book's environment renders a live explorer that redraws.

Starts JupyterLab (as `make lab` does) on a scratch folder holding a one-cell notebook
that displays the primer's explorer, opens it in headless Chromium, runs it, and
moves a slider with the keyboard: the widget's image must change. This checks the
live half of every explorer (the static half is checked on the built site).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CELL = (
    "import torch, learntheory as lt\n"
    "data = lt.datasets.regression_1d(20, generator=lt.make_generator(0), dtype=torch.float64)\n"
    "lt.widgets.explore_krr(data, bandwidths=[0.05, 0.2], ridges=[1e-3, 1e-1])"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / "probe.ipynb")
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.token=t",
         f"--ServerApp.root_dir={tmp_path}", "--allow-root",
         "--LabApp.expose_app_in_browser=True"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def test_live_explorer_redraws_in_jupyterlab(lab, browser):
    page = browser.new_page()
    try:
        page.goto(f"{lab}/lab/tree/probe.ipynb?token=t")
        page.wait_for_selector(".jp-Notebook", timeout=90_000)
        try:  # JupyterLab may ask which kernel to start
            page.wait_for_selector(".jp-Dialog button.jp-mod-accept", timeout=15_000)
            page.locator(".jp-Dialog button.jp-mod-accept").first.click()
        except Exception:  # noqa: BLE001 - no dialog is fine
            pass
        page.wait_for_timeout(3_000)
        page.evaluate("() => { window.jupyterapp.commands.execute("
                      "'notebook:run-all-cells'); return 1; }")
        page.wait_for_selector(".jupyter-widgets img", timeout=120_000)
        image = page.locator(".jupyter-widgets img").first
        before = image.get_attribute("src")
        assert page.locator(".widget-slider").count() == 2  # bandwidth and ridge
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(
            "(before) => { const img = document.querySelector('.jupyter-widgets img');"
            " return img && img.getAttribute('src') !== before; }",
            arg=before, timeout=60_000)
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "jupyterlab-live-explorer.png"))
    finally:
        page.close()
