"""A well-behaved client's sequential edits are accepted whatever its client id: ids with high
bits, at 32-bit boundaries, or next to the ids of the seed and of the room's own Doc, through
checkpoints and server-side writes in between."""
from __future__ import annotations

import random

import pytest
from pycrdt import Doc, Text

import schemas
from server.collab import room as room_module
from server.collab.access import Member
from server.collab.errors import InvalidUpdate
from server.collab.protocol import parse, update_frame
from server.collab.room import Room
from server.content import layout
from server.content.layout import SERVER_ORIGIN
from server.content.shape import Layout

EDITOR = Member(user_id=1, card_id=1, role="lead", can_edit=True, can_comment=True, identity={"name": "x"})
SEED, ROOM = 3_000_000_000_000_000, 5_000_000_000_000_000
IDS = [0, 1, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**52, 2**53 - 1,
       SEED - 1, SEED + 1, ROOM - 1, ROOM + 1] + random.Random(8).sample(range(2**53), 7)


class _Store:
    def append(self, card_id: int, updates: list[bytes]) -> int:
        return 1


class _Wire:
    def send(self, conn_id: str, card_id: int, message: bytes) -> None:
        pass

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first=()) -> None:
        pass


@pytest.mark.parametrize("client_id", IDS)
def test_sequential_keystrokes_are_accepted_for_any_client_id(client_id, monkeypatch):
    monkeypatch.setattr(room_module, "CHECKPOINT_EVERY", 97)  # many checkpoints in a short run
    template = schemas.load_template()
    seed = Doc(client_id=SEED)
    layout.seed(seed, template)
    live = Doc(client_id=ROOM)
    live.apply_update(seed.get_update())
    room = Room(1, live, _Store(), _Wire(), spawn=lambda fn: None, layout=Layout.of(template))
    room.join("c1", EDITOR)
    client = Doc(client_id=client_id)
    client.apply_update(room.state())
    text = client.get("title", type=Text)
    for i in range(1500):
        before = client.get_state()
        if i % 10 == 9 and len(text) > 0:
            del text[len(text) // 2]
        else:
            text.insert(len(text) if i % 3 else len(text) // 2, "abcdefghij"[i % 10])
        room.receive("c1", parse(update_frame(client.get_update(before))), EDITOR)
        if i % 250 == 249:  # the server writes too; the client hears of it
            room.edit(lambda doc: doc.get("summary", type=Text).insert(0, "s"), SERVER_ORIGIN)
            client.apply_update(room.state())
        if i % 25 == 24:
            room.flush()
    assert str(room.doc.get("title", type=Text)) == str(text)
    reloaded = Doc()
    reloaded.apply_update(room.state())
    assert str(reloaded.get("title", type=Text)) == str(text)
    assert str(reloaded.get("summary", type=Text)) == "s" * 6


def _room() -> Room:
    template = schemas.load_template()
    seed = Doc(client_id=SEED)
    layout.seed(seed, template)
    live = Doc(client_id=ROOM)
    live.apply_update(seed.get_update())
    room = Room(1, live, _Store(), _Wire(), spawn=lambda fn: None, layout=Layout.of(template))
    room.join("c1", EDITOR)
    return room


def test_a_refused_update_logs_which_check_refused_it(caplog):
    """The log names the cause (struct groups left pending, a deletion outside the known range,
    an error from yrs), never the update's bytes."""
    room = _room()
    typist = Doc(client_id=77)
    text = typist.get("title", type=Text)
    text += "never sent"
    before = typist.get_state()
    text.insert(5, " dangling")
    del text[0:2]
    dangling = typist.get_update(before)
    deletion = typist.get_update(typist.get_state())  # no structs, deletions of unseen items
    for update, cause in ((dangling, "1 struct group(s) not integrated"),
                          (deletion, "deletion of client 77 clocks 0..2 past its known clock 0")):
        caplog.clear()
        with caplog.at_level("WARNING", logger="server.collab.room"), pytest.raises(InvalidUpdate):
            room.receive("c1", parse(update_frame(update)), EDITOR)
        (record,) = caplog.records
        assert cause in record.getMessage()
        assert "dangling" not in record.getMessage()
    assert str(room.doc.get("title", type=Text)) == ""
