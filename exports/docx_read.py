"""Reading a Word document's body back into blocks, text and rich-text trees.

The body becomes a list of `Para` and `Table` blocks (tables expanded onto their grid, merged
cells marked), and paragraphs become the same ProseMirror-style nodes the editor writes: bold,
italic, underline, links, hard breaks, and list paragraphs (w:numPr) grouped back into bullet
and numbered lists. Each paragraph also notes where Word comments start and end in its text
(exports/word_comments.py makes them into the import's comments).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lxml import etree

from schemas.vocabulary import is_safe_link

from .bidi import BIDI_CONTROLS, drop_number_marks, loosen_phones
from .docx_xml import R_NS, VAL, w

if TYPE_CHECKING:
    from .docx_package import Package

_HEADING_NAME = re.compile(r"^(heading|titre|t[ií]tulo|[uü]berschrift|عنوان)\s*\d", re.IGNORECASE)
_OFF = frozenset({"0", "false", "off", "none"})
# Containers whose runs are part of the text (tracked insertions, content controls, fields…).
_TRANSPARENT = frozenset(w(t) for t in ("ins", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "moveTo"))
_R, _T, _P, _TBL = w("r"), w("t"), w("p"), w("tbl")
# Where a comment's range starts and ends (in a paragraph or between blocks); a comment without
# a range has only its reference mark, in a run.
_COMMENT_EDGES = {w("commentRangeStart"): "start", w("commentRangeEnd"): "end"}
_MARK = "comment mark"  # a node type no editor node has: marks are taken out of the inline nodes
_STRIP_CONTROLS = {ord(c): None for c in BIDI_CONTROLS if c != "\u200e"}


@dataclass
class Para:
    """A paragraph: its element, visible text, and what kind of paragraph it is.

    Attributes:
        seq: its place among the body's paragraphs, in document order.
        comment_marks: (comment id, "start" | "end" | "ref", offset in `text`) for each comment
            range edge or reference in it.
    """

    element: etree._Element
    text: str
    heading: bool = False
    bold: bool = False
    list_info: tuple[str, int] | None = None
    nodes: list[dict[str, Any]] = field(default_factory=list)
    seq: int = -1
    comment_marks: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass
class Cell:
    blocks: list[Block]
    continued: bool = False  # the lower part of a vertically merged cell

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks if isinstance(b, Para)).strip()


@dataclass
class Table:
    rows: list[list[Cell | None]] = field(default_factory=list)  # None: covered by a gridSpan

    @property
    def text(self) -> str:
        return " ".join(c.text for row in self.rows for c in row if c is not None)


Block = Para | Table


def _on(element: etree._Element | None) -> bool:
    return element is not None and (element.get(VAL) or "true").lower() not in _OFF


def _children(element: etree._Element, tag: str):
    """Children named `tag`, looking through content controls and custom XML wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _children(child, tag)


def clean_text(text: str) -> str:
    """Text as the editor stores it: NFC, without the bidi marks and isolates the exporter adds,
    phone numbers with plain spaces and hyphens again."""
    return unicodedata.normalize("NFC", drop_number_marks(loosen_phones(text.translate(_STRIP_CONTROLS))))


