"""Layer 4, the headlines, home and validation pages at 390 px: the claim cards stack, long commands wrap, the
validation tables scroll in their own boxes, and the page itself never scrolls sideways."""

from __future__ import annotations

import pytest

from test_browser import LOAD_TIMEOUT_MS, base_url, browser  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["", "headlines/", "validation/"])
def test_no_sideways_scroll_at_390_px(browser, base_url, path: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        tab.goto(base_url + path)
        tab.wait_for_selector("article h1", timeout=LOAD_TIMEOUT_MS)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        # no claim card is wider than the text column
        wide = tab.evaluate("""() => [...document.querySelectorAll('.claim')]
            .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.id)""")
        assert wide == []
    finally:
        context.close()


def test_verdict_labels_are_coloured_by_verdict(browser, base_url) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(base_url + "headlines/")
        tab.wait_for_selector(".claim", timeout=LOAD_TIMEOUT_MS)
        colours = tab.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.claim .claim-verdict')]
            .map(e => [e.textContent.trim(), getComputedStyle(e).backgroundColor]))""")
        assert set(colours) == {"right", "right but narrow", "wrong", "unsupported", "cannot be checked"}
        assert len(set(colours.values())) == 5, colours
    finally:
        context.close()
