"""Headless Chromium for the browser checks (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

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
