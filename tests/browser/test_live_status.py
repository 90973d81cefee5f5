"""A card's status as it changes, on the pages that show it, without a reload: the lead submits
the card from its page; another person's card page and the plan's dashboard (which polls the
plan's statuses) show "in review"; changes requested, both show "draft" again."""
from __future__ import annotations


from browser_support import page_api as api, CardPage, wait_until

ATTESTATIONS = ("baseline_data", "verifiable", "open_government_lens")
BOUND = 15.0  # the dashboard asks every 4 s


def badge(page: CardPage, selector: str) -> tuple[str, str]:
    element = page.page.locator(selector)
    return element.inner_text().strip(), element.get_attribute("class")


def test_status_badges_follow_submit_and_changes_requested(live_server, tabs):
    card_id = live_server.people["card_id"]
    lead = tabs(live_server.people["lead"], "ar")
    lead.page.goto(f"{live_server.url}/cards/{card_id}")
    for criterion in ATTESTATIONS:
        status, body = api(lead, "PUT", f"/cards/{card_id}/attestations/{criterion}", {"attested": True})
        assert status == 200, body
    lead.open(card_id)
    watcher = tabs(live_server.coordinator, "fr").open(card_id)
    dashboard = tabs(live_server.coordinator, "fr")
    dashboard.page.goto(f"{live_server.url}/plans/1")
    row = f"#cards tr[data-card-id='{card_id}'] .status"
    assert badge(watcher, ".card-head .status") == ("Brouillon", "status status-draft")
    assert badge(dashboard, row) == ("Brouillon", "status status-draft")
    approved_before = dashboard.page.locator("#plan-progress-bar").get_attribute("value")

    with lead.page.expect_navigation() as answer:
        lead.page.locator("#submit-for-review").click()
    assert answer.value.ok
    wait_until(lambda: badge(watcher, ".card-head .status") == ("En revue", "status status-in_review"),
               BOUND, message="the other card page's badge to say in review")
    wait_until(lambda: badge(dashboard, row) == ("En revue", "status status-in_review"),
               BOUND, message="the dashboard's badge to say in review")
    assert dashboard.page.locator("#plan-progress-bar").get_attribute("value") == approved_before
    assert dashboard.page.locator("#cards-changed").is_hidden()

    status, body = api(watcher, "POST", f"/cards/{card_id}/request-changes", {"reason": "Préciser le calendrier."})
    assert status == 200, body
    wait_until(lambda: badge(watcher, ".card-head .status") == ("Brouillon", "status status-draft"),
               BOUND, message="the card page's badge back to draft")
    wait_until(lambda: badge(lead, ".card-head .status")[1] == "status status-draft",
               BOUND, message="the lead's badge back to draft")
    wait_until(lambda: badge(dashboard, row) == ("Brouillon", "status status-draft"),
               BOUND, message="the dashboard's badge back to draft")


def test_the_dashboard_says_when_cards_were_added(live_server, tabs):
    dashboard = tabs(live_server.coordinator, "ar")
    dashboard.page.goto(f"{live_server.url}/plans/1")
    assert dashboard.page.locator("#cards-changed").is_hidden()
    status, body = api(dashboard, "POST", "/plans/1/cards", {"number": "99"})
    assert status == 201, body
    wait_until(lambda: dashboard.page.locator("#cards-changed").is_visible(), BOUND,
               message="the notice that the plan's cards changed")
    assert "تغيّرت بطاقات هذه الخطة" in dashboard.page.locator("#cards-changed").inner_text()


def test_the_statuses_answer_is_conditional(live_server, tabs, chromium):
    page = tabs(live_server.coordinator, "fr")
    first = page.page.request.get(f"{live_server.url}/plans/1/statuses")
    assert first.ok and first.headers["etag"]
    assert {c["status"] for c in first.json()["cards"]} <= {"draft", "in_review", "approved", "published"}
    again = page.page.request.get(f"{live_server.url}/plans/1/statuses", headers={"If-None-Match": first.headers["etag"]})
    assert again.status == 304
    stranger = chromium.new_context()
    try:
        anonymous = stranger.request.get(f"{live_server.url}/plans/1/statuses")
        assert anonymous.status == 401 and anonymous.json()["error"] == "unauthenticated"
    finally:
        stranger.close()
