"""Does a card's document, or an update to it, keep the template's layout?

docs/document-model.md fixes what each root holds: a text field is plain `Text`, a rich-text
field an `XmlFragment` of the Tiptap nodes and marks below, a table an `Array` of row `Map`s,
a multiple-choice field a `Map` of option `Map`s, `values` and `meta` maps of plain values.
Content outside that (a `script` node, a `textStyle` mark, a fragment holding bare strings,
three thousand nested paragraphs) is what every reader downstream (canonical content, the
exporters, the editor's schema) would trip over, so the live engine refuses it.

Two pure checks, both cheap enough to run on every update:

- `check_contents` looks only at what an update says about itself (its element names, mark
  keys, shared types, and the roots its items name), before it touches a document;
- `check_document` walks the document's roots after an update that could have changed its
  structure, bounded by `MAX_DEPTH`, without recursion.

Neither imports the engine: the update's summary is any object with the attributes of
`server.collab.protocol.Contents`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from schemas.vocabulary import BLOCK_NODES, MARKS, MAX_DEPTH

from .layout import META, SCALAR_TYPES, VALUES

# The vocabulary's nodes as the document holds them: every node but text is an element.
NODES = BLOCK_NODES | {"hardBreak"}
# Shared types a card may contain below its roots: row and option maps, text cells, nodes.
NESTED_TYPES = frozenset({"map", "text", "xml_element", "xml_text"})
# Content kinds a card never holds (legacy JSON, binary blobs, embeds, subdocuments).
FOREIGN = frozenset({"json", "binary", "embed", "doc"})
# What an item whose parent is a root of each kind may carry, and whether it has a map key.
ROOT_ITEMS = {
    "text": ({"string", "deleted"}, False),
    "xml": ({"type", "deleted"}, False),
    "array": ({"type", "deleted"}, False),
    "map": ({"any", "type", "deleted"}, True),
}


class ShapeError(ValueError):
    """The document or update does not fit the template's layout; says where."""


@dataclass(frozen=True)
class Layout:
    """The root of each document field and its kind, from a template."""

    roots: dict[str, str]  # root name -> "text" | "xml" | "array" | "map"
    tables: dict[str, frozenset[str]]  # table root -> its text columns

    @classmethod
    def of(cls, template: dict[str, Any]) -> Layout:
        """The layout of `template` (the card's template, as `schemas` hands it out)."""
        import schemas

        roots = {META: "map", VALUES: "map"}
        tables = {}
        for field in schemas.document_fields(template):
            kind = field["type"]
            if kind in SCALAR_TYPES:
                continue
            roots[field["id"]] = {"text": "text", "rich_text": "xml", "table": "array",
                                  "multi_choice": "map"}[kind]
            if kind == "table":
                tables[field["id"]] = frozenset(c["id"] for c in field["columns"] if c["type"] == "text")
        return cls(roots, tables)

    @classmethod
    def of_document(cls, doc: Doc) -> Layout | None:
        """The layout of the template `doc` names in its `meta` root (None if it names none)."""
        import schemas

        from .layout import template_ref

        ref = template_ref(doc)
        return cls.of(schemas.load_template(*ref)) if ref is not None else None


def check_contents(layout: Layout, contents: Any) -> None:
    """Refuse an update whose own content breaks the layout.

    Args:
        layout: the card's layout.
        contents: what the update holds (`server.collab.protocol.Contents`).

    Raises:
        ShapeError: naming the first problem found.
    """
    for tag in sorted(contents.tags - NODES):
        raise ShapeError(f"Unknown rich-text node {tag!r}; nodes are {', '.join(sorted(NODES))}.")
    for mark in sorted(contents.marks - MARKS):
        raise ShapeError(f"Unknown text mark {mark!r}; marks are {', '.join(sorted(MARKS))}.")
    for kind in sorted(contents.types - NESTED_TYPES):
        raise ShapeError(f"A card holds no nested {kind} types.")
    for kind in sorted(contents.kinds & FOREIGN):
        raise ShapeError(f"A card holds no {kind} content.")
    for name, items in contents.roots.items():
        kind = layout.roots.get(name)
        if kind is None:
            raise ShapeError(f"{name!r} is not a field of this card's template.")
        allowed, keyed = ROOT_ITEMS[kind]
        for content, has_key in items:
            if content not in allowed or has_key != keyed:
                raise ShapeError(f"Field {name!r} is stored as {kind}; this update writes {content} "
                                 f"{'entries' if has_key else 'items'} into it.")


