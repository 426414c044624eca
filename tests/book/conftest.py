"""Fixtures of the site checks: the smoke site (built unless LT_SITE_PREBUILT=1) and a
loopback server for it. The checks are split over several files so that ``make test``'s
two workers (``--dist loadfile``: one file per worker at a time) share them evenly."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from site_common import ROOT, SITE


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
