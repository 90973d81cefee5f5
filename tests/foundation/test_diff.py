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


# --- the diff in detail: tokens, rows, choices, dates, metadata, the page macro ---------------

import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402

from server.content.diff import tokens  # noqa: E402
from server.i18n import translate  # noqa: E402


def joined(segments, leave_out):
    return "".join(s["text"] for s in segments if s["op"] != leave_out)


def assert_exact(segments, old, new):
    assert joined(segments, "insert") == old
    assert joined(segments, "delete") == new
    assert all(a["op"] != b["op"] for a, b in zip(segments, segments[1:]))  # no two pieces alike in a row


def changed_only(segments):
    return [(s["op"], s["text"]) for s in segments if s["op"] != "equal"]


def milestones(n=8):
    return [{"id": f"{i + 1:012x}", "activity": f"النشاط رقم {i + 1} لتتبع تنفيذ الالتزام",
             "deliverable": f"Livrable n° {i + 1} : rapport d'étape", "start": "2024-03", "end": "2024-09",
             "responsible": "وزارة الانتقال الرقمي"} for i in range(n)]


def with_fields(**changes):
    fields = copy.deepcopy(FIELDS)
    fields["milestones"] = milestones()
    fields.update(changes)
    return fields


def test_tokens_keep_arabic_words_with_their_marks_and_french_elisions_whole():
    text = "أُجيبَ عنها، في الأجل؟ L'État s'engage aujourd’hui (2024-2027) : 31,5 %\n\nfin"
    assert "".join(tokens(text)) == text
    assert tokens(text)[:6] == ["أُجيبَ", " ", "عنها", "،", " ", "في"]
    assert {"L'État", "s'engage", "aujourd’hui", "2024-2027", "31,5", "؟", "\n"} <= set(tokens(text))
    assert tokens(" \t a") == [" \t ", "a"]


def test_arabic_words_inserted_mid_sentence_with_harakat():
    old = "تلتزم الوزارةُ بنشرِ المعطيات المالية في آجالها القانونية."
    new = "تلتزم الوزارةُ بنشرِ جميعِ المعطيات المالية المحيّنة في آجالها القانونية."
    segments = words(old, new)
    assert_exact(segments, old, new)
    assert [op for op, _ in changed_only(segments)] == ["insert", "insert"]
    assert [text.strip() for _, text in changed_only(segments)] == ["جميعِ", "المحيّنة"]
    assert all(text.strip(" ") == text.strip() and text.count(" ") == 1 for _, text in changed_only(segments))


def test_french_sentence_with_accents_and_apostrophes():
    old = "L'administration s'engage à publier l'état d'avancement chaque trimestre."
    new = "L'administration s'engage à publier l'état détaillé d'exécution chaque semestre."
    segments = words(old, new)
    assert_exact(segments, old, new)
    assert changed_only(segments) == [("delete", "d'avancement"), ("insert", "détaillé d'exécution"),
                                      ("delete", "trimestre"), ("insert", "semestre")]


def test_long_texts_keep_their_paragraphs_and_stay_exact():
    rng = random.Random(5)
    paragraphs = [canonical for card in demo.load_data()["cards"] for canonical in
                  (card["fields"]["summary"], card["fields"]["title"])]
    old = "\n".join(paragraphs * 6)
    pieces = tokens(old)
    for _ in range(25):
        i = rng.randrange(len(pieces))
        pieces[i:i + rng.randint(0, 3)] = rng.choice([["كلمة", " ", "مضافة", " "], ["mot", " "], ["\n"], []])
    new = "".join(pieces)
    segments = words(old, new)
    assert_exact(segments, old, new)
    assert words(old, old) == [{"op": "equal", "text": old}] and words("", "") == []


def test_a_row_moved_and_edited_is_the_only_moved_row_and_its_cell_shows_words():
    old = content(with_fields())
    fields = with_fields()
    rows = fields["milestones"]
    row = rows.pop(2)
    row["deliverable"] = "Livrable n° 3 : rapport d'étape validé"
    rows.insert(6, row)
    result = by_id(diff(TEMPLATE, old, content(fields)))["milestones"]
    assert result["changed"] and result["moved"] == [row["id"]] and result["edited"] == [row["id"]]
    assert result["added"] == result["removed"] == []
    states = [(r["id"], r["state"]) for r in result["rows"]]
    assert [s for _, s in states].count("moved") == 1 and [s for _, s in states].count("same") == 7
    moved = next(r for r in result["rows"] if r["id"] == row["id"])
    assert (moved["old_index"], moved["new_index"], moved["moved"], moved["edited"]) == (2, 6, True, True)
    assert [c["column"] for c in moved["changed_cells"]] == ["deliverable"]
    assert changed_only(moved["changed_cells"][0]["segments"]) == [("insert", " validé")]


