"""The words the exporters write around the card content, in Arabic, French and English.

Field labels come from the template; this module only holds the document's own chrome (cover,
contents, annex, page numbers, the review copy's words). Strings with {name} placeholders are
split by `parts` so that a page-number field can sit where {page} is.
"""
from __future__ import annotations

import re
from typing import Any

from schemas.vocabulary import LANGUAGES, check_language  # noqa: F401  (LANGUAGES: exporters read it here)

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

STRINGS: dict[str, dict[str, str]] = {
    "kingdom": {"ar": "المملكة المغربية", "fr": "Royaume du Maroc", "en": "Kingdom of Morocco"},
    "draft": {"ar": "مسودة", "fr": "PROJET", "en": "DRAFT"},
    "contents": {"ar": "الفهرس", "fr": "Table des matières", "en": "Contents"},
    "summary": {"ar": "جدول ملخص الالتزامات حسب المحاور",
                "fr": "Tableau récapitulatif des engagements par axe",
                "en": "Summary of commitments by axis"},
    "axis_heading": {"ar": "المحور {number}: {title}", "fr": "Axe {number} : {title}",
                     "en": "Axis {number}: {title}"},
    "card_heading": {"ar": "الالتزام رقم {number}: {title}", "fr": "Engagement n° {number} : {title}",
                     "en": "Commitment {number}: {title}"},
    "annex_signoffs": {"ar": "ملحق: المصادقات", "fr": "Annexe : validations", "en": "Annex: sign-offs"},
    "no_signoffs": {"ar": "لا توجد أي مصادقة بعد.", "fr": "Aucune validation n'a encore été enregistrée.",
                    "en": "No sign-offs yet."},
    "signoff_card": {"ar": "الالتزام", "fr": "Engagement", "en": "Commitment"},
    "signoff_name": {"ar": "الاسم", "fr": "Nom", "en": "Name"},
    "signoff_role": {"ar": "الصفة", "fr": "Rôle", "en": "Role"},
    "signoff_organisation": {"ar": "المؤسسة", "fr": "Organisation", "en": "Organisation"},
    "signoff_date": {"ar": "التاريخ", "fr": "Date", "en": "Date"},
    "signoff_hash": {"ar": "بصمة المحتوى (SHA-256)", "fr": "Empreinte du contenu (SHA-256)",
                     "en": "Content hash (SHA-256)"},
    "page_of": {"ar": "الصفحة {page} من {pages}", "fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "period": {"ar": "الفترة: {start} – {end}", "fr": "Période : {start} – {end}", "en": "Period: {start} – {end}"},
    "date": {"ar": "التاريخ: {date}", "fr": "Date : {date}", "en": "Date: {date}"},
    "axis": {"ar": "المحور", "fr": "Axe", "en": "Axis"},
    "no_axis": {"ar": "بدون محور", "fr": "Sans axe", "en": "Without axis"},
    "card_unreadable": {"ar": "تعذرت قراءة هذه البطاقة: {message}", "fr": "Cette fiche n'a pas pu être lue : {message}",
                        "en": "This card could not be read: {message}"},
    # The review copy (comments=1): its comments and the threads that lost their text.
    "comment_deleted": {"ar": "محذوف", "fr": "supprimé", "en": "deleted"},
    "comment_resolved": {"ar": "تم الحل", "fr": "résolu", "en": "resolved"},
    "comments_detached": {"ar": "تعليقات انفصلت عن نصها", "fr": "Commentaires détachés de leur texte",
                          "en": "Comments detached from their text"},
    "quoted": {"ar": "«{quote}»", "fr": "« {quote} »", "en": "“{quote}”"},
    "colon": {"ar": ": ", "fr": " : ", "en": ": "},
    "whole_card": {"ar": "البطاقة كاملة", "fr": "Toute la fiche", "en": "Whole card"},
}


def check_lang(lang: str) -> str:
    """Return `lang` if the exporters support it (the one language check, schemas.vocabulary).

    Raises:
        UnsupportedLanguage: for any other language code.
    """
    return check_language(lang)


def text(key: str, lang: str, **values: Any) -> str:
    """The chrome string `key` in `lang`, with its placeholders filled."""
    return STRINGS[key][lang].format(**values)


def parts(key: str, lang: str) -> list[tuple[str, bool]]:
    """The chrome string `key` cut at its placeholders.

    Returns:
        (piece, is_placeholder) pairs in logical order, e.g. [("Page ", False), ("page", True),
        (" sur ", False), ("pages", True)].
    """
    out: list[tuple[str, bool]] = []
    pos = 0
    source = STRINGS[key][lang]
    for match in _PLACEHOLDER.finditer(source):
        if match.start() > pos:
            out.append((source[pos:match.start()], False))
        out.append((match.group(1), True))
        pos = match.end()
    if pos < len(source):
        out.append((source[pos:], False))
    return out


def localized(names: Any, lang: str) -> str:
    """A name given per language ({"ar": …, "fr": …}) in `lang`, falling back sensibly.

    Plain strings are returned as they are, None as "".
    """
    if names is None:
        return ""
    if isinstance(names, str):
        return names
    if isinstance(names, dict):
        for code in (lang, "fr", "ar", "en"):
            value = names.get(code)
            if isinstance(value, str) and value:
                return value
        return ""
    return str(names)
