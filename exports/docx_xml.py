"""Building WordprocessingML (the XML inside a .docx) for one document, fast and bidi-aware.

python-docx's object API parses a template string for every element it adds and looks cells up
again on every `.cell()` call, which makes a 40-card plan take many seconds. The exporters
build the body with lxml instead, through this `Writer`, and use python-docx for the package
(parts, relationships, styles). Every paragraph and run the writer makes says its direction:
see exports/bidi.py.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree

from . import bidi

if TYPE_CHECKING:
    from docx.opc.part import Part

    from .docx_numbering import Numbering
    from .review_anchors import Marks

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Characters XML 1.0 cannot hold; a pasted form feed must not make the whole export fail.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPLIT_TEXT = re.compile(r"(\t|\n)")


def w(tag: str) -> str:
    """The Clark name of a w: element or attribute."""
    return f"{{{W_NS}}}{tag}"


VAL = w("val")
_sub = etree.SubElement


@dataclass(frozen=True)
class DocStyle:
    """Language and fonts of one document.

    Attributes:
        lang: "ar", "fr" or "en".
        rtl: whether the document reads right to left.
        latin_font: the font of Latin text.
        cs_font: the complex-script font, used for Arabic runs.
        size: the default size of Latin text, in half points.
        cs_size: the default size of Arabic text, in half points (Amiri runs small).
    """

    lang: str
    rtl: bool
    latin_font: str = "Arial"
    cs_font: str = "Amiri"
    size: int = 21
    cs_size: int = 24

    @property
    def word_lang(self) -> str:
        """The document's language tag (core properties)."""
        return {"ar": "ar-MA", "fr": "fr-FR", "en": "en-GB"}[self.lang]

    @property
    def latin_lang(self) -> str:
        """The language of Latin-script text: French in Arabic documents, Morocco's second language."""
        return "en-GB" if self.lang == "en" else "fr-FR"


# (Latin, complex-script) sizes in half points of the paragraph styles docx_setup defines, so
# that a run's explicit w:szCs does not shrink a heading.
STYLE_SIZES = {"Heading1": (28, 32), "Heading2": (24, 28), "Heading3": (22, 26), "Title": (40, 48),
               "Subtitle": (26, 30), "Header": (18, 20), "Footer": (18, 20), "TOCHeading": (28, 32)}
SMALL = (16, 18)


def clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


