"""Markdown and HTML exports: tables, escaping, lists, links, direction."""
from __future__ import annotations

import re

import pytest
from exports_support import para, t
from markdown_it import MarkdownIt

from exports import UnknownNodeError, card_html, card_markdown, plan_html, plan_markdown


def test_card_markdown_headings_and_pipe_tables(template, fr_content):
    text = card_markdown(template, fr_content, "fr")
    assert text.startswith("# Engagement n° 5 : Publication des données ouvertes des marchés publics 5\n")
    assert "\n## Problématique\n" in text
    assert "| Activité | Livrable | Début | Fin | Responsable |\n| --- | --- | --- | --- | --- |\n" in text
    assert "| Élaborer la norme | Norme publiée | 2024-01 | 2024-06 | MEF |" in text
    assert "- **Transparence**: Les données deviennent publiques." in text
    assert "Accès à l'information" in text and "access_to_information" not in text


def test_table_cells_escape_pipes_and_newlines(template, ar_content):
    ar_content["fields"]["milestones"][0]["responsible"] = "وزارة\nالمالية"
    text = card_markdown(template, ar_content, "ar")
    assert "| تطوير البوابة \\| المرحلة الأولى |" in text
    assert "| وزارة المالية |" in text
    html = card_html(template, ar_content, "ar")
    assert "<td dir=\"auto\">تطوير البوابة | المرحلة الأولى</td>" in html


def test_rich_text_lists_links_and_marks(template, ar_content):
    text = card_markdown(template, ar_content, "ar")
    assert "**مما يحد من الرقابة المواطنة**" in text
    assert "[بوابة الحكومة المنفتحة](https://www.gouvernement-ouvert.ma)" in text
    assert "- غياب صيغة موحدة للنشر\n- ضعف التحيين" in text
    assert "1. تعدد المنصات\n2. غياب إطار قانوني ملزم\n   - على المستوى المحلي" in text
    assert "3. تكوين الموظفين" in text
    html = card_html(template, ar_content, "ar")
    assert '<ol start="3">' in html
    assert '<a href="https://www.gouvernement-ouvert.ma" rel="nofollow noopener">بوابة الحكومة المنفتحة</a>' in html
    assert "<strong>مما يحد من الرقابة المواطنة</strong>" in html
    assert "<em>OGP</em>" in html


def test_no_raw_html_or_markdown_injection(template, fr_content):
    fr_content["fields"]["summary"] = "<script>alert(1)</script> *pas* [x](http://a) # titre"
    fr_content["fields"]["problem"] = [
        para(t("<img src=x onerror=alert(1)>")),
        para(t("# pas un titre")),
        para(t("1. pas une liste")),
        para(t("cliquez", href="javascript:alert(1)")),
    ]
    html = card_html(template, fr_content, "fr")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert "<h1" in html and html.count("<h1") == 1
    assert "<p dir=\"auto\"># pas un titre</p>" in html
    assert "<p dir=\"auto\">1. pas une liste</p>" in html
    assert "*pas* [x](http://a)" in html, "Markdown typed as text stays text"


def test_html_fragment_has_lang_and_dir(template, ar_content, fr_content):
    html = card_html(template, ar_content, "ar")
    assert "<td dir=\"auto\">\u200e2024-03\u200e</td>" in html
    assert re.match(r'<div class="iltizam-card" lang="ar" dir="rtl">', html)
    assert "<html" not in html and "<body" not in html
    assert re.match(r'<div class="iltizam-card" lang="fr" dir="ltr">', card_html(template, fr_content, "fr"))


def test_plan_markdown_and_html(template, plan):
    text = plan_markdown(template, plan, "fr")
    assert text.startswith("# Troisième plan d'action national du gouvernement ouvert\n")
    assert "**PROJET**" in text
    assert text.count("\n## Axe ") == 4
    assert text.count("\n### Engagement n° ") == len(plan["cards"])
    assert "| Axe | Engagement n° | Intitulé de l'engagement | Institution chef de file |" in text
    assert "## Annexe : validations" in text and "| " + "a" * 12 + " |" in text
    html = plan_html(template, plan, "ar")
    assert html.startswith('<div class="iltizam-plan" lang="ar" dir="rtl">')
    assert "<h2 dir=\"auto\">المحور 1: الوصول إلى المعلومات</h2>" in html
    plan["signoffs"] = []
    assert "Aucune validation n'a encore été enregistrée." in plan_markdown(template, plan, "fr")


def test_markdown_is_valid_commonmark_round_trip(template, ar_content):
    tokens = MarkdownIt("commonmark", {"html": False}).enable("table").parse(card_markdown(template, ar_content, "ar"))
    assert sum(1 for tok in tokens if tok.type == "table_open") == 4
    assert sum(1 for tok in tokens if tok.type == "bullet_list_open") >= 3


def test_unknown_node_raises(template, fr_content):
    fr_content["fields"]["results"] = [{"type": "codeBlock", "content": [t("x")]}]
    with pytest.raises(UnknownNodeError):
        card_markdown(template, fr_content, "fr")
