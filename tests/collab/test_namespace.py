"""The /collab namespace over real Socket.IO connections: authentication, join, sync, rights."""
from __future__ import annotations

import json
import threading
import time

import pytest
import socketio
from pycrdt import Text
from sqlalchemy import delete

from collab_fixtures import token_for
from collab_support import PyClient, decode_awareness, insert_text, step2_frame, wait_until
from server import db
from server.collab.access import COLOURS
from server.collab.presence import encode
from server.models import Card, RoleAssignment


def _awareness(client_id: int, clock: int, state: dict | None) -> bytes:
    payload = encode([(client_id, clock, json.dumps(state) if state is not None else "null")])
    return bytes([1]) + bytes([len(payload)]) + payload


def test_editors_converge_and_acks_come_back(server, world, connect):
    a = connect(server, world.tokens["contributor"])
    b = connect(server, world.tokens["lead"])
    joined = a.join(world.card_id)
    assert joined.pop("color") in COLOURS
    assert joined == {"ok": True, "role": "contributor", "roles": ["contributor"], "can_edit": True, "can_comment": True}
    assert b.join(world.card_id)["can_edit"] is True
    assert a.edit(insert_text("Open data")) == {"ok": True}
    assert b.edit(insert_text(" for all")) == {"ok": True}
    wait_until(lambda: a.text() == b.text() and len(a.text()) == len("Open data for all"), message="convergence")
    assert sorted(a.text()) == sorted("Open data for all")


def test_join_sends_step1_step2_then_presence(server, world, connect):
    a = connect(server, world.tokens["contributor"])
    a.join(world.card_id)
    a.send(_awareness(a.doc.client_id, 1, {"cursor": None}), ack=True)
    b = connect(server, world.tokens["reviewer"])
    b.join(world.card_id)
    wait_until(lambda: len(b.received) >= 3, message="initial frames")
    assert b.received[0][:2] == bytes([0, 0])  # sync step 1
    assert b.received[1][:2] == bytes([0, 1])  # sync step 2: the seeded document
    assert b.received[2][0] == 1  # the presence already in the room
    assert "meta" in b.doc.keys()


@pytest.mark.parametrize("auth", [None, {"token": "ilt_not-a-token"}, {"token": 42}, "garbage"])
def test_unauthenticated_connections_are_refused(server, auth):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, namespaces=["/collab"], auth=auth, transports=["websocket"], wait_timeout=5)
    client.disconnect()


def test_browser_session_cookie_authenticates(server, world, app, client, auth):
    from server.models import User

    with app.app_context():
        email = db.session().get(User, world.users["co_lead"]).email
    assert auth.login(email).status_code in (200, 302, 303)
    cookie = client.get_cookie("session", domain="iltizam.test") or client.get_cookie("session")
    browser = PyClient(server.url, cookie=f"session={cookie.value}")
    try:
        assert browser.join(world.card_id)["role"] == "co_lead"
    finally:
        browser.close()


@pytest.mark.parametrize("payload, code", [
    ({"card": 999999}, "unknown_card"),
    ({"card": "1"}, "bad_request"),
    ("card", "bad_request"),
    (None, "bad_request"),
])
def test_join_errors(server, world, connect, payload, code):
    a = connect(server, world.tokens["contributor"])
    ack = a.sio.call("join", payload, namespace="/collab", timeout=10)
    assert ack["ok"] is False and ack["error"] == code and ack["message"]


def test_outsider_may_not_join(server, world, connect):
    a = connect(server, world.tokens["outsider"])
    ack = a.join(world.card_id)
    assert ack["ok"] is False and ack["error"] == "no_access"


@pytest.mark.parametrize("role, can_comment", [("reviewer", True), ("viewer", False), ("approver", True)])
def test_read_only_members_are_refused_and_nothing_is_relayed(server, world, connect, role, can_comment):
    editor = connect(server, world.tokens["contributor"])
    editor.join(world.card_id)
    reader = connect(server, world.tokens[role])
    joined = reader.join(world.card_id)
    assert joined.pop("color") in COLOURS
    assert joined == {"ok": True, "role": role, "roles": [role], "can_edit": False, "can_comment": can_comment,
                      "reason": "policy.role_forbids"}
    wait_until(lambda: "meta" in reader.doc.keys(), message="reader synced")
    before = len(editor.received)
    ack = reader.edit(insert_text("vandalism"))
    assert ack["ok"] is False and ack["error"] == "read_only"
    # A sync step 2 is an update too.
    with reader.lock:
        reader.doc.get("title", type=Text).insert(0, "sneaky")
        update = reader.doc.get_update()
    assert reader.send(step2_frame(update))["error"] == "read_only"
    assert editor.edit(insert_text("fine")) == {"ok": True}
    wait_until(lambda: "fine" in reader.text(), message="editor's text at the reader")
    assert "vandalism" not in editor.text()
    fresh = connect(server, world.tokens["lead"])
    fresh.join(world.card_id)
    wait_until(lambda: "fine" in fresh.text(), message="fresh joiner synced")
    assert "vandalism" not in fresh.text() and "sneaky" not in fresh.text()
    # Nothing of the refused updates was relayed: the editor, who received everything sent to
    # the card since it joined, never saw them.
    assert not any(b"vandalism" in f or b"sneaky" in f for f in editor.received[before:])