class Styles:
    """What the import needs from styles.xml: heading styles, list styles, character marks."""

    def __init__(self, root: etree._Element | None) -> None:
        self._by_id: dict[str, etree._Element] = {}
        if root is not None:
            for style in root.iter(w("style")):
                self._by_id[style.get(w("styleId"), "")] = style

    def _chain(self, style_id: str | None) -> list[etree._Element]:
        chain, seen = [], set()
        while style_id and style_id in self._by_id and style_id not in seen:
            seen.add(style_id)
            style = self._by_id[style_id]
            chain.append(style)
            based = style.find(w("basedOn"))
            style_id = based.get(VAL) if based is not None else None
        return chain

    def is_heading(self, style_id: str | None) -> bool:
        for style in self._chain(style_id):
            name = style.find(w("name"))
            if name is not None and _HEADING_NAME.match(name.get(VAL, "")):
                return True
            level = style.find(f"{w('pPr')}/{w('outlineLvl')}")
            if level is not None and level.get(VAL, "9").isdigit() and int(level.get(VAL, "9")) < 9:
                return True
        return _HEADING_NAME.match(style_id or "") is not None

    def num_pr(self, style_id: str | None) -> etree._Element | None:
        for style in self._chain(style_id):
            num_pr = style.find(f"{w('pPr')}/{w('numPr')}")
            if num_pr is not None:
                return num_pr
        return None

    def run_marks(self, style_id: str | None) -> set[str]:
        marks: set[str] = set()
        for style in reversed(self._chain(style_id)):
            rpr = style.find(w("rPr"))
            if rpr is None:
                continue
            if _on(rpr.find(w("b"))) or _on(rpr.find(w("bCs"))):
                marks.add("bold")
            if _on(rpr.find(w("i"))) or _on(rpr.find(w("iCs"))):
                marks.add("italic")
            underline = rpr.find(w("u"))
            # A link's own underline comes from the Hyperlink style; it is not an underline mark.
            if underline is not None and underline.get(VAL, "single") != "none" and style_id != "Hyperlink":
                marks.add("underline")
        return marks


class Numbering:
    """List formats from numbering.xml: is level `ilvl` of list `num_id` bulleted, where does it start."""

    def __init__(self, root: etree._Element | None) -> None:
        self._abstract: dict[str, etree._Element] = {}
        self._nums: dict[str, etree._Element] = {}
        if root is not None:
            for abstract in root.iter(w("abstractNum")):
                self._abstract[abstract.get(w("abstractNumId"), "")] = abstract
            for num in root.iter(w("num")):
                self._nums[num.get(w("numId"), "")] = num

    def _level(self, num_id: str, ilvl: int) -> tuple[etree._Element | None, etree._Element | None]:
        num = self._nums.get(num_id)
        if num is None:
            return None, None
        override = next((o for o in num.iter(w("lvlOverride")) if o.get(w("ilvl")) == str(ilvl)), None)
        ref = num.find(w("abstractNumId"))
        abstract = self._abstract.get(ref.get(VAL, "") if ref is not None else "")
        level = None
        if override is not None and override.find(w("lvl")) is not None:
            level = override.find(w("lvl"))
        elif abstract is not None:
            level = next((lv for lv in abstract.iter(w("lvl")) if lv.get(w("ilvl")) == str(ilvl)), None)
        return level, override

    def is_bullet(self, num_id: str, ilvl: int) -> bool:
        level, _ = self._level(num_id, ilvl)
        fmt = level.find(w("numFmt")) if level is not None else None
        return fmt is None or fmt.get(VAL) in ("bullet", "none")

    def start(self, num_id: str, ilvl: int) -> int:
        level, override = self._level(num_id, ilvl)
        holder = override.find(w("startOverride")) if override is not None else None
        if holder is None and level is not None:
            holder = level.find(w("start"))
        value = holder.get(VAL, "1") if holder is not None else "1"
        return int(value) if value.isdigit() else 1