class Writer:
    """Appends paragraphs, runs, fields and tables to lxml elements of one document part.

    Args:
        style: the document's language and fonts.
        part: the python-docx part the elements end up in, for hyperlink relationships.
        numbering: the document's list definitions.
    """

    def __init__(self, style: DocStyle, part: Part, numbering: Numbering | None = None) -> None:
        self.style = style
        self.part = part
        self.numbering = numbering
        self._rpr_cache: dict[tuple, etree._Element] = {}
        self._links: dict[str, str] = {}
        self._bookmarks = 0
        self._bookmark_ids = 0

    # -- paragraphs ---------------------------------------------------------------------------

    def is_rtl(self, text: str) -> bool:
        """The direction of a paragraph holding `text` (its first strong character decides)."""
        return bidi.paragraph_rtl(text, self.style.rtl)

    def paragraph(self, parent: etree._Element, rtl: bool, *, style_id: str | None = None,
                  align: str | None = None, num: tuple[int, int] | None = None,
                  indent: int | None = None, keep_next: bool = False, page_break_before: bool = False,
                  spacing_after: int | None = None) -> etree._Element:
        """Append an empty paragraph whose properties say its direction.

        In a right-to-left document every paragraph carries w:bidi (w:val="0" for a paragraph
        that starts with Latin text); in a left-to-right one only right-to-left paragraphs do.

        Args:
            parent: body, cell, header or footer element.
            rtl: the paragraph's base direction (see `is_rtl`).
            style_id: a paragraph style id such as "Heading1".
            align: "center" or "both"; start alignment is the default for either direction.
            num: (numId, ilvl) to make it a list item.
            indent: start indentation in twentieths of a point.
            keep_next, page_break_before, spacing_after: the usual paragraph properties.

        Returns:
            The new w:p element.
        """
        p = _sub(parent, w("p"))
        ppr = _sub(p, w("pPr"))
        if style_id:
            _sub(ppr, w("pStyle")).set(VAL, style_id)
        if keep_next:
            _sub(ppr, w("keepNext"))
        if page_break_before:
            _sub(ppr, w("pageBreakBefore"))
        if num is not None:
            numpr = _sub(ppr, w("numPr"))
            _sub(numpr, w("ilvl")).set(VAL, str(num[1]))
            _sub(numpr, w("numId")).set(VAL, str(num[0]))
        if rtl:
            _sub(ppr, w("bidi"))
        elif self.style.rtl:
            _sub(ppr, w("bidi")).set(VAL, "0")
        if spacing_after is not None:
            _sub(ppr, w("spacing")).set(w("after"), str(spacing_after))
        if indent is not None:
            _sub(ppr, w("ind")).set(w("left"), str(indent))
        if align:
            _sub(ppr, w("jc")).set(VAL, align)
        return p

    def text_paragraph(self, parent: etree._Element, text: str, *, style_id: str | None = None,
                       bold: bool = False, size: tuple[int, int] | None = None, mono: bool = False,
                       color: str | None = None, marks: Marks | None = None, offset: int = 0,
                       **props: Any) -> etree._Element:
        """Append a paragraph holding `text` in one formatting; "\\n" becomes a line break.

        With `marks` (a review copy), runs are cut where comment ranges begin and end; `offset`
        is where `text` starts in its anchor text.
        """
        rtl = self.is_rtl(text)
        p = self.paragraph(parent, rtl, style_id=style_id, **props)
        size = size or STYLE_SIZES.get(style_id or "")

        def write(target: etree._Element, chunk: str) -> None:
            self.runs(target, chunk, rtl, bold=bold, size=size, mono=mono, color=color)

        if marks is None:
            write(p, text)
        else:
            marks.write(p, offset, text, write)
        return p

    # -- runs ---------------------------------------------------------------------------------

    def runs(self, parent: etree._Element, text: str, paragraph_rtl: bool, *, bold: bool = False,
             italic: bool = False, underline: bool = False, link: bool = False,
             size: tuple[int, int] | None = None,
             mono: bool = False, color: str | None = None) -> None:
        """Append runs for `text`, one per direction change, each with its own properties.

        Only runs of Arabic-script (right-to-left) text get w:rtl, the complex-script font and
        size and the Arabic language tag, so a French sentence inside an Arabic field keeps
        reading left to right. Phone numbers get no-break spaces and hyphens between their
        digit groups (bidi.keep_phones_whole), so no line ends inside one.
        """
        text = clean(text)
        if any(ch.isdigit() for ch in text):
            if paragraph_rtl:
                text = bidi.keep_numbers_ltr(text)
            text = bidi.keep_phones_whole(text)
        for chunk, rtl in bidi.split_runs(text, paragraph_rtl):
            key = (rtl, bold, italic, underline, link, size, mono, color)
            template = self._rpr_cache.get(key)
            if template is None:
                template = self._rpr_cache[key] = self._build_rpr(*key)
            run = _sub(parent, w("r"))
            run.append(copy.copy(template))
            self._run_text(run, chunk)

    @staticmethod
    def _run_text(run: etree._Element, text: str) -> None:
        for piece in _SPLIT_TEXT.split(text):
            if piece == "\t":
                _sub(run, w("tab"))
            elif piece == "\n":
                _sub(run, w("br"))
            elif piece:
                t = _sub(run, w("t"))
                t.set(XML_SPACE, "preserve")
                t.text = piece

    def _build_rpr(self, rtl: bool, bold: bool, italic: bool, underline: bool, link: bool,
                   size: tuple[int, int] | None, mono: bool, color: str | None) -> etree._Element:
        # Children in the order the schema (CT_RPr) requires; Word refuses other orders.
        rpr = etree.Element(w("rPr"))
        if link:
            _sub(rpr, w("rStyle")).set(VAL, "Hyperlink")
        if rtl or mono:
            fonts = _sub(rpr, w("rFonts"))
            latin = "Courier New" if mono else self.style.latin_font
            fonts.set(w("ascii"), latin)
            fonts.set(w("hAnsi"), latin)
            fonts.set(w("cs"), self.style.cs_font)
            if rtl:
                fonts.set(w("hint"), "cs")
        if bold:
            _sub(rpr, w("b"))
            _sub(rpr, w("bCs"))
        if italic:
            _sub(rpr, w("i"))
            _sub(rpr, w("iCs"))
        if color:
            _sub(rpr, w("color")).set(VAL, color)
        if size is not None:
            _sub(rpr, w("sz")).set(VAL, str(size[0]))
        if rtl:
            _sub(rpr, w("szCs")).set(VAL, str(size[1] if size else self.style.cs_size))
        if underline:
            _sub(rpr, w("u")).set(VAL, "single")
        if rtl:
            _sub(rpr, w("rtl"))
            lang = _sub(rpr, w("lang"))
            lang.set(w("bidi"), "ar-MA")
        return rpr

    def hyperlink(self, parent: etree._Element, url: str) -> etree._Element:
        """Append a w:hyperlink to `url` (an external relationship of the part); runs go inside."""
        rid = self._links.get(url)
        if rid is None:
            rid = self._links[url] = self.part.relate_to(url, HYPERLINK_RT, is_external=True)
        link = _sub(parent, w("hyperlink"))
        link.set(f"{{{R_NS}}}id", rid)
        link.set(w("history"), "1")
        return link

    def internal_link(self, parent: etree._Element, bookmark: str) -> etree._Element:
        link = _sub(parent, w("hyperlink"))
        link.set(w("anchor"), bookmark)
        link.set(w("history"), "1")
        return link

    def line_break(self, parent: etree._Element, page: bool = False) -> None:
        br = _sub(_sub(parent, w("r")), w("br"))
        if page:
            br.set(w("type"), "page")

    # -- fields and bookmarks -----------------------------------------------------------------

    def field_begin(self, parent: etree._Element, instr: str, dirty: bool = False) -> None:
        begin = _sub(_sub(parent, w("r")), w("fldChar"))
        begin.set(w("fldCharType"), "begin")
        if dirty:
            # Asks Word to recompute the field when it opens the file.
            begin.set(w("dirty"), "true")
        code = _sub(_sub(parent, w("r")), w("instrText"))
        code.set(XML_SPACE, "preserve")
        code.text = f" {instr} "
        _sub(_sub(parent, w("r")), w("fldChar")).set(w("fldCharType"), "separate")

    def field_end(self, parent: etree._Element) -> None:
        _sub(_sub(parent, w("r")), w("fldChar")).set(w("fldCharType"), "end")

    def field(self, parent: etree._Element, instr: str, cached: str, paragraph_rtl: bool,
              size: tuple[int, int] | None = None) -> None:
        """Append a complete field (PAGE, NUMPAGES…) with `cached` as its last known result."""
        self.field_begin(parent, instr)
        self.runs(parent, cached, paragraph_rtl, size=size)
        self.field_end(parent)

    def new_bookmark(self) -> str:
        self._bookmarks += 1
        return f"_Toc{self._bookmarks:08d}"

    def bookmark(self, p: etree._Element, name: str) -> None:
        """Wrap the content of paragraph `p` in bookmark `name` (a TOC or PAGEREF target)."""
        self._bookmark_ids += 1
        number = str(self._bookmark_ids)
        start = etree.Element(w("bookmarkStart"))
        start.set(w("id"), number)
        start.set(w("name"), name)
        ppr = p.find(w("pPr"))
        p.insert(1 if ppr is not None else 0, start)
        _sub(p, w("bookmarkEnd")).set(w("id"), number)

    # -- tables -------------------------------------------------------------------------------

    def table(self, parent: etree._Element, widths: list[int], style_id: str = "TableGrid",
              cell_margin: int | None = None) -> etree._Element:
        """Append a table of fixed column widths (twentieths of a point).

        Tables of a right-to-left document get w:bidiVisual, so their first column is on the
        right, as Arabic readers expect. `cell_margin` sets the cells' left and right margins
        (the style's are 108 each) for tables of many narrow columns.
        """
        tbl = _sub(parent, w("tbl"))
        tblpr = _sub(tbl, w("tblPr"))
        _sub(tblpr, w("tblStyle")).set(VAL, style_id)
        if self.style.rtl:
            _sub(tblpr, w("bidiVisual"))
        width = _sub(tblpr, w("tblW"))
        width.set(w("w"), str(sum(widths)))
        width.set(w("type"), "dxa")
        _sub(tblpr, w("tblLayout")).set(w("type"), "fixed")
        if cell_margin is not None:
            margins = _sub(tblpr, w("tblCellMar"))
            for side in ("left", "right"):
                margin = _sub(margins, w(side))
                margin.set(w("w"), str(cell_margin))
                margin.set(w("type"), "dxa")
        look = _sub(tblpr, w("tblLook"))
        look.set(VAL, "04A0")
        look.set(w("firstRow"), "1")
        look.set(w("noVBand"), "1")
        grid = _sub(tbl, w("tblGrid"))
        for value in widths:
            _sub(grid, w("gridCol")).set(w("w"), str(value))
        return tbl

    def row(self, tbl: etree._Element, header: bool = False) -> etree._Element:
        tr = _sub(tbl, w("tr"))
        if header:
            trpr = _sub(tr, w("trPr"))
            # Repeated at the top of every page the table runs over.
            _sub(trpr, w("tblHeader"))
            _sub(trpr, w("cantSplit"))
        return tr

    def cell(self, tr: etree._Element, width: int, *, span: int = 1, vmerge: str | None = None,
             shade: str | None = None) -> etree._Element:
        """Append a cell; `vmerge` is "restart" or "continue" for vertically merged cells."""
        tc = _sub(tr, w("tc"))
        tcpr = _sub(tc, w("tcPr"))
        tcw = _sub(tcpr, w("tcW"))
        tcw.set(w("w"), str(width))
        tcw.set(w("type"), "dxa")
        if span > 1:
            _sub(tcpr, w("gridSpan")).set(VAL, str(span))
        if vmerge == "restart":
            _sub(tcpr, w("vMerge")).set(VAL, "restart")
        elif vmerge == "continue":
            _sub(tcpr, w("vMerge"))
        if shade:
            shd = _sub(tcpr, w("shd"))
            shd.set(VAL, "clear")
            shd.set(w("color"), "auto")
            shd.set(w("fill"), shade)
        return tc

    def close_cell(self, tc: etree._Element) -> None:
        """Word requires every cell to end with a paragraph (also after a nested table)."""
        last = tc[-1] if len(tc) else None
        if last is None or last.tag != w("p"):
            self.paragraph(tc, self.style.rtl, spacing_after=0)
