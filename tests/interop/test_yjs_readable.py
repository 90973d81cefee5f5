"""What the server stores and relays is what yjs can read: an update pycrdt would take but yjs
cannot (an unknown content ref) is refused, and a real yjs client ends up with exactly the
server's document."""
from __future__ import annotations

import base64

from pycrdt import Doc, Text

from collab_support import insert_text, missing, update_frame, wait_until
from server_process import result_of


def _unknown_content_ref(state: bytes, text: str) -> bytes:
    """An update appending `text` to the title whose content ref is 20: yrs reads the low four
    bits (a string), yjs all five (no such content) and throws."""
    doc = Doc()
    doc.apply_update(state)
    before = doc.get_state()
    title = doc.get("title", type=Text)
    title.insert(len(title), text)
    update = bytearray(doc.get_update(before))
    # One client, one struct: varUint(1) varUint(1) varUint(client) varUint(clock), then info.
    pos = 2
    for _ in range(2):
        while update[pos] & 0x80:
            pos += 1
        pos += 1
    assert update[pos] & 0x1F == 4, "expected a string item"
    update[pos] = (update[pos] & 0xE0) | 20
    return bytes(update)


def test_a_yjs_client_receives_only_what_it_can_read(server, world, connect, node_client):
    editor = connect(server, world.tokens["lead"])
    attacker = connect(server, world.tokens["contributor"])
    editor.join(world.card_id)
    attacker.join(world.card_id)
    node = node_client(url=server.url, token=world.tokens["co_lead"], card=world.card_id, type="",
                       length=len("before" + "after"), linger=500)
    assert editor.edit(insert_text("before")) == {"ok": True}
    wait_until(lambda: attacker.text() == "before", message="attacker synced")
    bad = _unknown_content_ref(attacker.state(), "BAD")
    ack = attacker.send(update_frame(bad))
    assert ack["ok"] is False and ack["error"] == "malformed", ack
    assert editor.edit(insert_text("after")) == {"ok": True}

    r = result_of(node)
    assert "error" not in r, r
    probe = connect(server, world.tokens["viewer"])
    probe.join(world.card_id)
    wait_until(lambda: probe.text() == "beforeafter", message="server document")
    assert r["text"] == "beforeafter"
    node_state = base64.b64decode(r["state"])
    assert missing(node_state, probe.state()) == b"\x00\x00"
    assert missing(probe.state(), node_state) == b"\x00\x00"
