"""The card page's approval section in Chromium, as the day goes: Submit clicked while a
criterion has just stopped passing (the page says which, in Arabic) and then with every
criterion met (the card goes to review); sign-offs, withdrawals and versions made by others
appearing on open pages without a reload; at phone width, the comments button never covering
the sign-off list (test-artifacts/approval-live-*.png)."""
from __future__ import annotations

import re

import pytest

from browser_support import page_api as api, ARTIFACTS, CardPage, wait_until

STEERING_GOV = "steering.gov@demo.iltizam.ma"
STEERING_CSO = "steering.cso@demo.iltizam.ma"
ATTESTATIONS = ("baseline_data", "verifiable", "open_government_lens")
BASELINE_AR = "الإشكالية مدعومة بمعطيات مرجعية"
PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1366, "height": 2400}
# Card 6 of the demo was sent back after three sign-offs: a long sign-off list.
SENT_BACK = 6


def attest(page: CardPage, card_id: int, criterion: str, attested: bool) -> None:
    status, body = api(page, "PUT", f"/cards/{card_id}/attestations/{criterion}", {"attested": attested})
    assert status == 200, body


def head_status(page: CardPage) -> str:
    return page.page.locator(".card-head .status").inner_text().strip()


def test_submit_says_which_criterion_fails_then_sends_the_card_to_review(live_server, tabs):
    card_id = live_server.people["card_id"]
    lead = tabs(live_server.people["lead"], "ar", WIDE)
    lead.page.goto(f"{live_server.url}/cards/{card_id}")
    for criterion in ATTESTATIONS:
        attest(lead, card_id, criterion, True)
    lead.open(card_id)
    button = lead.page.locator("#submit-for-review")
    assert button.is_enabled() and head_status(lead) == "مسودة"

    # Someone withdraws an attestation after the page was loaded; the lead clicks Submit.
    attest(lead, card_id, "baseline_data", False)
    # The refused submit answers 422 with the page, which Chromium reports on the console.
    lead.allowed_errors.append(re.compile(r"status of 422"))
    with lead.page.expect_navigation() as answer:
        button.click()
    assert answer.value.status == 422
    lead.page.wait_for_selector("#approval-error")
    assert "لم يُستوفَ بعدُ معيار واحد" in lead.page.locator("#approval-error").inner_text()  # one, not "1 of the criteria"
    failing = lead.page.locator("#submit-blocked li")
    assert failing.count() == 1
    assert failing.first.get_attribute("data-criterion") == "baseline_data"
    assert failing.first.inner_text().strip() == BASELINE_AR
    assert lead.page.locator("#submit-for-review").is_disabled()
    assert head_status(lead) == "مسودة"

    attest(lead, card_id, "baseline_data", True)
    lead.open(card_id)
    with lead.page.expect_navigation() as answer:
        lead.page.locator("#submit-for-review").click()
    assert answer.value.ok
    lead.page.wait_for_selector("#card-editor.live .card-form")
    assert head_status(lead) == "قيد المراجعة"
    assert "status-in_review" in lead.page.locator("#approval-status").get_attribute("class")
    assert "أُرسلت البطاقة للمراجعة." in lead.page.locator(".flash").first.inner_text()
    assert lead.page.locator("#submit-for-review").count() == 0
    assert api(lead, "GET", f"/cards/{card_id}")[1]["status"] == "in_review"


def test_open_pages_follow_sign_offs_withdrawals_and_versions_without_reloading(live_server, tabs):
    card_id = live_server.people["card_id"]
    lead = tabs(live_server.people["lead"], "ar", WIDE).open(card_id)
    reviewer = tabs(live_server.people["reviewer"], "fr", WIDE).open(card_id)
    steering = tabs(STEERING_GOV, "ar", WIDE)
    steering.page.goto(f"{live_server.url}/plans/1")
    watchers = (lead, reviewer)
    for page in watchers:
        # Gone if the page reloads: what follows must arrive live.
        page.page.evaluate("window.stayedOpen = true")
    assert api(lead, "GET", f"/cards/{card_id}")[1]["status"] == "in_review"
    signoffs_before = lead.page.locator("#approval .signoffs .signoff").count()
    government = '#approval .requirements li[data-role="steering"][data-kind="government"]'
    assert "unmet" in lead.page.locator(government).get_attribute("class")

    shown = api(steering, "GET", f"/cards/{card_id}")[1]["content_hash"]
    status, body = api(steering, "POST", f"/cards/{card_id}/signoffs",
                       {"decision": "approve", "content_hash": shown, "note": "موافقة"})
    assert status == 201, body
    newest = f"#signoff-{body['signoff_id']}"
    for page in watchers:
        wait_until(lambda p=page: p.page.locator(newest).count() == 1, timeout=10,
                   message="the new sign-off on the open page")
        assert page.page.locator("#approval .signoffs .signoff").count() == signoffs_before + 1
        assert "عبد الرحيم بوزيان" in page.page.locator(newest).inner_text()
        assert "met" in page.page.locator(government).get_attribute("class").split()
        assert page.page.locator("#recent-versions li").first.get_attribute("data-kind") == "signed"
    lead.screenshot("approval-live-ar-signed.png")

    assert api(steering, "DELETE", f"/signoffs/{body['signoff_id']}")[0] == 200
    for page in watchers:
        wait_until(lambda p=page: "signoff-withdrawn" in (p.page.locator(newest).get_attribute("class") or ""),
                   timeout=10, message="the withdrawal on the open page")
        assert "unmet" in page.page.locator(government).get_attribute("class").split()

    # A named version changes no status and no right: only the approval event carries it.
    status, saved = api(lead, "POST", f"/cards/{card_id}/versions", {"name": "نسخة الورشة الثانية"})
    assert status == 201, saved
    first_version = "#recent-versions li:first-child"
    for page in watchers:
        wait_until(lambda p=page: p.page.locator(first_version).get_attribute("id") == f"recent-version-{saved['id']}",
                   timeout=10, message="the named version on the open page")
        assert "نسخة الورشة الثانية" in page.page.locator(first_version).inner_text()
        assert page.page.evaluate("window.stayedOpen === true"), "the page reloaded"
    reviewer.screenshot("approval-live-fr-versions.png")


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
