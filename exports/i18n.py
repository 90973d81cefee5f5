"""The words the exporters write around the card content, in Arabic, French and English.

Field labels come from the template; this module only holds the document's own chrome (cover,
contents, annex, page numbers, the review copy's words, the consultation report's titles and
outcomes). Strings with {name} placeholders are split by `parts` so that a page-number field can
sit where {page} is.
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
    "signoffs_heading": {"ar": "المصادقات", "fr": "Validations", "en": "Sign-offs"},
    "signoff_note": {"ar": "البصمة: أول 12 حرفا من بصمة SHA-256 لمحتوى البطاقة الذي تمت المصادقة عليه. "
                           "سارية: لم يتغير محتوى البطاقة منذ المصادقة.",
                     "fr": "Empreinte : les 12 premiers caractères de l'empreinte SHA-256 du contenu validé. "
                           "À jour : le contenu de la fiche n'a pas changé depuis la validation.",
                     "en": "Hash: the first 12 characters of the SHA-256 of the content signed. "
                           "Current: the card's content has not changed since it was signed."},
    "signoff_card": {"ar": "الالتزام", "fr": "Engagement", "en": "Commitment"},
    "signoff_party": {"ar": "الطرف", "fr": "Partie", "en": "Party"},
    "signoff_name": {"ar": "الاسم", "fr": "Nom", "en": "Name"},
    "signoff_role": {"ar": "الصفة", "fr": "Rôle", "en": "Role"},
    "signoff_organisation": {"ar": "المؤسسة", "fr": "Organisation", "en": "Organisation"},
    "signoff_decision": {"ar": "القرار", "fr": "Décision", "en": "Decision"},
    "signoff_date": {"ar": "التاريخ", "fr": "Date", "en": "Date"},
    # A line break before "(SHA-256)": the annex's hash column is narrow, and a break at its
    # hyphen inside Arabic text would read "(SHA-" then "256)".
    "signoff_hash": {"ar": "البصمة\n(SHA-256)", "fr": "Empreinte\n(SHA-256)", "en": "Hash\n(SHA-256)"},
    "signoff_current": {"ar": "سارية", "fr": "À jour", "en": "Current"},
    # The "current" cell: yes; no, the card changed since; the server did not say.
    "signoff_is_current": {"ar": "نعم", "fr": "oui", "en": "yes"},
    "signoff_is_stale": {"ar": "لا — صودق على نسخة سابقة", "fr": "non — validée sur une version antérieure",
                      "en": "no — signed an earlier version"},
    "signoff_is_unknown": {"ar": "غير متحقق منها", "fr": "non vérifiée", "en": "not checked"},
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
    # The consultation report (report_docx): what the public said about the draft plan, and
    # the reasoned answer each contribution got.
    "report_title": {"ar": "تقرير الاستشارة العمومية", "fr": "Rapport de la consultation publique",
                     "en": "Public consultation report"},
    "report_window": {"ar": "الاستشارة: من {opens} إلى {closes} ({state})",
                      "fr": "Consultation : du {opens} au {closes} ({state})",
                      "en": "Consultation: from {opens} to {closes} ({state})"},
    "report_state_open": {"ar": "مفتوحة", "fr": "ouverte", "en": "open"},
    "report_state_closed": {"ar": "مغلقة", "fr": "close", "en": "closed"},
    "report_state_scheduled": {"ar": "مبرمجة", "fr": "programmée", "en": "scheduled"},
    "report_no_consultation": {"ar": "لم تُنظَّم أي استشارة حول هذه الخطة.",
                               "fr": "Aucune consultation n'a été organisée sur ce plan.",
                               "en": "No consultation has been held on this plan."},
    "report_generated": {"ar": "تاريخ إعداد التقرير: {date}", "fr": "Rapport établi le {date}",
                         "en": "Report generated on {date}"},
    "report_summary": {"ar": "حصيلة الاستشارة", "fr": "Bilan de la consultation", "en": "Summary of the consultation"},
    "report_column_item": {"ar": "البيان", "fr": "Rubrique", "en": "Item"},
    "report_column_count": {"ar": "العدد", "fr": "Nombre", "en": "Number"},
    "report_contributions": {"ar": "المساهمات", "fr": "Contributions", "en": "Contributions"},
    "report_answered": {"ar": "المساهمات التي تلقت جوابا", "fr": "Contributions ayant reçu une réponse",
                        "en": "Contributions answered"},
    "report_plan_wide": {"ar": "مساهمات حول الخطة ككل", "fr": "Contributions sur l'ensemble du plan",
                         "en": "Contributions on the plan as a whole"},
    "report_card_heading": {"ar": "{number} — {title}", "fr": "{number} — {title}", "en": "{number} — {title}"},
    "report_card_count": {"ar": "عدد المساهمات: {count}", "fr": "Contributions : {count}",
                          "en": "Contributions: {count}"},
    "report_no_contribution": {"ar": "لا توجد أي مساهمة.", "fr": "Aucune contribution.", "en": "No contribution."},
    "report_contribution": {"ar": "المساهمة رقم {id}", "fr": "Contribution n° {id}", "en": "Contribution {id}"},
    "report_about": {"ar": "حول: {field}", "fr": "Sur : {field}", "en": "About: {field}"},
    "report_answer": {"ar": "الجواب", "fr": "Réponse", "en": "Answer"},
}

# The roles a person signs a card as, worded as the application's own interface words them
# (server/i18n/*.json "role.<id>"; a test keeps the two the same).
ROLES: dict[str, dict[str, str]] = {
    "lead": {"ar": "نقطة الاتصال الحكومية", "fr": "Point focal gouvernemental", "en": "Lead (government focal point)"},
    "co_lead": {"ar": "الشريك الرائد من المجتمع المدني", "fr": "Co-pilote (société civile)",
                "en": "Co-lead (civil society)"},
    "approver": {"ar": "مصادق", "fr": "Approbateur", "en": "Approver"},
    "steering": {"ar": "عضو لجنة الإشراف", "fr": "Membre du comité de pilotage", "en": "Steering committee member"},
    "coordinator": {"ar": "منسق", "fr": "Coordinateur", "en": "Coordinator"},
}
DECISIONS: dict[str, dict[str, str]] = {
    "approve": {"ar": "موافقة", "fr": "approuvée", "en": "approved"},
    "reject": {"ar": "رفض", "fr": "rejetée", "en": "rejected"},
}

# What became of a contribution to the consultation, as the report words it.
OUTCOMES: dict[str, dict[str, str]] = {
    "taken_into_account": {"ar": "أُخذت بعين الاعتبار", "fr": "Prise en compte", "en": "Taken into account"},
    "partly": {"ar": "أُخذت جزئيا", "fr": "Prise en compte en partie", "en": "Partly taken into account"},
    "not_retained": {"ar": "لم تُعتمد", "fr": "Non retenue", "en": "Not retained"},
    "out_of_scope": {"ar": "خارج نطاق الخطة", "fr": "Hors du champ du plan", "en": "Out of scope"},
}
AWAITING_ANSWER = {"ar": "في انتظار الجواب", "fr": "En attente de réponse", "en": "Awaiting an answer"}


def check_lang(lang: str) -> str:
    """Return `lang` if the exporters support it (the one language check, schemas.vocabulary).

    Raises:
        UnsupportedLanguage: for any other language code.
    """
    return check_language(lang)


def text(key: str, lang: str, **values: Any) -> str:
    """The chrome string `key` in `lang`, with its placeholders filled."""
    return STRINGS[key][lang].format(**values)


def role_label(role: str, lang: str) -> str:
    """The label of a sign-off role id in `lang`; an id this module does not know, as it is."""
    return ROLES[role][lang] if role in ROLES else role


def decision_label(decision: str, lang: str) -> str:
    """"approved" / "rejected" in `lang` for "approve" / "reject"; another value as it is."""
    return DECISIONS[decision][lang] if decision in DECISIONS else decision


def outcome_label(outcome: str | None, lang: str) -> str:
    """The label of a contribution's outcome in `lang`; None (not answered yet) is "awaiting an
    answer"; an id this module does not know, as it is."""
    if outcome is None:
        return AWAITING_ANSWER[lang]
    return OUTCOMES[outcome][lang] if outcome in OUTCOMES else outcome


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
