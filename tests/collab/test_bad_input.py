"""Garbage on the wire: every bad frame gets a clear error ack and changes nothing."""
from __future__ import annotations

import random

import pytest
from pycrdt import Doc, Snapshot, Text, XmlElement, XmlFragment, XmlText, write_var_uint

from collab_support import insert_text, update_frame, wait_until
from server.collab.protocol import MAX_MESSAGE_BYTES


def _dangling_update() -> bytes:
    """An update whose second half builds on a first half the server never saw."""
    doc = Doc()
    text = doc.get("title", type=Text)
    text += "never sent"
    before = doc.get_state()
    text.insert(5, " dangling")
    return doc.get_update(before)


def _unknown_deletion() -> bytes:
    doc = Doc()
    text = doc.get("title", type=Text)
    text += "abc"
    before = doc.get_state()
    del text[0:2]
    return doc.get_update(before)


def _unreadable_by_yjs(kind: str) -> bytes:
    """Updates pycrdt takes but yjs cannot read (clients would throw or skip them)."""
    if kind == "clock":  # a garbage-collected range from clock 0 to 2**32 for a new client
        return b"\x01\x01" + write_var_uint(99) + b"\x00\x00" + write_var_uint(2**32) + b"\x00"
    doc = Doc(client_id=77)
    doc.get("title", type=Text).insert(0, "hidden")
    update = bytearray(doc.get_update())
    assert update[4] & 0x1F == 4  # the one string item's info byte
    update[4] = (update[4] & 0xE0) | 20  # content ref 20: yrs reads 4 bits of it, yjs 5
    return bytes(update)


def _script_node() -> bytes:
    doc = Doc()
    doc.get("problem", type=XmlFragment).children.append(XmlElement("script", {}, [XmlText("alert(1)")]))
    return doc.get_update()


BAD = {
    "empty": (b"", "malformed"),
    "truncated varint": (b"\x00\x82", "malformed"),
    "sync without payload": (b"\x00\x02", "malformed"),
    "length past end": (b"\x00\x02\x05abc", "malformed"),
    "undecodable update": (update_frame(bytes(range(7, 40))), "malformed"),
    "trailing bytes": (update_frame(b"\x00\x00") + b"\x00", "malformed"),
    "unknown message type": (b"\x07\x00", "unknown_type"),
    "auth message from a client": (b"\x02\x00", "unknown_type"),
    "unknown sync type": (b"\x00\x09\x00", "unknown_type"),
    "bad state vector": (b"\x00\x00\x03\x05\x01\x02", "malformed"),
    "awareness not json": (b"\x01\x06\x01\x07\x01\x02{x", "malformed"),
    "awareness not an object": (b"\x01\x06\x01\x07\x01\x02[]", "malformed"),
    "missing structure": (update_frame(_dangling_update()), "invalid_update"),
    "deletes unknown items": (update_frame(_unknown_deletion()), "invalid_update"),
    "clock past 2**32": (update_frame(_unreadable_by_yjs("clock")), "malformed"),
    "unknown content ref": (update_frame(_unreadable_by_yjs("ref")), "malformed"),
    "node outside the template": (update_frame(_script_node()), "invalid_shape"),
    "oversized": (update_frame(b"\x00" * MAX_MESSAGE_BYTES), "too_large"),
    "not binary": ("hello", "malformed"),
}


def _snapshot(state: bytes) -> bytes:
    doc = Doc()
    doc.apply_update(state)
    return Snapshot.from_doc(doc).encode()


@pytest.fixture
def pair(server, world, connect):
    attacker = connect(server, world.tokens["contributor"])
    bystander = connect(server, world.tokens["lead"])
    attacker.join(world.card_id)
    bystander.join(world.card_id)
    bystander.edit(insert_text("baseline"))
    wait_until(lambda: attacker.text() == "baseline", message="attacker synced")
    return attacker, bystander


def _server_state(server, world, connect) -> bytes:
    probe = connect(server, world.tokens["viewer"])
    probe.join(world.card_id)
    wait_until(lambda: "baseline" in probe.text(), message="probe synced")
    return probe.state()


@pytest.mark.parametrize("name", list(BAD))
def test_bad_frames_are_refused_and_change_nothing(pair, server, world, connect, name):
    attacker, bystander = pair
    frame, code = BAD[name]
    before = _snapshot(_server_state(server, world, connect))
    ack = attacker.send(frame)
    assert ack["ok"] is False and ack["error"] == code, ack
    assert isinstance(ack["message"], str) and ack["message"]
    assert _snapshot(_server_state(server, world, connect)) == before
    # The connection, the server and the other members carry on.
    assert attacker.edit(insert_text("!")) == {"ok": True}
    wait_until(lambda: bystander.text() == "baseline!", message="later edit relayed")


def test_random_bytes(pair, server, world, connect):
    attacker, bystander = pair
    rng = random.Random(20240601)
    before = _snapshot(_server_state(server, world, connect))
    for _ in range(200):
        frame = bytes([rng.choice([0, 1, 3, 9])]) + rng.randbytes(rng.randint(0, 64))
        ack = attacker.send(frame)
        assert set(ack) >= {"ok"}
        if frame[0] == 3 and len(frame) == 1:
            assert ack == {"ok": True}  # a presence query is valid
        elif ack["ok"]:
            # Only presence frames can happen to be valid; they never touch the document.
            assert frame[0] in (1, 3), frame
    assert _snapshot(_server_state(server, world, connect)) == before
    assert bystander.edit(insert_text("?")) == {"ok": True}
    wait_until(lambda: attacker.text() == "baseline?", message="still relayed")


@pytest.mark.parametrize("card", ["1", 10**12, [1], {"card": 1}])
def test_yjs_for_a_card_not_joined(pair, card):
    attacker, _ = pair
    ack = attacker.send(update_frame(b"\x00\x00"), card=card)
    assert ack["ok"] is False and ack["error"] == "not_joined"
