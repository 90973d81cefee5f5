"""Server-side writes (API, import) are all or nothing: a `change` that fails part-way leaves the
live room and the store exactly as they were, and every later edit still integrates."""
from __future__ import annotations

import pytest
from pycrdt import Doc, Text

from server.collab.access import Member
from server.collab.wiring import documents
from server.collab.protocol import parse, update_frame
from server.collab.room import Room
from server.content.layout import SERVER_ORIGIN


class _Wire:
    """A Transport that records what a room broadcasts."""

    def __init__(self) -> None:
        self.broadcasts: list[bytes] = []

    def send(self, conn_id: str, card_id: int, message: bytes) -> None:
        pass

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first=()) -> None:
        self.broadcasts.append(message)


class Boom(Exception):
    pass


def _write_then_fail(doc: Doc) -> None:
    doc.get("summary", type=Text).insert(0, "SERVER-TEXT ")
    raise Boom("the second field could not be written")


def _text(state: bytes, name: str) -> str:
    doc = Doc()
    doc.apply_update(state)
    return str(doc.get(name, type=Text))


def _editor(card_id: int) -> Member:
    return Member(user_id=1, card_id=card_id, role="lead", can_edit=True, can_comment=True,
                  identity={"name": "x"})


def test_a_failed_server_write_leaves_the_room_untouched_and_later_edits_survive_a_reload(app, world):
    store = documents(app).store
    wire = _Wire()
    room = Room.load(world.card_id, store, wire, spawn=lambda fn: fn())
    before = room.state()
    with pytest.raises(Boom):
        room.edit(_write_then_fail, SERVER_ORIGIN)
    assert room.state() == before
    assert _text(room.state(), "summary") == ""

    # A person joining now types next to where the failed text would have been...
    member = _editor(world.card_id)
    room.join("c1", member)
    client = Doc()
    client.apply_update(room.state())
    start = client.get_state()
    client.get("summary", type=Text).insert(0, "typed ")
    room.receive("c1", parse(update_frame(client.get_update(start))), member)
    # ...and a later server write succeeds.
    room.edit(lambda doc: doc.get("title", type=Text).insert(0, "API title"), SERVER_ORIGIN)
    room.flush()

    reloaded = Room.load(world.card_id, store, _Wire(), spawn=lambda fn: fn())
    assert _text(reloaded.state(), "summary") == "typed "
    assert _text(reloaded.state(), "title") == "API title"


def test_a_failed_write_to_a_card_not_loaded_stores_nothing(app, world):
    docs = documents(app)
    rows = docs.store.log_rows(world.card_id)
    with app.app_context(), pytest.raises(Boom):
        docs.edit(world.card_id, _write_then_fail)
    assert docs.store.log_rows(world.card_id) == rows
    assert str(docs.read(world.card_id).get("summary", type=Text)) == ""


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_write_during_an_outage_to_a_card_not_loaded_is_unavailable(app, world, database_url):
    from test_outage import Outage

    from server.collab.errors import Unavailable

    outage = Outage(database_url)
    outage.begin()
    try:
        with app.app_context(), pytest.raises(Unavailable):
            documents(app).edit(world.card_id, lambda doc: doc.get("title", type=Text).insert(0, "x"))
    finally:
        outage.close()
    app.extensions["iltizam.engine"].dispose()  # its pooled connections were terminated
    assert str(documents(app).read(world.card_id).get("title", type=Text)) == ""
