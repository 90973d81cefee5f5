"""A comment's Markdown as the plain text of a Word comment: readable, no markup left.

Comments are written in Markdown. A Word comment holds plain paragraphs, so emphasis loses its
asterisks, list items get a bullet or their number, quotations a bar, code its text, and a link
becomes "text (url)" — for web and mail targets only: any other target (javascript:, data:…)
is dropped and its text kept. Raw HTML is not markup here: markdown-it runs with HTML off, so
"<script>" stays the literal text it was typed as, and lxml escapes it when the XML is written.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt

from schemas.vocabulary import is_safe_link

BULLET = "•"
QUOTE_BAR = "│"
RULE = "———"
_MAILTO = "mailto:"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False})
    # Every link is parsed as a link so that its target is judged below; markdown-it's own
    # check would leave "[x](javascript:…)" in the text as raw markup.
    md.validateLink = lambda url: True
    return md


def _shown_target(href: Any, text: str) -> str | None:
    """What follows a link's text in brackets: its target, if it is safe and says something new."""
    if not is_safe_link(href):
        return None
    shown = href.strip()
    if shown.lower().startswith(_MAILTO):
        shown = shown[len(_MAILTO):]
    return None if shown == text.strip() else shown


def _inline(children: list[Any]) -> str:
    parts: list[str] = []
    links: list[tuple[Any, int]] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            # A line break typed in a comment is meant as one, even where Markdown would join.
            parts.append("\n")
        elif kind == "link_open":
            links.append((child.attrGet("href"), len(parts)))
        elif kind == "link_close" and links:
            href, at = links.pop()
            target = _shown_target(href, "".join(parts[at:]))
            if target:
                parts.append(f" ({target})")
        elif kind == "image":
            alt = child.content
            parts.append(alt)
            target = _shown_target(child.attrGet("src"), alt)
            if target:
                parts.append(f" ({target})" if alt else target)
    return "".join(parts)


class _Lines:
    """Lines of text with the prefixes of the blocks they sit in (quotations, list items)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.quotes = 0
        self.lists: list[list[Any]] = []  # [ordered, next number] per open list
        self.marker: str | None = None  # the marker the next line of a new list item starts with

    def add(self, text: str) -> None:
        depth = max(len(self.lists) - 1, 0)
        quote = f"{QUOTE_BAR} " * self.quotes
        for line in text.split("\n"):
            if self.marker is not None:
                lead = "  " * depth + self.marker + " "
                self.marker = None
            else:
                lead = "  " * len(self.lists)
            self.lines.append((quote + lead + line).rstrip())


def plain_text(markdown: str) -> str:
    """The Markdown text of a comment as plain lines ("\\n" between paragraphs and lines)."""
    out = _Lines()
    for token in _parser().parse(markdown or ""):
        kind = token.type
        if kind == "blockquote_open":
            out.quotes += 1
        elif kind == "blockquote_close":
            out.quotes -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            out.lists.append([kind == "ordered_list_open", int(start) if start is not None else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            out.lists.pop()
        elif kind == "list_item_open" and out.lists:
            ordered, number = out.lists[-1]
            out.marker = f"{number}." if ordered else BULLET
            out.lists[-1][1] += 1
        elif kind == "inline":
            out.add(_inline(token.children or []))
        elif kind in ("fence", "code_block", "html_block"):
            out.add(token.content.rstrip("\n"))
        elif kind == "hr":
            out.add(RULE)
    return "\n".join(out.lines).strip("\n")
