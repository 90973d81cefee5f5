"""How a card's fields are laid out in its Yjs document (docs/document-model.md).

Root types, one per document field, named after the field id:

- text            -> Text
- rich_text       -> XmlFragment (Tiptap/ProseMirror nodes as XmlElements)
- table           -> Array of Map rows; every row has "id" (stable), text cells are Text,
                     other cells plain strings
- multi_choice    -> Map option id -> Map {"selected": bool, "justification": Text}
- choice, month, date, organisation -> a key of the shared root Map "values"

and the root Map "meta" holding {"template": id, "template_version": n}.
"""
from __future__ import annotations

import uuid
from typing import Any

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

import schemas

META = "meta"
VALUES = "values"
SCALAR_TYPES = frozenset({"choice", "month", "date", "organisation"})
# Transaction origin of edits the server makes itself (seeding, imports, API writes).
SERVER_ORIGIN = "iltizam-server"


def new_row_id() -> str:
    return uuid.uuid4().hex[:12]


def root(doc: Doc, field: dict[str, Any]) -> Any:
    """The root shared type holding `field`, created empty if it is not there yet."""
    kind = field["type"]
    if kind == "text":
        return doc.get(field["id"], type=Text)
    if kind == "rich_text":
        return doc.get(field["id"], type=XmlFragment)
    if kind == "table":
        return doc.get(field["id"], type=Array)
    if kind == "multi_choice":
        return doc.get(field["id"], type=Map)
    if kind in SCALAR_TYPES:
        return doc.get(VALUES, type=Map)
    raise ValueError(f"Unknown field type {kind!r} for field {field['id']!r}")


def empty_row(field: dict[str, Any]) -> Map:
    cells: dict[str, Any] = {"id": new_row_id()}
    for col in field["columns"]:
        cells[col["id"]] = Text("") if col["type"] == "text" else ""
    return Map(cells)


def seed(doc: Doc, template: dict[str, Any]) -> None:
    """Give a new card's document its structure. Call once, on the server, at card creation.

    Structure that two clients could otherwise create concurrently (the option maps of a
    multi-choice field, a rich-text field's first paragraph, a table's first rows) is made here
    so that no client ever has to create it.
    """
    with doc.transaction(origin=SERVER_ORIGIN):
        meta = doc.get(META, type=Map)
        if "template" in meta:
            raise RuntimeError("This document is already seeded; a document with history is never re-seeded.")
        meta["template"] = template["id"]
        meta["template_version"] = template["version"]
        values = doc.get(VALUES, type=Map)
        for field in schemas.document_fields(template):
            kind = field["type"]
            target = root(doc, field)
            if kind == "rich_text":
                target.children.append(XmlElement("paragraph", {}, [XmlText("")]))
            elif kind == "table":
                for _ in range(field.get("min_rows", 0)):
                    target.append(empty_row(field))
            elif kind == "multi_choice":
                for option in field["options"]:
                    target[option["id"]] = Map({"selected": False, "justification": Text("")})
            elif kind in SCALAR_TYPES:
                values[field["id"]] = ""


def template_ref(doc: Doc) -> tuple[str, int] | None:
    meta = doc.get(META, type=Map)
    if "template" not in meta:
        return None
    return str(meta["template"]), int(meta["template_version"])
