"""Recognising template labels in text people typed: any language, any case or punctuation.

"PROBLÉMATIQUE :", "Problematique", "الإشكاليـــة", "3. Brief description (≤ 140 chars)" all
name the same field. Text is reduced to a key (diacritics, harakat and tatweel gone, Arabic
letter variants unified, case folded, notes in brackets and leading numbering dropped,
punctuation removed) and looked up among the keys of every label of every language.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Generic, TypeVar
from collections.abc import Iterable

from .bidi import BIDI_CONTROLS

T = TypeVar("T")
_TRAILING_NOTE = re.compile(r"\s*[(\[（][^()\[\]（）]*[)\]）]\s*$")
_LEADING_NUMBER = re.compile(r"^\s*(?:\d+|[٠-٩]+|[ivx]+|[a-z])\s*[.)\-–:]\s+", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*[:：]\s*|\s+[-–—]\s+")
_ARABIC_VARIANTS = str.maketrans({"ى": "ي", "ة": "ه", "ٱ": "ا", "ک": "ك", "ی": "ي", "\u0640": None})
_CONTROLS = {ord(c): None for c in BIDI_CONTROLS}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalize(text: str) -> str:
    """The matching key of a label or of a heading found in a document."""
    text = unicodedata.normalize("NFKD", text.translate(_CONTROLS))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = text.translate(_ARABIC_VARIANTS).translate(_DIGITS).casefold()
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_NOTE.sub("", text)
    text = _LEADING_NUMBER.sub("", text)
    text = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
    return " ".join(text.split())


def candidates(text: str) -> list[str]:
    """Keys to try for `text`: the whole of it, then the part before a colon or dash.

    "Partenaires : institutions d'appui, société civile…" names the partners field.
    """
    keys = [normalize(text)]
    head = _SEPARATORS.split(text.strip(), maxsplit=1)[0]
    if head and head != text.strip():
        keys.append(normalize(head))
    return [k for k in keys if k]


class LabelIndex(Generic[T]):
    """Maps label keys, in every language, to the item they name.

    Args:
        items: (item, its labels by language, extra aliases) triples.
    """

    def __init__(self, items: Iterable[tuple[T, dict[str, str], Iterable[str]]]) -> None:
        self._keys: dict[str, T] = {}
        for item, labels, aliases in items:
            for text in list(labels.values()) + list(aliases):
                key = normalize(text)
                # The first item to claim a key keeps it: template order decides ties.
                if key and key not in self._keys:
                    self._keys[key] = item

    def find(self, text: str, whole: bool = False) -> T | None:
        """The item `text` names, or None; `whole` forbids matching only the part before a colon."""
        for key in ([normalize(text)] if whole else candidates(text)):
            if key in self._keys:
                return self._keys[key]
        return None


def field_index(fields: list[dict[str, Any]]) -> LabelIndex[dict[str, Any]]:
    """Fields by their labels; the field id (e.g. "ogp_values") is accepted too."""
    return LabelIndex((f, f["label"], [f["id"].replace("_", " ")]) for f in fields)


def option_index(spec: dict[str, Any]) -> LabelIndex[str]:
    """Option ids of a choice field or column by their labels and ids."""
    return LabelIndex((o["id"], o["label"], [o["id"].replace("_", " ")]) for o in spec.get("options", []))


def column_index(field: dict[str, Any]) -> LabelIndex[dict[str, Any]]:
    return LabelIndex((c, c["label"], [c["id"].replace("_", " ")]) for c in field.get("columns", []))
