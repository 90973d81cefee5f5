"""A role removed while the person has the card open: their page stops taking edits at once,
says why in their language, keeps what they typed and had not had saved to copy, and its
"your roles" line follows."""
from __future__ import annotations

import re
import uuid

from browser_support import page_api as api, wait_until

EDITABLE = "#input-title"


def _remove(coordinator, card_id: int, email: str, role: str) -> None:
    status, members = api(coordinator, "GET", f"/cards/{card_id}/members")
    assert status == 200, members
    assignment = next(m["id"] for m in members if m["user"].get("email") == email and m["role"] == role)
    status, body = api(coordinator, "DELETE", f"/cards/{card_id}/members/{assignment}")
    assert status == 204, body


def test_a_removed_role_stops_the_page_at_once_keeps_the_unsaved_text_and_updates_your_roles(people, live_server):
    people_of_card, card_id = live_server.people, live_server.people["card_id"]
    co_lead = people("co_lead", lang="fr")
    co_lead.allowed_errors.append(re.compile(r"ERR_INTERNET_DISCONNECTED|WebSocket connection .* failed"))
    reviewer = people("reviewer", lang="ar")
    coordinator = people("coordinator", lang="fr")
    your_roles = "#your-roles"
    assert co_lead.page.locator(your_roles).inner_text() == "Co-pilote (société civile)"
    assert reviewer.page.locator(your_roles).inner_text() == "مراجع"
    assert co_lead.page.locator(EDITABLE).is_editable()

    # The co-lead types while cut off; meanwhile the coordinator removes their role.
    co_lead.context.set_offline(True)
    co_lead.wait_state("offline")
    unsaved = f" non-enregistré-{uuid.uuid4().hex[:6]}"
    co_lead.page.locator(EDITABLE).click()
    co_lead.page.keyboard.press("End")
    co_lead.page.keyboard.type(unsaved)
    _remove(coordinator, card_id, people_of_card["co_lead"], "co_lead")

    # Back online: nothing of theirs is taken, they are told so in French, the text is theirs to copy.
    co_lead.context.set_offline(False)
    notice = co_lead.page.locator("#read-only-reason")
    notice.wait_for(timeout=20000)
    assert "plus de rôle" in notice.inner_text()
    assert unsaved.strip() in co_lead.page.locator("#read-only-reason textarea.unsaved-copy").input_value()
    wait_until(lambda: not co_lead.page.locator(EDITABLE).is_editable(), message="the co-lead's page read-only")
    wait_until(lambda: co_lead.page.locator(your_roles).inner_text() == "—", message="your roles emptied")
    assert unsaved.strip() not in coordinator.api_card()["content"]["fields"]["title"]
    co_lead.screenshot("role-removed-fr.png")

    # The reviewer, online, in Arabic: told at once, and the line says they hold no role.
    _remove(coordinator, card_id, people_of_card["reviewer"], "reviewer")
    notice = reviewer.page.locator("#read-only-reason")
    notice.wait_for(timeout=10000)
    assert "لم يعد لك دور" in notice.inner_text()
    wait_until(lambda: reviewer.page.locator(your_roles).inner_text() == "—", message="the reviewer's roles emptied")
    reviewer.page.set_viewport_size({"width": 390, "height": 844})
    reviewer.screenshot("role-removed-ar-390.png")
