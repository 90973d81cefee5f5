"""The card template is data: validated against its meta-schema, and a new field needs no code."""
from __future__ import annotations

import copy

import pytest
from pycrdt import Doc

import schemas
from server.content import canonical, criteria, layout, validation, write


def test_the_shipped_template_and_criteria_are_valid():
    template = schemas.load_template()
    schemas.validate_template(template)
    ids = [f["id"] for f in template["fields"]]
    for required in ("number", "axis", "title", "summary", "lead", "partners", "problem", "solution",
                     "results", "indicators", "ogp_values", "milestones", "start_date", "end_date"):
        assert required in ids
    for field in template["fields"]:
        assert set(field["label"]) == {"ar", "fr", "en"}
    crit = schemas.load_criteria()
    assert {r["kind"] for r in crit["rules"]} <= set(criteria.RULES)


@pytest.mark.parametrize("breakage,message", [
    (lambda t: t["fields"][0]["label"].pop("ar"), "'ar' is a required property"),
    (lambda t: t["fields"][2].update(type="essay"), "is not one of"),
    (lambda t: t["fields"].append(copy.deepcopy(t["fields"][2])), "defined twice"),
    (lambda t: t["fields"][7].pop("columns"), "'columns' is a required property"),
])
def test_a_broken_template_is_refused_with_a_precise_message(breakage, message):
    template = copy.deepcopy(schemas.load_template())
    breakage(template)
    with pytest.raises(schemas.SchemaError, match=message):
        schemas.validate_template(template)


def test_a_field_added_to_the_template_works_everywhere_without_code():
    template = copy.deepcopy(schemas.load_template())
    labels = {"ar": "الميزانية", "fr": "Budget", "en": "Budget"}
    template["fields"] += [
        {"id": "budget_note", "type": "rich_text", "label": labels, "required": True},
        {"id": "sdgs", "type": "multi_choice", "label": labels, "justified": True,
         "options": [{"id": "sdg16", "label": {"ar": "16", "fr": "16", "en": "16"}}]},
        {"id": "risks", "type": "table", "label": labels, "min_rows": 1,
         "columns": [{"id": "risk", "type": "text", "label": labels},
                     {"id": "level", "type": "choice", "label": labels,
                      "options": [{"id": "high", "label": labels}]}]},
        {"id": "review_month", "type": "month", "label": labels},
    ]
    schemas.validate_template(template)
    doc = Doc()
    layout.seed(doc, template)
    values = {"budget_note": [{"type": "paragraph", "content": [{"type": "text", "text": "12 مليون درهم"}]}],
              "sdgs": {"sdg16": {"selected": True, "justification": "مؤسسات فعالة"}},
              "risks": [{"risk": "تأخر", "level": "high"}], "review_month": "2025-06"}
    validation.validate_fields(template, values)
    write.write_fields(doc, template, values)
    content = canonical.canonical_content(doc, template, {})
    assert content["fields"]["budget_note"][0]["content"][0]["text"] == "12 مليون درهم"
    assert content["fields"]["risks"][0]["level"] == "high"
    results = criteria.evaluate(schemas.load_criteria(), template, content,
                                {"period_start": "2024-01", "period_end": "2027-12"})
    required = next(r for r in results if r["id"] == "required_fields")
    assert "budget_note" not in required["failing"]


def test_seeding_twice_is_refused():
    template = schemas.load_template()
    doc = Doc()
    layout.seed(doc, template)
    with pytest.raises(RuntimeError, match="never re-seeded"):
        layout.seed(doc, template)


def test_canonical_content_does_not_depend_on_edit_history():
    template = schemas.load_template()
    a, b = Doc(), Doc()
    layout.seed(a, template)
    b.apply_update(a.get_update())
    write.write_fields(a, template, {"title": "الحق في الحصول على المعلومات"})
    for word in ("الحق ", "في الحصول ", "على المعلومات"):
        fid = "title"
        text = layout.root(b, schemas.field_map(template)[fid])
        text.insert(len(text), word)
    ca, cb = (canonical.canonical_content(d, template, {}) for d in (a, b))
    assert ca["fields"]["title"] == cb["fields"]["title"]
    assert canonical.content_hash(ca) == canonical.content_hash(cb)
