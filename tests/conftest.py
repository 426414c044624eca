"""Shared fixtures: strict numerics, and a device parametrisation with a `gpu` marker.

* Every test runs with float64 as the default dtype and deterministic
  algorithms (the PyTorch analogue of a strict mode); tests that want float32
  ask for it explicitly.
* ``chromium`` and ``browser`` give the browser checks of ``tests/book`` a headless
  Chromium (Debian's package) driven by Playwright, started with the flags that keep it
  from reaching any other host; ``site`` and ``server`` give the site checks
  (``tests/book/test_site*.py``) the smoke site, built unless ``LT_SITE_PREBUILT=1``,
  and a loopback server for it. (Here rather than in a ``tests/book/conftest.py``:
  ``--doctest-modules`` imports each conftest as the module ``conftest``, and two
  of them in folders without ``__init__.py`` clash.)
* The ``device`` fixture runs a test on the CPU always and on CUDA when one is
  present; the CUDA case carries the ``gpu`` marker and is skipped cleanly
  without a GPU (select it with ``-m gpu``).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
import torch


def pytest_configure(config) -> None:
    """Under pytest-xdist, give each worker its share of the cores for torch's thread pool.

    ``-n 2`` on 2 cores otherwise runs two pools of 2 OpenMP threads each on 2 cores, and
    the threads of one worker wait at every parallel region for a core the other holds:
    ``make test``'s unit step took 236 s with the default threads and 94 s with one per
    worker (measured on the 2-core machine, 2026-11-28; the slow flip-rate fixture alone
    went from 114 s to 17 s). A test that wants more threads sets them itself.
    """
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers is not None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else (os.cpu_count() or 1)
        torch.set_num_threads(max(1, cores // int(workers)))


@pytest.fixture(autouse=True)
def _strict_numerics():
    old_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    torch.use_deterministic_algorithms(True, warn_only=True)
    yield
    torch.set_default_dtype(old_dtype)
    torch.use_deterministic_algorithms(False)


@pytest.fixture(
    params=[
        pytest.param("cpu", id="cpu"),
        pytest.param(
            "cuda",
            id="cuda",
            marks=[
                pytest.mark.gpu,
                pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
            ],
        ),
    ]
)
def device(request) -> torch.device:
    """The device under test: always ``cpu``, plus ``cuda`` when present (marker ``gpu``)."""
    return torch.device(request.param)


@pytest.fixture
def gen() -> torch.Generator:
    """A freshly seeded CPU generator, so no test draws unseeded randomness."""
    return torch.Generator().manual_seed(20261125)


#: Without the background-networking flags Chromium tries to reach hosts this
#: machine cannot (and the offline check would see those requests).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Chromium binary (``$CHROMIUM`` or ``chromium`` on the PATH)."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Headless Chromium is needed for the browser check and was not found. "
                    "Install Debian's 'chromium' package (make test does it when run as root), "
                    "or set CHROMIUM=/path/to/chromium.")
    return path


def launch(pw, chromium: str, profile: str, **kwargs):
    """A persistent Chromium context with a fresh profile and the offline flags."""
    return pw.chromium.launch_persistent_context(
        profile, executable_path=chromium, headless=True, args=CHROMIUM_ARGS, **kwargs)


@pytest.fixture(scope="session")
def browser(chromium):
    """One browser context for the whole session."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = launch(pw, chromium, profile, viewport={"width": 1280, "height": 1000})
        yield context
        context.close()


ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "smoke" / "_build" / "html"


@pytest.fixture(scope="session")
def site() -> Path:
    """Build the smoke site (-W -n --keep-going), unless LT_SITE_PREBUILT=1 says it is fresh."""
    if os.environ.get("LT_SITE_PREBUILT") != "1":
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py"), "smoke"],
                              cwd=ROOT)
        assert proc.returncode == 0, "the smoke build failed (see its output above)"
    assert (SITE / "book" / "intro.html").exists(), f"no built site under {SITE}"
    return SITE


@pytest.fixture(scope="session")
def server(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output readable
        pass
