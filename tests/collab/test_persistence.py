"""Durability: acks mean committed, kill -9 loses nothing acknowledged, compaction bounds storage,
edits from the API go through the live room."""
from __future__ import annotations

import threading
import time

from pycrdt import Doc, Text

from collab_support import insert_text, wait_until
from server.collab.access import Member
from server.collab.wiring import documents, rooms
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

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first=()) -> None:
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
    # Typing as people type: mostly at the end, a backspace now and then, sometimes in the
    # middle, over two fields. (Scattering every third keystroke costs the test's own client
    # minutes: yrs finds a position by walking every fragment of the text before it.)
    texts = [client.get("title", type=Text), client.get("summary", type=Text)]
    # What a Yjs client sends is each transaction's own update (its `update` event), whose
    # delete set holds only that transaction's deletions, not the document's whole history.
    sent: list[bytes] = []
    client.observe(lambda event: sent.append(event.update))
    for i in range(50_000):
        text = texts[i % 2]
        step = i // 2
        if step % 10 == 9 and len(text) > 0:
            del text[len(text) - 1 if step % 50 else len(text) // 2]
        else:
            text.insert(len(text) // 2 if step % 20 == 0 else len(text), "abcdefghij"[step % 10])
        room.receive("c1", parse(update_frame(sent.pop())), member)
        if i % 25 == 24:
            room.flush()
    room.flush()
    compacted_bytes, tail_bytes = store.stored_bytes(world.card_id)
    compacted = Doc()
    compacted.apply_update(store.load_state(world.card_id))
    state_bytes = len(compacted.get_update())
    assert [str(compacted.get(t, type=Text)) for t in ("title", "summary")] == [str(t) for t in texts]
    # Storage follows the document, not its history: the compacted state is about the state's size
    # and the log holds at most one compaction's worth of rows, each a batch of keystrokes.
    assert compacted_bytes <= 3 * state_bytes
    assert store.log_rows(world.card_id) <= 200
    assert tail_bytes <= 200 * 25 * 64
    # Loading it again (what a join does) reads the compacted state and a short tail.
    started = time.perf_counter()
    again = Room.load(world.card_id, store, _Wire(), spawn=lambda fn: fn())
    elapsed = time.perf_counter() - started
    assert [str(again.doc.get(t, type=Text)) for t in ("title", "summary")] == [str(t) for t in texts]
    print(f"\nclient {client.client_id}: stored {compacted_bytes}+{tail_bytes} bytes, state {state_bytes}, "
          f"load {elapsed * 1000:.1f} ms")


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
