"""Word import of a card's lead and co-lead: the names a file gives are matched to known
organisations in Arabic or French, whatever their spelling, or reported as not matched; the
import report reads in the interface language, with field labels and never field ids."""
from __future__ import annotations

import io
import re

import docx
import pytest

import schemas
from exports import import_docx
from server import db
from server.auth.tokens import create_token
from server.models import Card, Organisation, User
from server.services.imports import report_text, worded_report
from server.services.organisation_names import NameIndex, name_key

MEF = {"ar": "وزارة الاقتصاد والمالية", "fr": "Ministère de l'Économie et des Finances"}
TRANSPARENCY = {"ar": "جمعية الشفافية المغربية", "fr": "Transparency Maroc"}
CDAI = {"ar": "لجنة الحق في الحصول على المعلومات", "fr": "Commission du droit d'accès à l'information (CDAI)"}
# The lead as someone typed it: hamza under the alef (الإقتصاد), harakat, a tatweel, a space
# before "و", a trailing full stop and doubled spaces.
LEAD_TYPED = "وِزَارَةُ  الإقتصـاد و المالية."
CO_LEAD_TYPED = "TRANSPARENCY  maroc"
UNKNOWN = "Agence nationale des nuages"
ISOLATES = re.compile("[\u2066-\u2069]")


# -- the normalising function ---------------------------------------------------------------------

@pytest.mark.parametrize("typed, known", [
    ("وزارة الإقتصاد والمالية", MEF["ar"]),                       # hamza under the alef
    ("وِزَارَةُ الاقْتِصَادِ وَالْمَالِيَّة", MEF["ar"]),              # harakat and shadda
    ("وزارة الاقتصـــاد والمالية", MEF["ar"]),                     # tatweel
    ("  وزارة   الاقتصاد والمالية  ", MEF["ar"]),                  # spacing
    ("وزارة الاقتصاد والماليه", MEF["ar"]),                       # ة typed as ه
    ("وزارة الاقتصاد و المالية", MEF["ar"]),                      # "و" typed apart
    ("\u200fوزارة الاقتصاد والمالية\u200f", MEF["ar"]),           # bidi marks
    ("أحمد", "احمد"), ("إدارة", "ادارة"), ("آفاق", "افاق"), ("مسؤول", "مسوول"), ("مستشفى", "مستشفي"),
    ("MINISTERE DE L'ECONOMIE ET DES FINANCES", MEF["fr"]),      # case and accents
    ("Ministère de l’Économie et des Finances.", MEF["fr"]),     # typographic apostrophe, full stop
    ("Ministère de l'Économie  et des Finances", MEF["fr"]),
    ("Transparency-Maroc", TRANSPARENCY["fr"]),                  # punctuation as space
    ("Œuvre", "oeuvre"),
    ("الجماعة ٢٠٣٠", "الجماعة 2030"),                              # Arabic-Indic digits
])
def test_names_written_differently_have_one_key(typed, known):
    assert name_key(typed) == name_key(known) != ""


@pytest.mark.parametrize("one, other", [
    ("وزارة الاقتصاد", "وزارة الاقتصاد والمالية"),
    ("Ministère de la Justice", "Ministère de l'Intérieur"),
    ("هيئة", "هيئات"),
])
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


def test_a_name_of_punctuation_only_has_no_key():
    assert name_key(" — . ") == ""


def _org(oid: int, kind: str, names: dict[str, str]) -> Organisation:
    return Organisation(id=oid, kind=kind, name_ar=names["ar"], name_fr=names["fr"])


def test_the_index_matches_by_either_language_and_says_why_not():
    index = NameIndex([_org(1, "government", MEF), _org(2, "civil_society", TRANSPARENCY),
                       _org(3, "government", CDAI), _org(4, "government", {"ar": "وزارة العدل", "fr": "Justice"}),
                       _org(5, "government", {"ar": "وزارة العدل", "fr": "Ministère de la Justice"})])
    lead, co_lead = ("government",), ("civil_society",)
    assert index.match(LEAD_TYPED, lead).organisation.id == 1
    assert index.match(CO_LEAD_TYPED, co_lead).organisation.id == 2
    # A trailing note in brackets (an acronym) may be there or not, on either side.
    assert index.match("Commission du droit d'accès à l'information", lead).organisation.id == 3
    assert index.match("Ministère de l'Économie et des Finances (MEF)", lead).organisation.id == 1
    # Both names in one cell, a line each.
    assert index.match(f"{MEF['ar']}\n{MEF['fr']}", lead).organisation.id == 1
    assert index.match(f"{MEF['ar']}\n{TRANSPARENCY['fr']}", lead).outcome == "matched"  # only one is a lead
    assert index.match(UNKNOWN, lead).outcome == "not_matched"
    assert index.match(TRANSPARENCY["ar"], lead).outcome == "wrong_kind"
    assert index.match("وزارة العدل", lead).outcome == "ambiguous"


# -- the import report, worded ------------------------------------------------------------------

def card_docx_with(lead: str | None, co_lead: str | None) -> bytes:
    """A card typed in Word, labels in French and Arabic, naming its lead and co-lead."""
    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    rows = [("Intitulé de l'engagement", "Budget citoyen régional"), ("Engagement n°", "12"),
            ("الجهة المسؤولة عن التنفيذ", lead), ("Co-pilote de la société civile", co_lead),
            ("Pertinence au regard des valeurs du PGO", "☑ Transparence : publier"),
            ("Date de début", "janvier 2024")]
    for label, value in rows:
        if value is not None:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# Field, column and option ids that must never reach a reader, and the report's own statuses.