def test_rows_added_and_removed_are_listed_where_they_were():
    old = content(with_fields())
    fields = with_fields()
    rows = fields["milestones"]
    gone = rows.pop(4)
    rows.insert(1, {**milestones(1)[0], "id": "aaaaaaaaaaaa", "activity": "نشاط جديد"})
    result = by_id(diff(TEMPLATE, old, content(fields)))["milestones"]
    assert (result["added"], result["removed"], result["moved"], result["edited"]) == (
        ["aaaaaaaaaaaa"], [gone["id"]], [], [])
    order = [(r["id"], r["state"]) for r in result["rows"]]
    assert order[1] == ("aaaaaaaaaaaa", "added")
    assert order[order.index(("000000000004", "same")) + 1] == (gone["id"], "removed")  # after its old neighbour
    removed = next(r for r in result["rows"] if r["state"] == "removed")
    assert removed["cells"]["activity"] == gone["activity"] and removed["new_index"] is None


def test_choice_date_and_justification_changes():
    old = content(with_fields(policy_area="access_to_information", start_date="2024-01"))
    fields = with_fields(policy_area="justice", start_date="2024-06")
    key = next(iter(fields["ogp_values"]))
    fields["ogp_values"][key]["justification"] += " مع إشراك المجتمع المدني"
    fields["milestones"][0]["end"] = "2025-03"
    result = by_id(diff(TEMPLATE, old, content(fields)))
    area = result["policy_area"]
    assert (area["old"], area["new"]) == ("access_to_information", "justice")
    assert area["new_label"]["fr"] == "Justice" and area["old_label"]["ar"]
    assert (result["start_date"]["old"], result["start_date"]["new"]) == ("2024-01", "2024-06")
    assert not result["end_date"]["changed"]
    [option] = result["ogp_values"]["options"]
    assert option["option"] == key and option["justification_changed"]
    assert option["old_selected"] == option["new_selected"]
    assert changed_only(option["justification"]) == [("insert", " مع إشراك المجتمع المدني")]
    [cell] = next(r for r in result["milestones"]["rows"] if r["state"] == "changed")["changed_cells"]
    assert (cell["column"], cell["old"], cell["new"]) == ("end", "2024-09", "2025-03") and "segments" not in cell


def test_formatting_only_and_formatting_with_text():
    base = [{"type": "paragraph", "content": [{"type": "text", "text": "نص الإشكالية الأول"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "Deuxième paragraphe."}]}]
    bold = copy.deepcopy(base)
    bold[0]["content"] = [{"type": "text", "text": "نص "}, {"type": "text", "text": "الإشكالية", "marks": [{"type": "bold"}]},
                          {"type": "text", "text": " الأول"}]
    listed = [base[0], {"type": "bulletList", "content": [{"type": "listItem", "content": [base[1]]}]}]
    retyped = copy.deepcopy(base)
    retyped[1]["content"][0]["text"] = "Deuxième paragraphe, revu."
    old = content(with_fields(problem=base))
    for value, only, formatting in ((bold, True, True), (listed, True, True), (retyped, False, False)):
        entry = by_id(diff(TEMPLATE, old, content(with_fields(problem=value))))["problem"]
        assert entry["changed"] and entry["formatting_only"] is only and entry["formatting_changed"] is formatting
        assert_exact(entry["segments"], "نص الإشكالية الأول\nDeuxième paragraphe.",
                     "نص الإشكالية الأول\nDeuxième paragraphe." if only else "نص الإشكالية الأول\nDeuxième paragraphe, revu.")
    both = copy.deepcopy(bold)
    both.append({"type": "paragraph", "content": [{"type": "text", "text": "جديد", "marks": [{"type": "italic"}]}]})
    entry = by_id(diff(TEMPLATE, old, content(with_fields(problem=both))))["problem"]
    assert not entry["formatting_only"] and entry["formatting_changed"]
    assert changed_only(entry["segments"]) == [("insert", "\nجديد")]


def test_identical_contents_and_metadata_changes():
    old = content(with_fields())
    same = diff(TEMPLATE, old, copy.deepcopy(old))
    assert same["changed"] is False and same["card"] == []
    assert all(set(f) == {"id", "kind", "label", "changed"} for f in same["fields"])
    assert [f["id"] for f in same["fields"]] == [f["id"] for f in TEMPLATE["fields"] if f.get("source") != "card"]
    assert same["counts"] == {"fields_changed": 0, "fields_unchanged": len(same["fields"])}
    new = copy.deepcopy(old)
    new["card"]["number"] = "2"
    new["card"]["lead"] = {"ar": "وزارة العدل", "fr": "Ministère de la Justice", "en": "Ministry of Justice"}
    result = diff(TEMPLATE, old, new)
    assert result["changed"] and result["counts"]["fields_changed"] == 0
    assert [(c["key"], c["old"], c["new"]) for c in result["card"]] == [
        ("number", "1", "2"), ("lead", None, new["card"]["lead"])]
    assert result["card"][0]["label"]["fr"] == "Engagement n°"


