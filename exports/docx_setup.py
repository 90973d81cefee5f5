"""A new Word document set up for one language: page, styles, settings, header and footer.

Direction is set at every level Word and LibreOffice look at: the document defaults (styles.xml
docDefaults), each paragraph (docx_xml.Writer), the section (page order), the list levels, and
the language tags that pick Arabic shaping and hyphenation.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

import docx
from docx.shared import Twips
from lxml import etree

from . import i18n
from .bidi import is_rtl_language
from .docx_isolate import isolate_body
from .docx_numbering import Numbering
from .docx_xml import STYLE_SIZES, VAL, W_NS, DocStyle, Writer, w

if TYPE_CHECKING:
    from docx.document import Document

# A4 with 2 cm margins; TEXT_WIDTH is what tables span.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 11906, 16838, 1134
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
_sub = etree.SubElement

_EXTRA_STYLES = """
<w:styles xmlns:w="{ns}">
  <w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/>
    <w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>
    <w:pPr><w:spacing w:before="60" w:after="60"/></w:pPr><w:rPr><w:b/><w:bCs/></w:rPr></w:style>
  <w:style w:type="paragraph" w:styleId="TOC2"><w:name w:val="toc 2"/><w:basedOn w:val="Normal"/>
    <w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>
    <w:pPr><w:spacing w:after="40"/><w:ind w:left="440"/></w:pPr></w:style>
  <w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>
    <w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>
