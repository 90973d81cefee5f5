"""Opening an uploaded .docx safely: size limits, zip-bomb guard, encrypted-file detection.

Nothing is parsed before the checks pass: the upload's size, the zip's own bookkeeping, and the
declared uncompressed size of every member; members are then read with a hard cap in case the
declared sizes lie. XML is parsed without entity expansion or network access.
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
MAX_UNPACKED = 100 * 1024 * 1024
MAX_MEMBERS = 2000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Stream names of an encrypted OOXML file inside its OLE container, as stored (UTF-16LE).
_ENCRYPTION_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
OFFICE_DOCUMENT_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RT_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


@dataclass
class Package:
    """The parts of a Word document the import reads.

    Attributes:
        document: root of the main document part (w:document).
        links: relationship id → external target of the main part (hyperlinks).
        numbering: root of numbering.xml, or None.
        styles: root of styles.xml, or None.
    """

    document: etree._Element
    links: dict[str, str] = field(default_factory=dict)
    numbering: etree._Element | None = None
    styles: etree._Element | None = None


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
    with archive.open(name) as member:
        content = member.read(max_unpacked + 1)
    if len(content) > max_unpacked:
        raise WordImportError("too_large", "The document unpacks to more data than allowed.")
    return content


def _parse(archive: zipfile.ZipFile, name: str, max_unpacked: int) -> etree._Element:
    try:
        return etree.fromstring(_read(archive, name, max_unpacked), _PARSER)
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
    document = _parse(archive, main, max_unpacked)
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
    return package
