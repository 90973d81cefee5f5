"""Presence is open to read-only members, so one of them must not be able to flood a room."""
from __future__ import annotations

import json

import pytest

from server.collab import presence
from server.collab.errors import AwarenessRefused, MalformedMessage, PresenceLimit
from server.collab.presence import Presence, encode

ME = {"id": 1, "name": "Salma", "organisation": "Transparency Maroc", "color": "#1f77b4"}


def frame(*entries: tuple[int, int, object]) -> bytes:
    return encode([(cid, clock, state if isinstance(state, str) else json.dumps(state))
                   for cid, clock, state in entries])


def test_a_connection_holds_a_few_client_ids_at_most():
    room = Presence()
    for cid in range(presence.MAX_CLIENTS_PER_CONNECTION):
        room.apply("viewer", frame((cid, 1, {"cursor": cid})), ME)
    with pytest.raises(PresenceLimit):
        room.apply("viewer", frame((99, 1, {"cursor": 0})), ME)
    with pytest.raises(PresenceLimit):  # nor many at once in one frame
        room.apply("other", frame(*((100 + i, 1, {"c": i}) for i in range(presence.MAX_CLIENTS_PER_CONNECTION + 1))), ME)
    # Its own ids it may renew as often as it likes (within the rate), and others are unaffected.
    room.apply("viewer", frame((0, 2, {"cursor": 5})), ME)
    assert room.apply("editor", frame((500, 1, {"cursor": 1})), ME)


def test_released_ids_free_the_connection_allowance():
    room = Presence()
    for cid in range(presence.MAX_CLIENTS_PER_CONNECTION):
        room.apply("tab", frame((cid, 1, {"cursor": cid})), ME)
    room.apply("tab", frame((0, 2, None)), ME)  # the client removed its own state
    room.apply("tab", frame((42, 1, {"cursor": 0})), ME)


def test_a_flood_of_frames_is_refused_past_the_burst():
    room = Presence()
    accepted = refused = 0
    for i in range(int(presence.BURST) * 3):
        try:
            room.apply("flooder", frame((7, i + 1, {"cursor": i})), ME)
            accepted += 1
        except PresenceLimit:
            refused += 1
    assert refused > 0
    assert accepted <= presence.BURST + presence.RATE_PER_SECOND  # the loop takes well under a second
    assert room.apply("someone else", frame((8, 1, {"cursor": 0})), ME)


@pytest.mark.parametrize("bad", ['{"cursor": NaN}', '{"cursor": Infinity}', '{"x": -Infinity}'])
def test_non_finite_numbers_are_refused(bad):
    with pytest.raises(MalformedMessage):
        Presence().apply("c", frame((1, 1, bad)), ME)


def test_states_are_small():
    with pytest.raises(MalformedMessage):
        Presence().apply("c", frame((1, 1, {"junk": "ب" * presence.MAX_STATE_BYTES})), ME)


def test_the_room_total_is_bounded(monkeypatch):
    monkeypatch.setattr(presence, "MAX_ROOM_BYTES", 2000)
    room = Presence()
    with pytest.raises(PresenceLimit):
        for i in range(100):
            room.apply(f"conn{i}", frame((i, 1, {"cursor": "x" * 100})), ME)
    # Leaving gives the room back its room.
    for i in range(100):
        room.release(f"conn{i}")
    assert room.total == 0
    assert room.apply("newcomer", frame((1000, 1, {"cursor": 1})), ME)


