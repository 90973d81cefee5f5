"""The small rules under the exporters: text direction, label matching, dates, plan shape."""
from __future__ import annotations

import pytest
from exports_support import make_plan

from exports import PlanError, validate_plan
from exports.bidi import (
    contact_spans,
    drop_number_marks,
    keep_numbers_ltr,
    keep_phones_whole,
    loosen_phones,
    paragraph_rtl,
    split_runs,
)
from exports.labels import field_index, normalize
from exports.plan import grouped_cards, natural_key
from exports.word_values import parse_date, parse_month


def test_runs_split_by_direction():
    assert split_runs("Bonjour", False) == [("Bonjour", False)]
    assert split_runs("مرحبا", True) == [("مرحبا", True)]
    assert split_runs("انظر تقرير OGP لسنة", True) == [("انظر تقرير ", True), ("OGP", False), (" لسنة", True)]
    # Brackets between scripts take the paragraph's direction, so they stay a mirrored pair.
    assert split_runs("النص (OGP) هنا", True) == [("النص (", True), ("OGP", False), (") هنا", True)]
    assert split_runs("le mot شفافية ici", False) == [("le mot ", False), ("شفافية", True), (" ici", False)]
    assert split_runs("2024", True) == [("2024", True)]
    assert split_runs("", True) == []


def test_paragraph_direction_is_first_strong_character():
    assert paragraph_rtl("« Les données » ثم", True) is False
    assert paragraph_rtl("2024 الشفافية", False) is True
    assert paragraph_rtl("2024 - 2027", True) is True
    assert paragraph_rtl("", False) is False


def test_grouped_numbers_are_kept_left_to_right_and_restored():
    marked = keep_numbers_ltr("من 2024-03 إلى 2026-11-28")
    assert marked == "من \u200e2024-03\u200e إلى \u200e2026-11-28\u200e"
    assert keep_numbers_ltr(marked) == marked
    assert drop_number_marks(marked) == "من 2024-03 إلى 2026-11-28"
    assert keep_numbers_ltr("الهاتف +212 5 37 00 00 00.") == "الهاتف \u200e+212 5 37 00 00 00\u200e."
    assert keep_numbers_ltr("نسبة 20% سنة 2023") == "نسبة 20% سنة 2023"
    text = "Tél. : +212 5 37, 2024-03 et 1 000 000"
    assert drop_number_marks(keep_numbers_ltr(text)) == text


@pytest.mark.parametrize("typed, field_id", [
    ("PROBLÉMATIQUE :", "problem"),
    ("الإشكاليـــة", "problem"),
    ("الإِشْكَالِيَّة", "problem"),
    ("3. Brief description (≤ 140 chars)", "summary"),
    ("Partenaires : institutions d'appui, société civile", "partners"),
    ("focal point", "focal_point"),
    ("  Jalons   et activités ", "milestones"),
    ("نقطة الإتصال", "focal_point"),
])
def test_labels_match_loosely(template, typed, field_id):
    assert field_index(template["fields"]).find(typed)["id"] == field_id


def test_unrelated_text_matches_nothing(template):
    index = field_index(template["fields"])
    assert index.find("Compte rendu") is None
    assert index.find("Problématique de l'eau potable") is None
    assert normalize("Engagement n°") == "engagement n"


@pytest.mark.parametrize("typed, month", [
    ("2024-03", "2024-03"), ("03/2024", "2024-03"), ("3-2024", "2024-03"), ("mars 2024", "2024-03"),
    ("Mars 2024", "2024-03"), ("غشت 2025", "2025-08"), ("٢٠٢٤-٠٣", "2024-03"), ("15/03/2024", "2024-03"),
    ("2024-13", None), ("bientôt", None), ("", None),
])
def test_months(typed, month):
    assert parse_month(typed) == month


def test_dates():
    assert parse_date("28/11/2026") == "2026-11-28"
    assert parse_date("2026-11-28") == "2026-11-28"
    assert parse_date("2026-11") is None


