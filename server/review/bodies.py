"""Comment bodies: Markdown with raw HTML off, safe links only, and mentions of card members.

A mention is written `@[Name](mention:ID)`, a Markdown link with the `mention:` scheme. What a
reader sees is the *account's* name looked up by id, never the name typed in the body, so
nobody can write "@Minister" over someone else's id.
"""
from __future__ import annotations

import html
import re
from collections.abc import Mapping

from markdown_it import MarkdownIt

from schemas.vocabulary import clean_text, is_safe_link, text_problem

MAX_BODY = 10_000  # characters of one comment
MENTION = re.compile(r"@\[([^\]\n]{0,200})\]\(mention:(\d{1,9})\)")


def mentioned_ids(body: str) -> list[int]:
    """The user ids mentioned in `body`, in order of first mention."""
    seen: list[int] = []
    for match in MENTION.finditer(body):
        user_id = int(match.group(2))
        if user_id not in seen:
            seen.append(user_id)
    return seen


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")


def escape(text: str) -> str:
    """`text` as Markdown that shows exactly that text (a name brought in from a Word file)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def clean(text: str) -> str:
    """Text from elsewhere (a Word file) without the characters a body may not hold."""
    return clean_text(text, multiline=True)


def body_problem(body: object) -> str | None:
    """Why `body` cannot be a comment (a catalogue key), or None."""
    if not isinstance(body, str) or not body.strip():
        return "review.body_empty"
    if len(body) > MAX_BODY:
        return "review.body_too_long"
    if text_problem(body, multiline=True) is not None:
        return "review.body_control"
    return None


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = lambda url: is_safe_link(url) or url.startswith("mention:")
    md.disable(["image"])
    return md


_MD = _parser()


def render(body: str, names: Mapping[int, str]) -> str:
    """`body` as HTML fit to insert in a page: escaped text, safe links, mentions as spans.

    Args:
        body: the Markdown source.
        names: user id → display name, for the mentions in `body`.
    """
    tokens = _MD.parse(body)
    for token in tokens:
        children = token.children or []
        rebuilt = []
        skipping = False
        for child in children:
            if child.type == "link_open" and str(child.attrGet("href") or "").startswith("mention:"):
                user_id = int(str(child.attrGet("href"))[len("mention:"):] or 0)
                name = names.get(user_id)
                child.type, child.tag, child.nesting = "html_inline", "", 0
                child.attrs = {}
                child.content = (f'<span class="mention" data-user="{user_id}">@<bdi>'
                                 f'{html.escape(name or "?")}</bdi></span>')
                if rebuilt and rebuilt[-1].type == "text" and rebuilt[-1].content.endswith("@"):
                    rebuilt[-1].content = rebuilt[-1].content[:-1]
                rebuilt.append(child)
                skipping = True
                continue
            if skipping:
                if child.type == "link_close":
                    skipping = False
                continue
            if child.type == "link_open":
                child.attrSet("rel", "noopener noreferrer nofollow")
                child.attrSet("target", "_blank")
            rebuilt.append(child)
        if token.children is not None:
            token.children = rebuilt
    return _MD.renderer.render(tokens, _MD.options, {})


def plain(body: str, names: Mapping[int, str]) -> str:
    """`body` as readable plain text (mail, Word, notifications): mentions as @Name with the
    account's name, links as "text (url)" for web and mail targets only."""
    from exports.comment_text import plain_text

    named = MENTION.sub(lambda m: "@" + escape(names.get(int(m.group(2))) or "?"), body)
    return plain_text(named)
