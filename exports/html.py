"""Cards and plans as HTML fragments for the publication pages, rendered from the Markdown.

markdown-it-py renders with raw HTML switched off, so nothing a person typed becomes markup,
and links other than http(s) and mailto are dropped. Numbers made of digit groups ("2024-03",
phone numbers) are wrapped in left-to-right marks so Arabic text does not reverse their groups.
The result is a fragment (the server wraps it in its page) whose root element says the language
and the direction; every block also gets dir="auto" so a French paragraph inside an Arabic card
reads left to right.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from markdown_it import MarkdownIt

from schemas.vocabulary import is_safe_link

from . import i18n
from .bidi import is_rtl_language, keep_numbers_ltr
from .markdown import card_markdown, plan_markdown

_AUTO_DIR = frozenset({"paragraph_open", "heading_open", "list_item_open", "th_open", "td_open"})


def _post_process(state: Any) -> None:
    for token in state.tokens:
        if token.type in _AUTO_DIR:
            token.attrSet("dir", "auto")
        for child in token.children or []:
            if child.type == "text" and any(ch.isdigit() for ch in child.content):
                # Invisible marks keep "2024-03" and phone numbers in order inside Arabic text.
                child.content = keep_numbers_ltr(child.content)
            elif child.type == "link_open":
                href = child.attrGet("href") or ""
                if not is_safe_link(href):
                    # Defence in depth: the Markdown exporter only writes safe links.
                    child.attrSet("href", "#")
                child.attrSet("rel", "nofollow noopener")


@lru_cache(maxsize=1)
def renderer() -> MarkdownIt:
    """The shared Markdown renderer: CommonMark, pipe tables, no raw HTML."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.core.ruler.push("iltizam_dir_and_links", _post_process)
    return md


def _fragment(markdown: str, lang: str, css_class: str) -> str:
    direction = "rtl" if is_rtl_language(lang) else "ltr"
    body = renderer().render(markdown)
    return f'<div class="{escape(css_class)}" lang="{escape(lang)}" dir="{direction}">\n{body}</div>\n'


def card_html(template: dict[str, Any], content: dict[str, Any], lang: str, *,
              signoffs: list[dict[str, Any]] | None = None) -> str:
    """One card as an HTML fragment (a <div> with lang and dir); with `signoffs` (a list, as
    card_markdown takes it), a sign-off section after the fields.

    Raises:
        ExportError: for an unsupported language, content or sign-offs of the wrong shape.
    """
    i18n.check_lang(lang)
    return _fragment(card_markdown(template, content, lang, signoffs=signoffs), lang, "iltizam-card")


def plan_html(template: dict[str, Any], plan: dict[str, Any], lang: str) -> str:
    """The whole plan as an HTML fragment (a <div> with lang and dir).

    Raises:
        PlanError: when the plan does not have the documented shape.
        ExportError: for an unsupported language or card content of the wrong shape.
    """
    i18n.check_lang(lang)
    return _fragment(plan_markdown(template, plan, lang), lang, "iltizam-plan")