def test_read_only_sync_step2_without_changes_is_accepted(server, world, connect):
    reader = connect(server, world.tokens["reviewer"])
    reader.join(world.card_id)
    wait_until(lambda: "meta" in reader.doc.keys(), message="reader synced")
    with reader.lock:
        update = reader.doc.get_update()  # repeats what the server sent, deletions included
    assert reader.send(step2_frame(update)) == {"ok": True}


def test_card_out_of_draft_is_read_only_for_everyone(server, world, connect, app):
    with app.app_context():
        session = db.session()
        session.get(Card, world.card_id).status = "in_review"
        session.commit()
    a = connect(server, world.tokens["contributor"])
    assert a.join(world.card_id)["can_edit"] is False
    assert a.edit(insert_text("late"))["error"] == "read_only"


RECHECK = 0.3  # the server's COLLAB_RECHECK_SECONDS in the test below


def test_rights_changed_behind_the_services_back_reach_members_within_the_recheck_delay(
        start_server, world, connect, app):
    # Changes made through the services reach connections at once (test_room_events.py); this
    # is the backstop for the others: a stale decision is re-decided room-wide on the next frame.
    server = start_server(COLLAB_RECHECK_SECONDS=RECHECK)
    lead = connect(server, world.tokens["lead"])
    contributor = connect(server, world.tokens["contributor"])
    co_lead = connect(server, world.tokens["co_lead"])
    for client in (lead, contributor, co_lead):
        assert client.join(world.card_id)["can_edit"] is True
        assert client.edit(insert_text("a")) == {"ok": True}
    with app.app_context():
        session = db.session()
        session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == world.users["contributor"],
                                                     RoleAssignment.card_id == world.card_id))
        session.commit()
    time.sleep(RECHECK + 0.1)  # the decisions become stale: a time rule, not a condition to poll
    # One member's update re-decides the whole room: the contributor, who has not typed since,
    # is out of it at once and receives nothing more.
    assert lead.edit(insert_text("b")) == {"ok": True}
    wait_until(lambda: co_lead.text().count("b") == 1, message="the lead's edit reaching the co-lead")
    seen = len(contributor.received)
    assert lead.edit(insert_text("c")) == {"ok": True}
    wait_until(lambda: co_lead.text().count("c") == 1, message="the next edit reaching the co-lead")
    assert len(contributor.received) == seen
    assert contributor.edit(insert_text("x"))["error"] == "not_joined"
    assert contributor.join(world.card_id)["error"] == "no_access"

    with app.app_context():
        session = db.session()
        session.get(Card, world.card_id).status = "in_review"
        session.commit()
    time.sleep(RECHECK + 0.1)
    assert lead.edit(insert_text("d"))["error"] == "read_only"
    assert co_lead.edit(insert_text("d"))["error"] == "read_only"
    viewer = connect(server, world.tokens["viewer"])
    viewer.join(world.card_id)
    wait_until(lambda: viewer.text().count("c") == 1, message="the document reaching a viewer")
    assert "d" not in viewer.text()


def test_messages_before_join_are_refused(server, world, connect):
    a = connect(server, world.tokens["contributor"])
    a.card = world.card_id
    assert a.edit(insert_text("x"))["error"] == "not_joined"


def test_leave_stops_the_flow(server, world, connect):
    a = connect(server, world.tokens["contributor"])
    b = connect(server, world.tokens["lead"])
    c = connect(server, world.tokens["co_lead"])
    for client in (a, b, c):
        client.join(world.card_id)
    assert b.sio.call("leave", {"card": world.card_id}, namespace="/collab", timeout=5) == {"ok": True}
    count = len(b.received)
    a.edit(insert_text("after leave"))
    # Once a member still in the card has the edit, b would have had it too by now.
    wait_until(lambda: "after leave" in c.text(), message="the edit at a member still joined")
    assert b.edit(insert_text("x"))["error"] == "not_joined"
    assert len(b.received) == count