def check_document(doc: Doc, layout: Layout) -> None:
    """Walk every root of `doc` and refuse content that breaks the layout.

    Args:
        doc: the document (its roots are bound to the layout's types).
        layout: the card's layout.

    Raises:
        ShapeError: naming the first problem found.
    """
    for name, kind in layout.roots.items():
        try:
            if kind == "text":
                _plain_text(doc.get(name, type=Text), name)
            elif kind == "xml":
                _rich_text(doc.get(name, type=XmlFragment), name)
            elif kind == "array":
                _table(doc.get(name, type=Array), name, layout.tables[name])
            elif name in (VALUES, META):
                _values(doc.get(name, type=Map), name)
            else:
                _options(doc.get(name, type=Map), name)
        except ShapeError:
            raise
        except Exception as exc:  # a root of another kind than its field's cannot even be read
            raise ShapeError(f"Field {name!r} does not hold what a {kind} field holds ({exc}).") from None


def bind(doc: Doc, layout: Layout) -> dict[str, Any]:
    """Bind each root of `doc` to its layout type (so updates integrate into the right kind).

    Returns:
        Root name -> the shared type.
    """
    types = {"text": Text, "xml": XmlFragment, "array": Array, "map": Map}
    return {name: doc.get(name, type=types[kind]) for name, kind in layout.roots.items()}


def _plain_text(text: Text, where: str) -> None:
    for insert, attrs in text.diff():
        if not isinstance(insert, str) or attrs:
            raise ShapeError(f"Field {where!r} is plain text; it holds formatting or an embedded object.")


def _rich_text(fragment: XmlFragment, where: str) -> None:
    stack: list[tuple[Any, int]] = [(fragment, 0)]
    while stack:
        node, depth = stack.pop()
        children = list(node.children)
        if len(children) != len(node.children):  # pycrdt skips bare characters when iterating
            raise ShapeError(f"Field {where!r} holds characters where nodes or text belong.")
        for child in children:
            if isinstance(child, XmlText):
                _marked_text(child, where)
            elif isinstance(child, XmlElement):
                if child.tag not in NODES:
                    raise ShapeError(f"Field {where!r} holds an unknown node {child.tag!r}.")
                if depth + 1 > MAX_DEPTH:
                    raise ShapeError(f"Field {where!r} nests nodes deeper than {MAX_DEPTH} levels.")
                stack.append((child, depth + 1))
            else:
                raise ShapeError(f"Field {where!r} holds {type(child).__name__} where nodes or text belong.")


def _marked_text(text: XmlText, where: str) -> None:
    for insert, attrs in text.diff():
        if not isinstance(insert, str):
            raise ShapeError(f"Field {where!r} holds an embedded object inside its text.")
        for mark in attrs or {}:
            if mark not in MARKS:
                raise ShapeError(f"Field {where!r} uses an unknown mark {mark!r}.")


def _table(rows: Array, where: str, text_columns: frozenset[str]) -> None:
    for row in rows:
        if not isinstance(row, Map):
            raise ShapeError(f"Table {where!r} holds {type(row).__name__} where rows (maps) belong.")
        for key, value in row.items():
            wanted = Text if key in text_columns else str
            if not isinstance(value, wanted):
                raise ShapeError(f"Table {where!r}: cell {key!r} holds {type(value).__name__}, "
                                 f"not {wanted.__name__}.")


def _options(options: Map, where: str) -> None:
    for option, entry in options.items():
        if not isinstance(entry, Map):
            raise ShapeError(f"Field {where!r}: option {option!r} is not a map.")
        for key, value in entry.items():
            if isinstance(value, (Text, Map, Array, XmlFragment, XmlElement, XmlText)) and not (
                    key == "justification" and isinstance(value, Text)):
                raise ShapeError(f"Field {where!r}: option {option!r} holds a nested {type(value).__name__}.")


def _values(values: Map, where: str) -> None:
    for key, value in values.items():
        if isinstance(value, (Text, Map, Array, XmlFragment, XmlElement, XmlText)):
            raise ShapeError(f"{where!r}: {key!r} holds a nested {type(value).__name__}, not a plain value.")
