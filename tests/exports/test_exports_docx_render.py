"""Word exports rendered by LibreOffice: what a reader of the PDF actually sees.

All documents are converted in one LibreOffice run per module (the conversions dominate the
suite's time), in a fresh user profile so parallel runs do not collide.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from exports_support import (
    AR_SENTENCE,
    AXES,
    FR_IN_AR,
    FR_SENTENCE,
    arabic_fields,
    card_content,
    french_fields,
    make_plan,
    para,
    pdf_lines,
    pdf_text,
    render_pdfs,
    t,
)

import schemas
from exports import card_docx, plan_docx
from exports.bidi import BIDI_CONTROLS

pytestmark = pytest.mark.libreoffice
_CONTROLS = {ord(c): None for c in BIDI_CONTROLS}


def normalise(text: str) -> str:
    """PDF text as comparable text: presentation forms folded (NFKC), bidi marks and spacing gone."""
    text = unicodedata.normalize("NFKC", text).translate(_CONTROLS)
    return " ".join(text.split())


# Contact details as long as real ones, which must each stay on one line.
EMAIL = "soad.elalami@finances.gov.ma"
PHONE = "+212 5 37 00 00 00"
PHONE_HYPHENS = "05-37-00-00-00"
URL = "https://www.data.gov.ma/ar/"
AR_TITLE = "دليل الشفافية"


def contact_cards() -> dict[str, dict]:
    """An Arabic and a French card whose focal points have a long e-mail address and a phone
    number, cited again inside paragraphs; the French one also quotes Arabic titles."""
    focal = [{"id": "fp1", "name": "سعاد العلمي", "position": "رئيسة قسم الشفافية", "email": EMAIL, "phone": PHONE},
             {"id": "fp2", "name": "Karim Benali", "position": "Chef de division",
              "email": "karim.benali@finances.gov.ma", "phone": PHONE_HYPHENS}]
    arabic = {**arabic_fields(3), "focal_point": focal, "problem": [
        para(t(f"للتواصل: {EMAIL} أو الهاتف {PHONE} أو {URL}.")),
        para(t(f"الهاتف: {PHONE_HYPHENS}، البريد: {EMAIL}."))]}
    french = {**french_fields(5), "focal_point": focal,
              "title": f"Publication du guide « {AR_TITLE} » 2024", "problem": [
                  para(t(f"Le rapport « {AR_TITLE} » est publié chaque année depuis 2024.")),
                  para(t(f"Contact : {EMAIL} ou {PHONE}, {URL}"))]}
    return {"contacts_ar": card_content(arabic, "3", AXES[1]), "contacts_fr": card_content(french, "5", AXES[0])}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, soffice, pdftotext) -> dict[str, dict[str, str]]:
    template = schemas.load_template()
    workdir: Path = tmp_path_factory.mktemp("render")
    documents = {
        "plan_ar": plan_docx(template, make_plan(4), "ar"),
        "plan40_ar": plan_docx(template, make_plan(40), "ar"),
        # The plan as adopted by the Government Council (plan.final): no DRAFT marking.
        "adopted_ar": plan_docx(template, make_plan(4, final=True), "ar"),
        "card_fr": card_docx(template, card_content(french_fields(5), "5", {"title": {"fr": "Justice"}}), "fr"),
        **{name: card_docx(template, content, name[-2:]) for name, content in contact_cards().items()},
        "plan_contacts_fr": plan_docx(template, {**make_plan(2), "cards": [
            {"id": 1, "axis_id": 1, "status": "approved", "content": content}
            for content in contact_cards().values()]}, "fr"),
    }
    out = {}
    for name, pdf in render_pdfs(soffice, documents, workdir).items():
        pages = pdf_text(pdftotext, pdf).split("\f")
        out[name] = {"text": "\f".join(pages), "layout": pdf_text(pdftotext, pdf, layout=True),
                     "pages": [p for p in pages if p.strip()], "lines": pdf_lines(pdftotext, pdf)}
    return out


def seen(words: list[str]) -> list[str]:
    """A line's words as seen, left to right, without the invisible bidi controls."""
    return [w for w in (normalise(word).replace(" ", "") for word in words) if w]


def lines_holding(rendered_doc: dict, text: str) -> int:
    """How many lines of the PDF show `text` whole, left to right."""
    return sum(text in " ".join(seen(words)) for words in rendered_doc["lines"])


def test_arabic_text_is_unbroken_and_in_logical_order(rendered):
    text = normalise(rendered["plan_ar"]["text"])
    assert normalise(AR_SENTENCE) in text
    assert normalise("الانسجام مع قيم الحكومة المنفتحة") in text
    # A French sentence inside an Arabic field still reads left to right, words in order.
    assert normalise(FR_IN_AR) in text
    assert normalise(AR_SENTENCE) in normalise(rendered["plan_ar"]["layout"])