IDS = ("lead", "co_lead", "title", "number", "ogp_values", "start_date", "transparency", "mapped",
       "ignored", "not_matched", "organisation_named", "card_metadata")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w]+", ISOLATES.sub("", text)))


@pytest.mark.parametrize("lang, labels", ids=["ar", "fr"], argvalues=[
    ("ar", ("الجهة المسؤولة عن التنفيذ", "الشريك الرائد من المجتمع المدني", "عنوان الالتزام",
            "الانسجام مع قيم الحكومة المنفتحة", "الشفافية")),
    ("fr", ("Institution chef de file", "Co-pilote de la société civile", "Intitulé de l'engagement",
            "Pertinence au regard des valeurs du PGO", "Transparence")),
])
def test_the_report_reads_in_the_interface_language_with_labels_not_ids(lang, labels):
    template = schemas.load_template()
    result = import_docx(template, card_docx_with(LEAD_TYPED, UNKNOWN))
    text = report_text(worded_report(template, result.report, lang))
    for label in labels:
        assert label in text, (label, text)
    leaked = _words(text) & set(IDS)
    assert not leaked, (leaked, text)
    assert "named in the file" not in text and "row(s)" not in text  # no English left


# -- through the API -----------------------------------------------------------------------------

@pytest.fixture
def importer(app, factory):
    with app.app_context():
        session = db.session()
        known = {}
        for key, kind, names in (("mef", "government", MEF), ("transparency", "civil_society", TRANSPARENCY)):
            org = Organisation(kind=kind, name_ar=names["ar"], name_fr=names["fr"])
            session.add(org)
            session.flush()
            known[key] = org.id
        session.commit()
    coordinator = factory.user(admin=True)
    plan = factory.plan(coordinator, coordinator_org_id=known["mef"])

    def speaks(lang: str) -> None:
        """The coordinator's interface language, which the API answers in."""
        with app.app_context():
            db.session().get(User, coordinator).language = lang
            db.session().commit()

    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, coordinator))
        session.commit()
    return {"plan": plan, "h": {"Authorization": f"Bearer {secret}"}, "speaks": speaks, **known}


def _upload(client, importer, data: bytes, lang: str = "fr", **form: str):
    importer["speaks"](lang)
    res = client.post(f"/api/v1/plans/{importer['plan']}/import", headers=importer["h"],
                      data={"file": (io.BytesIO(data), "fiche.docx"), **form}, content_type="multipart/form-data")
    assert res.status_code == 201, res.json
    return res.json


def _card(app, card_id: int) -> tuple[int | None, int | None]:
    with app.app_context():
        card = db.session().get(Card, card_id)
        return card.lead_org_id, card.co_lead_org_id


def _line(answer, field: str) -> dict:
    return next(line for line in answer["report"] if line["field"] == field)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_arabic_lead_and_a_french_co_lead_written_loosely_are_matched(client, app, importer):
    answer = _upload(client, importer, card_docx_with(LEAD_TYPED, CO_LEAD_TYPED))
    assert _card(app, answer["card"]["id"]) == (importer["mef"], importer["transparency"])
    lead, co_lead = _line(answer, "lead"), _line(answer, "co_lead")
    assert (lead["status"], co_lead["status"]) == ("mapped", "mapped")
    assert lead["label"] == "Institution chef de file" and co_lead["label"] == "Co-pilote de la société civile"
    # Named as the reader's language names them.
    assert ISOLATES.sub("", lead["message"]) == f"reconnue : {MEF['fr']}"
    assert ISOLATES.sub("", co_lead["message"]) == f"reconnue : {TRANSPARENCY['fr']}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("lang, says", [("fr", "non reconnue : "), ("ar", "غير مطابقة لأي جهة معروفة: ")],
                         ids=["fr", "ar"])
def test_an_unknown_lead_is_reported_as_not_matched_with_its_name_as_written(client, app, importer, lang, says):
    answer = _upload(client, importer, card_docx_with(UNKNOWN, CO_LEAD_TYPED), lang)
    assert _card(app, answer["card"]["id"]) == (None, importer["transparency"])
    lead = _line(answer, "lead")
    assert lead["status"] == "not_matched"
    assert ISOLATES.sub("", lead["message"]) == says + UNKNOWN
    assert lead["label"] == {"fr": "Institution chef de file", "ar": "الجهة المسؤولة عن التنفيذ"}[lang]
    assert lead["status_text"] == {"fr": "non reconnu", "ar": "غير مطابق"}[lang]
    shown = " ".join(f"{line['label'] or ''} {line['source']} {line['status_text']} {line['message']}"
                     for line in answer["report"])
    assert not _words(shown) & set(IDS), shown


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_organisation_of_the_wrong_kind_or_one_chosen_in_the_form_is_said_so(client, app, importer):
    # The co-lead named as the lead: known, but no government institution.
    answer = _upload(client, importer, card_docx_with(TRANSPARENCY["ar"], None))
    assert _card(app, answer["card"]["id"]) == (None, None)
    assert _line(answer, "lead")["status"] == "not_matched"
    assert "organisation connue" in _line(answer, "lead")["message"]
    # The import form's choice wins over the file's, and the report says the file's was left out.
    answer = _upload(client, importer, card_docx_with(UNKNOWN, None), lead_org_id=str(importer["mef"]))
    assert _card(app, answer["card"]["id"]) == (importer["mef"], None)
    lead = _line(answer, "lead")
    assert lead["status"] == "ignored" and UNKNOWN in lead["message"]
