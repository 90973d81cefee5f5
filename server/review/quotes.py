"""Finding a quoted passage again in text that has changed since it was quoted.

The fallback of anchoring (anchors.resolve), in the manner annotation tools re-anchor: an exact
search first, the occurrences ranked by how well the text around them matches the context
kept with the quote and by how near they are to where the quote was; then, when the quote is
no longer there verbatim, an approximate match that must be close to the quote itself. A
quote whose text is gone is not found: it is never moved onto unrelated text.
"""
from __future__ import annotations

from difflib import SequenceMatcher
from functools import lru_cache

# How alike a passage must be to the quote to be taken for it after small edits.
MIN_SIMILARITY = 0.8
# Quotes shorter than this are only found verbatim: a few letters match too much by chance.
MIN_FUZZY_LENGTH = 8


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    before = text[max(0, start - len(prefix)):start]
    after = text[end:end + len(suffix)]
    return (_similarity(before, prefix) if prefix else 0.5) + (_similarity(after, suffix) if suffix else 0.5)


def _nearness(start: int, offset: int, length: int) -> float:
    return 1.0 / (1.0 + abs(start - offset) / max(length, 1))


def find(text: str, quote: str, prefix: str = "", suffix: str = "", offset: int = 0) -> tuple[int, int] | None:
    """The (start, end) in `text` best taken for `quote`, or None when it is not there."""
    try:
        return _find(text, quote, prefix, suffix, offset)
    except TypeError:  # an argument that cannot be a cache key: searched for without the cache
        return _find.__wrapped__(text, quote, prefix, suffix, offset)


# The answer depends on nothing but the arguments, and a detached thread's quote is searched
# for (approximately: the dearest case) again on every read of its card until its text comes
# back. A small cache: each entry keeps one field's text alive.
@lru_cache(maxsize=128)
def _find(text: str, quote: str, prefix: str, suffix: str, offset: int) -> tuple[int, int] | None:
    if not quote:
        return None
    exact = []
    at = text.find(quote)
    while at != -1:
        exact.append(at)
        at = text.find(quote, at + 1)
    if exact:
        best = max(exact, key=lambda s: (_context_score(text, s, s + len(quote), prefix, suffix),
                                         _nearness(s, offset, len(quote))))
        return best, best + len(quote)
    if len(quote) < MIN_FUZZY_LENGTH:
        return None
    return _approximate(text, quote, prefix, suffix, offset)


def _approximate(text: str, quote: str, prefix: str, suffix: str, offset: int) -> tuple[int, int] | None:
    """Passages aligned on the longest runs the text shares with the quote, best first."""
    matcher = SequenceMatcher(None, text, quote, autojunk=False)
    candidates: set[tuple[int, int]] = set()
    for block in matcher.get_matching_blocks():
        if block.size < 3:
            continue
        start = max(0, block.a - block.b)
        for length in {len(quote), len(quote) - 1, len(quote) + 1}:
            candidates.add((start, min(len(text), start + length)))
    scored = []
    for start, end in candidates:
        compared = SequenceMatcher(None, text[start:end], quote, autojunk=False)
        # The quick ratios are upper bounds of the ratio: a passage they rule out is not alike.
        if compared.real_quick_ratio() < MIN_SIMILARITY or compared.quick_ratio() < MIN_SIMILARITY:
            continue
        similarity = compared.ratio()
        if similarity >= MIN_SIMILARITY:
            scored.append((similarity + 0.25 * _context_score(text, start, end, prefix, suffix)
                           + 0.1 * _nearness(start, offset, len(quote)), start, end))
    if not scored:
        return None
    _score, start, end = max(scored)
    return start, end
