"""The room registry's lifecycle in one process, with a store that can fail on demand: a load
that fails, updates from other processes arriving during a load, and unloading while
something is unsaved. (The outage tests show the same through real servers and databases.)"""
from __future__ import annotations

import threading

import pytest
from pycrdt import Doc, Text

from collab_support import wait_until
from server.collab.access import Member
from server.collab.errors import Unavailable
from server.collab.registry import Rooms

CARD = 7


class FlakyStore:
    """An in-memory Store whose reads and writes fail while `down` is set."""

    def __init__(self, seed: bytes) -> None:
        self.rows: list[bytes] = [seed]
        self.down = False
        self.load_gate: threading.Event | None = None  # a load waits on it when set
        self.loading = threading.Event()

    def load(self, card_id: int) -> tuple[bytes | None, list[bytes]]:
        self.loading.set()
        if self.load_gate is not None:
            assert self.load_gate.wait(10)
        if self.down:
            raise ConnectionError("database unreachable")
        return None, list(self.rows)

    def load_state(self, card_id: int) -> bytes | None:
        doc = Doc()
        for row in self.rows:
            doc.apply_update(row)
        return doc.get_update()

    def append(self, card_id: int, updates: list[bytes]) -> int:
        if self.down:
            raise ConnectionError("database unreachable")
        self.rows.extend(updates)
        return len(self.rows)

    def log_rows(self, card_id: int) -> int:
        return len(self.rows)

    def compact(self, card_id: int) -> bool:
        return False


class Silent:
    def send(self, *args) -> None: ...

    def broadcast(self, *args, **kwargs) -> None: ...


def spawn(fn) -> None:
    threading.Thread(target=fn, daemon=True).start()


def seeded() -> tuple[bytes, Doc]:
    doc = Doc()
    doc.get("title", type=Text).insert(0, "بطاقة")
    return doc.get_update(), doc


def edit(doc: Doc, text: str) -> bytes:
    before = doc.get_state()
    title = doc.get("title", type=Text)
    title.insert(len(title), text)
    return doc.get_update(before)


def text_of(update: bytes) -> str:
    doc = Doc()
    doc.apply_update(update)
    return str(doc.get("title", type=Text))


def lead() -> Member:
    return Member(user_id=1, card_id=CARD, role="lead", can_edit=True, can_comment=True)


@pytest.fixture
def world():
    seed, doc = seeded()
    store = FlakyStore(seed)
    rooms = Rooms(store, Silent(), spawn=spawn, grace=0.0, compact_rows=0, ack_timeout=2.0)
    yield store, rooms, doc
    rooms.close_all()


def test_a_load_that_fails_leaves_nothing_loaded_and_a_later_join_works(world):
    store, rooms, _ = world
    store.down = True
    with pytest.raises(Unavailable):
        rooms.join(CARD, "conn-1", lead())
    assert rooms.get(CARD) is None
    store.down = False
    frames = rooms.join(CARD, "conn-1", lead())
    assert rooms.get(CARD) is not None and len(frames) >= 2


def test_updates_from_other_processes_during_a_load_are_kept(world):
    store, rooms, doc = world
    store.load_gate = threading.Event()
    joined = threading.Thread(target=rooms.join, args=(CARD, "conn-1", lead()))
    joined.start()
    assert store.loading.wait(5)
    # Another process accepted this while our read of the store was in flight.
    rooms.on_remote(CARD, "u", edit(doc, " — من مسار آخر"))
    store.load_gate.set()
    joined.join(10)
    assert text_of(rooms.current_state(CARD)) == "بطاقة — من مسار آخر"


def test_a_room_with_unsaved_updates_is_not_unloaded(world):
    store, rooms, doc = world
    rooms.join(CARD, "conn-1", lead())
    room = rooms.get(CARD)
    client = Doc()
    client.apply_update(rooms.current_state(CARD))
    store.down = True
    seq = room.receive("conn-1", _update_frame(edit(client, " محفوظة لاحقا")), lead())[1]
    with pytest.raises(Unavailable):
        room.wait_durable(seq, 1.0)
    room.leave("conn-1")
    assert rooms.try_unload(CARD) is False
    assert rooms.get(CARD) is room  # kept in memory: the edit exists nowhere else
    store.down = False
    wait_until(lambda: rooms.try_unload(CARD), message="the unload once the store is back")
    assert rooms.get(CARD) is None
    assert text_of(store.load_state(CARD)).endswith(" محفوظة لاحقا")


def _update_frame(update: bytes):
    from pycrdt import create_update_message

    from server.collab import protocol

    return protocol.parse(create_update_message(update))
