"""The dashboard and the card page on phones and tablets, in Arabic and French: the dashboard
never scrolls sideways at 390 px (its cards become stacked rows), and on the card page the
criteria checklist's summary is on the first screen at 390 and 768 px, not below the whole
form. Screenshots at 390, 768 and 1366 px go to test-artifacts/small-*.png."""
from __future__ import annotations

import pytest


WIDTHS = {390: 844, 768: 1024, 1366: 768}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_dashboard_fits_the_screen(live_server, tabs, lang, width):
    page = tabs(live_server.coordinator, lang, {"width": width, "height": WIDTHS[width]})
    page.page.goto(f"{live_server.url}/plans/1")
    page.page.wait_for_selector("#cards tbody tr")
    page.screenshot(f"small-dashboard-{lang}-{width}.png")
    page.screenshot(f"small-dashboard-{lang}-{width}-full.png", full_page=True)
    overflow = page.page.evaluate(OVERFLOW)
    assert overflow <= 0, f"the dashboard scrolls sideways by {overflow}px at {width} px"
    row = page.page.locator("#cards tbody tr").first
    if width < 1000:
        # One block per card, each value under its column's name.
        assert row.evaluate("(tr) => getComputedStyle(tr).display") == "grid"
        assert page.page.locator("#cards thead").bounding_box()["width"] <= 1
    else:
        assert row.evaluate("(tr) => getComputedStyle(tr).display") == "table-row"


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_criteria_summary_is_on_the_first_screen_of_the_card(live_server, tabs, lang, width):
    page = tabs(live_server.people["lead"], lang, {"width": width, "height": WIDTHS[width]})
    page.open(live_server.people["card_id"])
    page.screenshot(f"small-card-{lang}-{width}.png")
    overflow = page.page.evaluate(OVERFLOW)
    assert overflow <= 0, f"the card page scrolls sideways by {overflow}px at {width} px"
    summary = page.page.locator("#criteria-summary")
    assert summary.count() == 1, "the card page has no checklist summary"
    if width >= 1000:
        # Wide screens keep it open in the side column, beside the form.
        assert page.page.locator("#card-side #checklist details[open]").count() == 1
        return
    assert page.page.locator("#criteria-slot #checklist details:not([open])").count() == 1
    box = summary.bounding_box(timeout=5000)
    assert box is not None, "the checklist summary is not shown"
    assert box["y"] + box["height"] <= WIDTHS[width], f"the checklist summary starts at {box['y']}px"
    passed, total = (page.page.get_attribute("#criteria-list", k) for k in ("data-passed", "data-total"))
    assert f"{passed}/{total}" in summary.inner_text()
    # One tap unfolds the checklist in place.
    summary.click()
    assert page.page.locator("#criteria-list li").first.is_visible()
    page.screenshot(f"small-card-{lang}-{width}-open.png")
