"""Every explorer of the smoke site, on the static page (no kernel): each slider changes
the displayed frame, with no JavaScript error."""

from __future__ import annotations

import pytest
from site_common import PageVisit, pages

pytestmark = pytest.mark.browser


def test_every_explorer_slider_changes_the_frame(site, server, browser):
    found = 0
    for path in pages(site):
        visit = PageVisit(browser, server, path)
        try:
            explorers = visit.page.locator(".lt-explorer")
            for i in range(explorers.count()):
                ex = explorers.nth(i)
                sliders = ex.locator("input[type=range]")
                assert sliders.count() >= 1, f"{path}: explorer {i} has no slider"
                for j in range(sliders.count()):
                    slider = sliders.nth(j)
                    before = ex.locator("img.lt-explorer-frame").get_attribute("src")
                    top = int(slider.get_attribute("max"))
                    now = int(slider.input_value())
                    target = 0 if now == top else top
                    slider.evaluate(
                        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }",
                        str(target))
                    after = ex.locator("img.lt-explorer-frame").get_attribute("src")
                    assert after != before, f"{path}: slider {j} of explorer {i} did not " \
                                            "change the frame"
                    assert after.startswith("data:image/png;base64,")
                found += 1
            assert visit.errors == [], f"{path}: JavaScript errors {visit.errors}"
        finally:
            visit.page.close()
    assert found >= 1, "no explorer found on the built site"
