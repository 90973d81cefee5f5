"""Updates that break the template's layout are refused over the socket path: the room's Doc
is as before, nothing is relayed or stored. Typing stays cheap."""
from __future__ import annotations

import time

import pytest
from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

import schemas
from server.collab.access import Member
from server.collab.errors import InvalidShape
from server.collab.protocol import parse, update_frame
from server.collab.room import Room
from server.content import layout
from server.content.shape import MAX_DEPTH, Layout


class _Store:
    def __init__(self) -> None:
        self.appended: list[bytes] = []

    def append(self, card_id: int, updates: list[bytes]) -> int:
        self.appended.extend(updates)
        return len(self.appended)


class _Wire:
    def __init__(self) -> None:
        self.broadcasts: list[bytes] = []

    def send(self, conn_id: str, card_id: int, message: bytes) -> None:
        pass

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first=()) -> None:
        self.broadcasts.append(message)


EDITOR = Member(user_id=1, card_id=1, role="lead", can_edit=True, can_comment=True, identity={"name": "x"})


@pytest.fixture
def room() -> Room:
    template = schemas.load_template()
    doc = Doc()
    layout.seed(doc, template)
    room = Room(1, doc, _Store(), _Wire(), spawn=lambda fn: None, layout=Layout.of(template))
    room.join("c1", EDITOR)
    return room


def _client(room: Room) -> Doc:
    doc = Doc()
    doc.apply_update(room.state())
    return doc


def _send(room: Room, client: Doc, change) -> None:
    before = client.get_state()
    change(client)
    room.receive("c1", parse(update_frame(client.get_update(before))), EDITOR)


def _refused(room: Room, change) -> str:
    before = room.state()
    with pytest.raises(InvalidShape) as caught:
        _send(room, _client(room), change)
    assert room.state() == before
    room.flush()
    assert room.transport.broadcasts == [] and room.store.appended == []
    return str(caught.value)


def _nested(depth: int):
    def change(doc: Doc) -> None:
        node = doc.get("problem", type=XmlFragment).children[0]
        for _ in range(depth):
            node = node.children.append(XmlElement("paragraph"))
    return change


def test_three_thousand_nested_paragraphs_are_refused(room):
    assert "deeper than" in _refused(room, _nested(3000))


def test_nesting_up_to_the_limit_is_fine(room):
    _send(room, _client(room), _nested(MAX_DEPTH - 1))


def test_an_unknown_node_is_refused(room):
    message = _refused(room, lambda d: d.get("problem", type=XmlFragment).children.append(XmlElement("script")))
    assert "'script'" in message


def test_an_unknown_mark_is_refused(room):
    def style(doc: Doc) -> None:
        text = doc.get("problem", type=XmlFragment).children[0].children[0]
        text.insert(0, "red", {"textStyle": {"color": "red"}})
    assert "'textStyle'" in _refused(room, style)


def test_formatting_in_a_plain_text_field_is_refused(room):
    _refused(room, lambda d: d.get("title", type=Text).insert(0, "bold", {"bold": {}}))


def test_a_rich_text_root_written_as_text_is_refused(room):
    fresh = Doc()  # knows nothing: its item names the root itself
    before = room.state()
    with pytest.raises(InvalidShape):
        room.receive("c1", parse(update_frame(_update(fresh, lambda d: d.get("problem", type=Text).insert(0, "x")))),
                     EDITOR)
    assert room.state() == before


def test_characters_placed_beside_a_node_instead_of_inside_text_are_refused(room):
    # The client reads the rich-text root as Text: its character lands next to the paragraph
    # (an ordinary-looking typing update), in the server's fragment.
    assert "where nodes or text belong" in _refused(room, lambda d: d.get("problem", type=Text).insert(1, "x"))


def test_a_root_outside_the_template_is_refused(room):
    assert "not a field" in _refused(room, lambda d: d.get("script", type=Text).insert(0, "x"))


def test_a_table_row_that_is_not_a_map_is_refused(room):
    _refused(room, lambda d: d.get("milestones", type=Array).append(Text("row")))


def _update(doc: Doc, change) -> bytes:
    before = doc.get_state()
    change(doc)
    return doc.get_update(before)


def test_ordinary_edits_pass(room):
    client = _client(room)
    _send(room, client, lambda d: d.get("title", type=Text).insert(0, "title"))
    paragraph = client.get("problem", type=XmlFragment).children[0]
    _send(room, client, lambda d: paragraph.children[0].insert(0, "word", {"bold": {}, "link": {"href": "https://x"}}))
    _send(room, client, lambda d: d.get("problem", type=XmlFragment).children.append(
        XmlElement("bulletList", {}, [XmlElement("listItem", {}, [XmlElement("paragraph", {}, [XmlText("item")])])])))
    rows = client.get("milestones", type=Array)
    _send(room, client, lambda d: rows.append(layout.empty_row(schemas.field_map(schemas.load_template())["milestones"])))
    _send(room, client, lambda d: d.get("ogp_values", type=Map)["transparency"].__setitem__("selected", True))
    assert str(room.doc.get("title", type=Text)) == "title"


def test_typing_costs_little(room):
    """Not an assertion on time: prints what the shape check adds per keystroke."""
    client = _client(room)
    paragraph = client.get("problem", type=XmlFragment).children[0].children[0]
    frames = []
    for _ in range(2000):
        frames.append(parse(update_frame(_update(client, lambda d: paragraph.insert(len(paragraph), "x")))))
    unchecked = Room(1, Doc(), _Store(), _Wire(), spawn=lambda fn: None)
    unchecked.doc.apply_update(room.state())
    timings = []
    for target in (unchecked, room):
        started = time.perf_counter()
        for frame in frames:
            target.receive("c1", frame, EDITOR)
        timings.append((time.perf_counter() - started) / len(frames) * 1e6)
    assert str(room.doc.get("problem", type=XmlFragment).children[0].children[0]) == "x" * 2000
    print(f"\nper keystroke in rich text: {timings[0]:.0f} us without layout, {timings[1]:.0f} us with")