def test_released_and_outdated_states_are_forgotten(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(presence.time, "monotonic", lambda: now[0])
    room = Presence()
    room.apply("a", frame((1, 1, {"cursor": 1})), ME)
    room.apply("b", frame((2, 1, {"cursor": 2})), ME)
    room.release("a")
    assert set(room.entries) == {1, 2}
    now[0] += presence.OUTDATED_SECONDS + 1
    assert room.snapshot() is None  # b never renewed: gone too
    assert room.entries == {} and room.total == 0


def test_ownership_is_still_enforced():
    room = Presence()
    room.apply("a", frame((1, 1, {"cursor": 1})), ME)
    with pytest.raises(AwarenessRefused):
        room.apply("b", frame((1, 2, {"cursor": 2})), ME)


def _awareness_frame(client_id: int, clock: int, state: str) -> bytes:
    from pycrdt import create_awareness_message

    return create_awareness_message(encode([(client_id, clock, state)]))


def test_a_viewer_flooding_presence_is_refused_and_others_keep_working(server, world, connect):
    from collab_support import insert_text, wait_until

    editor = connect(server, world.tokens["contributor"])
    assert editor.join(world.card_id)["ok"]
    viewer = connect(server, world.tokens["viewer"])
    assert viewer.join(world.card_id)["ok"]
    big = json.dumps({"junk": "x" * (presence.MAX_STATE_BYTES - 200)})
    answers = [viewer.send(_awareness_frame(10_000 + i, 1, big)) for i in range(40)]
    accepted = [a for a in answers if a == {"ok": True}]
    assert len(accepted) == presence.MAX_CLIENTS_PER_CONNECTION
    assert all(a["error"] == "presence_limit" for a in answers if a not in accepted)
    nan = viewer.send(_awareness_frame(10_000, 2, '{"cursor": NaN}'))
    assert nan["error"] == "malformed"
    # The room still works for everyone, and a newcomer's join completes with a small snapshot.
    assert editor.edit(insert_text("still here")) == {"ok": True}
    newcomer = connect(server, world.tokens["lead"])
    assert newcomer.join(world.card_id)["ok"]
    wait_until(lambda: "still here" in newcomer.text(), message="the newcomer synced")
    held = sum(len(f) for f in newcomer.awareness)
    assert held < (presence.MAX_CLIENTS_PER_CONNECTION + 2) * presence.MAX_STATE_BYTES


def test_people_present_at_once_wear_distinct_colours():
    from server.collab.access import COLOURS, Member, colour_for, with_distinct_colour

    def person(uid: int) -> Member:
        return Member(uid, 1, "contributor", True, True, identity={"id": uid, "color": colour_for(uid)})

    # Find two users whose usual colours collide.
    first = 1
    second = next(uid for uid in range(2, 500) if colour_for(uid) == colour_for(first))
    present = [person(first)]
    joined = with_distinct_colour(person(second), present)
    assert joined.identity["color"] != colour_for(first) and joined.identity["color"] in COLOURS
    # The same person in a second tab keeps the colour they have; a free colour is kept as is.
    assert with_distinct_colour(person(first), [joined, person(first)]).identity["color"] == colour_for(first)
    third = next(uid for uid in range(2, 500) if colour_for(uid) not in {colour_for(first), joined.identity["color"]})
    assert with_distinct_colour(person(third), [present[0], joined]).identity["color"] == colour_for(third)


def _colliding(count: int) -> list[int]:
    """`count` user ids whose usual presence colours are all the same."""
    from server.collab.access import colour_for

    return [uid for uid in range(1, 5000) if colour_for(uid) == colour_for(1)][:count]


def _bare_room():
    from pycrdt import Doc

    from server.collab.room import Room

    class Wire:
        def send(self, conn_id, card_id, message):
            pass

        def broadcast(self, card_id, message, skip, first=()):
            pass

        def event(self, *args):
            pass

    return Room(1, Doc(), None, Wire(), spawn=lambda fn: None)


def _person(uid: int):
    from server.collab.access import Member, colour_for

    return Member(uid, 1, "contributor", True, True, identity={"id": uid, "color": colour_for(uid)})


def test_everyone_joining_a_room_gets_a_colour_nobody_else_present_wears():
    from server.collab.access import COLOURS

    room = _bare_room()
    people = _colliding(len(COLOURS))
    for n, uid in enumerate(people):
        room.join(f"c{n}", _person(uid))
    worn = [m.identity["color"] for m in room.members.values()]
    assert len(set(worn)) == len(COLOURS) == len(worn), worn
    # A second tab of someone present wears that person's colour, not a new one.
    room.join("again", _person(people[3]))
    assert room.members["again"].identity["color"] == room.members["c3"].identity["color"]
    # Once someone leaves, their colour is free for the next one.
    freed = room.members["c5"].identity["color"]
    room.leave("c5")
    room.join("late", _person(_colliding(len(COLOURS) + 1)[-1]))
    assert room.members["late"].identity["color"] == freed


def test_colours_worn_on_other_server_processes_count_too():
    import json

    from server.collab import presence as presence_module
    from server.collab.access import colour_for

    first, second = _colliding(2)
    room = _bare_room()
    # Someone on another process, as their state arrives over Redis.
    state = json.dumps({"user": {"id": first, "name": "x", "color": colour_for(first)}})
    room.presence.apply_trusted(presence_module.encode([(77, 1, state)]))
    room.join("here", _person(second))
    assert room.members["here"].identity["color"] != colour_for(first)
    # The same person as the remote one, in a tab on this process, keeps their colour.
    room.join("same", _person(first))
    assert room.members["same"].identity["color"] == colour_for(first)
