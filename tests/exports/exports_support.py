"""Realistic Arabic and French cards and plans for the exporter tests and bench/bench_exports.py,
and a card under review with one comment thread of each kind (the review copy and import tests).

Plain functions and constants, no pytest, so the benchmark can time the very content the tests
check. conftest.py turns them into fixtures.
"""
from __future__ import annotations

import copy
import html
import re
import subprocess
from pathlib import Path
from typing import Any

from server.review.plain import canonical_text

# -- rich-text helpers --------------------------------------------------------------------------

def t(text: str, *marks: str, href: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    mark_list = [{"type": m} for m in marks]
    if href:
        mark_list.append({"type": "link", "attrs": {"href": href}})
    if mark_list:
        node["marks"] = sorted(mark_list, key=lambda m: m["type"])
    return node


def para(*children: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "paragraph"}
    if children:
        node["content"] = list(children)
    return node


def bullets(*items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bulletList", "content": [{"type": "listItem", "content": item} for item in items]}


def numbered(*items: list[dict[str, Any]], start: int = 1) -> dict[str, Any]:
    return {"type": "orderedList", "attrs": {"start": start},
            "content": [{"type": "listItem", "content": item} for item in items]}


AR_SENTENCE = "تعاني المعطيات المتعلقة بالصفقات العمومية من ضعف النشر وعدم انتظامه"
FR_IN_AR = "Les données ne sont pas publiées en format ouvert."
FR_SENTENCE = "Les données des marchés publics restent dispersées entre plusieurs portails"


def arabic_fields(n: int = 3) -> dict[str, Any]:
    """Document fields of an Arabic card, with a French sentence, lists, links and marks."""
    return {
        "title": f"نشر المعطيات المفتوحة المتعلقة بالصفقات العمومية {n}",
        "summary": "إتاحة معطيات الصفقات العمومية في صيغة مفتوحة\nوتحيينها كل شهر.",
        "focal_point": [{"id": "fp1", "name": "سعاد العلمي", "position": "رئيسة قسم الشفافية",
                         "email": "s.alami@example.ma", "phone": "+212 5 37 00 00 00"}],
        "partners": [
            {"id": "p1", "kind": "civil_society", "name": "جمعية الشفافية المغربية", "role": "شريك رائد"},
            {"id": "p2", "kind": "government", "name": "الخزينة العامة للمملكة", "role": "توفير المعطيات"},
            {"id": "p3", "kind": "civil_society", "name": "منتدى المواطنة", "role": "التتبع"},
            {"id": "p4", "kind": "international", "name": "OCDE", "role": "دعم تقني"},
        ],
        "problem": [
            para(t(AR_SENTENCE + "، "), t("مما يحد من الرقابة المواطنة", "bold"), t(".")),
            para(t(FR_IN_AR)),
            para(t("انظر "), t("بوابة الحكومة المنفتحة", href="https://www.gouvernement-ouvert.ma"),
                 t(" وكذلك تقرير "), t("OGP", "italic"), t(" لسنة 2023.")),
            bullets([para(t("غياب صيغة موحدة للنشر"))], [para(t("ضعف التحيين", "underline"))]),
        ],
        "causes": [numbered([para(t("تعدد المنصات"))],
                            [para(t("غياب إطار قانوني ملزم")), bullets([para(t("على المستوى المحلي"))])],
                            start=1)],
        "status_quo": [para(t("نشرت بعض القطاعات معطياتها بشكل جزئي"), {"type": "hardBreak"},
                            t("دون احترام المعايير الدولية."))],
        "solution": [numbered([para(t("إعداد معيار وطني لنشر المعطيات"))],
                              [para(t("تطوير بوابة موحدة"))], start=1),
                     para(t("ثم مرحلة ثانية:")),
                     numbered([para(t("تكوين الموظفين"))], [para(t("التواصل مع العموم"))], start=3)],
        "results": [para(t("نشر 100% من الصفقات العمومية في صيغة مفتوحة."))],
        "indicators": [{"id": "i1", "indicator": "نسبة الصفقات المنشورة", "baseline": "20%", "target": "100%"},
                       {"id": "i2", "indicator": "عدد التحميلات", "baseline": "0", "target": "10000"}],
        "ogp_values": {
            "transparency": {"selected": True, "justification": "نشر المعطيات للعموم في صيغة مفتوحة."},
            "participation": {"selected": False, "justification": ""},
            "accountability": {"selected": True, "justification": "تمكين المجتمع المدني من التتبع\nوالمساءلة."},
        },
        "policy_area": "fiscal_openness",
        "milestones": [
            {"id": "m1", "activity": "إعداد المعيار", "deliverable": "وثيقة المعيار", "start": "2024-03",
             "end": "2024-09", "responsible": "وزارة الاقتصاد والمالية"},
            {"id": "m2", "activity": "تطوير البوابة | المرحلة الأولى", "deliverable": "بوابة تجريبية",
             "start": "2024-10", "end": "2025-06", "responsible": "وكالة التنمية الرقمية"},
        ],
        "additional": [para(t("الميزانية: 2 مليون درهم. ينسجم مع النموذج التنموي الجديد."))],
        "start_date": "2024-03",
        "end_date": "2026-12",
    }


def french_fields(n: int = 5) -> dict[str, Any]:
    """Document fields of a French card."""
    return {
        "title": f"Publication des données ouvertes des marchés publics {n}",
        "summary": "Publier les données des marchés publics en format ouvert.",
        "focal_point": [{"id": "fp1", "name": "Karim Benali", "position": "Chef de division",
                         "email": "k.benali@example.ma", "phone": "+212 5 37 11 11 11"}],
        "partners": [
            {"id": "p1", "kind": "government", "name": "Trésorerie Générale du Royaume", "role": "Données"},
            {"id": "p2", "kind": "civil_society", "name": "Transparency Maroc", "role": "Co-pilote"},
            {"id": "p3", "kind": "private_sector", "name": "Fédération des TI", "role": "Réutilisation"},
        ],
        "problem": [
            para(t(FR_SENTENCE + ", "), t("ce qui limite le contrôle citoyen", "bold"), t(".")),
            para(t("Voir le "), t("portail national", href="https://www.data.gov.ma"), t(" et le rapport "),
                 t("MRI", "italic"), t(".")),
            bullets([para(t("Formats hétérogènes"))], [para(t("Mises à jour irrégulières", "underline"))]),
        ],
        "causes": [para(t("Absence de norme nationale."))],
        "status_quo": [para(t("Publication partielle par quelques départements."))],
        "solution": [numbered([para(t("Élaborer une norme"))], [para(t("Développer un portail unique"))])],
        "results": [para(t("100 % des marchés publiés en données ouvertes."))],
        "indicators": [{"id": "i1", "indicator": "Part des marchés publiés", "baseline": "20 %", "target": "100 %"}],
        "ogp_values": {
            "transparency": {"selected": True, "justification": "Les données deviennent publiques."},
            "participation": {"selected": True, "justification": "Consultation des utilisateurs."},
            "accountability": {"selected": False, "justification": ""},
        },
        "policy_area": "access_to_information",
        "milestones": [
            {"id": "m1", "activity": "Élaborer la norme", "deliverable": "Norme publiée", "start": "2024-01",
             "end": "2024-06", "responsible": "MEF"},
        ],
        "additional": [para(t("Budget : 2 MDH. Lien avec l'ODD 16."))],
        "start_date": "2024-01",
        "end_date": "2025-12",
    }


AXES = [
    {"id": 1, "number": 1, "title": {"ar": "الوصول إلى المعلومات", "fr": "Accès à l'information",
                                      "en": "Access to information"}},
    {"id": 2, "number": 2, "title": {"ar": "الشفافية المالية", "fr": "Transparence budgétaire",
                                      "en": "Fiscal openness"}},
    {"id": 3, "number": 3, "title": {"ar": "مشاركة الجمهور", "fr": "Participation du public",
                                      "en": "Public participation"}},
    {"id": 4, "number": 4, "title": {"ar": "العدالة", "fr": "Justice", "en": "Justice"}},
]
LEAD = {"ar": "وزارة الاقتصاد والمالية", "fr": "Ministère de l'Économie et des Finances"}
CO_LEAD = {"ar": "جمعية الشفافية المغربية", "fr": "Transparency Maroc"}
# Labels of approval requirements a sign-off counts for (the plan's "party" of a sign-off).
PARTY_LEAD = {"ar": "المؤسسة القائدة", "fr": "Institution chef de file", "en": "Lead institution"}
PARTY_CIVIL = {"ar": "المصادق من المجتمع المدني", "fr": "Approbateur de la société civile",
               "en": "Civil-society approver"}
PARTY_STEERING = {"ar": "لجنة الإشراف", "fr": "Comité de pilotage", "en": "Steering committee"}


def card_content(fields: dict[str, Any], number: str, axis: dict[str, Any]) -> dict[str, Any]:
    return {"template": {"id": "ogp-card", "version": 1},
            "card": {"axis": axis["title"], "co_lead": CO_LEAD, "lead": LEAD, "number": number},
            "fields": fields}


def make_plan(n_cards: int = 4, signoffs: bool = True, final: bool = False) -> dict[str, Any]:
    """A plan of `n_cards` cards spread over four axes, Arabic and French cards alternating."""
    cards = []
    for i in range(1, n_cards + 1):
        axis = AXES[(i - 1) % len(AXES)]
        fields = arabic_fields(i) if i % 2 else french_fields(i)
        cards.append({"id": 100 + i, "axis_id": axis["id"], "status": "approved",
                      "content": card_content(fields, str(i), axis)})
    return {
        "title": {"ar": "خطة العمل الوطنية الثالثة للحكومة المنفتحة",
                  "fr": "Troisième plan d'action national du gouvernement ouvert",
                  "en": "Third open government national action plan"},
        "period": {"start": "2024-01", "end": "2027-12"},
        "ministry": {"ar": "وزارة الانتقال الرقمي وإصلاح الإدارة",
                     "fr": "Ministère de la Transition Numérique et de la Réforme de l'Administration"},
        "final": final,
        "date": "2026-11-28",
        "axes": copy.deepcopy(AXES),
        "cards": cards,
        "signoffs": [
            {"card_number": "1", "party": PARTY_LEAD, "name": "سعاد العلمي", "role": "lead", "organisation": LEAD,
             "decision": "approve", "date": "2026-05-01", "hash": "a" * 64, "current": True},
            {"card_number": "2", "party": PARTY_CIVIL, "name": "Karim Benali", "role": "co_lead",
             "organisation": CO_LEAD, "decision": "approve", "date": "2026-05-02", "hash": "b" * 64,
             "current": True},
        ] if signoffs else [],
    }


# -- a card under review: comment threads in the API's shape (docs/exports.md) -------------------

ROW_AR, ROW_FR = "3de453221fe0", "9a8b7c6d5e4f"
REVIEW_PROBLEM = [
    para(t("تعاني المعطيات المتعلقة بالصفقات العمومية من ضعف النشر، "), t("مما يحد من الرقابة المواطنة", "bold"),
         t(".")),
    para(t("Les données ne sont pas publiées en format ouvert."), {"type": "hardBreak"}, t("Voir le "),
         t("portail national", href="https://www.data.gov.ma"), t(".")),
    bullets([para(t("غياب صيغة موحدة للنشر"))], [para(t("ضعف التحيين"))]),
]
REVIEW_FIELDS = {
    "title": "نشر المعطيات المفتوحة للصفقات العمومية",
    "summary": "Publier les données des marchés publics.\nPublier chaque mois un rapport.",
    "problem": REVIEW_PROBLEM,
    "milestones": [
        {"id": ROW_AR, "activity": "إعداد المعيار الوطني", "deliverable": "وثيقة المعيار", "start": "2024-03",
         "end": "2024-09", "responsible": "وزارة الاقتصاد والمالية"},
        {"id": ROW_FR, "activity": "Développer le portail | phase 1", "deliverable": "Portail pilote",
         "start": "2024-10", "end": "2025-06", "responsible": "Agence du développement digital"},
    ],
    "ogp_values": {"transparency": {"selected": True, "justification": "نشر المعطيات للعموم."},
                   "participation": {"selected": False, "justification": ""},
                   "accountability": {"selected": False, "justification": ""}},
}
SALMA = {"id": 3, "name": "سلمى بناني", "organisation": "وزارة الانتقال الرقمي وإصلاح الإدارة"}
KARIM = {"id": 4, "name": "Karim Benali", "organisation": "Transparency Maroc"}


def review_card() -> dict[str, Any]:
    """Card 7, Arabic with a French paragraph and a French table row, as canonical content."""
    return {"template": {"id": "ogp-card", "version": 1},
            "card": {"number": "7", "axis": {"ar": "الشفافية المالية", "fr": "Transparence budgétaire"},
                     "lead": {"ar": "وزارة الاقتصاد والمالية", "fr": "Ministère de l'Économie et des Finances"},
                     "co_lead": None},
            "fields": copy.deepcopy(REVIEW_FIELDS)}


def comment(cid: int, author: dict[str, Any], body: str, at: str = "2026-11-30T10:00:00Z",
            deleted: bool = False) -> dict[str, Any]:
    return {"id": cid, "author": author, "body": body, "created_at": at, "edited_at": None, "deleted": deleted}


def thread(tid: int, field: str | None, comments: list[dict[str, Any]], *, text: str | None = None,
           quote: str | None = None, occurrence: int = 0, shift: int = 0, row: str | None = None,
           column: str | None = None, status: str = "open", detached: bool = False,
           current: str | None = None) -> dict[str, Any]:
    """A thread in the API's shape; with `quote`, its offsets are found in `text` (or shifted)."""
    start = end = None
    if quote is not None and text is not None and not detached:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(quote, start + 1)
        start += shift
        end = start + len(quote)
    return {"id": tid, "field": field, "row": row, "column": column, "status": status, "detached": detached,
            "quote": quote or "", "current_text": None if detached else (current if current is not None else quote),
            "start": start, "end": end, "created_at": comments[0]["created_at"],
            "resolved_at": "2026-12-01T09:00:00Z" if status == "resolved" else None,
            "resolved_by": SALMA if status == "resolved" else None, "comments": comments}


PROBLEM_TEXT = canonical_text(REVIEW_PROBLEM)
IN_PARAGRAPH = "ضعف النشر، مما يحد"  # plain text and the start of the bold run
ACROSS = "الرقابة المواطنة.\nLes données"
HOSTILE = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)> <b>gras</b>"]


def review_threads() -> list[dict[str, Any]]:
    """Its comment threads, one of each kind a review copy meets."""
    summary = REVIEW_FIELDS["summary"]
    activity = REVIEW_FIELDS["milestones"][1]["activity"]
    return [
        thread(1, "problem", [comment(11, SALMA, "يجب **توضيح** هذا، انظر [التقرير](https://ogp.ma/rapport)")],
               text=PROBLEM_TEXT, quote=IN_PARAGRAPH),
        thread(2, "problem", [comment(21, KARIM, "Ces deux phrases disent la même chose.")],
               text=PROBLEM_TEXT, quote=ACROSS),
        thread(3, "milestones", [comment(31, KARIM, "Quel *portail* exactement ?")], row=ROW_FR, column="activity",
               text=activity, quote="le portail"),
        thread(4, "summary", [comment(41, SALMA, "الوصف طويل جدا", "2026-11-30T10:00:00Z"),
                              comment(42, KARIM, "D'accord, je raccourcis.", "2026-11-30T11:30:00Z"),
                              comment(43, SALMA, "", "2026-11-30T12:00:00Z", deleted=True)],
               status="resolved"),
        thread(5, "problem", [comment(51, SALMA, "هذه الفقرة حذفت")], quote="نص حذفه أحدهم", detached=True),
        thread(6, "title", [comment(61, KARIM, HOSTILE[0]), comment(62, SALMA, HOSTILE[1]),
                            comment(63, KARIM, HOSTILE[2])], text=REVIEW_FIELDS["title"], quote="المعطيات المفتوحة"),
        thread(7, None, [comment(71, SALMA, "البطاقة جاهزة للمراجعة")]),
        # Offsets off by two (as NFC or a dropped control character can leave them): the
        # occurrence of "Publier" nearest to them is the second one.
        thread(8, "summary", [comment(81, KARIM, "Répétition.")], text=summary, quote="Publier", occurrence=1, shift=2),
        thread(9, "problem", [comment(91, KARIM, "Ce texte a changé depuis.")], quote="x" * 9,
               text="x" * 9, current="un texte qui n'est plus là"),
        thread(10, "milestones", [comment(101, SALMA, "هذا السطر كله")], row=ROW_AR),
        thread(11, "problem", [comment(111, KARIM, "Le second point.")], text=PROBLEM_TEXT, quote="ضعف التحيين"),
    ]


# LibreOffice's Writer print setting "Comments: in margin" (org.openoffice.Office.Writer/Print/
# Content/Note = 4), which its PDF export also follows; 7.4 has no PDF filter option for it.
_COMMENTS_IN_MARGIN = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Writer/Print/Content"><prop oor:name="Note" oor:op="fuse"><value>4</value></prop></item>
</oor:items>
"""


def render_pdfs(soffice: str, documents: dict[str, bytes], workdir: Path, *, to: str = "pdf",
                comments_in_margin: bool = False) -> dict[str, Path]:
    """Convert .docx files to PDF (or `to`, e.g. "fodt") in one LibreOffice run, in a fresh user profile.

    A profile of its own per run means parallel test runs never collide on LibreOffice's lock.
    `comments_in_margin` sets that profile to print Word comments in the page margin.

    Raises:
        AssertionError: naming the document LibreOffice could not convert, with its output.
    """
    sources = []
    for name, data in documents.items():
        source = workdir / f"{name}.docx"
        source.write_bytes(data)
        sources.append(str(source))
    profile = workdir / f"libreoffice-profile-{to}{'-margin' if comments_in_margin else ''}"
    if comments_in_margin:
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_COMMENTS_IN_MARGIN, encoding="utf-8")
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", to,
         "--outdir", str(workdir), *sources], capture_output=True, text=True, timeout=600)
    outputs = {}
    for name in documents:
        output = workdir / f"{name}.{to}"
        if not output.is_file():
            raise AssertionError(f"LibreOffice did not convert {name}.docx: {result.stdout}{result.stderr}")
        outputs[name] = output
    return outputs


def pdf_text(pdftotext: str, pdf: Path, layout: bool = False) -> str:
    args = [pdftotext] + (["-layout"] if layout else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


_LINE = re.compile(r"<line[^>]*>(.*?)</line>", re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)"[^>]*>(.*?)</word>')


def pdf_lines(pdftotext: str, pdf: Path) -> list[list[str]]:
    """Every line of the PDF as its words from left to right, as they are seen on the page.

    pdftotext's plain text puts right-to-left words back in an order of its own; the words'
    positions (-bbox-layout) say where each one really is. An Arabic word's letters come
    left to right too, that is, reversed.
    """
    out = subprocess.run([pdftotext, "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    lines = []
    for line in _LINE.finditer(out):
        words = sorted((float(x), html.unescape(word)) for x, word in _WORD.findall(line.group(1)))
        lines.append([word for _, word in words])
    return lines


# -- a consultation report, as the service builds it (docs/exports.md) ---------------------------

REPORT_AR_SENTENCE = "نقترح نشر تقارير دورية حول تنفيذ الالتزامات لفائدة المواطنين"
REPORT_AR_ANSWER = "تمت إضافة تقرير نصف سنوي إلى الالتزام"
REPORT_FR_SENTENCE = "Le comité propose « un portail unique » avant la fin de 2027, puis une évaluation."
REPORT_FR_ANSWER = "Le portail est prévu ; l'évaluation relève du prochain plan."
# Typed to break things: markup, an unclosed right-to-left override, control characters, a lone
# surrogate (JSON can carry one), a link to script and a word longer than any line.
LONG_WORD = "anticonstitutionnellement" * 40
HOSTILE_BODY = ("<script>alert(1)</script> \u202edébut inversé\x00\x07\x85\ud800 "
                "[clic](javascript:alert(1)) " + LONG_WORD)


def contribution(cid: int, name: str, body: str, *, organisation: str = "", field: dict[str, str] | None = None,
                 outcome: str | None = None, answer: str = "", date: str = "2026-11-20",
                 answered_at: str | None = None) -> dict[str, Any]:
    return {"id": cid, "name": name, "organisation": organisation, "date": date, "field": field, "body": body,
            "outcome": outcome, "answer": answer,
            "answered_at": answered_at if answered_at is not None else ("2026-11-25" if outcome else None)}


def consultation_report() -> dict[str, Any]:
    """Five contributions: two on the whole plan, three on card 1.1 (one of them hostile), card
    1.2 and axis 2 without any, one contribution not answered yet."""
    problem = {"ar": "الإشكالية", "fr": "Problématique", "en": "Problem"}
    plan_wide = [
        contribution(1, "سعاد العلمي", f"{REPORT_AR_SENTENCE}.\n\nوذلك **كل ستة أشهر**.",
                     organisation="جمعية الشفافية المغربية", outcome="taken_into_account",
                     answer=REPORT_AR_ANSWER + "."),
        contribution(2, "Karim Benali", REPORT_FR_SENTENCE, organisation="Transparency Maroc", outcome="partly",
                     answer=REPORT_FR_ANSWER, date="2026-11-21"),
    ]
    card_contributions = [
        contribution(3, "Salma B.", "Il faut :\n\n1. publier les **données brutes** ;\n2. voir "
                     "[le portail](https://www.data.gov.ma).", field=problem, outcome="not_retained",
                     answer="Les données brutes sont déjà publiées.", date="2026-11-22"),
        contribution(4, "\u202eMalin\u202c <b>", HOSTILE_BODY, organisation="<i>org</i>\u2066",
                     field={"ar": "الإشكالية\u202e", "fr": "Problématique\u202e"}, outcome="out_of_scope",
                     answer="- hors sujet\n- \u202e<script>x</script>", date="2026-11-23"),
        contribution(5, "يوسف", "ما هو **الجدول الزمني** للنشر؟", date="2026-11-24"),
    ]
    return {
        "plan": {"title": {"ar": "خطة العمل الوطنية الثالثة للحكومة المنفتحة",
                           "fr": "Troisième plan d'action national du gouvernement ouvert",
                           "en": "Third open government national action plan"},
                 "period": {"start": "2026", "end": "2028"}},
        "consultation": {"opens_at": "2026-11-15", "closes_at": "2026-12-15", "state": "open"},
        "generated": "2026-12-03",
        "totals": {"contributions": 5, "answered": 4,
                   "outcomes": {"taken_into_account": 1, "partly": 1, "not_retained": 1, "out_of_scope": 1}},
        "plan_wide": plan_wide,
        "axes": [
            {"number": "1", "title": {"ar": "الوصول إلى المعلومات", "fr": "Accès à l'information",
                                      "en": "Access to information"},
             "cards": [
                 {"number": "1.1", "title": "نشر المعطيات المفتوحة المتعلقة بالصفقات العمومية", "count": 3,
                  "outcomes": {"taken_into_account": 0, "partly": 0, "not_retained": 1, "out_of_scope": 1},
                  "contributions": card_contributions},
                 {"number": "1.2", "title": "Registre des bénéficiaires effectifs", "count": 0,
                  "outcomes": {"taken_into_account": 0, "partly": 0, "not_retained": 0, "out_of_scope": 0},
                  "contributions": []},
             ]},
            {"number": "2", "title": {"ar": "الشفافية المالية", "fr": "Transparence budgétaire",
                                      "en": "Fiscal openness"}, "cards": []},
        ],
    }
