"""Opening an uploaded .docx safely: size limits, zip-bomb guard, encrypted-file detection.

Nothing is parsed before the checks pass: the upload's size, the zip's own bookkeeping, and the
declared uncompressed size of every member; members are then read with a hard cap in case the
declared sizes lie, and the main document's elements are counted by a streaming pass (memory
bounded, no tree kept) before it is parsed into a tree. XML is parsed without entity expansion
or network access.

The limits are set from real cards (docs/exports.md): one exported card is 37 KB of document
XML with about 100 paragraphs, 5 tables, 90 cells and 110 runs; a whole 40-card plan exported
as one document is 1.3 MB with 4,000 paragraphs, 200 tables, 3,400 cells and 4,100 runs. The
limits leave room for that plan and for heavily formatted hand-written cards, and refuse the
200,000-paragraph files that took tens of seconds to read.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from .errors import WordImportError

MAX_BYTES = 10 * 1024 * 1024
# All members together (pictures included, which are not read); each XML part read on its own.
MAX_UNPACKED = 32 * 1024 * 1024
MAX_PART = 4 * 1024 * 1024
MAX_MEMBERS = 2000
# Most elements of each kind the main document may hold, and most characters of text.
MAX_ELEMENTS = {"p": 10_000, "tbl": 500, "tr": 5_000, "tc": 20_000, "r": 40_000}
MAX_TEXT_CHARS = 1_000_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Stream names of an encrypted OOXML file inside its OLE container, as stored (UTF-16LE).
_ENCRYPTION_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
OFFICE_DOCUMENT_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RT_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
# Word 2013 and later keep comment threads (replies, done) in this part, beside the comments.
COMMENTS_EXTENDED_RT = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


@dataclass
class Package:
    """The parts of a Word document the import reads.

    Attributes:
        document: root of the main document part (w:document).
        links: relationship id → external target of the main part (hyperlinks).
        numbering: root of numbering.xml, or None.
        styles: root of styles.xml, or None.
        comments: root of comments.xml (w:comments), or None.
        comments_extended: root of commentsExtended.xml (w15:commentsEx: replies, done), or None.
    """

    document: etree._Element
    links: dict[str, str] = field(default_factory=dict)
    numbering: etree._Element | None = None
    styles: etree._Element | None = None
    comments: etree._Element | None = None
    comments_extended: etree._Element | None = None


def _check_container(data: bytes, max_bytes: int) -> None:
    if not isinstance(data, (bytes, bytearray)):
        raise WordImportError("not_docx", "The upload is not a file.")
    if len(data) > max_bytes:
        limit = f"{max_bytes / (1024 * 1024):g} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes // 1024 or 1} KB"
        raise WordImportError("too_large", f"The file is larger than {limit}; send a smaller Word document.")
    if len(data) == 0:
        raise WordImportError("empty", "The file is empty.")
    if data.startswith(OLE_MAGIC):
        if any(name in data for name in _ENCRYPTION_STREAMS):
            raise WordImportError("encrypted", "This Word document is protected by a password. Remove the "
                                               "password in Word (File › Info › Protect Document) and upload it again.")
        raise WordImportError("not_docx", "This is an old Word 97–2003 (.doc) file. Open it in Word and save it "
                                          "as a Word document (.docx), then upload that.")
    if not data.startswith(ZIP_MAGIC):
        raise WordImportError("not_docx", "This file is not a Word document (.docx).")


def _read(archive: zipfile.ZipFile, name: str, max_unpacked: int) -> bytes:
    limit = min(max_unpacked, MAX_PART)
    with archive.open(name) as member:
        content = member.read(limit + 1)
    if len(content) > limit:
        raise WordImportError("too_large", f"A part of the Word document unpacks to more than "
                                           f"{limit // (1024 * 1024) or 1} MB; a commitment card is far smaller.")
    return content


_COUNTED = {f"{{{_W_NS}}}{name}": name for name in MAX_ELEMENTS}
_TEXT = f"{{{_W_NS}}}t"


def check_counts(content: bytes) -> None:
    """Count the main document's paragraphs, tables, rows, cells, runs and text, streaming.

    Raises:
        WordImportError: "too_large" naming what there is too much of; "corrupt" for bad XML.
    """
    counts = dict.fromkeys(MAX_ELEMENTS, 0)
    chars = 0
    events = etree.iterparse(io.BytesIO(content), events=("end",), tag=(*_COUNTED, _TEXT),
                             resolve_entities=False, no_network=True, huge_tree=False)
    try:
        for _, element in events:
            if element.tag == _TEXT:
                chars += len(element.text or "")
                if chars > MAX_TEXT_CHARS:
                    raise WordImportError("too_large", f"The document holds more than {MAX_TEXT_CHARS:,} "
                                                       "characters of text; a commitment card is far shorter.")
            else:
                name = _COUNTED[element.tag]
                counts[name] += 1
                if counts[name] > MAX_ELEMENTS[name]:
                    raise WordImportError("too_large", f"The document holds more than {MAX_ELEMENTS[name]:,} "
                                                       f"{_NAMES[name]}; a commitment card has far fewer.")
            element.clear(keep_tail=True)
    except etree.XMLSyntaxError:
        raise WordImportError("corrupt", "The Word document is damaged (its XML cannot be read).") from None


_NAMES = {"p": "paragraphs", "tbl": "tables", "tr": "table rows", "tc": "table cells", "r": "runs of text"}


def _parse(archive: zipfile.ZipFile, name: str, max_unpacked: int, count: bool = False) -> etree._Element:
    content = _read(archive, name, max_unpacked)
    if count:
        check_counts(content)
    try:
        return etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError:
        raise WordImportError("corrupt", "The Word document is damaged (its XML cannot be read).") from None


def _relationships(archive: zipfile.ZipFile, rels_name: str, names: set[str],
                   max_unpacked: int) -> list[etree._Element]:
    if rels_name not in names:
        return []
    return list(_parse(archive, rels_name, max_unpacked).iter(f"{_REL_NS}Relationship"))


def open_package(data: bytes, max_bytes: int = MAX_BYTES, max_unpacked: int = MAX_UNPACKED) -> Package:
    """Check an upload and read the parts of its Word document.

    Args:
        data: the uploaded bytes.
        max_bytes: the largest upload accepted.
        max_unpacked: the most data the archive may unpack to, all members together.

    Returns:
        The parsed parts.

    Raises:
        WordImportError: "too_large", "empty", "encrypted", "not_docx" or "corrupt".
    """
    _check_container(data, max_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise WordImportError("corrupt", "The file is damaged: it looks like a Word document but cannot be "
                                         "opened (it may be incomplete).") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise WordImportError("too_large", "The document holds too many parts.")
        if sum(info.file_size for info in infos) > max_unpacked:
            raise WordImportError("too_large", "The document unpacks to more data than allowed.")
        names = {info.filename for info in infos}
        try:
            return _load(archive, names, max_unpacked)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
                RuntimeError, NotImplementedError) as exc:
            if isinstance(exc, WordImportError):
                raise
            raise WordImportError("corrupt", "The file is damaged: part of the Word document cannot be "
                                             "read (it may be incomplete).") from None


def _load(archive: zipfile.ZipFile, names: set[str], max_unpacked: int) -> Package:
    main = None
    for rel in _relationships(archive, "_rels/.rels", names, max_unpacked):
        if rel.get("Type") == OFFICE_DOCUMENT_RT:
            main = rel.get("Target", "").lstrip("/")
    if main is None and "word/document.xml" in names:
        main = "word/document.xml"
    if main is None or main not in names or "[Content_Types].xml" not in names:
        raise WordImportError("not_docx", "This file is a zip archive but not a Word document (.docx).")
    document = _parse(archive, main, max_unpacked, count=True)
    if etree.QName(document).localname != "document":
        raise WordImportError("not_docx", "This file is an Office document but not a Word document.")
    package = Package(document=document)
    base = posixpath.dirname(main)
    rels_name = posixpath.join(base, "_rels", posixpath.basename(main) + ".rels")
    for rel in _relationships(archive, rels_name, names, max_unpacked):
        kind, target = rel.get("Type", ""), rel.get("Target", "")
        if kind == _RT_BASE + "hyperlink" and rel.get("TargetMode") == "External":
            package.links[rel.get("Id", "")] = target
            continue
        part = posixpath.normpath(posixpath.join(base, target)) if not target.startswith("/") else target[1:]
        if kind == _RT_BASE + "numbering" and part in names:
            package.numbering = _parse(archive, part, max_unpacked)
        elif kind == _RT_BASE + "styles" and part in names:
            package.styles = _parse(archive, part, max_unpacked)
        elif kind == _RT_BASE + "comments" and part in names:
            package.comments = _parse(archive, part, max_unpacked)
        elif kind == COMMENTS_EXTENDED_RT and part in names:
            package.comments_extended = _parse(archive, part, max_unpacked)
    return package