class Reader:
    """Turns a package's body into blocks and paragraphs into rich-text nodes."""

    def __init__(self, package: Package) -> None:
        self.links = package.links
        self.styles = Styles(package.styles)
        self.numbering = Numbering(package.numbering)
        self.paras: list[Para] = []  # every body paragraph read, in document order
        self._starts: list[str] = []  # comments whose range starts before the next paragraph

    # -- blocks -------------------------------------------------------------------------------

    def blocks(self, container: etree._Element) -> list[Block]:
        out: list[Block] = []
        for child in container:
            if child.tag == _P:
                out.append(self.paragraph(child))
            elif child.tag == _TBL:
                out.append(self.table(child))
            elif child.tag in _TRANSPARENT:
                out.extend(self.blocks(child))
            elif child.tag in _COMMENT_EDGES:
                self._block_mark(child)
        return out

    def _block_mark(self, mark: etree._Element) -> None:
        """A comment range edge between blocks: it starts the next paragraph or ends the last."""
        cid = mark.get(w("id"), "")
        if _COMMENT_EDGES[mark.tag] == "start":
            self._starts.append(cid)
        elif self.paras:
            last = self.paras[-1]
            last.comment_marks.append((cid, "end", len(last.text)))

    def paragraph(self, p: etree._Element) -> Para:
        ppr = p.find(w("pPr"))
        style = ppr.find(w("pStyle")) if ppr is not None else None
        style_id = style.get(VAL) if style is not None else None
        level = ppr.find(w("outlineLvl")) if ppr is not None else None
        heading = self.styles.is_heading(style_id) or (
            level is not None and level.get(VAL, "9").isdigit() and int(level.get(VAL, "9")) < 9)
        num_pr = ppr.find(w("numPr")) if ppr is not None else None
        if num_pr is None or num_pr.find(w("numId")) is None:
            num_pr = self.styles.num_pr(style_id) if num_pr is None else num_pr
        list_info = None
        if num_pr is not None:
            num_id = num_pr.find(w("numId"))
            ilvl = num_pr.find(w("ilvl"))
            if num_id is not None and num_id.get(VAL, "0") != "0":
                depth = ilvl.get(VAL, "0") if ilvl is not None else "0"
                list_info = (num_id.get(VAL, "0"), int(depth) if depth.isdigit() else 0)
        nodes, marks = self._inline(p)
        text = "".join(n.get("text", "\n") for n in nodes)
        bold = bool(text.strip()) and all("bold" in {m["type"] for m in n.get("marks", [])}
                                          for n in nodes if n.get("type") == "text" and n["text"].strip())
        para = Para(p, text, heading=heading, bold=bold, list_info=list_info, nodes=nodes, seq=len(self.paras),
                    comment_marks=[(cid, "start", 0) for cid in self._starts] + marks)
        self._starts = []
        self.paras.append(para)
        return para

    def table(self, tbl: etree._Element) -> Table:
        table = Table()
        for tr in _children(tbl, w("tr")):
            row: list[Cell | None] = []
            before = tr.find(f"{w('trPr')}/{w('gridBefore')}")
            if before is not None and before.get(VAL, "0").isdigit():
                row.extend([None] * int(before.get(VAL, "0")))
            for tc in _children(tr, w("tc")):
                tcpr = tc.find(w("tcPr"))
                span, merge = 1, None
                if tcpr is not None:
                    grid_span = tcpr.find(w("gridSpan"))
                    if grid_span is not None and grid_span.get(VAL, "1").isdigit():
                        span = max(1, int(grid_span.get(VAL, "1")))
                    merge = tcpr.find(w("vMerge"))
                continued = merge is not None and merge.get(VAL, "continue") == "continue"
                row.append(Cell(self.blocks(tc), continued=continued))
                row.extend([None] * (span - 1))
            table.rows.append(row)
        return table

    # -- inline -------------------------------------------------------------------------------

    def inline(self, p: etree._Element) -> list[dict[str, Any]]:
        """The paragraph's inline nodes, adjacent text with the same marks merged."""
        return self._inline(p)[0]

    def _inline(self, p: etree._Element) -> tuple[list[dict[str, Any]], list[tuple[str, str, int]]]:
        """The inline nodes and, apart, the comment marks with their offsets in the nodes' text."""
        out: list[dict[str, Any]] = []
        self._walk(p, out, None)
        merged: list[dict[str, Any]] = []
        marks: list[tuple[str, str, int]] = []
        length = 0
        for node in out:
            if node["type"] == _MARK:
                marks.append((node["id"], node["edge"], length))
                continue
            if node["type"] == "text":
                node["text"] = clean_text(node["text"])
                if not node["text"]:
                    continue
                length += len(node["text"])
                if merged and merged[-1]["type"] == "text" and merged[-1].get("marks") == node.get("marks"):
                    merged[-1]["text"] += node["text"]
                    continue
            else:
                length += 1  # a hard break is "\n" in the paragraph's text
            merged.append(node)
        return merged, marks

    def _walk(self, element: etree._Element, out: list[dict[str, Any]], href: str | None) -> None:
        for child in element:
            if child.tag == _R:
                self._run(child, out, href)
            elif child.tag == w("hyperlink"):
                target = self.links.get(child.get(f"{{{R_NS}}}id", ""))
                safe = target if is_safe_link(target) else None
                self._walk(child, out, safe or href)
            elif child.tag in _TRANSPARENT:
                self._walk(child, out, href)
            elif child.tag in _COMMENT_EDGES:
                out.append({"type": _MARK, "id": child.get(w("id"), ""), "edge": _COMMENT_EDGES[child.tag]})

    def _run(self, run: etree._Element, out: list[dict[str, Any]], href: str | None) -> None:
        rpr = run.find(w("rPr"))
        marks: set[str] = set()
        if rpr is not None:
            style = rpr.find(w("rStyle"))
            marks |= self.styles.run_marks(style.get(VAL) if style is not None else None)
            for mark, tags in (("bold", ("b", "bCs")), ("italic", ("i", "iCs"))):
                direct = [rpr.find(w(tag)) for tag in tags]
                if any(d is not None for d in direct):
                    marks.discard(mark)
                    if any(_on(d) for d in direct):
                        marks.add(mark)
            underline = rpr.find(w("u"))
            if underline is not None:
                marks.discard("underline")
                if underline.get(VAL, "single") != "none":
                    marks.add("underline")
        mark_list = sorted(({"type": m} for m in marks), key=lambda m: m["type"])
        if href:
            mark_list.append({"type": "link", "attrs": {"href": href}})
            mark_list.sort(key=lambda m: m["type"])
        for child in run:
            tag = child.tag
            if tag == _T:
                self._text(out, child.text or "", mark_list)
            elif tag == w("tab"):
                self._text(out, "\t", mark_list)
            elif tag in (w("br"), w("cr")):
                if child.get(w("type")) in ("page", "column"):
                    continue
                out.append({"type": "hardBreak"})
            elif tag == w("noBreakHyphen"):
                self._text(out, "-", mark_list)
            elif tag == w("commentReference"):
                out.append({"type": _MARK, "id": child.get(w("id"), ""), "edge": "ref"})

    @staticmethod
    def _text(out: list[dict[str, Any]], text: str, marks: list[dict[str, Any]]) -> None:
        node: dict[str, Any] = {"type": "text", "text": text}
        if marks:
            node["marks"] = [dict(m) for m in marks]
        out.append(node)

    # -- rich text ----------------------------------------------------------------------------

    def rich_text(self, paras: list[Para]) -> list[dict[str, Any]]:
        """Paragraphs as a rich-text value; list paragraphs regrouped into (nested) lists."""
        out: list[dict[str, Any]] = []
        stack: list[tuple[int, dict[str, Any], str]] = []  # (level, list node, numId)
        for para in paras:
            nodes = [dict(n) for n in para.nodes]
            paragraph: dict[str, Any] = {"type": "paragraph"}
            if nodes:
                paragraph["content"] = nodes
            if para.list_info is None:
                stack.clear()
                out.append(paragraph)
                continue
            num_id, level = para.list_info
            kind = "bulletList" if self.numbering.is_bullet(num_id, level) else "orderedList"
            while stack and stack[-1][0] > level:
                stack.pop()
            if stack and stack[-1][0] == level and (stack[-1][1]["type"] != kind or
                                                    (kind == "orderedList" and stack[-1][2] != num_id)):
                stack.pop()  # a different list at the same level: a sibling list starts
            if not stack or stack[-1][0] < level:
                new_list: dict[str, Any] = {"type": kind, "content": []}
                if kind == "orderedList":
                    new_list["attrs"] = {"start": self.numbering.start(num_id, level)}
                if stack:
                    parent_items = stack[-1][1]["content"]
                    parent_items[-1]["content"].append(new_list)
                else:
                    out.append(new_list)
                stack.append((level, new_list, num_id))
            stack[-1][1]["content"].append({"type": "listItem", "content": [paragraph]})
        return out