def test_the_adopted_plan_reads_in_order_without_the_draft_marking(rendered):
    draft, adopted = normalise(rendered["plan_ar"]["text"]), normalise(rendered["adopted_ar"]["text"])
    assert normalise(AR_SENTENCE) in adopted and normalise(FR_IN_AR) in adopted
    assert "مسودة" in draft and "مسودة" not in adopted


def test_arabic_months_keep_their_order(rendered):
    # Marks around ISO months stop the bidi algorithm turning 2024-03 into 03-2024.
    assert "2024-03" in normalise(rendered["plan_ar"]["text"])


def test_table_of_contents_lists_axes_and_cards(rendered):
    pages = rendered["plan_ar"]["pages"]
    toc = normalise(pages[1])
    assert "الفهرس" in toc
    for heading in ("جدول ملخص الالتزامات حسب المحاور", "الوصول إلى المعلومات", "الشفافية المالية",
                    "مشاركة الجمهور", "العدالة", "نشر المعطيات المفتوحة المتعلقة بالصفقات العمومية 1",
                    "Publication des données ouvertes des marchés publics 2", "المصادقات"):
        assert normalise(heading) in toc, heading


def test_cover_page(rendered):
    cover = normalise(rendered["plan_ar"]["pages"][0])
    for line in ("المملكة المغربية", "وزارة الانتقال الرقمي وإصلاح الإدارة",
                 "خطة العمل الوطنية الثالثة للحكومة المنفتحة", "مسودة"):
        assert normalise(line) in cover
    assert "الصفحة" not in cover, "the cover has no footer"


def test_page_numbers_in_footer(rendered):
    pages = rendered["plan_ar"]["pages"]
    total = len(pages)
    second = normalise(pages[1])
    assert "الصفحة" in second and re.search(rf"\b2\b.*\b{total}\b|\b{total}\b.*\b2\b", second)
    french = rendered["card_fr"]["pages"]
    assert f"Page 1 sur {len(french)}" in normalise(french[0])


def test_french_card_renders(rendered):
    text = normalise(rendered["card_fr"]["text"])
    assert normalise(FR_SENTENCE) in text
    assert "Jalons et activités" in text and "2024-06" in text


def test_forty_card_plan_converts_to_many_pages(rendered):
    pages = rendered["plan40_ar"]["pages"]
    assert len(pages) >= 40
    text = normalise(rendered["plan40_ar"]["text"])
    assert normalise("نشر المعطيات المفتوحة المتعلقة بالصفقات العمومية 39") in text
    assert "Publication des données ouvertes des marchés publics 40" in text


@pytest.mark.parametrize("name", ["contacts_ar", "contacts_fr", "plan_contacts_fr"])
def test_contact_details_never_break_across_lines(rendered, name):
    doc = rendered[name]
    # In the focal-point table (wide enough for them) and again inside a paragraph.
    assert lines_holding(doc, EMAIL) >= 2, [" ".join(seen(w)) for w in doc["lines"] if "@" in "".join(w)]
    assert lines_holding(doc, PHONE) >= 2
    assert lines_holding(doc, "karim.benali@finances.gov.ma") >= 1
    assert lines_holding(doc, PHONE_HYPHENS) >= (2 if name == "contacts_ar" else 1)
    assert lines_holding(doc, URL) >= 1
    # -layout shows each phone number whole too.
    assert PHONE in normalise(doc["layout"]).replace("\u2011", "-")


def test_a_web_address_in_arabic_text_keeps_its_slash_and_the_sentence_its_order(rendered):
    line = next(seen(words) for words in rendered["contacts_ar"]["lines"] if URL.rstrip("/") in "".join(words))
    # Right to left, the sentence's full stop is left of the address, the address whole.
    assert line[-1] == URL and line[0] == ".", line


def _logical_arabic(words: list[str]) -> str:
    """Arabic words seen left to right (each word's letters reversed) as they are read."""
    return " ".join(word[::-1] for word in reversed(words))


def test_an_arabic_title_in_a_french_paragraph_keeps_its_quotes_and_order(rendered):
    for name in ("contacts_fr", "plan_contacts_fr"):
        lines = [seen(words) for words in rendered[name]["lines"]]
        title = next(line for line in lines if line[:3] == ["Publication", "du", "guide"])
        assert title[3] == "«" and title[-2:] == ["»", "2024"], title
        assert _logical_arabic(title[4:-2]) == AR_TITLE, title
        sentence = next(line for line in lines if line[:2] == ["Le", "rapport"])
        assert sentence[2] == "«" and sentence[5:9] == ["»", "est", "publié", "chaque"], sentence
        assert _logical_arabic(sentence[3:5]) == AR_TITLE
