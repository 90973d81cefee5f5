"""Comment anchors under real co-editing: two clients type through the server while a reviewer's
thread must keep pointing at its text (or say it is detached), across a restart.

The clients edit as the browser binding does: characters into a paragraph's text, Enter as
"delete the tail, insert a new paragraph holding it", a table row moved as delete + insert
of a row with the same id.
"""
from __future__ import annotations

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from collab_support import call, wait_until

FIRST = "يعاني المواطنون من صعوبة الوصول إلى المعلومات العمومية."
SECOND = "Les délais de réponse dépassent souvent 60 jours."
QUOTE = "الوصول إلى المعلومات"


def _bytes(text: str, index: int) -> int:
    """pycrdt indexes text by UTF-8 bytes; the tests think in characters."""
    return len(text[:index].encode("utf-8"))


def paragraph_text(doc: Doc, index: int) -> XmlText:
    return doc.get("problem", type=XmlFragment).children[index].children[0]


def write_problem(doc: Doc) -> None:
    fragment = doc.get("problem", type=XmlFragment)
    first = fragment.children[0]
    text = first.children[0] if len(first.children) else first.children.append(XmlText())
    text.insert(0, FIRST)
    fragment.children.append(XmlElement("paragraph")).children.append(XmlText()).insert(0, SECOND)


def insert_at(paragraph: int, at: int, text: str):
    def change(doc: Doc) -> None:
        node = paragraph_text(doc, paragraph)
        node.insert(_bytes(str(_plain(node)), at), text)
    return change


def insert_after(paragraph: int, anchor: str, text: str):
    """Type right after `anchor`, wherever it is in this client's copy at that moment."""
    def change(doc: Doc) -> None:
        node = paragraph_text(doc, paragraph)
        plain = _plain(node)
        assert anchor in plain, plain
        node.insert(_bytes(plain, plain.index(anchor) + len(anchor)), text)
    return change


def delete_range(paragraph: int, start: int, end: int):
    def change(doc: Doc) -> None:
        node = paragraph_text(doc, paragraph)
        plain = _plain(node)
        del node[_bytes(plain, start):_bytes(plain, end)]
    return change


def press_enter(paragraph: int, at: int):
    """What the editor does on Enter: the tail leaves this paragraph for a new one."""
    def change(doc: Doc) -> None:
        fragment = doc.get("problem", type=XmlFragment)
        node = paragraph_text(doc, paragraph)
        plain = _plain(node)
        del node[_bytes(plain, at):]
        fragment.children.insert(paragraph + 1, XmlElement("paragraph")).children.append(XmlText()).insert(0, plain[at:])
    return change


def paragraphs(client) -> list[str]:
    """The problem field's paragraphs as a client has them now."""
    with client.lock:
        return ["".join(_plain(c) for c in p.children if isinstance(c, XmlText))
                for p in client.doc.get("problem", type=XmlFragment).children]


def _plain(node: XmlText) -> str:
    return "".join(chunk for chunk, _ in node.diff() if isinstance(chunk, str))


def thread_now(server, token: str, thread_id: int) -> dict:
    status, thread = call(server, "GET", f"/threads/{thread_id}", token)
    assert status == 200, thread
    return thread


def test_a_range_follows_its_text_while_two_people_type(server, world, connect):
    lead = connect(server, world.tokens["lead"])
    co_lead = connect(server, world.tokens["co_lead"])
    lead.join(world.card_id)
    co_lead.join(world.card_id)
    assert lead.edit(write_problem)["ok"]
    wait_until(lambda: paragraphs(co_lead) == [FIRST, SECOND], message="the co-lead has the text")
    status, thread = call(server, "POST", f"/cards/{world.card_id}/threads", world.tokens["reviewer"],
                          {"field": "problem", "quote": QUOTE, "body": "أي معلومات بالضبط؟"})
    assert status == 201, thread
    start = FIRST.index(QUOTE)
    assert (thread["start"], thread["current_text"]) == (start, QUOTE)

    # Arabic typed before the range and French after it, at the same moment.
    lead.edit(insert_at(0, 0, "للأسف، "), ack=False)
    co_lead.edit(insert_after(0, QUOTE, " (et archives)"))
    wait_until(lambda: paragraphs(lead)[0].count("archives") == 1 and paragraphs(co_lead)[0].startswith("للأسف")
               and paragraphs(lead) == paragraphs(co_lead), message="both edits everywhere")
    now = thread_now(server, world.tokens["viewer"], thread["id"])
    assert paragraphs(lead)[0] == "للأسف، " + FIRST.replace(QUOTE, QUOTE + " (et archives)")
    assert now["current_text"] == QUOTE and now["start"] == start + len("للأسف، ")

    # Typing inside the range widens it.
    inside = start + len("للأسف، ") + len("الوصول ")
    assert co_lead.edit(insert_at(0, inside, "الحر "))["ok"]
    assert thread_now(server, world.tokens["viewer"], thread["id"])["current_text"] == "الوصول الحر إلى المعلومات"

    # Enter in the middle of the range: the range keeps the part left in its paragraph. The lead
    # presses it in its own copy, so that copy must first hold the word the co-lead just typed.
    wait_until(lambda: paragraphs(lead) == paragraphs(co_lead), message="the lead has the co-lead's word")
    split = inside + len("الحر ")
    assert lead.edit(press_enter(0, split))["ok"]
    after_enter = thread_now(server, world.tokens["viewer"], thread["id"])
    assert not after_enter["detached"] and after_enter["current_text"] == "الوصول الحر "

    # The text deleted: detached, with its original quote; typed back (an undo): attached again.
    text = _plain(paragraph_text(lead.doc, 0))
    at = text.index("الوصول")
    assert lead.edit(delete_range(0, at, len(text)))["ok"]
    assert lead.edit(delete_range(1, 0, len("إلى المعلومات")))["ok"]
    gone = thread_now(server, world.tokens["viewer"], thread["id"])
    assert gone["detached"] and gone["quote"] == QUOTE and gone["current_text"] is None
    assert lead.edit(insert_at(1, 0, QUOTE))["ok"]
    back = thread_now(server, world.tokens["viewer"], thread["id"])
    assert not back["detached"] and back["current_text"] == QUOTE


