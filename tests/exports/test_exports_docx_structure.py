"""Word export structure, read back from the package XML (python-docx and lxml)."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from exports_support import (
    AR_SENTENCE,
    FR_IN_AR,
    arabic_fields,
    card_content,
    french_fields,
    make_plan,
    para,
    t,
)
from lxml import etree

import schemas
from exports import (
    ExportError,
    PlanError,
    UnknownFieldTypeError,
    UnknownMarkError,
    UnknownNodeError,
    UnsupportedLanguage,
    card_docx,
    plan_docx,
)
from exports.bidi import first_strong

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith(".xml") or name.endswith(".rels")}


def text_of(element: etree._Element) -> str:
    return "".join(node.text or "" for node in element.iter(q("t")))


def story_parts(found: dict[str, etree._Element]) -> list[etree._Element]:
    return [root for name, root in found.items()
            if re.match(r"word/(document|header\d*|footer\d*)\.xml$", name)]


@pytest.fixture(scope="module")
def ar_plan_parts() -> dict[str, etree._Element]:
    return parts(plan_docx(schemas.load_template(), make_plan(4), "ar"))


@pytest.fixture(scope="module")
def fr_card_parts() -> dict[str, etree._Element]:
    return parts(card_docx(schemas.load_template(), card_content(french_fields(5), "5", {
        "title": {"fr": "Accès à l'information"}}), "fr"))


def test_documents_open_with_python_docx(template, ar_content, fr_content, plan):
    for data in (card_docx(template, ar_content, "ar"), card_docx(template, fr_content, "fr"),
                 card_docx(template, fr_content, "en"), plan_docx(template, plan, "fr")):
        document = docx.Document(io.BytesIO(data))
        assert document.tables, "the card table is missing"


def test_plan_headings_follow_axes_and_cards(template, plan):
    document = docx.Document(io.BytesIO(plan_docx(template, plan, "fr")))
    h1 = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert h1[0] == "Tableau récapitulatif des engagements par axe"
    assert h1[1:5] == ["Axe 1 : Accès à l'information", "Axe 2 : Transparence budgétaire",
                       "Axe 3 : Participation du public", "Axe 4 : Justice"]
    assert h1[-1] == "Annexe : validations"
    assert len(h2) == len(plan["cards"])
    assert h2[0].startswith("Engagement n° 1 : ")


def test_card_table_rows_follow_template_labels(template, ar_content):
    document = docx.Document(io.BytesIO(card_docx(template, ar_content, "ar")))
    table = document.tables[0]
    labels = [row.cells[0].text for row in table.rows]
    assert labels == [schemas.label(f, "ar") for f in template["fields"]]
    by_label = {row.cells[0].text: row.cells[1] for row in table.rows}
    assert by_label["مجال السياسة العامة"].text == "الشفافية المالية"
    assert by_label["المحور"].text == "الشفافية المالية"
    assert by_label["الجهة المسؤولة عن التنفيذ"].text == "وزارة الاقتصاد والمالية"
    values_cell = by_label["الانسجام مع قيم الحكومة المنفتحة"].text
    assert "الشفافية" in values_cell and "المساءلة" in values_cell
    assert "المشاركة المواطنة" not in values_cell, "only ticked options are shown"
    assert "fiscal_openness" not in "".join(c.text for r in table.rows for c in r.cells)


def test_table_fields_are_nested_tables_with_header_rows(template, ar_content):
    root = parts(card_docx(template, ar_content, "ar"))["word/document.xml"]
    nested = root.findall(".//w:tc//w:tbl", NS)
    headers = [[text_of(tc) for tc in tbl.find("w:tr", NS).findall("w:tc", NS)] for tbl in nested]
    assert ["النشاط", "المخرَج", "تاريخ البداية", "تاريخ النهاية", "الجهة المسؤولة"] in headers
    for tbl in nested:
        assert tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None
    milestones = next(tbl for tbl in nested if text_of(tbl).startswith("النشاط"))
    assert "2024-03" in text_of(milestones) and "2025-06" in text_of(milestones)


def test_partners_are_grouped_by_kind(template, ar_content):
    root = parts(card_docx(template, ar_content, "ar"))["word/document.xml"]
    partners = next(tbl for tbl in root.findall(".//w:tc//w:tbl", NS) if text_of(tbl).startswith("الصنف"))
    kinds = [text_of(tr.findall("w:tc", NS)[0]) for tr in partners.findall("w:tr", NS)[1:]]
    # Option order: government, civil society (two rows, merged), international.
    assert kinds == ["القطاعات الحكومية", "المجتمع المدني", "", "المنظمات الدولية"]
    merges = [tc.find("w:tcPr/w:vMerge", NS) for tc in partners.findall("w:tr/w:tc", NS)]
    assert [m.get(q("val")) for m in merges if m is not None] == ["restart", None]


def test_lists_use_real_numbering(template, ar_content):
    found = parts(card_docx(template, ar_content, "ar"))
    root, numbering = found["word/document.xml"], found["word/numbering.xml"]
    list_paragraphs = root.xpath(".//w:p[w:pPr/w:numPr]", namespaces=NS)
    assert len(list_paragraphs) == 9  # 2 in problem, 3 in causes, 4 in solution
    for p in root.iter(q("p")):
        assert not text_of(p).lstrip().startswith(("•", "◦", "- ")), "list markers must not be typed as text"
    num_ids = {p.find("w:pPr/w:numPr/w:numId", NS).get(q("val")) for p in list_paragraphs}
    defined = {n.get(q("numId")): n for n in numbering.findall("w:num", NS)}
    assert num_ids <= set(defined)
    # Arabic list levels are right to left.
    ours = [a for a in numbering.findall("w:abstractNum", NS) if a.find("w:lvl/w:pPr/w:bidi", NS) is not None]
    assert len(ours) == 2
    formats = {a.find("w:lvl/w:numFmt", NS).get(q("val")) for a in ours}
    assert formats == {"bullet", "decimal"}
    # Each numbered list restarts: its own w:num with a start override (3 for the second list).
    starts = [n.find("w:lvlOverride/w:startOverride", NS).get(q("val"))
              for n in defined.values() if n.find("w:lvlOverride/w:startOverride", NS) is not None]
    assert starts.count("1") >= 2 and "3" in starts
    nested = [p for p in list_paragraphs if p.find("w:pPr/w:numPr/w:ilvl", NS).get(q("val")) == "1"]
    assert nested, "a nested list item sits at level 1"


def test_every_arabic_paragraph_is_bidi_and_every_table_bidi_visual(ar_plan_parts):
    checked = 0
    for root in story_parts(ar_plan_parts):
        for p in root.iter(q("p")):
            bidi = p.find("w:pPr/w:bidi", NS)
            assert bidi is not None, f"paragraph without w:bidi: {text_of(p)!r}"
            if bidi.get(q("val")) == "0":
                assert first_strong(text_of(p)) == "L", f"a right-to-left text marked LTR: {text_of(p)!r}"
            checked += 1
        for tbl in root.iter(q("tbl")):
            assert tbl.find("w:tblPr/w:bidiVisual", NS) is not None
    assert checked > 200
    headers = [root for name, root in ar_plan_parts.items() if re.match(r"word/(header|footer)\d*\.xml", name)]
    assert len(headers) >= 2 and all(root.find(".//w:p/w:pPr/w:bidi", NS) is not None for root in headers)


def test_arabic_runs_are_rtl_with_complex_script_font(ar_plan_parts):
    root = ar_plan_parts["word/document.xml"]
    arabic_runs = latin_runs = 0
    for run in root.iter(q("r")):
        text = text_of(run)
        if not text.strip():
            continue
        rpr = run.find("w:rPr", NS)
        if re.search("[\u0600-\u06ff]", text):
            arabic_runs += 1
            assert rpr.find("w:rtl", NS) is not None
            assert rpr.find("w:rFonts", NS).get(q("cs")) == "Amiri"
            assert rpr.find("w:szCs", NS) is not None
            assert rpr.find("w:lang", NS).get(q("bidi")) == "ar-MA"
        elif re.search("[A-Za-z]", text):
            latin_runs += 1
            assert rpr is None or rpr.find("w:rtl", NS) is None, f"Latin run marked rtl: {text!r}"
    assert arabic_runs > 100 and latin_runs > 10
    french = [p for p in root.iter(q("p")) if text_of(p) == FR_IN_AR]
    assert french and all(p.find("w:pPr/w:bidi", NS).get(q("val")) == "0" for p in french)
    assert any(AR_SENTENCE in text_of(p) for p in root.iter(q("p")))


def test_arabic_defaults_section_and_styles(ar_plan_parts):
    styles = ar_plan_parts["word/styles.xml"]
    defaults = styles.find("w:docDefaults", NS)
    assert defaults.find("w:pPrDefault/w:pPr/w:bidi", NS) is not None
    assert defaults.find("w:rPrDefault/w:rPr/w:rFonts", NS).get(q("cs")) == "Amiri"
    assert defaults.find("w:rPrDefault/w:rPr/w:lang", NS).get(q("bidi")) == "ar-MA"
    # Latin text in an Arabic document is French (spelling, hyphenation).
    assert defaults.find("w:rPrDefault/w:rPr/w:lang", NS).get(q("val")) == "fr-FR"
    assert ar_plan_parts["word/document.xml"].find("w:body/w:sectPr/w:bidi", NS) is not None


def test_french_card_has_no_bidi(fr_card_parts):
    for root in story_parts(fr_card_parts):
        assert root.find(".//w:bidi", NS) is None
        assert root.find(".//w:bidiVisual", NS) is None
        assert root.find(".//w:rtl", NS) is None
    defaults = fr_card_parts["word/styles.xml"].find("w:docDefaults", NS)
    assert defaults.find("w:pPrDefault/w:pPr/w:bidi", NS) is None
    assert defaults.find("w:rPrDefault/w:rPr/w:lang", NS).get(q("val")) == "fr-FR"


def test_french_plan_marks_only_arabic_paragraphs_rtl(template):
    found = parts(plan_docx(template, make_plan(4), "fr"))
    root = found["word/document.xml"]
    for p in root.iter(q("p")):
        bidi = p.find("w:pPr/w:bidi", NS)
        assert (bidi is not None) == (first_strong(text_of(p)) == "R"), text_of(p)
    assert root.find(".//w:bidiVisual", NS) is None


def test_hyperlinks_are_real_relationships(template, ar_content):
    found = parts(card_docx(template, ar_content, "ar"))
    links = found["word/document.xml"].findall(".//w:hyperlink", NS)
    assert links
    rels = found["word/_rels/document.xml.rels"]
    targets = {r.get("Id"): (r.get("Target"), r.get("TargetMode")) for r in rels}
    rid = links[0].get(f"{{{R}}}id")
    assert targets[rid] == ("https://www.gouvernement-ouvert.ma", "External")
    assert text_of(links[0]) == "بوابة الحكومة المنفتحة"
    assert links[0].find("w:r/w:rPr/w:rStyle", NS).get(q("val")) == "Hyperlink"


def test_marks_become_run_properties(template, fr_content):
    root = parts(card_docx(template, fr_content, "fr"))["word/document.xml"]
    runs = {text_of(r): r.find("w:rPr", NS) for r in root.iter(q("r"))}
    assert runs["ce qui limite le contrôle citoyen"].find("w:b", NS) is not None
    assert runs["MRI"].find("w:i", NS) is not None
    assert runs["Mises à jour irrégulières"].find("w:u", NS).get(q("val")) == "single"


def test_toc_field_and_update_on_open(ar_plan_parts):
    root = ar_plan_parts["word/document.xml"]
    codes = [i.text for i in root.iter(q("instrText"))]
    assert any(c.strip() == 'TOC \\o "1-2" \\h \\z \\u' for c in codes)
    begins = [f for f in root.iter(q("fldChar")) if f.get(q("fldCharType")) == "begin" and f.get(q("dirty")) == "true"]
    assert begins
    settings = ar_plan_parts["word/settings.xml"]
    assert settings.find("w:updateFields", NS).get(q("val")) == "true"
    # The entries are the field's cached result, linked to bookmarked headings.
    entries = root.xpath(".//w:p[w:pPr/w:pStyle[@w:val='TOC1']]", namespaces=NS)
    anchors = {h.get(q("anchor")) for h in root.iter(q("hyperlink")) if h.get(q("anchor"))}
    bookmarks = {b.get(q("name")) for b in root.iter(q("bookmarkStart"))}
    assert len(entries) == 6 and anchors and anchors <= bookmarks
    ids = [b.get(q("id")) for b in root.iter(q("bookmarkStart"))]
    assert len(ids) == len(set(ids)) == len(bookmarks)


def test_header_and_footer_fields(ar_plan_parts, fr_card_parts):
    for found, words in ((ar_plan_parts, ("الصفحة", "من")), (fr_card_parts, ("Page", "sur"))):
        footers = [root for name, root in found.items() if re.match(r"word/footer\d*\.xml", name)]
        codes = " ".join(i.text for f in footers for i in f.iter(q("instrText")))
        assert "PAGE" in codes.split() and "NUMPAGES" in codes.split()
        footer_text = " ".join(text_of(f) for f in footers)
        assert all(word in footer_text for word in words)
    headers = " ".join(text_of(r) for n, r in ar_plan_parts.items() if re.match(r"word/header\d*\.xml", n))
    assert "خطة العمل الوطنية الثالثة للحكومة المنفتحة" in headers and "مسودة" in headers


def test_cover_and_draft_marking(template):
    draft = docx.Document(io.BytesIO(plan_docx(template, make_plan(2), "ar")))
    cover = [p.text for p in draft.paragraphs[:16]]
    assert "المملكة المغربية" in cover and "وزارة الانتقال الرقمي وإصلاح الإدارة" in cover
    assert "مسودة" in cover
    assert any("2024-01" in line and "2027-12" in line for line in cover)
    final = docx.Document(io.BytesIO(plan_docx(template, make_plan(2, final=True), "fr")))
    cover = [p.text for p in final.paragraphs[:16]]
    assert "Royaume du Maroc" in cover and "PROJET" not in cover


def test_summary_table_and_signoff_annex(template):
    document = docx.Document(io.BytesIO(plan_docx(template, make_plan(4), "fr")))
    summary = document.tables[0]
    rows = [[c.text for c in row.cells] for row in summary.rows]
    assert rows[0] == ["Engagement n°", "Intitulé de l'engagement", "Institution chef de file"]
    assert rows[1][0] == "Axe 1 : Accès à l'information"
    assert rows[2][0] == "1" and rows[2][2] == "Ministère de l'Économie et des Finances"
    annex = document.tables[-1]
    assert [c.text for c in annex.rows[0].cells][-2:] == ["Empreinte\n(SHA-256)", "À jour"]
    assert annex.rows[1].cells[0].text.startswith("Engagement n° 1 : ")   # the card's group row
    # The hash's first 12 characters, isolated left to right (test_exports_signoff_annex.py).
    assert annex.rows[2].cells[-2].text == "\u2066" + "a" * 12 + "\u2069"
    empty = docx.Document(io.BytesIO(plan_docx(template, make_plan(2, signoffs=False), "ar")))
    assert "لا توجد أي مصادقة بعد." in [p.text for p in empty.paragraphs]


def test_english_is_left_to_right(template, ar_content):
    found = parts(card_docx(template, ar_content, "en"))
    assert found["word/document.xml"].find(".//w:bidiVisual", NS) is None
    table = found["word/document.xml"].find(".//w:tbl", NS)
    assert text_of(table.find("w:tr/w:tc", NS)) == "Commitment No."


def test_unknown_node_and_mark_raise(template, fr_content):
    fr_content["fields"]["problem"] = [{"type": "blockquote", "content": [para(t("x"))]}]
    with pytest.raises(UnknownNodeError) as info:
        card_docx(template, fr_content, "fr")
    assert info.value.node_type == "blockquote"
    fr_content["fields"]["problem"] = [para({"type": "mention", "attrs": {"id": 1}})]
    with pytest.raises(UnknownNodeError):
        card_docx(template, fr_content, "fr")
    fr_content["fields"]["problem"] = [para({"type": "text", "text": "x", "marks": [{"type": "strike"}]})]
    with pytest.raises(UnknownMarkError):
        card_docx(template, fr_content, "fr")


def test_unknown_field_type_raises(template, fr_content):
    custom = {**template, "fields": template["fields"] + [
        {"id": "map", "type": "geo", "label": {"ar": "خريطة", "fr": "Carte", "en": "Map"}}]}
    with pytest.raises(UnknownFieldTypeError):
        card_docx(custom, fr_content, "fr")


def test_a_new_template_field_needs_no_code(template, fr_content):
    custom = {**template, "fields": template["fields"] + [
        {"id": "budget", "type": "text", "label": {"ar": "الميزانية", "fr": "Budget", "en": "Budget"}}]}
    fr_content["fields"]["budget"] = "2 MDH"
    document = docx.Document(io.BytesIO(card_docx(custom, fr_content, "fr")))
    assert [c.text for c in document.tables[0].rows[-1].cells] == ["Budget", "2 MDH"]


def test_misuse_fails_loudly(template, fr_content, plan):
    with pytest.raises(UnsupportedLanguage, match="language"):
        card_docx(template, fr_content, "de")
    with pytest.raises(ExportError, match="template"):
        card_docx(template, {**fr_content, "template": {"id": "other", "version": 9}}, "fr")
    plan["cards"][0]["axis_id"] = 99
    with pytest.raises(PlanError, match=r"cards\[0\]\.axis_id"):
        plan_docx(template, plan, "fr")
    with pytest.raises(PlanError, match="period"):
        plan_docx(template, {**plan, "period": None}, "fr")


# -- contact details and isolation ----------------------------------------------------------------

EMAIL, PHONE, URL = "soad.elalami@finances.gov.ma", "+212 5 37 00 00 00", "https://www.data.gov.ma/ar/"
AR_TITLE = "دليل الشفافية"


def contact_card(fields: dict, lang_number: str) -> dict:
    focal = [{"id": "fp1", "name": "سعاد العلمي", "position": "رئيسة قسم الشفافية", "email": EMAIL, "phone": PHONE}]
    return card_content({**fields, "focal_point": focal}, lang_number, {"title": {"ar": "محور", "fr": "Axe"}})


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_contact_columns_are_wide_enough_for_their_addresses_and_numbers(template, lang):
    root = parts(card_docx(template, contact_card(french_fields(5), "5"), lang))["word/document.xml"]
    focal = next(tbl for tbl in root.findall(".//w:tc//w:tbl", NS) if EMAIL in text_of(tbl))
    for text in (EMAIL, PHONE.replace(" ", "\u00a0")):
        cell = next(tc for tc in focal.iter(q("tc")) if text_of(tc).replace("\u2066", "").replace("\u2069", "")
                    .strip("\u200e") == text)
        size = int(cell.find(".//w:rPr/w:sz", NS).get(q("val"))) / 2 if cell.find(".//w:rPr/w:sz", NS) is not None \
            else 10.5
        width_pt = int(cell.find("w:tcPr/w:tcW", NS).get(q("w"))) / 20
        # At least half an em a character, plus the cell's margins: room for the whole of it.
        assert width_pt >= len(text) * size * 0.5 + 216 / 20, (text, width_pt, size)
    widths = [int(c.get(q("w"))) for c in focal.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(widths) == int(focal.find("w:tblPr/w:tblW", NS).get(q("w")))


def test_phone_numbers_are_written_with_no_break_spaces_and_hyphens(template):
    fields = {**arabic_fields(3), "problem": [para(t(f"الهاتف {PHONE} أو 05-37-00-00-00."))]}
    root = parts(card_docx(template, contact_card(fields, "3"), "ar"))["word/document.xml"]
    texts = [node.text for node in root.iter(q("t")) if node.text and "37" in node.text]
    assert any("+212\u00a05\u00a037\u00a000\u00a000\u00a000" in text for text in texts), texts
    assert any("05\u201137\u201100\u201100\u201100" in text for text in texts), texts
    assert not any(re.search(r"\d \d", text) for text in texts), texts


def test_contact_details_in_arabic_paragraphs_are_isolated_left_to_right(template):
    fields = {**arabic_fields(3), "problem": [para(t(f"للتواصل: {EMAIL} أو {URL}."))]}
    root = parts(card_docx(template, contact_card(fields, "3"), "ar"))["word/document.xml"]
    paragraph = next(p for p in root.iter(q("p")) if text_of(p).startswith("للتواصل"))
    assert text_of(paragraph) == f"للتواصل: \u2066{EMAIL}\u2069 أو \u2066{URL}\u2069.", text_of(paragraph)
    # The runs of the addresses say left to right to Word.
    for run in paragraph.iter(q("r")):
        if "@" in text_of(run) or "http" in text_of(run):
            assert run.find("w:rPr/w:rtl", NS) is None


def test_arabic_in_a_french_paragraph_is_isolated_right_to_left(template):
    fields = {**french_fields(5), "title": f"Publication du guide « {AR_TITLE} » 2024",
              "problem": [para(t(f"Le rapport « {AR_TITLE} 2024 » paraît."))]}
    root = parts(card_docx(template, contact_card(fields, "5"), "fr"))["word/document.xml"]
    texts = [text_of(p) for p in root.iter(q("p"))]
    assert f"Publication du guide « \u2067{AR_TITLE}\u2069 » 2024" in texts
    # A number right after the Arabic belongs to it, as the bidi algorithm has it.
    assert f"Le rapport « \u2067{AR_TITLE} 2024\u2069 » paraît." in texts
    # Arabic paragraphs and text already isolated are left as they are.
    assert all(text.count("\u2067") == text.count("\u2069") for text in texts)
