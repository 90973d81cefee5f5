"""Rights and credentials change → open connections learn it at once, on every process; so do
sign-offs, withdrawals and versions (the `approval` event).

These go through the real services over HTTP to the server process that holds the sockets
(or to another process sharing Redis), then check what the connected person now gets.
"""
from __future__ import annotations

import uuid

import pytest
import socketio
from pycrdt import create_sync_message

from collab_support import PyClient, call, insert_text, wait_until
from server import db
from server.models import ApiToken, RoleAssignment

REDIS = "redis://127.0.0.1:6379/0"


def assignment_of(app, user_id: int, card_id: int) -> int:
    with app.app_context():
        return db.session().query(RoleAssignment.id).filter_by(user_id=user_id, card_id=card_id).scalar()


def standing(client: PyClient) -> dict | None:
    events = [e for card, e in client.events if card == client.card and e.get("kind") == "standing"]
    return events[-1] if events else None


def test_removing_a_role_stops_that_connection_at_once(server, world, connect, app):
    contributor = connect(server, world.tokens["contributor"])
    viewer = connect(server, world.tokens["viewer"])
    lead = connect(server, world.tokens["lead"])
    for client in (contributor, viewer, lead):
        assert client.join(world.card_id)["ok"]
    assert contributor.edit(insert_text("a")) == {"ok": True}

    for role in ("contributor", "viewer"):
        status, _ = call(server, "DELETE", f"/cards/{world.card_id}/members/"
                         f"{assignment_of(app, world.users[role], world.card_id)}", world.tokens["coordinator"])
        assert status == 204
    # The very next frames, sent right after the answer: refused, no re-check delay.
    assert contributor.edit(insert_text("late"))["error"] == "not_joined"
    assert viewer.send(create_sync_message(viewer.doc))["error"] == "not_joined"
    assert lead.edit(insert_text("b")) == {"ok": True}
    wait_until(lambda: standing(contributor) and standing(viewer), message="the standing events")
    assert standing(contributor) == {"kind": "standing", "joined": False, "role": None, "roles": [], "can_edit": False,
                                     "can_comment": False, "reason": "policy.no_role"}
    assert standing(viewer)["joined"] is False
    assert standing(lead) is None  # nothing changed for the lead: told nothing
    assert "late" not in lead.text()
    assert contributor.join(world.card_id)["error"] == "no_access"


def test_a_card_leaving_draft_turns_its_editors_read_only_at_once(server, world, connect, factory):
    factory.without_criteria(world.plan_id)
    lead = connect(server, world.tokens["lead"])
    contributor = connect(server, world.tokens["contributor"])
    reviewer = connect(server, world.tokens["reviewer"])
    for client in (lead, contributor, reviewer):
        assert client.join(world.card_id)["ok"]
    status, body = call(server, "POST", f"/cards/{world.card_id}/submit", world.tokens["lead"], {})
    assert status == 200, body
    assert contributor.edit(insert_text("after submit"))["error"] == "read_only"
    assert lead.edit(insert_text("after submit"))["error"] == "read_only"
    wait_until(lambda: standing(contributor), message="the contributor's standing event")
    event = standing(contributor)
    assert event["joined"] is True and event["can_edit"] is False and event["role"] == "contributor"
    assert event["reason"] == "policy.status_in_review"
    assert standing(reviewer) is None  # could not edit before either
    # Everyone on the card, the reviewer included, is told the card's new status.
    for client in (lead, contributor, reviewer):
        wait_until(lambda c=client: (world.card_id, {"kind": "card", "status": "in_review"}) in c.events,
                   message="the card's new status")


def test_a_revoked_token_closes_its_connections(server, world, connect, app):
    script = connect(server, world.tokens["contributor"])
    assert script.join(world.card_id)["ok"]
    with app.app_context():
        token_id = db.session().query(ApiToken.id).filter_by(user_id=world.users["contributor"]).scalar()
    status, _ = call(server, "DELETE", f"/tokens/{token_id}", world.tokens["contributor"])
    assert status == 204
    wait_until(lambda: not script.sio.connected, message="the connection closed")
    assert (None, {"kind": "signed_out"}) in script.events
    with pytest.raises(socketio.exceptions.ConnectionError):
        PyClient(server.url, token=world.tokens["contributor"])


