"""Real Node clients (yjs + y-protocols + socket.io-client) co-editing through the server."""
from __future__ import annotations

import base64

from pycrdt import Doc, Text

from collab_support import insert_text, missing, wait_until
from server_process import result_of


def _text(state: bytes, field: str = "title") -> str:
    doc = Doc()
    doc.apply_update(state)
    return str(doc.get(field, type=Text))


def test_two_node_clients_converge_with_the_server(server, world, connect, node_client):
    # Letters the two never share, so each one's own characters can be told apart in the result.
    one, two = "ministry-", "ASSOCIATION+"
    total = len(one) + len(two)
    a = node_client(url=server.url, token=world.tokens["contributor"], card=world.card_id, type=one,
                    length=total, presence={"cursor": 1, "user": {"name": "spoofed"}})
    b = node_client(url=server.url, token=world.tokens["co_lead"], card=world.card_id, type=two,
                    length=total, presence={"cursor": 2})
    ra, rb = result_of(a), result_of(b)
    for r in (ra, rb):
        assert "error" not in r, r
        assert r["join"]["ok"] and r["join"]["can_edit"]
        assert r["refused"] == []
    assert ra["acked"] >= len(one) and rb["acked"] >= len(two)
    assert ra["text"] == rb["text"] and sorted(ra["text"]) == sorted(one + two)
    # Every character of each client is there once (they type at random places, so no order).
    assert sorted(c for c in ra["text"] if c in one) == sorted(one)
    assert sorted(c for c in ra["text"] if c in two) == sorted(two)
    # The server holds exactly the same document.
    probe = connect(server, world.tokens["viewer"])
    probe.join(world.card_id)
    wait_until(lambda: len(probe.text()) == total, message="server state")
    for r in (ra, rb):
        node_state = base64.b64decode(r["state"])
        assert missing(node_state, probe.state()) == b"\x00\x00"
        assert missing(probe.state(), node_state) == b"\x00\x00"
    assert _text(probe.state()) == ra["text"]


def test_node_and_pycrdt_clients_co_edit(server, world, connect, node_client):
    py = connect(server, world.tokens["lead"])
    py.join(world.card_id)
    node = node_client(url=server.url, token=world.tokens["contributor"], card=world.card_id,
                       type="yjs", length=len("yjs") + len("pycrdt"))
    for ch in "pycrdt":
        assert py.edit(insert_text(ch)) == {"ok": True}
    r = result_of(node)
    assert "error" not in r, r
    wait_until(lambda: py.text() == r["text"], message="python client converged with node")
    assert sorted(r["text"]) == sorted("yjs" + "pycrdt")


def test_node_reviewer_is_refused(server, world, node_client):
    r = result_of(node_client(url=server.url, token=world.tokens["reviewer"], card=world.card_id, type="no"))
    assert r["join"].pop("color").startswith("#")
    assert r["join"] == {"ok": True, "role": "reviewer", "roles": ["reviewer"], "can_edit": False,
                         "can_comment": True, "reason": "policy.role_forbids"}
    # Its two typed characters are refused; its sync step 1 and (empty) step 2 are fine.
    assert len(r["refused"]) == 2 and {x["error"] for x in r["refused"]} == {"read_only"}


def test_node_presence_carries_server_identity(server, world, node_client, app):
    from server import db
    from server.models import User

    a = node_client(url=server.url, token=world.tokens["contributor"], card=world.card_id, type="a", length=2,
                    presence={"cursor": 7, "user": {"name": "spoofed", "color": "#000"}}, linger=3000)
    b = node_client(url=server.url, token=world.tokens["lead"], card=world.card_id, type="b", length=2,
                    presence={"cursor": 8}, pause=300)
    ra, rb = result_of(a), result_of(b)
    with app.app_context():
        name = db.session().get(User, world.users["contributor"]).name
    seen = [s for s in rb["presence"] if s and s.get("cursor") == 7]
    assert seen and seen[0]["user"]["name"] == name and seen[0]["user"]["color"] != "#000"
    assert "error" not in ra
