"""An update interrupted while the room applies it (a timeout, the greenlet killed when its
connection drops, Ctrl-C) is not the update's fault: the interruption goes on as itself, the
Doc is left as it was before the update, and the same update sent again is accepted.

Catching every BaseException as a refusal once turned a test timeout, landing inside the room's
check, into `InvalidUpdate` for a good keystroke; a gevent Timeout or GreenletExit would do the
same to a person's edit."""
from __future__ import annotations

import pytest
from gevent import GreenletExit, Timeout
from pycrdt import Doc, Text

import schemas
from server.collab import integrity
from server.collab.access import Member
from server.collab.errors import InvalidUpdate
from server.collab.protocol import parse, update_frame
from server.collab.room import Room
from server.content import layout
from server.content.shape import Layout

EDITOR = Member(user_id=1, card_id=1, role="lead", can_edit=True, can_comment=True, identity={"name": "x"})
# pyo3 raises a panic inside yrs as this class: a BaseException, in module pyo3_runtime.
PanicException = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})


class _Store:
    def __init__(self) -> None:
        self.rows: list[bytes] = []

    def append(self, card_id: int, updates: list[bytes]) -> int:
        self.rows.extend(updates)
        return len(self.rows)


class _Wire:
    def send(self, conn_id: str, card_id: int, message: bytes) -> None:
        pass

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first=()) -> None:
        pass


def _room_and_client():
    template = schemas.load_template()
    seed = Doc()
    layout.seed(seed, template)
    store = _Store()
    room = Room(1, seed, store, _Wire(), spawn=lambda fn: None, layout=Layout.of(template))
    room.join("c1", EDITOR)
    client = Doc()
    client.apply_update(room.state())
    return room, store, client


def _typed(client: Doc, text: str) -> bytes:
    before = client.get_state()
    title = client.get("title", type=Text)
    title.insert(len(title), text)
    return client.get_update(before)


def _title(doc: Doc) -> str:
    return str(doc.get("title", type=Text))


@pytest.mark.parametrize("interruption", [Timeout, GreenletExit, KeyboardInterrupt])
@pytest.mark.parametrize("where", ["check", "apply"])
def test_an_interrupted_update_is_not_refused_and_not_left_half_applied(interruption, where, monkeypatch):
    room, store, client = _room_and_client()
    room.receive("c1", parse(update_frame(_typed(client, "abc"))), EDITOR)
    update = _typed(client, "d")

    original = integrity.unintegrated if where == "check" else Doc.apply_update
    calls = []

    def interrupt(*args, **kwargs):  # once: what the room does afterwards runs as it would
        calls.append(1)
        if len(calls) == 1:
            raise interruption()
        return original(*args, **kwargs)

    with monkeypatch.context() as patch:
        if where == "check":  # the update is in the Doc already when the interruption comes
            patch.setattr(integrity, "unintegrated", interrupt)
        else:
            patch.setattr(Doc, "apply_update", interrupt)
        with pytest.raises(interruption):
            room.receive("c1", parse(update_frame(update)), EDITOR)
    # Neither kept unsent and unstored in the Doc nor refused: sent again, it is accepted.
    assert _title(room.doc) == "abc"
    room.receive("c1", parse(update_frame(update)), EDITOR)
    room.flush()
    assert _title(room.doc) == "abcd"
    stored = Doc()
    for row in store.rows:
        stored.apply_update(row)
    assert _title(stored) == "abcd"


def test_a_panic_in_yrs_is_still_a_refused_update(monkeypatch):
    room, _store, client = _room_and_client()
    room.receive("c1", parse(update_frame(_typed(client, "abc"))), EDITOR)

    def panic(*args, **kwargs):
        raise PanicException("called `Option::unwrap()` on a `None` value")

    monkeypatch.setattr(integrity, "unintegrated", panic)
    with pytest.raises(InvalidUpdate):
        room.receive("c1", parse(update_frame(_typed(client, "d"))), EDITOR)
    assert _title(room.doc) == "abc"
