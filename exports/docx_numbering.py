"""Real Word lists: numbering definitions (numbering.xml) for bullet and numbered lists.

Lists are never typed as "•" or "1." text: a list paragraph points at a numbering instance
(w:numPr), so Word and LibreOffice draw the markers, keep them aligned in right-to-left text and
renumber after edits. Bullet lists share one instance; each numbered list gets its own instance
with a start override, so numbering restarts per list (and honours a list's "start").
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from .docx_xml import VAL, w

if TYPE_CHECKING:
    from docx.opc.part import Part

LEVELS = 9
_BULLETS = ("•", "◦", "▪")
_sub = etree.SubElement


class Numbering:
    """The list definitions of one document.

    Args:
        part: the document's numbering part (python-docx creates it with the document).
        rtl: whether list levels are laid out right to left (w:bidi in each level).
    """

    def __init__(self, part: Part, rtl: bool) -> None:
        self.root = part.element
        self.rtl = rtl
        abstract_ids = [int(e.get(w("abstractNumId"))) for e in self.root.iter(w("abstractNum"))]
        num_ids = [int(e.get(w("numId"))) for e in self.root.iter(w("num"))]
        self._next_abstract = max(abstract_ids, default=-1) + 1
        self._next_num = max(num_ids, default=0) + 1
        self._bullet_abstract = self._abstract(ordered=False)
        self._ordered_abstract = self._abstract(ordered=True)
        self._bullet_num: int | None = None

    def _abstract(self, ordered: bool) -> int:
        abstract_id = self._next_abstract
        self._next_abstract += 1
        abstract = etree.Element(w("abstractNum"))
        abstract.set(w("abstractNumId"), str(abstract_id))
        _sub(abstract, w("multiLevelType")).set(VAL, "hybridMultilevel")
        for level in range(LEVELS):
            lvl = _sub(abstract, w("lvl"))
            lvl.set(w("ilvl"), str(level))
            _sub(lvl, w("start")).set(VAL, "1")
            _sub(lvl, w("numFmt")).set(VAL, "decimal" if ordered else "bullet")
            _sub(lvl, w("lvlText")).set(VAL, f"%{level + 1}." if ordered else _BULLETS[level % len(_BULLETS)])
            _sub(lvl, w("lvlJc")).set(VAL, "left")
            ppr = _sub(lvl, w("pPr"))
            if self.rtl:
                _sub(ppr, w("bidi"))
            ind = _sub(ppr, w("ind"))
            # In a right-to-left paragraph w:left is the indentation on the starting (right) side.
            ind.set(w("left"), str(360 * (level + 1)))
            ind.set(w("hanging"), "360")
        # Schema order: every w:abstractNum precedes every w:num.
        first_num = self.root.find(w("num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.root.append(abstract)
        return abstract_id

    def _num(self, abstract_id: int, level: int | None = None, start: int | None = None) -> int:
        num_id = self._next_num
        self._next_num += 1
        num = _sub(self.root, w("num"))
        num.set(w("numId"), str(num_id))
        _sub(num, w("abstractNumId")).set(VAL, str(abstract_id))
        if level is not None:
            override = _sub(num, w("lvlOverride"))
            override.set(w("ilvl"), str(level))
            _sub(override, w("startOverride")).set(VAL, str(start if start is not None else 1))
        return num_id

    def bullet(self) -> int:
        """The numId shared by every bullet list of the document."""
        if self._bullet_num is None:
            self._bullet_num = self._num(self._bullet_abstract)
        return self._bullet_num

    def ordered(self, level: int, start: int = 1) -> int:
        """A fresh numId for one numbered list at `level`, counting from `start`."""
        return self._num(self._ordered_abstract, level=min(level, LEVELS - 1), start=start)