def test_what_the_version_api_reads():
    """The shape GET /cards/{id}/diff serves (tests/foundation/test_approval.py reads it too)."""
    old = content(with_fields())
    fields = with_fields(title=FIELDS["title"] + " آخر")
    rows = fields["milestones"]
    fields["milestones"] = [rows[1], {**rows[0], "activity": "نشاط معدل"}, *rows[2:]]
    result = diff(TEMPLATE, old, content(fields))
    entries = by_id(result)
    assert any(s["op"] == "insert" and "آخر" in s["text"] for s in entries["title"]["segments"])
    assert {r["state"] for r in entries["milestones"]["rows"]} >= {"moved"}
    assert len(entries["milestones"]["moved"]) == 1  # two rows swapped: one of them moved
    assert entries["milestones"]["edited"] == [rows[0]["id"]]
    json_ready = json.loads(json.dumps(result, ensure_ascii=False))
    assert json_ready == result


# --- the page macro --------------------------------------------------------------------------

@pytest.fixture
def render(tmp_path, monkeypatch):
    from server import create_app

    monkeypatch.setenv("ILTIZAM_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}", "SECRET_KEY": "t",
                      "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": None})
    macro = app.jinja_env.get_template("_diff.html").module.render_diff

    def run(result, lang="fr"):
        with app.app_context():
            return str(macro(result, lang, lambda key, **params: translate(key, lang, **params)))

    yield run
    app.extensions["iltizam.engine"].dispose()


def tags(html, name):
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(rf"<{name}>(.*?)</{name}>", html, re.S)]


def test_the_macro_marks_words_escapes_content_and_counts_the_unchanged(render):
    old = content(with_fields(title="عنوان الالتزام الحالي", summary="Résumé <b>initial</b>"))
    old["fields"]["causes"] = [{"type": "paragraph", "content": [{"type": "text", "text": "Cause <i>x</i>"}]}]
    fields = with_fields(title="عنوان الالتزام الجديد", summary="Résumé <script>alert('x')</script> initial",
                         policy_area="justice")
    rows = fields["milestones"]
    rows.insert(5, rows.pop(1))
    rows[0]["activity"] += " محين"
    result = diff(TEMPLATE, old, content(fields))
    html = render(result)
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert tags(html, "ins")[1:4] == ["script", "alert(&#39;x&#39;)", "script"]  # escaped, inside <ins>
    assert "Cause &lt;<del>i</del>" not in html and "&lt;i&gt;x&lt;/i&gt;</del>" in html
    assert tags(html, "del")[:1] == ["الحالي"] and tags(html, "ins")[:1] == ["الجديد"]
    assert '<div class="diff-text" dir="auto">' in html
    unchanged = result["counts"]["fields_unchanged"]
    assert f"Champs inchangés : {unchanged}" in html
    assert "Déplacée de la ligne 2 à la ligne 6" in html and "Ligne modifiée" in html
    assert "Lignes inchangées : 6" in html
    assert "<del><bdi>Accès à l&#39;information</bdi></del>" in html and "<ins><bdi>Justice</bdi></ins>" in html
    arabic = render(result, "ar")
    assert "حقول دون تغيير: " + str(unchanged) in arabic and "عنوان الالتزام" in arabic


def test_the_macro_shortens_long_unchanged_runs_and_says_no_change(render):
    sentence = " ".join(f"كلمة{i}" for i in range(60))
    old = content(with_fields(title=sentence))
    fields = with_fields(title=sentence.replace("كلمة30", "كلمة30 مضافة"))
    html = render(diff(TEMPLATE, old, content(fields)))
    assert [text.strip() for text in tags(html, "ins")] == ["مضافة"]
    text = re.search(r'<div class="diff-text" dir="auto">(.*?)</div>', html, re.S).group(1)
    assert text.count("diff-elided") == 2
    visible = re.sub(r"<[^>]+>", "", text)
    assert "كلمة19" in visible and "كلمة18 " not in visible and "كلمة42" in visible and "كلمة43" not in visible
    none = render(diff(TEMPLATE, old, copy.deepcopy(old)))
    assert "Aucune modification entre ces deux versions." in none and "<ins>" not in none
