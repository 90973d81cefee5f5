"""The consultation report in Word: its structure read back from the package, and what a reader
of LibreOffice's PDF of it sees."""
from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile

import docx
import pytest
from exports_support import (
    HOSTILE_BODY,
    LONG_WORD,
    REPORT_AR_ANSWER,
    REPORT_AR_SENTENCE,
    REPORT_FR_ANSWER,
    REPORT_FR_SENTENCE,
    consultation_report,
    pdf_text,
    render_pdfs,
)
from lxml import etree

from exports import ExportError, UnsupportedLanguage, i18n, report_docx
from exports.bidi import BIDI_CONTROLS, first_strong

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
_CONTROLS = {ord(c): None for c in BIDI_CONTROLS}
# Embeddings and overrides: none may reach the document, whatever the input held.
_EMBEDDINGS = re.compile("[\u202a-\u202e]")


def normalise(text: str) -> str:
    """Text as comparable text: presentation forms folded (NFKC), bidi marks and spacing gone."""
    text = unicodedata.normalize("NFKC", text).translate(_CONTROLS)
    return " ".join(text.split())


def document_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def paragraphs(data: bytes) -> list[etree._Element]:
    return document_xml(data).findall(".//w:p", NS)


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))


def styled(data: bytes, style_id: str) -> list[str]:
    return [normalise(text_of(p)) for p in paragraphs(data)
            if p.find(f"w:pPr/w:pStyle[@w:val='{style_id}']", NS) is not None]


def all_text(data: bytes) -> str:
    return normalise(" ".join(text_of(p) for p in paragraphs(data)))


def contributions(report: dict) -> list[dict]:
    found = list(report["plan_wide"])
    for axis in report["axes"]:
        for card in axis["cards"]:
            found.extend(card["contributions"])
    return found


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    return {lang: report_docx(consultation_report(), lang) for lang in i18n.LANGUAGES}


# -- structure --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_headings(documents, lang):
    data = documents[lang]
    assert styled(data, "Title") == [i18n.text("report_title", lang)]
    assert styled(data, "Subtitle") == [normalise(consultation_report()["plan"]["title"][lang])]
    assert styled(data, "Heading1") == [normalise(h) for h in (
        i18n.text("report_summary", lang), i18n.text("report_plan_wide", lang),
        i18n.text("axis_heading", lang, number="1", title=consultation_report()["axes"][0]["title"][lang]),
        i18n.text("axis_heading", lang, number="2", title=consultation_report()["axes"][1]["title"][lang]))]
    assert styled(data, "Heading2") == ["1.1 — نشر المعطيات المفتوحة المتعلقة بالصفقات العمومية",
                                        "1.2 — Registre des bénéficiaires effectifs"]
    text = all_text(data)
    assert normalise(i18n.text("report_window", lang, opens="2026-11-15", closes="2026-12-15",
                               state=i18n.text("report_state_open", lang))) in text
    assert normalise(i18n.text("report_generated", lang, date="2026-12-03")) in text
    assert normalise(i18n.text("period", lang, start="2026", end="2028")) in text


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_totals_table(documents, lang):
    table = docx.Document(io.BytesIO(documents[lang])).tables[0]
    rows = [[normalise(cell.text) for cell in row.cells] for row in table.rows]
    assert rows == [
        [i18n.text("report_column_item", lang), i18n.text("report_column_count", lang)],
        [i18n.text("report_contributions", lang), "5"],
        [i18n.text("report_answered", lang), "4"],
        *[[i18n.OUTCOMES[outcome][lang], "1"] for outcome in ("taken_into_account", "partly", "not_retained",
                                                                "out_of_scope")],
    ]


def test_outcome_labels_as_given():
    assert [i18n.outcome_label(o, "fr") for o in (*i18n.OUTCOMES, None)] == [
        "Prise en compte", "Prise en compte en partie", "Non retenue", "Hors du champ du plan",
        "En attente de réponse"]
    assert [i18n.outcome_label(o, "ar") for o in (*i18n.OUTCOMES, None)] == [
        "أُخذت بعين الاعتبار", "أُخذت جزئيا", "لم تُعتمد", "خارج نطاق الخطة", "في انتظار الجواب"]
    assert [i18n.outcome_label(o, "en") for o in (*i18n.OUTCOMES, None)] == [
        "Taken into account", "Partly taken into account", "Not retained", "Out of scope", "Awaiting an answer"]
    for key, labels in i18n.STRINGS.items():
        if key.startswith("report_"):
            assert set(labels) == set(i18n.LANGUAGES), key


