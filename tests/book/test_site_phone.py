"""At a phone width (390 px), nothing on any page of the smoke site is cut off
(site_common.nothing_is_cut_off); a file of its own so that make test's workers can
run it beside the other site checks."""

from __future__ import annotations

import pytest
from site_common import nothing_is_cut_off

pytestmark = pytest.mark.browser


def test_nothing_is_cut_off_at_phone_width(site, server, browser):
    """No equation (display or inline), code cell, output or figure is wider than its
    box unless the box scrolls; screenshots are saved under _build/screenshots."""
    nothing_is_cut_off(site, server, browser, 390)
