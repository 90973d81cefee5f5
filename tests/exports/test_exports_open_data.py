"""JSON open data, validated against exports/open_data.schema.json."""
from __future__ import annotations

import json

import jsonschema
import pytest
from exports_support import AR_SENTENCE, PARTY_LEAD, para, t

from exports import UnknownNodeError, card_json, open_data_schema, plan_json


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = open_data_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("lang", [None, "ar", "fr", "en"])
def test_card_and_plan_follow_the_schema(validator, template, ar_content, plan, lang):
    validator.validate(card_json(template, ar_content, lang))
    data = plan_json(template, plan, lang)
    validator.validate(data)
    json.dumps(data, ensure_ascii=False)


def test_card_json_content(template, ar_content):
    data = card_json(template, ar_content)
    assert data["format"] == "iltizam-open-data" and data["language"] is None
    fields = {f["id"]: f for f in data["commitment"]["fields"]}
    assert [f["id"] for f in data["commitment"]["fields"]] == [f["id"] for f in template["fields"]]
    assert fields["problem"]["labels"] == {"ar": "الإشكالية", "fr": "Problématique",
                                           "en": "Challenge / problem addressed"}
    assert AR_SENTENCE in fields["problem"]["text"]
    assert "- غياب صيغة موحدة للنشر" in fields["problem"]["text"]
    assert fields["problem"]["value"] == ar_content["fields"]["problem"]
    assert fields["policy_area"]["value"] == "fiscal_openness"
    assert fields["policy_area"]["option"]["labels"]["fr"] == "Transparence budgétaire"
    assert [o["id"] for o in fields["ogp_values"]["value"] if o["selected"]] == ["transparency", "accountability"]
    assert fields["milestones"]["value"][0] == {"activity": "إعداد المعيار", "deliverable": "وثيقة المعيار",
                                               "start": "2024-03", "end": "2024-09",
                                               "responsible": "وزارة الاقتصاد والمالية"}
    assert fields["partners"]["columns"][0]["options"][1]["labels"]["ar"] == "المجتمع المدني"
    assert fields["lead"]["value"] == {"ar": "وزارة الاقتصاد والمالية", "fr": "Ministère de l'Économie et des Finances"}
    assert fields["start_date"]["value"] == "2024-03"


def test_one_language_only_when_asked(template, fr_content):
    data = card_json(template, fr_content, "fr")
    assert all(set(f["labels"]) == {"fr"} for f in data["commitment"]["fields"])


def test_plan_json_groups_by_axis(template, plan):
    data = plan_json(template, plan)
    assert [a["number"] for a in data["plan"]["axes"]] == [1, 2, 3, 4]
    assert data["plan"]["axes"][0]["commitments"][0]["status"] == "approved"
    assert data["plan"]["signoffs"][0]["hash"] == "a" * 64


def test_schema_rejects_wrong_output(validator, template, fr_content):
    data = card_json(template, fr_content)
    month = next(f for f in data["commitment"]["fields"] if f["id"] == "start_date")
    month["value"] = "2024-3"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(data)


def test_unknown_node_raises(template, fr_content):
    fr_content["fields"]["results"] = [para({"type": "image", "attrs": {"src": "x"}}), para(t("y"))]
    with pytest.raises(UnknownNodeError):
        card_json(template, fr_content)


STALE = {"card_number": "3", "party": PARTY_LEAD, "name": "Yassine Berrada", "role": "lead",
         "organisation": None, "decision": "reject", "date": "2026-05-06", "hash": "c" * 64, "current": False}


def test_each_commitment_lists_its_sign_offs_as_the_word_annex_does(validator, template, plan):
    plan["signoffs"].append(dict(STALE))
    data = plan_json(template, plan)
    validator.validate(data)
    by_number = {c["number"]: c for a in data["plan"]["axes"] for c in a["commitments"]}
    assert by_number["1"]["signoffs"] == [{
        "party": PARTY_LEAD, "decision": "approve", "name": "سعاد العلمي", "role": "lead",
        "organisation": plan["signoffs"][0]["organisation"], "date": "2026-05-01", "hash": "a" * 64,
        "current": True}]
    assert [s["role"] for s in by_number["2"]["signoffs"]] == ["co_lead"]
    assert by_number["3"]["signoffs"] == [{
        "party": PARTY_LEAD, "decision": "reject", "name": "Yassine Berrada", "role": "lead",
        "organisation": None, "date": "2026-05-06", "hash": "c" * 64, "current": False}]
    assert by_number["4"]["signoffs"] == []
    french = plan_json(template, plan, "fr")
    validator.validate(french)
    first = french["plan"]["axes"][0]["commitments"][0]["signoffs"][0]
    assert first["party"] == {"fr": PARTY_LEAD["fr"]} and set(first["organisation"]) == {"fr"}


def test_a_card_file_carries_its_sign_offs(validator, template, ar_content):
    data = card_json(template, ar_content, signoffs=[dict(STALE)])
    validator.validate(data)
    assert data["commitment"]["signoffs"][0]["current"] is False
    assert data["commitment"]["signoffs"][0]["decision"] == "reject"
    assert card_json(template, ar_content)["commitment"]["signoffs"] == []
