"""Approval in Chromium: a steering member signs the demo card from its page in Arabic and the
plan dashboard's sign-off counter moves; the approval section's screenshots in Arabic and French,
wide and at phone width (test-artifacts/approval-*.png)."""
from __future__ import annotations

import re

from browser_support import page_api as api, ARTIFACTS, CardPage

STEERING_GOV = "steering.gov@demo.iltizam.ma"
STEERING_CSO = "steering.cso@demo.iltizam.ma"
ATTESTATIONS = ("baseline_data", "verifiable", "open_government_lens")
PHONE = {"width": 390, "height": 844}
# Tall enough for the side column (which scrolls on its own) to show the whole approval section.
WIDE = {"width": 1366, "height": 2400}


def counter(page: CardPage, card_id: int) -> str:
    """The dashboard's "obtained / required" for the card."""
    page.page.goto(f"{page.base_url}/plans/1")
    row = page.page.locator("#cards tbody tr", has=page.page.locator(f'a[href="/cards/{card_id}"]'))
    return row.locator(".signoff-ratio").inner_text().strip()


def no_horizontal_scroll(page: CardPage) -> None:
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.page.viewport_size["width"], f"the page scrolls sideways: {width}px"


def shoot(page: CardPage, name: str) -> None:
    """The card page's approval section alone, as the person sees it."""
    ARTIFACTS.mkdir(exist_ok=True)
    section = page.page.locator("#approval")
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(ARTIFACTS / name))


def test_a_steering_member_signs_in_arabic_and_the_dashboard_counter_moves(live_server, chromium):
    p = live_server.people
    card_id = p["card_id"]
    lead = CardPage(chromium, live_server.url, p["lead"], p["password"], lang="ar")
    steering = CardPage(chromium, live_server.url, STEERING_GOV, p["password"], lang="ar", viewport=WIDE)
    opened = [lead, steering]
    try:
        lead.page.goto(f"{live_server.url}/cards/{card_id}")
        for criterion in ATTESTATIONS:
            assert api(lead, "PUT", f"/cards/{card_id}/attestations/{criterion}", {"attested": True})[0] == 200
        status, body = api(lead, "POST", f"/cards/{card_id}/submit", {})
        assert status == 200, body

        before = counter(steering, card_id)
        obtained, required = (int(n) for n in re.findall(r"\d+", before))
        steering.open(card_id)
        form = steering.page.locator("#sign-form")
        assert form.is_visible()
        shown = form.locator("input[name=content_hash]").get_attribute("value")
        assert shown == api(steering, "GET", f"/cards/{card_id}")[1]["content_hash"]
        shoot(steering, "approval-ar-1366-before.png")

        steering.page.fill("#sign-note", "موافقة بعد قراءة الصيغة النهائية.")
        with steering.page.expect_navigation():
            steering.page.locator("#sign-approve").click()
        assert "سُجّل توقيعك" in steering.page.locator(".flash").first.inner_text()
        newest = steering.page.locator(".signoffs .signoff").first
        assert "عبد الرحيم بوزيان" in newest.locator("bdi").first.inner_text()
        assert newest.locator("code").inner_text() == shown[:12]
        shoot(steering, "approval-ar-1366.png")

        assert counter(steering, card_id) == f"{obtained + 1} / {required}"
        no_horizontal_scroll(steering)
        for page in opened:
            page.assert_no_errors()
    finally:
        for page in opened:
            page.close()


def test_the_approval_section_at_phone_width_in_arabic_and_french(live_server, chromium):
    p = live_server.people
    card_id = p["card_id"]
    shots = ((STEERING_GOV, "ar", PHONE, card_id, "approval-ar-390.png"),
             (STEERING_CSO, "fr", WIDE, card_id, "approval-fr-1366.png"),
             (STEERING_CSO, "fr", PHONE, card_id, "approval-fr-390.png"),
             # The demo's card 6 was sent back after sign-offs and edited: they are stale.
             (STEERING_GOV, "ar", WIDE, 6, "approval-stale-ar-1366.png"))
    for email, lang, viewport, card, name in shots:
        page = CardPage(chromium, live_server.url, email, p["password"], lang=lang, viewport=viewport)
        try:
            page.open(card)
            section = page.page.locator("#approval")
            assert section.is_visible()
            assert page.page.locator("#approval .requirements li").count() == 4
            shoot(page, name)
            if name.endswith("390.png"):
                no_horizontal_scroll(page)
                for slug, path in (("versions", f"/cards/{card_id}/versions"), ("policy", "/plans/1/approval-policy"),
                                   ("audit", "/plans/1/audit"), ("diff", "/cards/6/diff"), ("cards", "/plans/1")):
                    page.page.goto(f"{live_server.url}{path}")
                    no_horizontal_scroll(page)
                    where = {"cards": "#cards tbody tr", "audit": "#audit tbody tr", "versions": "#versions tbody tr",
                             "diff": "#diff", "policy": "#parties"}[slug]
                    page.page.locator(where).first.scroll_into_view_if_needed()
                    page.screenshot(f"approval-{slug}-{lang}-390.png")
                page.page.goto(f"{live_server.url}/plans/1")
                page.page.locator("#plan-progress").scroll_into_view_if_needed()
                page.screenshot(f"approval-dashboard-{lang}-390.png")
            page.assert_no_errors()
        finally:
            page.close()