def test_presence_shows_the_server_identity_not_the_claimed_one(server, world, connect, app):
    a = connect(server, world.tokens["contributor"])
    b = connect(server, world.tokens["lead"])
    a.join(world.card_id)
    b.join(world.card_id)
    claim = {"user": {"name": "The Minister", "color": "#000000", "organisation": "Cabinet"}, "cursor": 3}
    assert a.send(_awareness(a.doc.client_id, 1, claim)) == {"ok": True}

    def seen():
        for frame in b.awareness:
            for client_id, _clock, state in decode_awareness(frame):
                if client_id == a.doc.client_id and state != "null":
                    return json.loads(state)
        return None
    state = wait_until(seen, message="presence at b")
    with app.app_context():
        from server.models import User
        user = db.session().get(User, world.users["contributor"])
        assert state["user"]["name"] == user.name
        assert state["user"]["organisation"] == user.organisation.name_fr
    assert state["user"]["color"] != "#000000" and state["cursor"] == 3
    # Nobody may speak for a client id another connection holds.
    assert b.send(_awareness(a.doc.client_id, 5, {"cursor": 0}))["error"] == "awareness_refused"
    # Leaving removes the states the connection held.
    a.close()
    wait_until(lambda: any(s == "null" for f in b.awareness for cid, _c, s in decode_awareness(f)
                           if cid == a.doc.client_id), message="presence removal")


def test_offline_edits_merge_on_reconnect_without_duplicates(server, world, connect):
    a = connect(server, world.tokens["contributor"])
    b = connect(server, world.tokens["lead"])
    a.join(world.card_id)
    b.join(world.card_id)
    a.edit(insert_text("shared "))
    wait_until(lambda: b.text() == "shared ", message="b has the shared text")
    a.close()
    with a.lock:  # typed while offline
        a.doc.get("title", type=Text).insert(len(a.text()), "offline")
    b.edit(insert_text("online ", index=0))
    again = connect(server, world.tokens["contributor"])
    again.doc = a.doc  # same document, new connection (as a browser tab reconnecting)
    again.join(world.card_id)  # step 1 / step 2 both ways
    wait_until(lambda: again.text() == b.text() and "offline" in b.text() and "online" in again.text(),
               message="merge after reconnect")
    assert b.text().count("offline") == 1 and b.text().count("shared") == 1 and b.text().count("online") == 1


def test_fanout_is_coalesced(server, world, connect):
    editors = [connect(server, world.tokens[r]) for r in ("contributor", "lead", "co_lead")]
    reader = connect(server, world.tokens["viewer"])
    for c in editors + [reader]:
        c.join(world.card_id)
    wait_until(lambda: "meta" in reader.doc.keys(), message="reader synced")
    start = len(reader.received)
    for i in range(30):
        editors[i % 3].edit(insert_text("x"), ack=False)
    wait_until(lambda: reader.text().count("x") == 30, message="all 30 edits at the reader")
    updates = [f for f in reader.received[start:] if f[:2] == bytes([0, 2])]
    assert len(updates) < 30, "one message per window, not one per keystroke"


def test_people_whose_usual_colours_collide_wear_distinct_ones_on_the_card(server, world, connect, app, factory):
    from server.collab.access import colour_for

    # Three people whose usual presence colour is the same, joining the card at the same moment
    # (the first joins of a card not loaded yet: the room is read from the database meanwhile).
    by_colour: dict[str, list[int]] = {}
    while not any(len(ids) >= 3 for ids in by_colour.values()):
        uid = factory.user()
        factory.grant(world.users["coordinator"], uid, "contributor", world.plan_id, world.card_id)
        by_colour.setdefault(colour_for(uid), []).append(uid)
    same = next(ids for ids in by_colour.values() if len(ids) >= 3)[:3]
    clients = [connect(server, token_for(app, uid)) for uid in same]
    answers: dict[int, dict] = {}
    threads = [threading.Thread(target=lambda i=i, c=c: answers.__setitem__(i, c.join(world.card_id)))
               for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    colours = [answers[i]["color"] for i in range(3)]
    assert len(set(colours)) == 3 and colour_for(same[0]) in colours, colours
    # What the others see is what each was told.
    for client in clients:
        assert client.send(_awareness(client.doc.client_id, 1, {"field": None})) == {"ok": True}
    observer = connect(server, world.tokens["lead"])
    observer.join(world.card_id)

    def seen():
        states = {json.loads(s)["user"]["id"]: json.loads(s)["user"]["color"]
                  for f in observer.awareness for _cid, _c, s in decode_awareness(f) if s != "null"}
        return states if all(uid in states for uid in same) else None
    worn = wait_until(seen, message="everyone's presence at the observer")
    assert [worn[uid] for uid in same] == colours