def test_a_table_cell_thread_follows_its_row_and_detaches_with_it(server, world, connect):
    lead = connect(server, world.tokens["lead"])
    lead.join(world.card_id)

    def add_row(doc: Doc) -> None:
        doc.get("milestones", type=Array).append(Map({"id": "row000000001", "activity": Text("Former 200 agents publics"),
                                                      "deliverable": Text("Guide"), "start": "", "end": "",
                                                      "responsible": Text("")}))
    assert lead.edit(add_row)["ok"]
    status, thread = call(server, "POST", f"/cards/{world.card_id}/threads", world.tokens["reviewer"],
                          {"field": "milestones", "row": "row000000001", "column": "activity",
                           "quote": "200 agents", "body": "Dans quelles régions ?"})
    assert status == 201, thread

    def move_row_first(doc: Doc) -> None:
        rows = doc.get("milestones", type=Array)
        index = next(i for i, r in enumerate(rows) if r.get("id") == "row000000001")
        old = rows[index]
        copy = {key: (Text(str(value)) if isinstance(value, Text) else value) for key, value in old.items()}
        del rows[index]
        rows.insert(0, Map(copy))
    assert lead.edit(move_row_first)["ok"]
    moved = thread_now(server, world.tokens["viewer"], thread["id"])
    assert not moved["detached"] and moved["current_text"] == "200 agents"

    def delete_row(doc: Doc) -> None:
        rows = doc.get("milestones", type=Array)
        del rows[next(i for i, r in enumerate(rows) if r.get("id") == "row000000001")]
    assert lead.edit(delete_row)["ok"]
    assert thread_now(server, world.tokens["viewer"], thread["id"])["detached"]


def test_anchors_survive_a_restart(start_server, world, connect):
    first = start_server()
    lead = connect(first, world.tokens["lead"])
    lead.join(world.card_id)
    assert lead.edit(write_problem)["ok"]
    status, thread = call(first, "POST", f"/cards/{world.card_id}/threads", world.tokens["reviewer"],
                          {"field": "problem", "quote": "60 jours", "body": "Source ?"})
    assert status == 201
    lead.edit(insert_at(1, 0, "Hélas, "))
    lead.close()
    first.stop()
    second = start_server()
    again = thread_now(second, world.tokens["viewer"], thread["id"])
    assert again["current_text"] == "60 jours" and again["start"] == len(FIRST) + 1 + len("Hélas, ") + SECOND.index("60")


def test_everyone_on_the_card_hears_of_thread_events_and_the_reviewer_still_cannot_edit(server, world, connect):
    viewer = connect(server, world.tokens["viewer"])
    reviewer = connect(server, world.tokens["reviewer"])
    viewer.join(world.card_id)
    assert reviewer.join(world.card_id)["can_edit"] is False
    status, thread = call(server, "POST", f"/cards/{world.card_id}/threads", world.tokens["reviewer"],
                          {"field": "title", "body": "Titre ?"})
    assert status == 201
    wait_until(lambda: any(e.get("kind") == "thread_created" and e["thread"]["id"] == thread["id"]
                           for _, e in viewer.events), message="the viewer hears of the new thread")
    status, _ = call(server, "POST", f"/threads/{thread['id']}/resolve", world.tokens["reviewer"])
    assert status == 200
    wait_until(lambda: any(e.get("kind") == "thread_resolved" for _, e in viewer.events),
               message="the viewer hears of the resolution")
    refused = reviewer.edit(lambda doc: doc.get("title", type=Text).insert(0, "x"))
    assert refused["ok"] is False