def test_other_processes_hear_of_the_change_through_redis(start_server, world, connect, app):
    prefix = f"iltizam:test:{uuid.uuid4().hex[:8]}:card:"
    a = start_server(redis_url=REDIS, COLLAB_CHANNEL_PREFIX=prefix)
    b = start_server(redis_url=REDIS, COLLAB_CHANNEL_PREFIX=prefix)
    contributor = connect(b, world.tokens["contributor"])
    assert contributor.join(world.card_id)["ok"]
    status, _ = call(a, "DELETE", f"/cards/{world.card_id}/members/"
                     f"{assignment_of(app, world.users['contributor'], world.card_id)}", world.tokens["coordinator"])
    assert status == 204
    wait_until(lambda: standing(contributor), message="the standing event on the other process")
    assert standing(contributor)["joined"] is False
    assert contributor.edit(insert_text("x"))["error"] == "not_joined"

    script = connect(b, world.tokens["lead"])
    assert script.join(world.card_id)["ok"]
    with app.app_context():
        token_id = db.session().query(ApiToken.id).filter_by(user_id=world.users["lead"]).scalar()
    assert call(a, "DELETE", f"/tokens/{token_id}", world.tokens["lead"])[0] == 204
    wait_until(lambda: not script.sio.connected, message="the lead's connection on the other process closed")


def test_changes_behind_the_services_back_are_caught_by_the_periodic_recheck(start_server, world, connect, app):
    server = start_server(COLLAB_RECHECK_SECONDS=0.2)
    viewer = connect(server, world.tokens["viewer"])
    assert viewer.join(world.card_id)["ok"]
    with app.app_context():
        session = db.session()
        session.query(RoleAssignment).filter_by(user_id=world.users["viewer"], card_id=world.card_id).delete()
        session.commit()
    # Read-only members are re-checked too, on any frame (a sync step 1 reads the document).
    wait_until(lambda: viewer.send(create_sync_message(viewer.doc)).get("error") in ("no_access", "not_joined"),
               interval=0.1, message="the viewer refused")


def _handshake(server, token: str, origin: str) -> socketio.Client:
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
    client.connect(server.url, namespaces=["/collab"], auth={"token": token}, transports=["websocket"],
                   wait_timeout=5)
    return client


def test_cross_site_handshakes_are_refused(server, world):
    for origin in ("http://evil.example", f"http://127.0.0.1:{server.port}.evil.example", "null"):
        with pytest.raises(socketio.exceptions.ConnectionError):
            _handshake(server, world.tokens["lead"], origin)
    ours = _handshake(server, world.tokens["lead"], server.url)
    try:
        assert ours.call("join", {"card": world.card_id}, namespace="/collab", timeout=10)["ok"]
    finally:
        ours.disconnect()


@pytest.mark.parametrize("card", [10**30, 2**31, -1, 0])
def test_join_with_an_impossible_id_is_answered(server, world, connect, card):
    client = connect(server, world.tokens["lead"])
    ack = client.sio.call("join", {"card": card}, namespace="/collab", timeout=10)
    assert ack["ok"] is False and ack["error"] == "unknown_card"


def test_a_boolean_is_not_card_one(server, world, connect):
    client = connect(server, world.tokens["lead"])
    assert client.join(world.card_id)["ok"]
    assert world.card_id == 1
    assert client.send(create_sync_message(client.doc), card=True)["error"] == "not_joined"


