"""Column widths of a card's table fields that fit what the columns hold.

A fixed-layout Word table breaks any text wider than its column, in the middle of a word if it
must: "k.benali@exa|mple.ma", "+212 5 37 11 | 11 11". Widths are therefore fitted to the
content: each column's share follows its type (a month needs less room than a text), then every
column gets at least the width of what must not break, taken from the columns with room to spare:

- hard minimum: its e-mail addresses, web addresses and phone numbers, whole;
- soft minimum: its longest word, header label included.

Widths are estimated from Arial's advance widths (Liberation Sans has the same; LibreOffice
substitutes it, or Noto Sans, a little wider, hence the margin of safety). Both minima are kept
at the document's size if they fit, else in the small size (8 pt); failing that, only the hard
ones (words may then break), at the document's size or the small one; and when even those do
not fit, they share the width in proportion.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from .bidi import char_class, contact_spans

# Advance widths of Arial for the printable ASCII characters (" " to "~"), per 1000 em.
_ASCII = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space to /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 to ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ to O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P to _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` to o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p to ~
]
_LATIN_OTHER = 600   # accented letters, symbols
_ARABIC = 480        # Amiri, per 1000 em of the complex-script size, letters joined
_BOLD = 1.08
_SAFETY = 1.12       # Noto Sans stands in for Arial where Arial is not installed
CELL_PADDING = 2 * 108 + 30  # the style's left and right cell margins, plus the borders
_BREAKS = re.compile(r"[ \t\n]+")
_AFTER_HYPHEN = re.compile(r"(?<=-)")


def _advance(ch: str) -> int:
    code = ord(ch)
    if 32 <= code <= 126:
        return _ASCII[code - 32]
    if ch == "\u00a0":
        return 278
    if code in (0x2011, 0x2010):
        return 333
    return _LATIN_OTHER


@lru_cache(maxsize=8192)
def text_width(text: str, size: tuple[int, int], bold: bool = False) -> int:
    """The width `text` takes on one line, in twentieths of a point.

    Args:
        size: (Latin, complex-script) sizes in half points.
    """
    latin = arabic = 0
    for ch in text:
        if char_class(ch) == "R":
            arabic += _ARABIC
        elif unicodedata.category(ch)[0] != "C":  # marks and isolates take no room
            latin += _advance(ch)
    # half points → points is /2, points → twips is *20: per 1000 em that is size * 10 / 1000.
    width = (latin * size[0] + arabic * size[1]) / 100
    return int(width * (_BOLD if bold else 1) * _SAFETY) + 1


def unbreakable(text: str) -> tuple[list[str], list[str]]:
    """The pieces of `text` that must stay on one line: (contact details, other words)."""
    contacts, words = [], []
    pos = 0
    for start, end, _ in contact_spans(text):
        words.extend(_words(text[pos:start]))
        contacts.append(text[start:end])
        pos = end
    words.extend(_words(text[pos:]))
    return contacts, words


def _words(text: str) -> list[str]:
    # A line may end after a hyphen, so "Bénéficiaires-Suivi" needs only its longer half.
    return [piece for word in _BREAKS.split(text) for piece in _AFTER_HYPHEN.split(word) if piece]


def minimum_widths(cells: list[list[tuple[str, bool]]], size: tuple[int, int]) -> tuple[list[int], list[int]]:
    """Each column's hard and soft minimum width (twips, cell padding included).

    Args:
        cells: per column, its (text, bold) cells, the header's first.
    """
    hard, soft = [], []
    for column in cells:
        column_hard = column_soft = 0
        for text, bold in column:
            contacts, words = unbreakable(text)
            for piece in contacts:
                column_hard = max(column_hard, text_width(piece, size, bold))
            for piece in words:
                column_soft = max(column_soft, text_width(piece, size, bold))
        hard.append(column_hard + CELL_PADDING if column_hard else 0)
        soft.append(max(column_soft + CELL_PADDING, hard[-1]) if column_soft else hard[-1])
    return hard, soft


def fit(widths: list[int], minimums: list[int], total: int) -> list[int] | None:
    """`widths` changed so that each column has at least its minimum, the difference taken from
    the columns above theirs in proportion to their room; None when the minimums exceed `total`."""
    if sum(minimums) > total:
        return None
    need = sum(max(0, m - w) for w, m in zip(widths, minimums))
    if not need:
        return list(widths)
    room = [max(0, w - m) for w, m in zip(widths, minimums)]
    spare = sum(room)
    out = [max(w, m) - (need * r // spare if r else 0) for w, m, r in zip(widths, minimums, room)]
    # Rounding leaves a few twips over: give them back to the widest column that has room.
    extra = sum(out) - total
    if extra:
        widest = max(range(len(out)), key=lambda i: (room[i], out[i]))
        out[widest] -= extra
    return out


def fitted_widths(shares: list[int], cells: list[list[tuple[str, bool]]], total: int,
                  size: tuple[int, int], small: tuple[int, int]) -> tuple[list[int], tuple[int, int] | None]:
    """Column widths for `cells` and the text size to set them in.

    Args:
        shares: the widths by column type alone, summing to `total`.
        size: the document's (Latin, complex-script) size; small: the size to fall back to.

    Returns:
        (widths summing to `total`, None for the document's size or `small`).
    """
    minimums: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    # Nothing broken at the document's size, then in the small one; then only the contact
    # details kept whole (words may break), at either size.
    for candidate, whole_words in ((size, True), (small, True), (size, False), (small, False)):
        if candidate not in minimums:
            minimums[candidate] = minimum_widths(cells, candidate)
        hard, soft = minimums[candidate]
        widths = fit(shares, [max(h, s) for h, s in zip(hard, soft)] if whole_words else hard, total)
        if widths is not None:
            return widths, None if candidate == size else small
    hard, _ = minimums[small]
    whole = sum(hard) or 1
    widths = [total * h // whole for h in hard]
    widths[-1] += total - sum(widths)
    return widths, small


def table_cells(columns: list[dict[str, Any]], header: list[str], rows: list[list[str]],
                bold_first: bool) -> list[list[tuple[str, bool]]]:
    """Per column, the (text, bold) of its header and its cells as they are written."""
    out = []
    for position, _ in enumerate(columns):
        column = [(header[position], True)]
        column.extend((row[position], bold_first and position == 0) for row in rows)
        out.append(column)
    return out