def test_arabic_paragraphs_are_right_to_left(documents):
    found = paragraphs(documents["ar"])
    assert found
    for p in found:
        bidi = p.find("w:pPr/w:bidi", NS)
        assert bidi is not None, text_of(p)
        text = text_of(p)
        # A paragraph reads left to right only when it starts with Latin text (the marks the
        # exporter puts around numbers do not count).
        latin = first_strong(text.translate(_CONTROLS)) == "L"
        assert (bidi.get(f"{{{W}}}val") == "0") == latin, text
    body = document_xml(documents["ar"])
    assert body.find("w:body/w:sectPr/w:bidi", NS) is not None
    assert all(t.find("w:tblPr/w:bidiVisual", NS) is not None for t in body.iter(f"{{{W}}}tbl"))
    # The French contribution inside the Arabic report keeps its own direction.
    french = next(p for p in found if REPORT_FR_SENTENCE in text_of(p))
    assert french.find("w:pPr/w:bidi", NS).get(f"{{{W}}}val") == "0"
    # A Latin name in an Arabic line is isolated; an Arabic one needs not be.
    lines = [text_of(p) for p in found]
    assert any("\u2068Karim Benali\u2069 (\u2068Transparency Maroc\u2069)" in line for line in lines)
    assert any("سعاد العلمي (جمعية الشفافية المغربية)" in line for line in lines)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_french_and_english_paragraphs_are_left_to_right(documents, lang):
    body = document_xml(documents[lang])
    for p in paragraphs(documents[lang]):
        if p.find("w:pPr/w:bidi", NS) is not None:
            assert first_strong(text_of(p).translate(_CONTROLS)) == "R", text_of(p)  # only Arabic paragraphs
    assert next(p for p in paragraphs(documents[lang]) if REPORT_FR_SENTENCE in text_of(p)).find(
        "w:pPr/w:bidi", NS) is None
    assert body.find(".//w:bidiVisual", NS) is None


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_contribution_and_answer_appears(documents, lang):
    text = all_text(documents[lang])
    for entry in contributions(consultation_report()):
        name = normalise(_EMBEDDINGS.sub("", entry["name"]))
        assert name in text, name
        heading = i18n.text("report_contribution", lang, id=entry["id"])
        assert normalise(heading) in text
        assert normalise(i18n.outcome_label(entry["outcome"], lang)) in text
    for sentence in (REPORT_AR_SENTENCE, REPORT_AR_ANSWER, REPORT_FR_SENTENCE, REPORT_FR_ANSWER,
                     "Les données brutes sont déjà publiées.", "Transparency Maroc", "جمعية الشفافية المغربية"):
        assert normalise(sentence) in text, sentence
    assert normalise(i18n.text("report_about", lang, field=i18n.localized(
        {"ar": "الإشكالية", "fr": "Problématique", "en": "Problem"}, lang))) in text
    # Card 1.2 and axis 2 have none.
    assert text.count(normalise(i18n.text("report_no_contribution", lang))) == 2


def test_markdown_becomes_word_formatting(documents):
    data = documents["fr"]
    body = document_xml(data)
    bold = [text_of(r) for r in body.iter(f"{{{W}}}r") if r.find("w:rPr/w:b", NS) is not None]
    assert "données brutes" in bold and "كل ستة أشهر" in bold
    items = [text_of(p) for p in paragraphs(data) if p.find("w:pPr/w:numPr", NS) is not None]
    assert items[:2] == ["publier les données brutes ;", "voir le portail."]
    links = body.findall(".//w:hyperlink", NS)
    assert [text_of(link) for link in links] == ["le portail"]
    text = all_text(data)
    assert "**" not in text and "[le portail]" not in text


def test_hostile_text_is_kept_as_text(documents):
    for lang, data in documents.items():
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                   if name.endswith((".xml", ".rels"))}
        for name, source in xml.items():
            assert not _EMBEDDINGS.search(source), (lang, name)
            assert "javascript:" not in source, (lang, name)
        for p in paragraphs(data):
            text = text_of(p)
            # Isolates the exporter adds come in pairs, each closed in its own paragraph.
            assert sum(text.count(c) for c in "\u2066\u2067\u2068") == text.count("\u2069"), text
        text = all_text(data)
        assert "<script>alert(1)</script> début inversé clic" in text
        assert LONG_WORD in text
        assert "Malin <b>" in text and "(<i>org</i>)" in text
        assert document_xml(data).find(".//script") is None


