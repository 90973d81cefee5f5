"""The card's shared vocabulary: rich-text nodes and marks, safe links, languages, months, dates.

One definition read by the server's validation and canonical content, every exporter and the
Word import, so a rule such as "links go to the web or to mail only" is written once. Plain data
and small pure functions: nothing here imports Flask, the database or pycrdt.
"""
from __future__ import annotations

import re
from typing import Any

# -- languages --------------------------------------------------------------------------------

LANGUAGES = ("ar", "fr", "en")


class UnsupportedLanguage(ValueError):
    """A language code outside LANGUAGES.

    Attributes:
        lang: the code that was given.
        message: a sentence naming the languages that exist.
    """

    def __init__(self, lang: object) -> None:
        self.lang = lang
        self.message = f"Unsupported language {lang!r}: lang must be one of {', '.join(LANGUAGES)}"
        super().__init__(self.message)


def check_language(lang: Any) -> str:
    """Return `lang` when it is one of LANGUAGES.

    Raises:
        UnsupportedLanguage: for anything else.
    """
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise UnsupportedLanguage(lang)
    return lang


# -- rich text --------------------------------------------------------------------------------

LIST_NODES = frozenset({"bulletList", "orderedList"})
# Nodes that may stand at the top of a rich-text field.
TOP_NODES = frozenset({"paragraph"}) | LIST_NODES
BLOCK_NODES = TOP_NODES | {"listItem"}
INLINE_NODES = frozenset({"text", "hardBreak"})
NODE_TYPES = BLOCK_NODES | INLINE_NODES
MARKS = frozenset({"bold", "italic", "underline", "link"})
# Rich text nested deeper than this is flattened when read (canonical content) and refused when
# written (validation); real cards use two or three list levels.
MAX_DEPTH = 20

_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def is_safe_link(href: Any) -> bool:
    """True for a link target people may follow: http(s) or mailto, nothing else."""
    return isinstance(href, str) and bool(_SAFE_LINK.match(href.strip()))


def list_start(value: Any) -> int | None:
    """An ordered list's `start` as a positive integer, or None when it is not one.

    "3", 3 and 3.0 (Yjs numbers arrive as floats) give 3; "²", "-1", 0, True, 1.5 give None
    (str.isdigit accepts "²", which int() then refuses).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and 0 < value < 1e9:
        return int(value)
    if isinstance(value, int):
        return value if 0 < value < 10**9 else None
    if isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) <= 9:
        return int(value) or None
    return None


# -- text -------------------------------------------------------------------------------------

# C0 controls, DEL and C1 controls; \t and \n are allowed in multi-line text.
_CONTROL = "".join(chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)))
_SURROGATES = "".join(chr(c) for c in range(0xD800, 0xE000))
_DROP_MULTILINE = {ord(c): None for c in _CONTROL + _SURROGATES if c not in "\t\n"}
_DROP_SINGLE = {**_DROP_MULTILINE, ord("\t"): " ", ord("\n"): " "}
_BAD_MULTILINE = re.compile("[" + re.escape("".join(chr(k) for k in _DROP_MULTILINE)) + "]")
_BAD_SINGLE = re.compile("[" + re.escape("".join(chr(k) for k in _DROP_SINGLE)) + "]")


def text_problem(text: str, multiline: bool = True) -> str | None:
    """What makes `text` unfit to store, as a short phrase, or None when it is fine.

    Args:
        text: the text to check.
        multiline: whether \\n and \\t are allowed.
    """
    match = (_BAD_MULTILINE if multiline else _BAD_SINGLE).search(text)
    if match is None:
        return None
    char = match.group()
    if 0xD800 <= ord(char) < 0xE000:
        return f"holds a lone surrogate (U+{ord(char):04X})"
    return f"holds a control character (U+{ord(char):04X})"


def clean_text(text: str, multiline: bool = True) -> str:
    """`text` without control characters and lone surrogates (\\n and \\t kept if multiline)."""
    return text.translate(_DROP_MULTILINE if multiline else _DROP_SINGLE)


# A hard ceiling on one text value, well above any template limit, so that one request or one
# imported file cannot bloat a document.
MAX_TEXT = 100_000


# -- months and dates -------------------------------------------------------------------------

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
MONTH_FORMAT = "YYYY-MM"
DATE_FORMAT = "YYYY-MM-DD"


def is_month(value: Any) -> bool:
    return isinstance(value, str) and MONTH.fullmatch(value) is not None


def is_date(value: Any) -> bool:
    return isinstance(value, str) and DATE.fullmatch(value) is not None