def test_signing_out_closes_the_accounts_open_sockets(server, world, connect, app):
    import re

    import requests

    from server.models import User

    with app.app_context():
        email = db.session().get(User, world.users["co_lead"]).email
    browser = requests.Session()
    page = browser.get(f"{server.url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    signed_in = browser.post(f"{server.url}/login", timeout=10, allow_redirects=False,
                             data={"email": email, "password": "correct horse battery", "csrf_token": csrf})
    assert signed_in.status_code in (302, 303)
    cookie = f"session={browser.cookies['session']}"
    tab = connect(server, cookie=cookie)
    other_tab = connect(server, cookie=cookie)
    for client in (tab, other_tab):
        assert client.join(world.card_id)["ok"]
    page = browser.get(f"{server.url}/cards/{world.card_id}", timeout=10).text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    assert browser.post(f"{server.url}/logout", data={"csrf_token": csrf}, timeout=10,
                        allow_redirects=False).status_code in (302, 303)
    for client in (tab, other_tab):
        wait_until(lambda c=client: not c.sio.connected, message="the signed-out tab's socket closed")
        assert (None, {"kind": "signed_out"}) in client.events
    # The same cookie opens nothing any more.
    with pytest.raises(socketio.exceptions.ConnectionError):
        PyClient(server.url, cookie=cookie)


def test_a_joining_connection_is_told_the_cards_status(server, world, connect, app):
    from server.models import Card

    with app.app_context():
        session = db.session()
        session.get(Card, world.card_id).status = "in_review"
        session.commit()
    late = connect(server, world.tokens["contributor"])
    ack = late.join(world.card_id)
    assert ack["can_edit"] is False and ack["reason"] == "policy.status_in_review"
    wait_until(lambda: (world.card_id, {"kind": "card", "status": "in_review"}) in late.events,
               message="the card's status told on join")


def approval_changes(client: PyClient) -> list[str]:
    return [e["change"] for card, e in client.events if card == client.card and e.get("kind") == "approval"]


def test_sign_offs_withdrawals_and_versions_reach_every_open_page_on_every_process(start_server, world, connect,
                                                                                   factory):
    factory.without_criteria(world.plan_id)
    prefix = f"iltizam:test:{uuid.uuid4().hex[:8]}:card:"
    a = start_server(redis_url=REDIS, COLLAB_CHANNEL_PREFIX=prefix)
    b = start_server(redis_url=REDIS, COLLAB_CHANNEL_PREFIX=prefix)
    here = connect(a, world.tokens["reviewer"])  # on the process that answers the requests
    there = connect(b, world.tokens["viewer"])  # on another one: through Redis
    for client in (here, there):
        assert client.join(world.card_id)["ok"]
    lead = world.tokens["lead"]

    def heard(expected: list[str], what: str) -> None:
        for client in (here, there):
            wait_until(lambda c=client: approval_changes(c) == expected, timeout=10,
                       message=f"{what} (heard {approval_changes(client)})")

    status, body = call(a, "POST", f"/cards/{world.card_id}/versions", lead, {"name": "avant l'atelier"})
    assert status == 201, body
    heard(["version"], "the named version")

    assert call(a, "POST", f"/cards/{world.card_id}/submit", lead, {})[0] == 200
    heard(["version", "version"], "the submitted version")

    shown = call(a, "GET", f"/cards/{world.card_id}", lead)[1]["content_hash"]
    status, body = call(a, "POST", f"/cards/{world.card_id}/signoffs", lead,
                        {"decision": "approve", "content_hash": shown, "note": ""})
    assert status == 201, body
    heard(["version", "version", "signed"], "the sign-off")

    assert call(a, "DELETE", f"/signoffs/{body['signoff_id']}", lead)[0] == 200
    heard(["version", "version", "signed", "withdrawn"], "the withdrawal")
    # Refused requests change nothing and announce nothing.
    assert call(a, "DELETE", f"/signoffs/{body['signoff_id']}", lead)[0] == 409
    assert call(a, "POST", f"/cards/{world.card_id}/versions", world.tokens["reviewer"], {"name": "x"})[0] == 403
    assert approval_changes(here) == approval_changes(there) == ["version", "version", "signed", "withdrawn"]
