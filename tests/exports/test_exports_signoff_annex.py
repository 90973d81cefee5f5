"""The sign-off annex of the plan and card exports (Word, Markdown), and the shape it reads.

A plan of two cards, numbered "2" (French) and "10" (Arabic) so that card order is the natural
one, with four sign-offs given out of order: on card 10 a lead sign-off of an earlier version
(stale) and a current civil-society co-lead one; on card 2 a current rejection and a current
steering approval. Organisation names are Arabic only, French only, both, or none.
"""
from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from exports_support import (
    PARTY_CIVIL,
    PARTY_LEAD,
    PARTY_STEERING,
    make_plan,
    pdf_text,
    render_pdfs,
)
from lxml import etree

import schemas
from exports import (
    ExportError,
    PlanError,
    card_docx,
    card_html,
    card_markdown,
    import_docx,
    plan_docx,
    plan_html,
    plan_markdown,
    validate_plan,
)
from exports import i18n
from exports.bidi import BIDI_CONTROLS

NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
W = f"{{{NS['w']}}}"
LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"
REPO = Path(__file__).resolve().parents[2]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


H_STALE, H_CO_LEAD, H_REJECT, H_STEERING = (sha("card 10 v1"), sha("card 10 v2"), sha("card 2 v1"),
                                            sha("card 2 v1 steering"))
PARTY_APPROVER = {"ar": "مصادق المجلس", "fr": "Approbateur du Conseil", "en": "Council approver"}
CESE = {"ar": "المجلس الاقتصادي والاجتماعي والبيئي", "fr": "Conseil économique, social et environnemental"}
SIGNOFFS = [
    # Card 10: the lead signed version 1; the content has changed since.
    {"card_number": "10", "party": PARTY_LEAD, "name": "سعاد العلمي", "role": "lead",
     "organisation": {"ar": "وزارة الاقتصاد والمالية"}, "decision": "approve", "date": "2026-05-01",
     "hash": H_STALE, "current": False},
    # Card 2: a rejection, still about the current content.
    {"card_number": "2", "party": PARTY_APPROVER, "name": "Nadia Tazi", "role": "approver",
     "organisation": CESE, "decision": "reject", "date": "2026-05-02", "hash": H_REJECT, "current": True},
    {"card_number": "10", "party": PARTY_CIVIL, "name": "Karim Benali", "role": "co_lead",
     "organisation": {"fr": "Transparency Maroc"}, "decision": "approve", "date": "2026-05-03",
     "hash": H_CO_LEAD, "current": True},
    {"card_number": "2", "party": PARTY_STEERING, "name": "يوسف بنعلي", "role": "steering",
     "organisation": None, "decision": "approve", "date": "2026-05-04", "hash": H_STEERING, "current": True},
]
AR_TITLE = "نشر المعطيات المفتوحة المتعلقة بالصفقات العمومية 1"
FR_TITLE = "Publication des données ouvertes des marchés publics 2"


def annex_plan() -> dict[str, Any]:
    plan = make_plan(2)
    plan["cards"][0]["content"]["card"]["number"] = "10"  # the Arabic card
    plan["signoffs"] = copy.deepcopy(SIGNOFFS)
    return plan


def card_of(plan: dict[str, Any], number: str) -> dict[str, Any]:
    return next(c["content"] for c in plan["cards"] if c["content"]["card"]["number"] == number)


def signoffs_of(number: str) -> list[dict[str, Any]]:
    return [copy.deepcopy(s) for s in SIGNOFFS if s["card_number"] == number]


def table_rows(data: bytes) -> list[list[str]]:
    """The last top-level table of a .docx (the annex) as cell texts, merged cells repeated."""
    table = docx.Document(io.BytesIO(data)).tables[-1]
    return [[cell.text for cell in row.cells] for row in table.rows]


