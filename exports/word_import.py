"""Word import: a .docx someone wrote (or exported earlier) → card field values and a report.

Two layouts are recognised, also mixed in one document:

- the OGP table form: a two-column table, label | content, one row per field;
- the heading form: a heading (or a paragraph in bold) naming a field, its content below,
  up to the next heading.

Labels are matched in Arabic, French or English (exports/labels.py). Table fields map their
columns by the labels of the header row. The values come out in canonical shape, ready for
server.content.validation.validate_fields and write_fields; nothing is written here. The file's
Word comments come out too, each with the field, row and column it was in and the text it
quoted (exports/word_comments.py). Of the card's own settings, the lead and co-lead
organisations come out as the file names them (`ImportResult.card`), for the server to match
against the organisations it knows; the report's notes are message keys (exports/import_report.py).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

from schemas.vocabulary import MAX_TEXT, clean_text, text_problem

from .docx_package import MAX_BYTES, MAX_UNPACKED, open_package
from .docx_read import Cell, Para, Reader, Table
from .docx_xml import w
from .errors import WordImportError
from .import_report import COMMENTS_SOURCE, entry, note
from .labels import column_index, field_index, option_index
from .word_comments import Place, Unit, kept_comments
from .word_values import parse_date, parse_month

_TICKED = "☑☒✓✔✅■▣"
_UNTICKED = "☐□"
_BULLETS = "•·-*–▪◦"
MAX_ORGANISATION_NAME = 300  # an organisation's name in either language (models.Organisation)


class _Skip(Exception):
    """A field whose content cannot be used; its note goes into the report."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.note = note(key, **values)


@dataclass
class ImportResult:
    """What an import found.

    Attributes:
        values: {field_id: value} in canonical shape, for the fields found.
        report: one entry per label or heading met: {"source", "field", "status", "detail",
            "notes"}, status "mapped" or "ignored"; `notes` as exports/import_report.py
            documents them, `detail` the same in English.
        comments: the file's Word comments with their replies, placed in the card
            (exports/word_comments.py documents the shape).
        card: the card's organisations as the file names them, {"lead": "…", "co_lead": "…"}
            for the organisation fields of the card's settings found with a name.
    """

    values: dict[str, Any] = field(default_factory=dict)
    report: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    card: dict[str, str] = field(default_factory=dict)


def _row_id() -> str:
    return uuid.uuid4().hex[:12]


def _paras(blocks: list[Any]) -> list[Para]:
    return [b for b in blocks if isinstance(b, Para)]


def _text_of(blocks: list[Any]) -> str:
    return "\n".join(p.text for p in _paras(blocks)).strip()


def _all_paras(blocks: list[Any]) -> list[Para]:
    """Every paragraph of `blocks`, those in tables too, in document order."""
    out: list[Para] = []
    for block in blocks:
        if isinstance(block, Para):
            out.append(block)
        else:
            for row in block.rows:
                for cell in row:
                    if cell is not None:
                        out.extend(_all_paras(cell.blocks))
    return out