def test_hostile_contribution_alone_does_not_fail():
    report = consultation_report()
    hostile = {"id": "\u202e9", "name": "\x00\ud800", "organisation": None, "date": None, "field": "\u202e",
               "body": HOSTILE_BODY * 3 + "\n\n" + "- " * 9 + "neuf niveaux",
               "outcome": "inconnu", "answer": None, "answered_at": None}
    deep = dict(hostile, body="- " * 40 + "profond\n" + "> " * 30 + "cité")
    report["plan_wide"] = [hostile, deep]
    report["axes"][0]["cards"][0]["title"] = "\u202e" + LONG_WORD
    for lang in i18n.LANGUAGES:
        data = report_docx(report, lang)
        text = all_text(data)
        assert "neuf niveaux" in text and "inconnu" in text
        levels = [int(lvl.get(f"{{{W}}}val")) for lvl in document_xml(data).iter(f"{{{W}}}ilvl")]
        assert max(levels) == 8  # Word's nine list levels
        # Nested deeper than the Markdown parser goes, the text is shown as typed, not lost.
        assert "- - - - profond" in text and "> > > cité" in text


def test_empty_and_missing_parts():
    report = copy.deepcopy(consultation_report())
    report.update(consultation=None, plan_wide=[], axes=[])
    data = report_docx(report, "en")
    text = all_text(data)
    assert i18n.text("report_no_consultation", "en") in text
    assert text.count(i18n.text("report_no_contribution", "en")) == 1
    assert styled(data, "Heading2") == []


def test_wrong_shapes_are_named():
    with pytest.raises(UnsupportedLanguage):
        report_docx(consultation_report(), "de")
    with pytest.raises(ExportError):
        report_docx([], "fr")
    report = consultation_report()
    report["axes"][0]["cards"] = "none"
    with pytest.raises(ExportError, match=r"axes\[0\]\.cards"):
        report_docx(report, "fr")


def test_header_names_the_report_and_the_plan(documents):
    document = docx.Document(io.BytesIO(documents["fr"]))
    header = normalise(document.sections[0].header.paragraphs[0].text)
    assert header == "Rapport de la consultation publique — Troisième plan d'action national du gouvernement ouvert"
    assert document.core_properties.language == "fr-FR"


# -- rendering ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(documents, tmp_path_factory, soffice, pdftotext) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("report")
    pdfs = render_pdfs(soffice, {"ar": documents["ar"], "fr": documents["fr"]}, workdir)
    return {lang: normalise(pdf_text(pdftotext, pdf)) for lang, pdf in pdfs.items()}


@pytest.mark.libreoffice
def test_arabic_report_reads_in_logical_order(rendered):
    text = rendered["ar"]
    assert normalise(i18n.text("report_title", "ar")) in text
    assert normalise(REPORT_AR_SENTENCE) in text
    assert normalise(REPORT_AR_ANSWER) in text
    # Dates keep their order, the French contribution reads left to right.
    assert "2026-11-20" in text and "2026-12-15" in text
    assert normalise(REPORT_FR_SENTENCE) in text
    # After the hostile contribution's override, the next contribution still reads as written.
    assert normalise("ما هو الجدول الزمني للنشر؟") in text
    order = [text.index(normalise(s)) for s in (
        i18n.text("report_summary", "ar"), i18n.text("report_plan_wide", "ar"), REPORT_AR_SENTENCE,
        "الوصول إلى المعلومات", "ما هو الجدول الزمني للنشر؟", "الشفافية المالية")]
    assert order == sorted(order)


@pytest.mark.libreoffice
def test_french_report_keeps_quotes_and_order(rendered):
    text = rendered["fr"]
    assert normalise(REPORT_FR_SENTENCE) in text  # « un portail unique » with its spaces and quotes
    assert normalise(REPORT_FR_ANSWER) in text
    assert "Réponse — Prise en compte en partie (2026-11-25) :" in text
    assert normalise(REPORT_AR_SENTENCE) in text
    order = [text.index(s) for s in (
        "Rapport de la consultation publique", "Bilan de la consultation", "Contributions sur l'ensemble du plan",
        "Contribution n° 1", "Contribution n° 2", "Axe 1 : Accès à l'information", "Contribution n° 3",
        "Contribution n° 5", "En attente de réponse", "Aucune contribution.", "Axe 2 : Transparence budgétaire")]
    assert order == sorted(order)
    # The override typed in contribution 4 reorders neither its own line nor the ones after it.
    assert "<script>alert(1)</script> début inversé clic" in text
    assert "Réponse — Hors du champ du plan (2026-11-25) : • hors sujet • <script>x</script>" in text
    assert re.search(r"Page 1 sur \d+", text)
