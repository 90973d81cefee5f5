"""What the Word import's report says about each thing it met, as message keys with values.

Each report entry carries `notes`: a list of {"key": …, **values}. The exporters know no
interface language, so the server words each note in the reader's language (server/i18n,
"import.note.<key>") and puts the field's label beside it; `detail` is the same notes in
English, for scripts and the audit trail. Values are what the file said (a heading, a cell, a
name as written) or numbers; option ids travel as ids (`options`) and are worded as the
option's label by whoever shows the report.
"""
from __future__ import annotations

from typing import Any

# The English wording of every note; the keys are the message keys' last part.
ENGLISH: dict[str, str] = {
    "heading_no_field": "heading that names no field of the card",
    "table_no_label": "table without any card label in its first column",
    "row_no_field": "row whose first cell names no field of the card",
    "card_metadata": "card metadata: set it in the card's settings, not by import",
    "duplicate": "this field was already found earlier in the document",
    "type_not_imported": "fields of type {type} cannot be imported",
    "too_long": "longer than {limit} characters",
    "no_table": "expected a table with a header row of column names",
    "no_header": "the table's header row names none of the columns",
    "no_option": "no option of this field was recognised",
    "not_an_option": "{text!r} is not one of the options",
    "not_a_month": "{text!r} is not a month (write it like 2024-03)",
    "not_a_date": "{text!r} is not a date (write it like 2024-03-15)",
    "tables_left_out": "tables inside this field were left out",
    "empty": "empty",
    "control_removed": "control characters were removed",
    "rows": "{n} row(s)",
    "columns_left_out": "columns left out: {columns}",
    "rows_cut": "only the first {limit} of {n} rows were kept",
    "cells_unread": "{n} cell(s) could not be read (unknown option or date) and were left empty",
    "ticked": "ticked: {options}",
    "comments_cut": "only the first {n} comment threads were kept",
    "word_comments": "{n} Word comments",
    # A card's organisation (lead, co-lead) as the file names it; the server then says whether
    # it matched a known organisation (matched, not_matched…).
    "organisation_named": "named in the file: {name}",
    "matched": "matched: {name}",
    "not_matched": "not matched: {name}",
    "ambiguous": "not matched: {name} (several organisations have this name)",
    "wrong_kind": "not matched: {name} (known, but not an organisation that may hold this role)",
    "set_in_form": "left out: {name} (the import form chose the organisation)",
}
# The source of the report entry about Word comments left out, also worded by the reader.
COMMENTS_SOURCE = "word_comments"


def note(key: str, **values: Any) -> dict[str, Any]:
    """A note of the report.

    Raises:
        KeyError: for a key without a wording (a typo would otherwise reach the reader).
    """
    if key not in ENGLISH:
        raise KeyError(f"no report note {key!r}: add its wording to exports/import_report.py")
    return {"key": key, **values}


def english(notes: list[dict[str, Any]]) -> str:
    """The notes as one English line ("3 row(s); columns left out: Budget")."""
    parts = []
    for item in notes:
        values = {k: v for k, v in item.items() if k != "key"}
        if isinstance(values.get("options"), list):
            values["options"] = ", ".join(values["options"]) or "none"
        parts.append(ENGLISH[item["key"]].format(**values))
    return "; ".join(parts)


def entry(source: str, field: str | None, status: str, notes: list[dict[str, Any]]) -> dict[str, Any]:
    """One report entry: {"source", "field", "status", "detail", "notes"}."""
    return {"source": source, "field": field, "status": status, "detail": english(notes), "notes": notes}
