"""Durability: acks mean committed, kill -9 loses nothing acknowledged, compaction bounds storage,
edits from the API go through the live room."""
from __future__ import annotations

import threading
import time

import pytest
from pycrdt import Doc, Text

from collab_support import insert_text, wait_until
from server.collab.access import Member
from server.collab.engine import documents, rooms
from server.collab.protocol import parse, update_frame
from server.collab.room import Room


def _stored_text(app, card_id: int) -> str:
    doc = Doc()
    doc.apply_update(documents(app).store.load_state(card_id))
    return str(doc.get("title", type=Text))


def test_an_acknowledged_edit_is_already_in_the_database(server, world, connect, app):
    a = connect(server, world.tokens["contributor"])
    a.join(world.card_id)
    for word in ("durable", " at", " ack"):
        assert a.edit(insert_text(word)) == {"ok": True}
        assert _stored_text(app, world.card_id) == a.text()


def test_kill_minus_nine_mid_typing_keeps_every_acknowledged_edit(start_server, world, connect, app):
    server = start_server()
    typist = connect(server, world.tokens["contributor"])
    typist.join(world.card_id)
    acked: list[str] = []
    unconfirmed: list[str] = []

    def type_away() -> None:
        for i in range(400):
            ch = chr(0x4E00 + i)  # every keystroke a distinct character
            try:
                ack = typist.edit(insert_text(ch))
            except Exception:
                unconfirmed.append(ch)
                return
            (acked if ack == {"ok": True} else unconfirmed).append(ch)

    thread = threading.Thread(target=type_away)
    thread.start()
    wait_until(lambda: len(acked) >= 60, message="60 acknowledged keystrokes")
    server.kill()
    thread.join(30)
    assert not thread.is_alive()

    restarted = start_server()
    probe = connect(restarted, world.tokens["viewer"])
    probe.join(world.card_id)
    wait_until(lambda: len(probe.text()) >= len(acked), message="document after restart")
    text = probe.text()
    missing = [ch for ch in acked if ch not in text]
    assert missing == [], f"{len(missing)} acknowledged keystrokes lost"
    # They are in typing order, and nothing is doubled.
    assert [c for c in text if c in acked] == acked
    assert len(set(text)) == len(text)


class _Wire:
    """A Transport that records what a room sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.broadcasts: list[bytes] = []

    def send(self, conn_id: str, card_id: int, message: bytes) -> None:
        self.sent.append((conn_id, message))

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first=()) -> None:  # noqa: ANN001
        self.broadcasts.append(message)


def _editor(card_id: int) -> Member:
    return Member(user_id=1, card_id=card_id, role="lead", can_edit=True, can_comment=True,
                  identity={"name": "x"})


def test_fifty_thousand_keystrokes_stay_compact(app, world):
    store = documents(app).store
    room = Room.load(world.card_id, store, _Wire(), spawn=lambda fn: fn(), compact_rows=200)
    member = _editor(world.card_id)
    room.join("c1", member)
    client = Doc()
    client.apply_update(room.state())
    text = client.get("title", type=Text)
    for i in range(50_000):
        before = client.get_state()
        if i % 10 == 9 and len(text) > 0:
            del text[len(text) // 2]
        else:
            text.insert(len(text) if i % 3 else len(text) // 2, "abcdefghij"[i % 10])
        room.receive("c1", parse(update_frame(client.get_update(before))), member)
        if i % 25 == 24:
            room.flush()
    room.flush()
    snapshot_bytes, tail_bytes = store.stored_bytes(world.card_id)
    compacted = Doc()
    compacted.apply_update(store.load_state(world.card_id))
    state_bytes = len(compacted.get_update())
    assert str(compacted.get("title", type=Text)) == str(text)
    assert snapshot_bytes + tail_bytes <= 3 * state_bytes + tail_bytes
    assert store.log_rows(world.card_id) <= 200
    # Loading it again (what a join does) reads the snapshot and a short tail.
    started = time.perf_counter()
    again = Room.load(world.card_id, store, _Wire(), spawn=lambda fn: fn())
    elapsed = time.perf_counter() - started
    assert str(again.doc.get("title", type=Text)) == str(text)
    print(f"\nstored {snapshot_bytes}+{tail_bytes} bytes, state {state_bytes}, load {elapsed * 1000:.1f} ms")


def test_api_edits_go_through_the_live_room(app, world):
    registry = rooms(app)
    wire = _Wire()
    registry.transport = wire
    with app.app_context():
        frames = registry.join(world.card_id, "c1", _editor(world.card_id))
        assert frames[1][:2] == bytes([0, 1])
        documents(app).edit(world.card_id, lambda doc: doc.get("title", type=Text).insert(0, "from the API"))
        assert registry.get(world.card_id) is not None
        wait_until(lambda: wire.broadcasts, message="broadcast of the API edit")
        assert _stored_text(app, world.card_id) == "from the API"
        assert str(documents(app).read(world.card_id).get("title", type=Text)) == "from the API"
        registry.leave(world.card_id, "c1")
        assert registry.try_unload(world.card_id)
        assert registry.get(world.card_id) is None