def body(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml")).find("w:body", NS)


def last_table(data: bytes) -> etree._Element:
    return body(data).findall("w:tbl", NS)[-1]


def para_texts(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


# -- the plan's Word annex -----------------------------------------------------------------------

EXPECTED = {
    "fr": [
        ["Partie", "Nom", "Rôle", "Organisation", "Décision", "Date", "Empreinte\n(SHA-256)", "À jour"],
        [f"Engagement n° 2 : {FR_TITLE}"] * 8,
        ["Approbateur du Conseil", "Nadia Tazi", "Approbateur", "Conseil économique, social et environnemental",
         "rejetée", "2026-05-02", LRI + H_REJECT[:12] + PDI, "oui"],
        ["Comité de pilotage", "يوسف بنعلي", "Membre du comité de pilotage", "—", "approuvée", "2026-05-04",
         LRI + H_STEERING[:12] + PDI, "oui"],
        # Arabic in a left-to-right line is isolated (docs/exports.md).
        [f"Engagement n° 10 : {RLI}{AR_TITLE}{PDI}"] * 8,
        ["Institution chef de file", "سعاد العلمي", "Point focal gouvernemental", "وزارة الاقتصاد والمالية",
         "approuvée", "2026-05-01", LRI + H_STALE[:12] + PDI, "non — validée sur une version antérieure"],
        ["Approbateur de la société civile", "Karim Benali", "Co-pilote (société civile)", "Transparency Maroc",
         "approuvée", "2026-05-03", LRI + H_CO_LEAD[:12] + PDI, "oui"],
    ],
    "en": [
        ["Party", "Name", "Role", "Organisation", "Decision", "Date", "Hash\n(SHA-256)", "Current"],
        [f"Commitment 2: {FR_TITLE}"] * 8,
        ["Council approver", "Nadia Tazi", "Approver", "Conseil économique, social et environnemental",
         "rejected", "2026-05-02", LRI + H_REJECT[:12] + PDI, "yes"],
        ["Steering committee", "يوسف بنعلي", "Steering committee member", "—", "approved", "2026-05-04",
         LRI + H_STEERING[:12] + PDI, "yes"],
        [f"Commitment 10: {RLI}{AR_TITLE}{PDI}"] * 8,
        ["Lead institution", "سعاد العلمي", "Lead (government focal point)", "وزارة الاقتصاد والمالية",
         "approved", "2026-05-01", LRI + H_STALE[:12] + PDI, "no — signed an earlier version"],
        ["Civil-society approver", "Karim Benali", "Co-lead (civil society)", "Transparency Maroc",
         "approved", "2026-05-03", LRI + H_CO_LEAD[:12] + PDI, "yes"],
    ],
    # Dates in right-to-left paragraphs are wrapped in left-to-right marks (docs/exports.md).
    "ar": [
        ["الطرف", "الاسم", "الصفة", "المؤسسة", "القرار", "التاريخ", "البصمة\n(SHA-256)", "سارية"],
        [f"الالتزام رقم 2: {FR_TITLE}"] * 8,
        ["مصادق المجلس", "Nadia Tazi", "مصادق", "المجلس الاقتصادي والاجتماعي والبيئي", "رفض",
         "\u200e2026-05-02\u200e", LRI + H_REJECT[:12] + PDI, "نعم"],
        ["لجنة الإشراف", "يوسف بنعلي", "عضو لجنة الإشراف", "—", "موافقة", "\u200e2026-05-04\u200e",
         LRI + H_STEERING[:12] + PDI, "نعم"],
        [f"الالتزام رقم 10: {AR_TITLE}"] * 8,
        ["المؤسسة القائدة", "سعاد العلمي", "نقطة الاتصال الحكومية", "وزارة الاقتصاد والمالية", "موافقة",
         "\u200e2026-05-01\u200e", LRI + H_STALE[:12] + PDI, "لا — صودق على نسخة سابقة"],
        ["المصادق من المجتمع المدني", "Karim Benali", "الشريك الرائد من المجتمع المدني", "Transparency Maroc",
         "موافقة", "\u200e2026-05-03\u200e", LRI + H_CO_LEAD[:12] + PDI, "نعم"],
    ],
}


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_plan_annex_rows_grouped_by_card(template, lang):
    data = plan_docx(template, annex_plan(), lang)
    assert table_rows(data) == EXPECTED[lang]
    assert i18n.text("signoff_note", lang) in para_texts(data)


def test_plan_annex_is_right_to_left_in_arabic(template):
    tbl = last_table(plan_docx(template, annex_plan(), "ar"))
    assert tbl.find("w:tblPr/w:bidiVisual", NS) is not None
    # Every paragraph says its direction; Arabic text right to left, a Latin name left to right.
    for p in tbl.iter(W + "p"):
        assert p.find("w:pPr/w:bidi", NS) is not None
    names = {"".join(p.itertext()): p for p in tbl.iter(W + "p")}
    assert names["Nadia Tazi"].find("w:pPr/w:bidi", NS).get(W + "val") == "0"
    assert names["سعاد العلمي"].find("w:pPr/w:bidi", NS).get(W + "val") is None
    # The hash: a paragraph of the document's direction holding one left-to-right, isolated,
    # monospace run.
    cell = names[LRI + H_STALE[:12] + PDI]
    assert cell.find("w:pPr/w:bidi", NS).get(W + "val") is None
    (run,) = cell.findall("w:r", NS)
    assert run.find("w:rPr/w:rtl", NS) is None
    assert run.find("w:rPr/w:rFonts", NS).get(W + "ascii") == "Courier New"
    # The stale sign-off is marked in bold red; current ones are not.
    stale = names["لا — صودق على نسخة سابقة"]
    assert all(r.find("w:rPr/w:b", NS) is not None and r.find("w:rPr/w:color", NS).get(W + "val") == "C00000"
               for r in stale.findall("w:r", NS))
    assert all(r.find("w:rPr/w:b", NS) is None for r in names["نعم"].findall("w:r", NS))


def test_plan_annex_is_left_to_right_in_french(template):
    tbl = last_table(plan_docx(template, annex_plan(), "fr"))
    assert tbl.find("w:tblPr/w:bidiVisual", NS) is None
    names = {"".join(p.itertext()): p for p in tbl.iter(W + "p")}
    assert names["Nadia Tazi"].find("w:pPr/w:bidi", NS) is None
    assert names["سعاد العلمي"].find("w:pPr/w:bidi", NS) is not None  # an Arabic name stays Arabic
    assert names[LRI + H_REJECT[:12] + PDI].find("w:pPr/w:bidi", NS) is None


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_plan_without_signoffs_says_so(template, lang):
    plan = annex_plan()
    plan["signoffs"] = []
    data = plan_docx(template, plan, lang)
    assert i18n.text("no_signoffs", lang) in para_texts(data)
    assert i18n.text("signoff_note", lang) not in para_texts(data)
    assert table_rows(data)[0][0] != i18n.text("signoff_party", lang)  # the last table is the card's
    del plan["signoffs"]
    assert i18n.text("no_signoffs", lang) in para_texts(plan_docx(template, plan, lang))


def test_signoff_never_said_to_be_current_unless_it_is(template):
    # Sign-offs recorded before the approval workflow: no party, decision or current, a plain
    # organisation string. They are still exported, and not shown as current.
    plan = annex_plan()
    plan["signoffs"] = [{"card_number": "2", "name": "Karim Benali", "role": "reviewer",
                         "organisation": "Transparency Maroc", "date": "2026-05-02", "hash": "b" * 64}]
    rows = table_rows(plan_docx(template, plan, "fr"))
    assert rows[2] == ["—", "Karim Benali", "reviewer", "Transparency Maroc", "—", "2026-05-02",
                       LRI + "b" * 12 + PDI, "non vérifiée"]
    markdown = plan_markdown(template, plan, "en")
    assert "| 2 | — | Karim Benali | reviewer | Transparency Maroc | — | 2026-05-02 | bbbbbbbbbbbb | not checked |" \
        in markdown


# -- the shape's checks --------------------------------------------------------------------------

@pytest.mark.parametrize(("index", "key", "value", "message"), [
    (1, "current", "yes", "must be a bool"),
    (0, "current", 1, "must be a bool"),
    (2, "organisation", 12, "must be a dict or str"),
    (3, "party", ["x"], "must be a dict or str"),
    (0, "decision", True, "must be a str"),
    (1, "hash", None, "must be a str"),
    (2, "card_number", 2.0, "must be a str or int"),
])
def test_wrong_types_name_the_place(template, index, key, value, message):
    plan = annex_plan()
    plan["signoffs"][index][key] = value
    with pytest.raises(PlanError) as info:
        plan_docx(template, plan, "fr")
    assert info.value.path == f"signoffs[{index}].{key}"
    assert info.value.message == message


def test_missing_keys_and_wrong_containers(template):
    plan = annex_plan()
    del plan["signoffs"][3]["name"]
    with pytest.raises(PlanError) as info:
        validate_plan(plan)
    assert info.value.path == "signoffs[3].name" and info.value.message == "is missing"
    plan = annex_plan()
    del plan["signoffs"][0]["card_number"]
    with pytest.raises(PlanError, match=r"signoffs\[0\]\.card_number: is missing"):
        plan_markdown(template, plan, "fr")
    plan["signoffs"] = {"card_number": "2"}
    with pytest.raises(PlanError, match="signoffs: must be a list"):
        validate_plan(plan)
    plan["signoffs"] = ["x"]
    with pytest.raises(PlanError, match=r"signoffs\[0\]: must be a dict"):
        validate_plan(plan)


def test_card_signoffs_of_the_wrong_shape_are_an_export_error(template):
    plan = annex_plan()
    bad = signoffs_of("2")
    bad[1]["current"] = "true"
    for export in (card_docx, card_markdown, card_html):
        with pytest.raises(ExportError) as info:
            export(template, card_of(plan, "2"), "fr", signoffs=bad)
        assert not isinstance(info.value, PlanError)
        assert "signoffs[1].current: must be a bool" in str(info.value)
    with pytest.raises(ExportError, match="signoffs: must be a list"):
        card_docx(template, card_of(plan, "2"), "fr", signoffs="none")


def test_role_labels_are_the_applications(template):
    # The annex names roles as the interface does (server/i18n/<lang>.json "role.<id>").
    for lang in i18n.LANGUAGES:
        words = json.loads((REPO / "server" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
        for role, labels in i18n.ROLES.items():
            assert labels[lang] == words[f"role.{role}"], (lang, role)
    assert set(i18n.ROLES) >= {"lead", "co_lead", "approver", "steering"}


# -- the card's Word annex -----------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_card_docx_with_signoffs_has_the_annex(template, lang):
    plan = annex_plan()
    content = card_of(plan, "10")
    plain = card_docx(template, content, lang)
    data = card_docx(template, content, lang, signoffs=signoffs_of("10"))
    document = docx.Document(io.BytesIO(data))
    heading = i18n.text("signoffs_heading", lang)
    headings = [p for p in document.paragraphs if p.style.style_id == "Heading2"]
    assert [p.text for p in headings] == [heading]
    assert len(document.tables) == 2
    # The plan's rows for card 10, without its group row.
    expected = EXPECTED[lang]
    assert table_rows(data) == [expected[0], expected[5], expected[6]]
    tbl = last_table(data)
    assert (tbl.find("w:tblPr/w:bidiVisual", NS) is not None) == (lang == "ar")
    # Without sign-offs the document is the one it always was: no heading, no annex.
    document = docx.Document(io.BytesIO(plain))
    assert heading not in [p.text for p in document.paragraphs]
    assert len(document.tables) == 1


def test_card_docx_with_no_signoffs_yet(template):
    data = card_docx(template, card_of(annex_plan(), "2"), "fr", signoffs=[])
    texts = para_texts(data)
    assert "Validations" in texts and "Aucune validation n'a encore été enregistrée." in texts
    assert len(docx.Document(io.BytesIO(data)).tables) == 1


def test_card_annex_does_not_leak_into_the_word_import(template):
    content = card_of(annex_plan(), "10")

    def imported(data: bytes) -> dict[str, Any]:
        found = import_docx(template, data).values
        # Imported rows get fresh ids; compare the rest.
        return {k: [{c: v for c, v in row.items() if c != "id"} for row in v] if isinstance(v, list)
                and v and isinstance(v[0], dict) and "id" in v[0] else v for k, v in found.items()}

    for lang in ("ar", "fr"):
        assert imported(card_docx(template, content, lang, signoffs=signoffs_of("10"))) == \
            imported(card_docx(template, content, lang))


# -- Markdown and HTML ---------------------------------------------------------------------------

def test_plan_markdown_annex(template):
    text = plan_markdown(template, annex_plan(), "fr")
    annex = text.split("## Annexe : validations\n\n", 1)[1]
    lines = [line for line in annex.splitlines() if line.startswith("|")]
    assert lines == [
        "| Engagement | Partie | Nom | Rôle | Organisation | Décision | Date | Empreinte (SHA-256) | À jour |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| 2 | Approbateur du Conseil | Nadia Tazi | Approbateur | Conseil économique, social et environnemental "
        f"| rejetée | 2026-05-02 | {H_REJECT[:12]} | oui |",
        f"| 2 | Comité de pilotage | يوسف بنعلي | Membre du comité de pilotage | — | approuvée | 2026-05-04 "
        f"| {H_STEERING[:12]} | oui |",
        f"| 10 | Institution chef de file | سعاد العلمي | Point focal gouvernemental | وزارة الاقتصاد والمالية "
        f"| approuvée | 2026-05-01 | {H_STALE[:12]} | **non — validée sur une version antérieure** |",
        f"| 10 | Approbateur de la société civile | Karim Benali | Co-pilote (société civile) | Transparency Maroc "
        f"| approuvée | 2026-05-03 | {H_CO_LEAD[:12]} | oui |",
    ]
    assert H_STALE not in text  # the prefix only
    assert i18n.text("signoff_note", "fr") in annex
    html = plan_html(template, annex_plan(), "ar")
    assert "<th dir=\"auto\">سارية</th>" in html
    assert "<strong>لا — صودق على نسخة سابقة</strong>" in html


def test_card_markdown_annex(template):
    content = card_of(annex_plan(), "2")
    assert "## Sign-offs" not in card_markdown(template, content, "en")
    text = card_markdown(template, content, "en", signoffs=signoffs_of("2"))
    annex = text.split("\n## Sign-offs\n\n", 1)[1]
    lines = [line for line in annex.splitlines() if line.startswith("|")]
    assert lines[0] == "| Party | Name | Role | Organisation | Decision | Date | Hash (SHA-256) | Current |"
    assert lines[2:] == [
        f"| Council approver | Nadia Tazi | Approver | Conseil économique, social et environnemental | rejected "
        f"| 2026-05-02 | {H_REJECT[:12]} | yes |",
        f"| Steering committee | يوسف بنعلي | Steering committee member | — | approved | 2026-05-04 "
        f"| {H_STEERING[:12]} | yes |",
    ]
    assert card_markdown(template, content, "en", signoffs=[]).endswith("## Sign-offs\n\nNo sign-offs yet.\n")
    html = card_html(template, content, "ar", signoffs=signoffs_of("2"))
    assert "<h2 dir=\"auto\">المصادقات</h2>" in html and H_REJECT[:12] in html


# -- rendered by LibreOffice ---------------------------------------------------------------------

_CONTROLS = {ord(c): None for c in BIDI_CONTROLS}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_CONTROLS)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def rendered_ar(tmp_path_factory, soffice, pdftotext) -> dict[str, Any]:
    template = schemas.load_template()
    workdir = tmp_path_factory.mktemp("annex")
    pdf = render_pdfs(soffice, {"annex_ar": plan_docx(template, annex_plan(), "ar")}, workdir)["annex_ar"]
    pages = [p for p in pdf_text(pdftotext, pdf).split("\f") if p.strip()]
    words = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                           timeout=120).stdout
    return {"pdf": pdf, "pages": pages, "bbox": words}


@pytest.mark.libreoffice
def test_rendered_arabic_annex_holds_hashes_names_and_marks(rendered_ar):
    annex = normalise(rendered_ar["pages"][-1])
    assert "المصادقات" in annex  # pdftotext moves the colon of "ملحق: المصادقات" about
    for prefix in (H_STALE[:12], H_CO_LEAD[:12], H_REJECT[:12], H_STEERING[:12]):
        assert prefix in annex
    for name in ("سعاد العلمي", "يوسف بنعلي", "Karim Benali", "Nadia Tazi"):
        assert normalise(name) in annex, name
    # Organisations wrap inside their cells, and pdftotext interleaves the lines of neighbouring
    # cells (sometimes without a space between two cells): each of their words is there.
    for organisation in ("Transparency Maroc", "المجلس الاقتصادي والاجتماعي والبيئي", "وزارة الاقتصاد والمالية"):
        for word in normalise(organisation).split():
            assert word in annex, (organisation, word)
    assert "2026-05-01" in annex  # not 01-05-2026
    # The stale mark wraps in its narrow cell (two lines, interleaved with the dates).
    assert "لا — صودق" in annex and normalise("على نسخة سابقة") in annex
    assert H_STALE[12:24] not in annex


@pytest.mark.libreoffice
def test_rendered_arabic_annex_reads_right_to_left(rendered_ar):
    # In the right-to-left table the first columns are on the right: on a row, the name lies
    # right of the organisation, which lies right of the date, right of the hash.
    pages = re.split(r"<page ", rendered_ar["bbox"])
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>',
                       pages[-1])

    def where(text: str) -> tuple[float, float]:
        found = [(float(x), float(y)) for x, y, word in words if word.translate(_CONTROLS) == text]
        assert found, f"{text!r} not on the annex page"
        return found[0]

    name, organisation = where("Karim"), where("Transparency")
    date, digest = where("2026-05-03"), where(H_CO_LEAD[:12])
    assert name[0] > organisation[0] > date[0] > digest[0]
    assert abs(name[1] - digest[1]) < 30  # one row
    # The group of card 2 comes before that of card 10.
    assert where(H_REJECT[:12])[1] < where(H_STALE[:12])[1] < digest[1]
