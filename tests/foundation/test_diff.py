"""The per-field diff: words in Arabic and French, table rows by id, choices."""
from __future__ import annotations

import copy

import schemas
from server import demo
from server.content.diff import diff, words

TEMPLATE = schemas.load_template("ogp-card", 1)
CARD = {"number": "1", "axis": None, "lead": None, "co_lead": None}
FIELDS = demo.load_data()["cards"][0]["fields"]
for _i, _row in enumerate(FIELDS["milestones"]):
    _row.setdefault("id", f"{_i:012x}")


def content(fields):
    return {"template": {"id": "ogp-card", "version": 1}, "card": dict(CARD), "fields": fields}


def by_id(result):
    return {f["id"]: f for f in result["fields"]}


def test_arabic_words_inserted_in_a_sentence_are_exactly_the_insert():
    old = "تلتزم الوزارة بنشر المعطيات"
    new = "تلتزم الوزارة بنشر جميع المعطيات المالية"
    segments = words(old, new)
    assert [s["text"] for s in segments if s["op"] == "insert"] == ["جميع ", " المالية"]
    assert "".join(s["text"] for s in segments if s["op"] != "insert") == old
    assert "".join(s["text"] for s in segments if s["op"] != "delete") == new


def test_french_accents_and_apostrophes_stay_whole():
    segments = words("L'accès à l'information", "L'accès élargi à l'information")
    assert [s["text"].strip() for s in segments if s["op"] == "insert"] == ["élargi"]


def test_a_moved_and_edited_row_and_a_changed_choice():
    old = content(copy.deepcopy(FIELDS))
    fields = copy.deepcopy(FIELDS)
    rows = fields["milestones"]
    first = {**rows[0], "activity": rows[0]["activity"] + " (محين)"}
    fields["milestones"] = [*rows[1:], first]
    values = fields["ogp_values"]
    key = next(iter(values))
    values[key] = {**values[key], "selected": not values[key]["selected"]}
    result = by_id(diff(TEMPLATE, old, content(fields)))
    states = {r["id"]: r["state"] for r in result["milestones"]["rows"]}
    assert states[first["id"]] == "moved" and list(states.values()).count("moved") == 1
    moved = next(r for r in result["milestones"]["rows"] if r["id"] == first["id"])
    assert [c["column"] for c in moved["changed_cells"]] == ["activity"]
    assert any(s["op"] == "insert" and "محين" in s["text"] for s in moved["changed_cells"][0]["segments"])
    assert result["ogp_values"]["options"][0]["option"] == key
    assert not result["title"]["changed"]


def test_rows_added_and_removed_formatting_only_and_no_change():
    same = diff(TEMPLATE, content(FIELDS), content(copy.deepcopy(FIELDS)))
    assert same["changed"] is False
    fields = copy.deepcopy(FIELDS)
    gone = fields["milestones"].pop(0)
    fields["milestones"].append({**gone, "id": "ffffffffffff"})
    problem = fields["problem"]
    node = next(n for n in problem[0]["content"] if n["type"] == "text")
    node["marks"] = [{"type": "bold"}]
    result = by_id(diff(TEMPLATE, content(FIELDS), content(fields)))
    states = {r["id"]: r["state"] for r in result["milestones"]["rows"]}
    assert states[gone["id"]] == "removed" and states["ffffffffffff"] == "added"
    assert result["problem"]["changed"] and result["problem"]["formatting_only"]