</w:styles>
"""
# Elements of w:settings that must follow w:updateFields (ECMA-376 CT_Settings order).
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                        "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                        "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                        "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")
_M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_SL_NS = "http://schemas.openxmlformats.org/schemaLibrary/2006/main"


def new_document(lang: str, title_page: bool = False) -> tuple[Document, Writer]:
    """A blank A4 document in `lang` and a Writer for its body.

    Args:
        lang: "ar", "fr" or "en".
        title_page: give the first page (a cover) no header or footer.

    Returns:
        The python-docx Document and a Writer bound to its main part.
    """
    lang = i18n.check_lang(lang)
    style = DocStyle(lang=lang, rtl=is_rtl_language(lang))
    document = docx.Document()
    _page(document, style, title_page)
    _styles(document, style)
    _settings(document, style)
    numbering = Numbering(document.part.numbering_part, style.rtl)
    return document, Writer(style, document.part, numbering)


def _page(document: Document, style: DocStyle, title_page: bool) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(MARGIN))
    section.header_distance = section.footer_distance = Twips(567)
    if title_page:
        section.different_first_page_header_footer = True
    if style.rtl:
        sect = document.element.body.find(w("sectPr"))
        bidi = etree.Element(w("bidi"))
        later = [c for c in sect if c.tag in (w("rtlGutter"), w("docGrid"), w("printerSettings"))]
        if later:
            later[0].addprevious(bidi)
        else:
            sect.append(bidi)


def _fonts(rpr: etree._Element, style: DocStyle) -> None:
    """Replace theme fonts with explicit ones: themes map complex script to Times New Roman."""
    for old in rpr.findall(w("rFonts")):
        rpr.remove(old)
    fonts = etree.Element(w("rFonts"))
    for attr in ("ascii", "hAnsi", "eastAsia"):
        fonts.set(w(attr), style.latin_font)
    fonts.set(w("cs"), style.cs_font)
    rpr.insert(1 if len(rpr) and rpr[0].tag == w("rStyle") else 0, fonts)


def _set_size(rpr: etree._Element, size: int, cs_size: int) -> None:
    for tag, value in (("sz", size), ("szCs", cs_size)):
        element = rpr.find(w(tag))
        if element is None:
            # sz and szCs sit after w:kern/w:position and before w:highlight/w:u (CT_RPr order).
            following = [c for c in rpr if c.tag in (w("highlight"), w("u"), w("effect"), w("bdr"), w("shd"),
                                                   w("fitText"), w("vertAlign"), w("rtl"), w("cs"),
                                                   w("em"), w("lang"), w("eastAsianLayout"))]
            element = etree.Element(w(tag))
            if following:
                following[0].addprevious(element)
            else:
                rpr.append(element)
        element.set(VAL, str(value))


def _styles(document: Document, style: DocStyle) -> None:
    root = document.styles.element
    defaults = root.find(w("docDefaults"))
    rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
    _fonts(rpr, style)
    _set_size(rpr, style.size, style.cs_size)
    lang = rpr.find(w("lang"))
    lang.set(VAL, style.latin_lang)
    lang.set(w("bidi"), "ar-MA")
    ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")
    spacing = ppr.find(w("spacing"))
    spacing.set(w("after"), "120")
    if style.rtl:
        spacing.addprevious(etree.Element(w("bidi")))
    by_id = {s.get(w("styleId")): s for s in root.iter(w("style"))}
    for style_id, (size, cs_size) in STYLE_SIZES.items():
        element = by_id.get(style_id)
        if element is None:
            continue
        srpr = element.find(w("rPr"))
        if srpr is None:
            srpr = _sub(element, w("rPr"))
        _fonts(srpr, style)
        _set_size(srpr, size, cs_size)
    extra = etree.fromstring(_EXTRA_STYLES.format(ns=W_NS))
    for element in extra:
        if element.get(w("styleId")) not in by_id:
            root.append(element)


def _settings(document: Document, style: DocStyle) -> None:
    settings = document.settings.element
    update = etree.Element(w("updateFields"))
    # Word recomputes fields (the table of contents, page references) when it opens the file.
    update.set(VAL, "true")
    names = set(_AFTER_UPDATE_FIELDS)
    for child in settings:
        local = etree.QName(child).localname
        if local in names and etree.QName(child).namespace in (W_NS, _M_NS, _SL_NS):
            child.addprevious(update)
            break
    else:
        settings.append(update)
    theme_lang = settings.find(w("themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(VAL, style.latin_lang)
        theme_lang.set(w("bidi"), "ar-MA")


def header_footer(document: Document, writer: Writer, header_text: str) -> None:
    """Header with `header_text`; footer "Page X of Y" in the document's language.

    PAGE and NUMPAGES are real fields, so every page shows its own number.
    """
    section = document.sections[0]
    lang = writer.style.lang
    for target, build in ((section.header, "header"), (section.footer, "footer")):
        target.is_linked_to_previous = False
        element = target.part.element
        for child in list(element):
            element.remove(child)
        part_writer = Writer(writer.style, target.part)
        if build == "header":
            part_writer.text_paragraph(element, header_text, style_id="Header", align="center")
            continue
        pieces = i18n.parts("page_of", lang)
        rtl = part_writer.is_rtl("".join(p for p, is_field in pieces if not is_field))
        p = part_writer.paragraph(element, rtl, style_id="Footer", align="center")
        size = STYLE_SIZES["Footer"]
        for piece, is_field in pieces:
            if is_field:
                part_writer.field(p, "PAGE" if piece == "page" else "NUMPAGES", "1", rtl, size=size)
            else:
                part_writer.runs(p, piece, rtl, size=size)


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class Body:
    """The document body open for appending: w:sectPr is held aside and put back last, and on
    leaving, the text of the other direction in each paragraph is isolated.

    Use as a context manager; inside it, append to `.element` with the Writer.
    """

    def __init__(self, document: Document) -> None:
        self.element = document.element.body
        self._sect = self.element.find(w("sectPr"))

    def __enter__(self) -> etree._Element:
        if self._sect is not None:
            self.element.remove(self._sect)
        return self.element

    def __exit__(self, *exc: object) -> None:
        # Text of the other direction in each paragraph laid out on its own (docx_isolate.py).
        isolate_body(self.element)
        if self._sect is not None:
            self.element.append(self._sect)
