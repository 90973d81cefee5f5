"""What a person sees when the server stops taking their edits while their page is open: the
card sent for review, their role removed. The page turns read-only at once and says why, in
their language, and what they typed without it being saved stays on screen to copy."""
from __future__ import annotations

import re
import uuid


from browser_support import page_api as api, CardPage, wait_until

EDITABLE = "#input-title"


def editable(page: CardPage) -> bool:
    return page.page.locator(EDITABLE).is_editable()


def test_submitted_for_review_while_typing_turns_the_page_read_only_and_keeps_the_unsaved_text(people, live_server):
    lead = people("lead", lang="ar")
    contributor = people("co_lead", lang="fr")
    contributor.allowed_errors.append(re.compile(r"ERR_INTERNET_DISCONNECTED|WebSocket connection .* failed"))
    assert editable(lead) and editable(contributor)

    # The co-lead types while cut off: these keystrokes cannot reach the server in time.
    contributor.context.set_offline(True)
    contributor.wait_state("offline")
    unsaved = f" non-enregistré-{uuid.uuid4().hex[:6]}"
    contributor.page.locator(EDITABLE).click()
    contributor.page.keyboard.press("End")
    contributor.page.keyboard.type(unsaved)

    # The lead ticks the manual criteria and submits the card for review.
    card_id = live_server.people["card_id"]
    for criterion in ("baseline_data", "verifiable", "open_government_lens"):
        assert api(lead, "PUT", f"/cards/{card_id}/attestations/{criterion}", {"attested": True})[0] == 200
    status, body = api(lead, "POST", f"/cards/{card_id}/submit", {})
    assert status == 200, body

    # The lead, online, is told at once, in Arabic.
    notice = lead.page.locator("#read-only-reason")
    notice.wait_for(timeout=10000)
    assert "المراجعة" in notice.inner_text()
    wait_until(lambda: not editable(lead), message="the lead's page read-only")
    wait_until(lambda: lead.page.locator(".card-head .status").inner_text() == "قيد المراجعة",
               message="the status badge updated live")
    lead.screenshot("live-rights-review-ar.png")

    # The co-lead comes back: their change is refused, said so in French, and offered to copy.
    contributor.context.set_offline(False)
    notice = contributor.page.locator("#read-only-reason")
    notice.wait_for(timeout=20000)
    assert "revue" in notice.inner_text()
    copy = contributor.page.locator("#read-only-reason textarea.unsaved-copy")
    assert unsaved.strip() in copy.input_value()
    wait_until(lambda: not editable(contributor), message="the co-lead's page read-only")
    assert unsaved.strip() not in lead.api_card()["content"]["fields"]["title"]
    contributor.screenshot("live-rights-review-fr.png")
    contributor.page.set_viewport_size({"width": 390, "height": 844})
    contributor.screenshot("live-rights-review-fr-390.png")
