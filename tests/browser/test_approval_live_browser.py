"""The card page's approval section in Chromium: at phone width, the comments button never
covering the sign-off list (test-artifacts/approval-live-*.png)."""
from __future__ import annotations

import pytest

from browser_support import ARTIFACTS, CardPage

STEERING_GOV = "steering.gov@demo.iltizam.ma"
STEERING_CSO = "steering.cso@demo.iltizam.ma"
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 2400}
# Card 6 of the demo was sent back after three sign-offs: a long sign-off list.
SENT_BACK = 6


@pytest.fixture
def tabs(live_server, chromium):
    opened: list[CardPage] = []

    def open_as(email: str, lang: str, viewport: dict[str, int] | None = None) -> CardPage:
        page = CardPage(chromium, live_server.url, email, live_server.people["password"], lang=lang,
                        viewport=viewport or WIDE)
        opened.append(page)
        return page

    yield open_as
    try:
        for page in opened:
            page.assert_no_errors()
    finally:
        for page in opened:
            page.close()


def intersect(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


@pytest.mark.parametrize("email,lang", [(STEERING_GOV, "ar"), (STEERING_CSO, "fr")])
def test_at_phone_width_the_comments_button_never_covers_the_sign_off_list(live_server, tabs, email, lang):
    page = tabs(email, lang, PHONE).open(SENT_BACK)
    toggle = page.page.locator(".review-toggle")
    signoffs = page.page.locator("#approval .signoffs")
    assert signoffs.locator(".signoff").count() >= 3
    height = page.page.evaluate("document.documentElement.scrollHeight")
    viewport = page.page.viewport_size["height"]
    reachable = 0
    for top in range(0, height, 250):
        page.page.evaluate(f"window.scrollTo(0, {top})")
        button, listing = toggle.bounding_box(), signoffs.bounding_box()
        assert not intersect(button, listing), f"at scroll {top}: button {button} over the sign-offs {listing}"
        if 0 <= button["y"] and button["y"] + button["height"] <= viewport:
            reachable += 1
    # While the form is on screen the button stays within thumb's reach, not only at the top.
    assert reachable > 3
    signoffs.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    assert not intersect(toggle.bounding_box(), signoffs.bounding_box())
    page.screenshot(f"approval-live-signoffs-{lang}-390.png")
    page.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert not intersect(toggle.bounding_box(), signoffs.bounding_box())
    page.screenshot(f"approval-live-end-{lang}-390.png")
