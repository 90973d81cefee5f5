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
    FR_IN_AR,
    FR_SENTENCE,
    card_content,
    french_fields,
    make_plan,
    pdf_text,
    render_pdfs,
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
    }
    out = {}
    for name, pdf in render_pdfs(soffice, documents, workdir).items():
        pages = pdf_text(pdftotext, pdf).split("\f")
        out[name] = {"text": "\f".join(pages), "layout": pdf_text(pdftotext, pdf, layout=True),
                     "pages": [p for p in pages if p.strip()]}
    return out


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