def _trimmed(paras: list[Para]) -> list[Para]:
    """Paragraphs without the empty ones (not list items) at either end, as rich text keeps them."""
    paras = list(paras)
    while paras and not paras[0].text.strip() and paras[0].list_info is None:
        paras.pop(0)
    while paras and not paras[-1].text.strip() and paras[-1].list_info is None:
        paras.pop()
    return paras


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Mapper:
    def __init__(self, template: dict[str, Any], reader: Reader) -> None:
        self.fields = template["fields"]
        self.index = field_index(self.fields)
        self.reader = reader
        self.result = ImportResult()
        # Where each paragraph went and the anchor texts, to place the file's comments.
        self.places: dict[int, Place] = {}
        self.units: dict[tuple[str, str | None, str | None], Unit] = {}
        self._cells: dict[tuple[str, str], list[Para]] = {}  # (row id, column id) → paragraphs
        self.converters: dict[str, Callable[[dict[str, Any], list[Any]], tuple[Any, list[dict[str, Any]]]]] = {
            "text": self._text,
            "rich_text": self._rich,
            "table": self._table,
            "multi_choice": self._multi_choice,
            "choice": self._choice,
            "month": self._month,
            "date": self._date,
            "organisation": self._text,
        }

    def report(self, source: str, fid: str | None, status: str, *notes: dict[str, Any]) -> None:
        self.result.report.append(entry(_short(source), fid, status, list(notes)))

    # -- walking the document -----------------------------------------------------------------

    def walk(self, blocks: list[Any]) -> None:
        section: tuple[dict[str, Any], str, list[Any], list[Para]] | None = None
        for block in blocks:
            if isinstance(block, Para) and self._is_heading(block):
                if section:
                    self.assign(*section)
                found = self.index.find(block.text)
                section = (found, block.text, [], [block]) if found else None
                if not found and block.heading and block.text.strip():
                    self.report(block.text, None, "ignored", note("heading_no_field"))
                continue
            if section is not None:
                section[2].append(block)
            elif isinstance(block, Table):
                self.table_form(block)
        if section:
            self.assign(*section)

    def _is_heading(self, para: Para) -> bool:
        if para.list_info is not None or not para.text.strip():
            return False
        # A bold paragraph that is exactly a label also starts a section: many people format
        # headings by hand.
        return para.heading or (para.bold and self.index.find(para.text) is not None)

    def table_form(self, table: Table) -> None:
        rows = []
        for row in table.rows:
            cells = [c for c in row if c is not None]
            found = self.index.find(cells[0].text) if len(cells) >= 2 and cells[0].text else None
            rows.append((cells, found))
        if not any(found for _, found in rows):
            if table.text.strip():
                self.report(table.text, None, "ignored", note("table_no_label"))
            return
        for cells, found in rows:
            if found is None:
                text = " | ".join(c.text for c in cells if c.text)
                if text:
                    self.report(text, None, "ignored", note("row_no_field"))
                continue
            self.assign(found, cells[0].text, cells[-1].blocks, _all_paras(cells[0].blocks))

    def assign(self, spec: dict[str, Any], source: str, blocks: list[Any], label: list[Para] | None = None) -> None:
        fid = spec["id"]
        if fid in self.result.values or fid in self.result.card:
            self.report(source, fid, "ignored", note("duplicate"))
            return
        if spec.get("source") == "card":
            if spec["type"] == "organisation":
                self.organisation(spec, source, blocks)
            else:
                self.report(source, fid, "ignored", note("card_metadata"))
            return
        converter = self.converters.get(spec["type"])
        if converter is None:
            self.report(source, fid, "ignored", note("type_not_imported", type=spec["type"]))
            return
        try:
            value, notes = converter(spec, blocks)
        except _Skip as skip:
            self.report(source, fid, "ignored", skip.note)
            return
        multiline = bool(spec.get("multiline")) or spec["type"] != "text"
        value, cleaned = _cleaned(value, multiline)
        if cleaned:
            notes = [*notes, note("control_removed")]
        self.result.values[fid] = value
        self.report(source, fid, "mapped", *notes)
        self._note_places(spec, label or [], blocks, value, multiline)

    def organisation(self, spec: dict[str, Any], source: str, blocks: list[Any]) -> None:
        """Keep the name of a card organisation (lead, co-lead) as the file writes it.

        Only the server knows the organisations; it matches the name and rewrites this entry.
        """
        name, _ = _cleaned(" ".join(_text_of(blocks).split()), False)
        if not name.strip(" —-–"):
            self.report(source, spec["id"], "ignored", note("empty"))
            return
        name = name[:MAX_ORGANISATION_NAME]
        self.result.card[spec["id"]] = name
        self.report(source, spec["id"], "mapped", note("organisation_named", name=name))

    def _note_places(self, spec: dict[str, Any], label: list[Para], blocks: list[Any], value: Any,
                     multiline: bool) -> None:
        """Note which field (row, column) each paragraph of a mapped field went to."""
        fid = spec["id"]
        for para in [*label, *_all_paras(blocks)]:
            self.places[para.seq] = Place(fid)  # the whole field, unless an anchor text says more
        if spec["type"] == "table":
            rows = {row["id"]: row for row in value}
            columns = {c["id"]: c for c in spec["columns"]}
            for (row_id, column_id), paras in self._cells.items():
                text = columns[column_id]["type"] == "text"
                key = (fid, row_id, column_id)
                for para in paras:
                    self.places[para.seq] = Place(fid, row_id, column_id, key if text else None)
                if text:
                    joined = "\n".join(p.text for p in paras)
                    self.units[key] = Unit(paras, rows[row_id][column_id], len(joined) - len(joined.lstrip()))
        elif spec["type"] in ("text", "rich_text"):
            rich = spec["type"] == "rich_text"
            paras = _trimmed(_paras(blocks)) if rich else _paras(blocks)
            joined = "\n".join(p.text for p in paras)
            key = (fid, None, None)
            for para in paras:
                self.places[para.seq] = Place(fid, unit=key)
            self.units[key] = Unit(paras, value, 0 if rich else len(joined) - len(joined.lstrip()), multiline)

    # -- converters: blocks → value -----------------------------------------------------------

    def _text(self, spec: dict[str, Any], blocks: list[Any]) -> tuple[str, list[dict[str, Any]]]:
        text = _text_of(blocks)
        if len(text) > MAX_TEXT:
            raise _Skip("too_long", limit=MAX_TEXT)
        return text, []

    def _rich(self, spec: dict[str, Any], blocks: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        paras = _trimmed(_paras(blocks))
        tree = self.reader.rich_text(paras) or [{"type": "paragraph"}]
        notes = [note("tables_left_out")] if any(isinstance(b, Table) for b in blocks) else []
        return tree, notes

    def _table(self, spec: dict[str, Any], blocks: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        self._cells = {}
        table = next((b for b in blocks if isinstance(b, Table)), None)
        if table is None:
            if not _text_of(blocks):
                return [], [note("empty")]
            raise _Skip("no_table")
        columns = column_index(spec)
        header_at, mapping = None, {}
        for index, row in enumerate(table.rows[:2]):
            found = {pos: columns.find(c.text) for pos, c in enumerate(row) if c is not None and c.text}
            found = {pos: col for pos, col in found.items() if col is not None}
            if found:
                header_at, mapping = index, found
                break
        if header_at is None:
            raise _Skip("no_header")
        notes = []
        unknown_headers = [c.text for pos, c in enumerate(table.rows[header_at])
                           if c is not None and c.text and pos not in mapping]
        if unknown_headers:
            notes.append(note("columns_left_out", columns=", ".join(unknown_headers)))
        rows, problems, previous = [], 0, {}
        for row in table.rows[header_at + 1:]:
            cells: dict[str, str] = {}
            read: dict[str, list[Para]] = {}
            for pos, column in mapping.items():
                cell: Cell | None = row[pos] if pos < len(row) else None
                if cell is not None and cell.continued:
                    cells[column["id"]] = previous.get(column["id"], "")
                    continue
                raw = cell.text if cell is not None else ""
                value, ok = self._cell(column, raw)
                problems += not ok
                cells[column["id"]] = value
                if cell is not None:
                    read[column["id"]] = _paras(cell.blocks)
            previous = cells
            if any(v for v in cells.values()):
                rows.append({"id": _row_id(), **{c["id"]: cells.get(c["id"], "") for c in spec["columns"]}})
                self._cells.update({(rows[-1]["id"], column_id): paras for column_id, paras in read.items()})
        limit = spec.get("max_rows")
        if limit is not None and len(rows) > limit:
            notes.append(note("rows_cut", limit=limit, n=len(rows)))
            rows = rows[:limit]
            kept = {row["id"] for row in rows}
            self._cells = {key: paras for key, paras in self._cells.items() if key[0] in kept}
        if problems:
            notes.append(note("cells_unread", n=problems))
        notes.insert(0, note("rows", n=len(rows)))
        return rows, notes

    def _cell(self, column: dict[str, Any], raw: str) -> tuple[str, bool]:
        raw = raw.strip()
        if not raw:
            return "", True
        kind = column["type"]
        if kind == "choice":
            found = option_index(column).find(raw)
            return (found, True) if found else ("", False)
        if kind == "month":
            month = parse_month(raw)
            return (month, True) if month else ("", False)
        if kind == "date":
            date = parse_date(raw)
            return (date, True) if date else ("", False)
        return raw[:MAX_TEXT], True

    def _multi_choice(self, spec: dict[str, Any], blocks: list[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        options = option_index(spec)
        result = {o["id"]: {"selected": False, "justification": ""} for o in spec["options"]}
        lines: dict[str, list[str]] = {o["id"]: [] for o in spec["options"]}
        current = None
        for para in _paras(blocks):
            text = para.text.strip()
            if not text:
                continue
            mark = text[0]
            rest = text.lstrip(_TICKED + _UNTICKED + _BULLETS + " \t") if mark in _TICKED + _UNTICKED + _BULLETS \
                else text
            found, inline = None, ""
            if ":" in rest:
                # "☑ Transparence : justification" keeps its justification on the same line.
                head, inline = rest.split(":", 1)
                found = options.find(head, whole=True)
            if found is None:
                found, inline = options.find(rest, whole=True), ""
            if found is not None:
                current = found
                result[found]["selected"] = mark not in _UNTICKED
                if inline.strip():
                    lines[found].append(inline.strip())
            elif current is not None:
                lines[current].append(text)
        if current is None:
            raise _Skip("no_option")
        for option_id, collected in lines.items():
            result[option_id]["justification"] = "\n".join(collected).strip()
        ticked = [o for o, entry in result.items() if entry["selected"]]
        return result, [note("ticked", options=ticked)]

    def _choice(self, spec: dict[str, Any], blocks: list[Any]) -> tuple[str, list[dict[str, Any]]]:
        text = _text_of(blocks)
        if not text:
            return "", [note("empty")]
        found = option_index(spec).find(text)
        if found is None:
            raise _Skip("not_an_option", text=_short(text, 40))
        return found, []

    def _month(self, spec: dict[str, Any], blocks: list[Any]) -> tuple[str, list[dict[str, Any]]]:
        return _parsed(blocks, parse_month, "not_a_month")

    def _date(self, spec: dict[str, Any], blocks: list[Any]) -> tuple[str, list[dict[str, Any]]]:
        return _parsed(blocks, parse_date, "not_a_date")


def _cleaned(value: Any, multiline: bool) -> tuple[Any, bool]:
    """`value` with control characters and lone surrogates removed from every string in it.

    Word files may hold characters (C1 controls, DEL) that no card field accepts; the import
    cleans them and says so rather than refusing the file. A single-line field gets its line
    breaks as spaces. Row ids and option ids are untouched (the import makes them).

    Returns:
        (cleaned value, whether anything was removed).
    """
    changed = False

    def clean(text: str, lines: bool) -> str:
        nonlocal changed
        if text_problem(text, lines) is None:
            return text
        # Line breaks folded into spaces are not worth a report line; other characters are.
        changed |= text_problem(text.replace("\n", " ").replace("\t", " "), lines) is not None
        return clean_text(text, lines)

    def walk(item: Any, lines: bool) -> Any:
        if isinstance(item, str):
            return clean(item, lines)
        if isinstance(item, list):
            return [walk(v, lines) for v in item]
        if isinstance(item, dict):
            return {k: (v if k in ("id", "type") else walk(v, lines and k != "href")) for k, v in item.items()}
        return item

    return walk(value, multiline), changed


def _parsed(blocks: list[Any], parse: Callable[[str], str | None],
            unreadable: str) -> tuple[str, list[dict[str, Any]]]:
    """A month or date cell's value, or a skip whose note (`unreadable`) says what was expected."""
    text = _text_of(blocks)
    if not text:
        return "", [note("empty")]
    value = parse(text)
    if value is None:
        raise _Skip(unreadable, text=_short(text, 40))
    return value, []


def import_docx(template: dict[str, Any], data: bytes, max_bytes: int = MAX_BYTES,
                max_unpacked: int = MAX_UNPACKED) -> ImportResult:
    """Read card field values from a Word document.

    Args:
        template: the card template the values are for.
        data: the uploaded .docx bytes.
        max_bytes: the largest upload accepted (10 MiB by default).
        max_unpacked: the most the archive may unpack to (zip-bomb guard).

    Returns:
        The values found and a report of every label or heading met.

    Raises:
        WordImportError: with code "too_large", "encrypted", "not_docx", "corrupt" or "empty"
            ("empty" also when no field of the template was recognised).
    """
    package = open_package(data, max_bytes=max_bytes, max_unpacked=max_unpacked)
    body = package.document.find(w("body"))
    if body is None:
        raise WordImportError("corrupt", "The Word document has no body.")
    reader = Reader(package)
    blocks = reader.blocks(body)
    if not any(b.text.strip() for b in blocks):
        raise WordImportError("empty", "The Word document holds no text.")
    mapper = _Mapper(template, reader)
    mapper.walk(blocks)
    if not mapper.result.values:
        seen = [r["source"] for r in mapper.result.report][:5]
        hint = f" Labels or headings found: {'; '.join(seen)}." if seen else ""
        raise WordImportError(
            "empty", "No field of the commitment card was recognised. Use the card table (label | content) or "
                     "one heading per field, with the labels of the card template." + hint)
    mapper.result.comments, left_out = kept_comments(package, reader, mapper.places, mapper.units)
    if left_out:
        mapper.report(f"{left_out} Word comments", None, "ignored",
                      note("comments_cut", n=len(mapper.result.comments)))
        mapper.result.report[-1]["source_note"] = note(COMMENTS_SOURCE, n=left_out)
    return mapper.result

