"""A comment's Markdown as the plain text of a Word comment: readable, no markup left.

Comments are written in Markdown. A Word comment holds plain paragraphs, so emphasis loses its
asterisks, list items get a bullet or their number, quotations a bar, code its text, and a link
becomes "text (url)" — for web and mail targets only: any other target (javascript:, data:…)
is dropped and its text kept. Raw HTML is not markup here: markdown-it runs with HTML off, so
"<script>" stays the literal text it was typed as, and lxml escapes it when the XML is written.

`rich_nodes` reads the same Markdown, with the same link rule, into the rich-text tree the Word
exporters already write (exports/docx_rich.py), for documents that keep emphasis, lists and
links: the consultation report's contributions and answers.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt

from schemas.vocabulary import is_safe_link

from .docx_numbering import LEVELS

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


# -- Markdown as rich text --------------------------------------------------------------------

def _text_node(text: str, bold: bool, italic: bool, href: str | None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": text}
    marks = ([{"type": "bold"}] if bold else []) + ([{"type": "italic"}] if italic else [])
    if href is not None:
        marks.append({"type": "link", "attrs": {"href": href}})
    if marks:
        node["marks"] = marks
    return node


def _inline_nodes(children: list[Any], prefix: str, bold: bool) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = [_text_node(prefix, False, False, None)] if prefix else []
    strong = 1 if bold else 0
    em = 0
    links: list[str | None] = []  # the target of each open link, None when it is not safe

    def add(text: str) -> None:
        if text:
            nodes.append(_text_node(text, strong > 0, em > 0, links[-1] if links else None))

    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            add(child.content)
        elif kind in ("softbreak", "hardbreak"):
            nodes.append({"type": "hardBreak"})
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em -= 1
        elif kind == "link_open":
            href = child.attrGet("href")
            links.append(href.strip() if is_safe_link(href) else None)
        elif kind == "link_close" and links:
            links.pop()
        elif kind == "image":
            add(child.content)
            target = _shown_target(child.attrGet("src"), child.content)
            if target:
                add(f" ({target})" if child.content else target)
    return nodes


def _typed_nodes(markdown: str) -> list[dict[str, Any]]:
    """Markdown as it was typed: a paragraph per block of lines, each line break kept."""
    nodes = []
    for block in re.split(r"\n[ \t]*\n", markdown.strip("\n")):
        content: list[dict[str, Any]] = []
        for index, line in enumerate(block.split("\n")):
            if index:
                content.append({"type": "hardBreak"})
            if line:
                content.append(_text_node(line, False, False, None))
        nodes.append({"type": "paragraph", "content": content})
    return nodes


def rich_nodes(markdown: str) -> list[dict[str, Any]]:
    """Markdown as rich-text block nodes (paragraph, bulletList, orderedList, listItem).

    Headings become bold paragraphs, quotations paragraphs behind "│", code its text, a
    thematic break a rule; links keep only web and mail targets. Lists nested deeper than Word's
    nine levels go on at the ninth. Markdown nested deeper than markdown-it follows (its
    maxNesting, 20 levels) is shown as the text it was typed as: markdown-it would drop the rest
    of that block without a word.
    """
    parser = _parser()
    tokens = parser.parse(markdown or "")
    # A block opened at the last level markdown-it allows had its content skipped.
    if any(token.nesting == 1 and token.type not in ("paragraph_open", "heading_open")
           and token.level >= parser.options.maxNesting - 1 for token in tokens):
        return _typed_nodes(markdown)
    root: list[dict[str, Any]] = []
    containers = [root]  # where the next block goes: the text, a list, a list item
    depth = 0  # lists open
    quotes = 0
    heading = False

    def block(node: dict[str, Any]) -> None:
        containers[-1].append(node)

    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            if depth > LEVELS:
                containers.append(containers[-1])
                continue
            node: dict[str, Any] = {"type": "bulletList", "content": []}
            if kind == "ordered_list_open":
                start = token.attrGet("start")
                node = {"type": "orderedList", "attrs": {"start": int(start) if start is not None else 1},
                        "content": []}
            block(node)
            containers.append(node["content"])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            containers.pop()
        elif kind == "list_item_open":
            if depth > LEVELS:
                containers.append(containers[-1])
                continue
            item: dict[str, Any] = {"type": "listItem", "content": []}
            block(item)
            containers.append(item["content"])
        elif kind == "list_item_close":
            containers.pop()
        elif kind == "blockquote_open":
            quotes += 1
        elif kind == "blockquote_close":
            quotes -= 1
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "inline":
            content = _inline_nodes(token.children or [], f"{QUOTE_BAR} " * quotes, heading)
            block({"type": "paragraph", "content": content})
        elif kind in ("fence", "code_block", "html_block", "hr"):
            text = RULE if kind == "hr" else token.content.rstrip("\n")
            content = []
            for index, line in enumerate(text.split("\n")):
                if index:
                    content.append({"type": "hardBreak"})
                if quotes or line:
                    content.append(_text_node(f"{QUOTE_BAR} " * quotes + line, False, False, None))
            block({"type": "paragraph", "content": content})
    return root
