"""Finding a known organisation by the name someone wrote, in Arabic or in French.

A Word file names its lead institution as its author typed it: "وزارة الإقتصاد و المالية",
"وزارة الاقتصاد والماليّة", "MINISTERE DE L'ECONOMIE ET DES FINANCES (MEF)". `name_key` reduces
a name to what is left once case, accents, harakat, tatweel, the hamza and alef forms, letter
variants (ى/ي, ة/ه), bidi marks, spacing and punctuation are set aside; two names with the same
key name the same organisation. Nothing fuzzier: a name that is merely close is reported as not
matched, never guessed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..models import Organisation
from .cards import CO_LEAD_KINDS, LEAD_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

# Each side of a card a file may name: the card attribute it sets and the kinds that may hold it.
CARD_SIDES: dict[str, tuple[str, tuple[str, ...]]] = {
    "lead": ("lead_org_id", LEAD_KINDS),
    "co_lead": ("co_lead_org_id", CO_LEAD_KINDS),
}
# After NFKD has taken the hamza and madda off their alef (أ إ آ → ا), waw and yeh (ؤ ئ): the
# alef forms NFKD keeps, the letter variants people type for one another, tatweel, ligatures.
_LETTERS = str.maketrans({"ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ٵ": "ا", "ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه",
                          "ۀ": "ه", "ک": "ك", "\u0640": None, "œ": "oe", "æ": "ae"})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LONE_WAW = re.compile(r"(?<!\S)و (?=\S)")
_TRAILING_NOTE = re.compile(r"\s*[(\[（][^()\[\]（）]*[)\]）]\s*$")
# Where a cell naming the organisation in both languages is cut: lines, or " / " between names.
_BOTH_LANGUAGES = re.compile(r"\n|\s/\s")


def name_key(text: str) -> str:
    """The matching key of an organisation's name.

    Args:
        text: a name as written, in any script.

    Returns:
        The name case-folded, without accents, harakat, tatweel, hamza seats or bidi marks,
        with one Arabic letter for each group of variants, Western digits, "و" joined to the
        word it belongs to, and single spaces where there was punctuation or space; "" for a
        name without letters or digits.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))
    text = text.casefold().translate(_LETTERS).translate(_DIGITS)
    text = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in text)
    # "و" (and) is written joined to the next word; typed apart ("و المالية") it is the same name.
    return _LONE_WAW.sub("و", " ".join(text.split()))


def _keys(name: str) -> list[str]:
    """A name's keys: the whole of it, and without a trailing note in brackets ("(CDAI)")."""
    keys = [name_key(name)]
    bare = _TRAILING_NOTE.sub("", name)
    if bare != name:
        keys.append(name_key(bare))
    return [k for k in dict.fromkeys(keys) if k]


@dataclass(frozen=True)
class Match:
    """What a written name came to.

    Attributes:
        outcome: "matched", "not_matched", "ambiguous" (several organisations have that name)
            or "wrong_kind" (a known organisation of a kind that may not hold the side).
        organisation: the organisation, when matched.
    """

    outcome: str
    organisation: Organisation | None = None


class NameIndex:
    """Known organisations by the keys of their Arabic and French names."""

    def __init__(self, organisations: Iterable[Organisation]) -> None:
        self._by_key: dict[str, dict[int, Organisation]] = {}
        for org in organisations:
            for name in (org.name_ar, org.name_fr):
                for key in _keys(name or ""):
                    self._by_key.setdefault(key, {})[org.id] = org

    def _found(self, name: str) -> dict[int, Organisation]:
        """The organisations `name` names: by the whole of it, else by each of its lines (a cell
        may give both names), which must then agree."""
        for key in _keys(name):
            if key in self._by_key:
                return self._by_key[key]
        found: dict[int, Organisation] = {}
        parts = [p for p in _BOTH_LANGUAGES.split(name) if p.strip()]
        if len(parts) > 1:
            for part in parts:
                for key in _keys(part):
                    found.update(self._by_key.get(key, {}))
        return found

    def match(self, name: str, kinds: tuple[str, ...]) -> Match:
        """The organisation of one of `kinds` that `name` names."""
        found = self._found(name)
        fitting = [org for org in found.values() if org.kind in kinds]
        if len(fitting) == 1:
            return Match("matched", fitting[0])
        if len(fitting) > 1:
            return Match("ambiguous")
        return Match("wrong_kind" if found else "not_matched")


def name_index(session: Session) -> NameIndex:
    """Every known organisation, indexed by name."""
    return NameIndex(session.scalars(select(Organisation)))