def test_plan_grouping_orders_axes_and_cards():
    plan = make_plan(12)
    plan["axes"].reverse()
    groups = grouped_cards(plan)
    assert [axis["number"] for axis, _ in groups] == [1, 2, 3, 4]
    assert [c["content"]["card"]["number"] for c in groups[0][1]] == ["1", "5", "9"]
    assert natural_key("10") > natural_key("9")


@pytest.mark.parametrize("mutate, path", [
    (lambda p: p.pop("title"), "title"),
    (lambda p: p.update(final="no"), "final"),
    (lambda p: p["axes"][0].pop("number"), r"axes\[0\]\.number"),
    (lambda p: p["cards"][1]["content"].pop("fields"), r"cards\[1\]\.content\.fields"),
    (lambda p: p["cards"][0].update(axis_id=42), r"cards\[0\]\.axis_id"),
])
def test_plan_shape_errors_name_the_place(mutate, path):
    plan = make_plan(3)
    mutate(plan)
    with pytest.raises(PlanError, match=path):
        validate_plan(plan)


def _meta_types(meta: dict, key: str) -> set[str]:
    found: set[str] = set()
    if isinstance(meta, dict):
        for name, value in meta.items():
            if name == key and isinstance(value, dict) and "enum" in value:
                found |= set(value["enum"])
            found |= _meta_types(value, key)
    elif isinstance(meta, list):
        for value in meta:
            found |= _meta_types(value, key)
    return found


def test_every_field_type_of_the_meta_schema_has_every_exporter():
    import schemas
    from exports import docx_card, markdown, open_data
    from exports.word_import import _Mapper

    types = _meta_types(schemas.template_meta_schema(), "type") - {"document", "card"}
    assert {"text", "rich_text", "table", "multi_choice", "choice", "month", "date", "organisation"} <= types
    converters = _Mapper(schemas.load_template(), reader=None).converters
    for registry in (docx_card.FIELD_WRITERS, markdown.FIELD_RENDERERS, open_data.FIELD_ENCODERS, converters):
        assert types <= set(registry), sorted(types - set(registry))


@pytest.mark.parametrize("text, found", [
    ("الهاتف +212 5 37 00 00 00.", [("+212 5 37 00 00 00", "phone")]),
    ("Tél. : 05-37-00-00-00, k.benali@example.ma ou https://www.data.gov.ma/fr/.",
     [("05-37-00-00-00", "phone"), ("k.benali@example.ma", "email"), ("https://www.data.gov.ma/fr/", "url")]),
    ("+212 (0)5 37 00 00 00", [("+212 (0)5 37 00 00 00", "phone")]),
    ("00212 537 000 000", [("00212 537 000 000", "phone")]),
    # Dates, periods, amounts and short numbers are not phone numbers.
    ("de 2024-03 à 2026-11-28, 1 000 000 DH, 10 000 000 DH", []),
    ("le 05.03.2024 et le 15/03/2024, 2024-2027", []),
    ("(voir www.ogp.ma)", [("www.ogp.ma", "url")]),
])
def test_contact_details_are_found_whole(text, found):
    assert [(text[s:e], kind) for s, e, kind in contact_spans(text)] == found


def test_phone_numbers_are_kept_whole_and_loosened_back():
    kept = keep_phones_whole("Tél. +212 5 37 00 00 00 ou 05-37-00-00-00, en 2024-03 et 1 000 000")
    assert kept == ("Tél. +212\u00a05\u00a037\u00a000\u00a000\u00a000 ou 05\u201137\u201100\u201100\u201100, "
                    "en 2024-03 et 1 000 000")
    assert loosen_phones(kept) == "Tél. +212 5 37 00 00 00 ou 05-37-00-00-00, en 2024-03 et 1 000 000"
    # Marked left to right in Arabic, then kept whole: the import undoes both.
    arabic = keep_phones_whole(keep_numbers_ltr("الهاتف +212 5 37 00 00 00."))
    assert arabic == "الهاتف \u200e+212\u00a05\u00a037\u00a000\u00a000\u00a000\u200e."
    assert drop_number_marks(loosen_phones(arabic)) == "الهاتف +212 5 37 00 00 00."
