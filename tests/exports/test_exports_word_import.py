"""Word import: round trips of our own exports, hand-made documents in both layouts, bad files."""
from __future__ import annotations

import copy
import io
import os
import zipfile
from typing import Any

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pycrdt import Doc

import schemas
from exports import WordImportError, card_docx, import_docx
from exports.values import table_rows
from server.content import canonical, layout
from server.content.validation import validate_fields
from server.content.write import write_fields


def without_ids(value: Any) -> Any:
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k != "id"}
    return value


def expected_fields(template: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """What an import of our export gives back: tables grouped as shown (partners by kind)."""
    out = {}
    for field in schemas.document_fields(template):
        value = fields[field["id"]]
        out[field["id"]] = table_rows(field, value) if field["type"] == "table" else value
    return without_ids(out)


def through_document(template: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Write imported values into a fresh card document and read its canonical fields back."""
    doc = Doc()
    layout.seed(doc, template)
    write_fields(doc, template, values)
    return canonical.canonical_content(doc, template, {})["fields"]


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("which", ["ar_content", "fr_content"])
def test_round_trip_of_exported_card(template, request, lang, which):
    content = request.getfixturevalue(which)
    result = import_docx(template, card_docx(template, content, lang))
    validate_fields(template, result.values)
    assert without_ids(result.values) == expected_fields(template, content["fields"])
    stored = through_document(template, result.values)
    assert without_ids(stored) == expected_fields(template, content["fields"])
    mapped = {r["field"] for r in result.report if r["status"] == "mapped"}
    assert mapped == {f["id"] for f in schemas.document_fields(template)} | {"lead", "co_lead"}
    ignored = {r["field"] for r in result.report if r["status"] == "ignored"}
    assert {"number", "axis"} <= ignored
    # The lead and co-lead come out as the file names them, for the server to match.
    assert result.card == {side: content["card"][side][lang] for side in ("lead", "co_lead")}


def _hyperlink(paragraph, text: str, url: str) -> None:
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    node = OxmlElement("w:t")
    node.text = text
    run.append(node)
    link.append(run)
    paragraph._p.append(link)


def _cell_paragraph(cell, text: str = "", style: str | None = None):
    paragraph = cell.paragraphs[0] if not cell.paragraphs[0].text and len(cell.paragraphs) == 1 \
        and not cell.paragraphs[0].runs else cell.add_paragraph()
    if style:
        paragraph.style = style
    if text:
        paragraph.add_run(text)
    return paragraph


def table_form_docx() -> bytes:
    """An OGP card typed by hand in Word, French labels written loosely."""
    document = docx.Document()
    document.add_paragraph("Fiche d'engagement — Plan d'action national")
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"

    def row(label: str):
        cells = table.add_row().cells
        cells[0].text = label
        return cells[1]

    row("ENGAGEMENT N° :").text = "7"
    row("Intitulé de l'engagement").text = "Budget citoyen régional"
    row("Description succincte (≤ 140 caractères)").text = "Publier un budget citoyen par région."
    problem = row("Problématique :")
    first = _cell_paragraph(problem)
    first.add_run("Les budgets régionaux sont ")
    first.add_run("peu lisibles").bold = True
    first.add_run(" pour les citoyens, ")
    first.add_run("selon l'enquête").italic = True
    first.add_run(" de ")
    _hyperlink(first, "l'ONDH", "https://www.ondh.ma")
    first.add_run(".")
    _cell_paragraph(problem, "Manque de formats ouverts", style="List Bullet")
    _cell_paragraph(problem, "Absence de calendrier", style="List Bullet")
    row("Solution proposée").text = "Un portail régional."
    partners = row("Partenaires : institutions d'appui, société civile, secteur privé, organisations internationales")
    nested = partners.add_table(rows=3, cols=3)
    for cells, texts in zip(nested.rows, (("Nom", "Catégorie", "Rôle"),
                                          ("Conseil régional", "Institutions d'appui", "Données"),
                                          ("Association Tafra", "SOCIÉTÉ CIVILE", "Suivi"))):
        for cell, text in zip(cells.cells, texts):
            cell.text = text
    milestones = row("Jalons et activités")
    grid = milestones.add_table(rows=3, cols=6)
    for cells, texts in zip(grid.rows, (("Activité", "Livrable", "Début", "Fin", "Responsable", "Budget"),
                                        ("Atelier", "Compte rendu", "mars 2024", "04/2024", "Région", "10 000"),
                                        ("Portail", "Site en ligne", "2024-05", "2025-01", "", ""))):
        for cell, text in zip(cells.cells, texts):
            cell.text = text
    values = row("Pertinence au regard des valeurs du PGO")
    _cell_paragraph(values, "☑ Transparence : les budgets deviennent publics.")
    _cell_paragraph(values, "☐ Participation citoyenne")
    _cell_paragraph(values, "☑ Redevabilité")
    _cell_paragraph(values, "Les élus rendent compte.")
    row("Domaine de politique publique").text = "Transparence budgétaire"
    row("Date de début").text = "01/2024"
    row("Date de fin").text = "décembre 2025"
    row("Budget total").text = "2 MDH"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_hand_made_table_form_in_french(template):
    result = import_docx(template, table_form_docx())
    validate_fields(template, result.values)
    values = result.values
    assert values["title"] == "Budget citoyen régional"
    assert values["summary"] == "Publier un budget citoyen par région."
    assert values["problem"] == [
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Les budgets régionaux sont "},
            {"type": "text", "text": "peu lisibles", "marks": [{"type": "bold"}]},
            {"type": "text", "text": " pour les citoyens, "},
            {"type": "text", "text": "selon l'enquête", "marks": [{"type": "italic"}]},
            {"type": "text", "text": " de "},
            {"type": "text", "text": "l'ONDH", "marks": [{"type": "link", "attrs": {"href": "https://www.ondh.ma"}}]},
            {"type": "text", "text": "."}]},
        {"type": "bulletList", "content": [
            {"type": "listItem", "content": [{"type": "paragraph", "content": [
                {"type": "text", "text": "Manque de formats ouverts"}]}]},
            {"type": "listItem", "content": [{"type": "paragraph", "content": [
                {"type": "text", "text": "Absence de calendrier"}]}]}]},
    ]
    assert without_ids(values["partners"]) == [
        {"kind": "government", "name": "Conseil régional", "role": "Données"},
        {"kind": "civil_society", "name": "Association Tafra", "role": "Suivi"}]
    assert without_ids(values["milestones"]) == [
        {"activity": "Atelier", "deliverable": "Compte rendu", "start": "2024-03", "end": "2024-04",
         "responsible": "Région"},
        {"activity": "Portail", "deliverable": "Site en ligne", "start": "2024-05", "end": "2025-01",
         "responsible": ""}]
    assert values["ogp_values"] == {
        "transparency": {"selected": True, "justification": "les budgets deviennent publics."},
        "participation": {"selected": False, "justification": ""},
        "accountability": {"selected": True, "justification": "Les élus rendent compte."}}
    assert values["policy_area"] == "fiscal_openness"
    assert values["start_date"] == "2024-01" and values["end_date"] == "2025-12"
    report = {r["source"]: r for r in result.report}
    assert report["Budget total | 2 MDH"]["status"] == "ignored"
    assert report["ENGAGEMENT N° :"]["field"] == "number" and report["ENGAGEMENT N° :"]["status"] == "ignored"
    assert "columns left out: Budget" in report["Jalons et activités"]["detail"]
    assert through_document(template, values)["policy_area"] == "fiscal_openness"


def heading_form_docx() -> bytes:
    """A card written as headings, in Arabic, with tatweel and harakat in the headings."""
    document = docx.Document()
    document.add_heading("بطاقة الالتزام", level=1)
    document.add_heading("عنوان الالتـــزام", level=2)
    document.add_paragraph("رقمنة السجلات العقارية")
    document.add_heading("الإِشْكَالِيَّة:", level=2)
    paragraph = document.add_paragraph("تعاني السجلات من ")
    paragraph.add_run("التشتت").underline = True
    document.add_paragraph("الخطوة الأولى", style="List Number")
    document.add_paragraph("الخطوة الثانية", style="List Number")
    document.add_heading("المراحل والأنشطة", level=2)
    table = document.add_table(rows=2, cols=4)
    for cells, texts in zip(table.rows, (("النشاط", "المخرَج", "تاريخ البداية", "تاريخ النهاية"),
                                         ("جرد السجلات", "تقرير الجرد", "٢٠٢٤-٠٣", "2024-09"))):
        for cell, text in zip(cells.cells, texts):
            cell.text = text
    document.add_heading("ملاحظات", level=2)
    document.add_paragraph("نص لا ينتمي إلى أي حقل.")
    bold = document.add_paragraph()
    bold.add_run("Résultats attendus").bold = True
    document.add_paragraph("Des registres numérisés.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_hand_made_heading_form_in_arabic(template):
    result = import_docx(template, heading_form_docx())
    validate_fields(template, result.values)
    values = result.values
    assert values["title"] == "رقمنة السجلات العقارية"
    assert values["problem"][0] == {"type": "paragraph", "content": [
        {"type": "text", "text": "تعاني السجلات من "},
        {"type": "text", "text": "التشتت", "marks": [{"type": "underline"}]}]}
    assert values["problem"][1]["type"] == "orderedList"
    assert values["problem"][1]["attrs"] == {"start": 1}
    assert len(values["problem"][1]["content"]) == 2
    assert without_ids(values["milestones"]) == [{"activity": "جرد السجلات", "deliverable": "تقرير الجرد",
                                                  "start": "2024-03", "end": "2024-09", "responsible": ""}]
    assert values["results"] == [{"type": "paragraph", "content": [
        {"type": "text", "text": "Des registres numérisés."}]}]
    ignored = [r["source"] for r in result.report if r["status"] == "ignored"]
    assert "بطاقة الالتزام" in ignored and "ملاحظات" in ignored
    assert "نص لا ينتمي إلى أي حقل." not in str(values)


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Problématique", level=2)
    document.add_paragraph("Un texte.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members[name] = content
    return _zip(members)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("name, make, code", [
    ("random bytes", lambda: os.urandom(4096), "not_docx"),
    ("empty upload", lambda: b"", "empty"),
    ("truncated docx", lambda: _docx_bytes()[:len(_docx_bytes()) // 2], "corrupt"),
    ("encrypted OLE", lambda: OLE + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000, "encrypted"),
    ("legacy .doc", lambda: OLE + b"\0" * 2000, "not_docx"),
    ("zip without a document", lambda: _zip({"[Content_Types].xml": b"<Types/>", "hello.txt": b"hi"}), "not_docx"),
    ("damaged XML", lambda: _replace_member(_docx_bytes(), "word/document.xml", b"<w:document><oops"), "corrupt"),
    ("no text", lambda: _replace_member(_docx_bytes(), "word/document.xml", (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p/></w:body></w:document>")), "empty"),
])
def test_bad_files_raise_with_a_code(template, name, make, code):
    with pytest.raises(WordImportError) as info:
        import_docx(template, make())
    assert info.value.code == code, name
    assert info.value.message and "Traceback" not in info.value.message


def test_oversized_upload(template):
    with pytest.raises(WordImportError) as info:
        import_docx(template, b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024))
    assert info.value.code == "too_large"
    with pytest.raises(WordImportError) as info:
        import_docx(template, _docx_bytes(), max_bytes=1024)
    assert info.value.code == "too_large"


def test_zip_bomb_is_refused_before_parsing(template):
    bomb = _replace_member(_docx_bytes(), "word/document.xml", b" " * (3 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    with pytest.raises(WordImportError) as info:
        import_docx(template, bomb, max_unpacked=1024 * 1024)
    assert info.value.code == "too_large"


W_DOC = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'


def _body(inner: bytes) -> bytes:
    return W_DOC + inner + b"</w:body></w:document>"


@pytest.mark.parametrize("name, document, says", [
    # Each expands from a few KB to what took tens of seconds and gigabytes with the old limits.
    ("huge part", _body(b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" + b" " * (40 * 1024 * 1024)), "unpacks"),
    ("part over its own cap", _body(b"<w:p/>" * (900 * 1024)), "unpacks"),
    ("200,000 empty paragraphs", _body(b"<w:p/>" * 200_000), "paragraphs"),
    ("runs", _body(b"<w:p>" + b"<w:r/>" * 50_000 + b"</w:p>"), "runs"),
    ("cells", _body(b"<w:tbl><w:tr>" + b"<w:tc/>" * 25_000 + b"</w:tr></w:tbl>"), "cells"),
    ("text", _body(b"<w:p><w:r><w:t>" + b"a" * 1_100_000 + b"</w:t></w:r></w:p>"), "characters"),
])
def test_bombs_are_refused_by_the_size_and_count_guards(template, name, document, says):
    bomb = _replace_member(_docx_bytes(), "word/document.xml", document)
    assert len(bomb) < 200 * 1024, name
    with pytest.raises(WordImportError) as info:
        import_docx(template, bomb)  # the default limits, in-process: no timeout is involved
    assert info.value.code == "too_large", name
    assert says in info.value.message, info.value.message


def test_a_realistic_plan_sized_document_is_still_read(template):
    from exports_support import make_plan

    from exports import plan_docx

    result = import_docx(template, plan_docx(template, make_plan(40), "fr"))
    assert result.values["title"]


def test_document_without_card_fields(template):
    document = docx.Document()
    document.add_heading("Compte rendu de réunion", level=1)
    document.add_paragraph("Rien qui ressemble à une fiche.")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(WordImportError) as info:
        import_docx(template, buffer.getvalue())
    assert info.value.code == "empty" and "Compte rendu de réunion" in info.value.message


def test_import_never_mutates_the_template(template, fr_content):
    before = copy.deepcopy(template)
    import_docx(template, card_docx(template, fr_content, "fr"))
    assert template == before


def test_control_characters_in_a_word_file_are_cleaned_and_reported(template, fr_content):
    content = copy.deepcopy(fr_content)
    content["fields"]["title"] = "Titre\x7f propre\x85"
    content["fields"]["summary"] = "Ligne\x9b une"
    result = import_docx(template, card_docx(template, content, "fr"))
    assert result.values["title"] == "Titre propre"
    assert result.values["summary"] == "Ligne une"
    lines = {r["field"]: r for r in result.report if r["status"] == "mapped"}
    assert "control characters were removed" in lines["title"]["detail"]
    assert "control characters" not in lines["problem"]["detail"]
    validate_fields(template, result.values)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_contact_details_come_back_as_typed_from_an_export(template, ar_content, lang):
    # The export keeps phone numbers whole (no-break spaces and hyphens) and isolates contact
    # details and Arabic text; the import gives back what was typed.
    content = copy.deepcopy(ar_content)
    fields = content["fields"]
    fields["focal_point"][0].update(email="soad.elalami@finances.gov.ma", phone="05-37-00-00-00")
    fields["problem"] = [{"type": "paragraph", "content": [{"type": "text", "text": (
        "للتواصل: soad.elalami@finances.gov.ma أو +212 5 37 00 00 00 أو https://www.data.gov.ma/ar/.")}]},
        {"type": "paragraph", "content": [{"type": "text", "text": "Le guide « دليل الشفافية » 2024, tél. 0537 00 00 00"}]}]
    result = import_docx(template, card_docx(template, content, lang))
    assert without_ids(result.values["focal_point"]) == without_ids(fields["focal_point"])
    assert result.values["problem"] == fields["problem"]
