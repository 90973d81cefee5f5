"""The card template and the drafting criteria, as data.

Every consumer (the editor, the server's validators, the exporters) reads the template through
this module, so a field added to a template JSON file reaches all of them with no code change.
Files are read and validated once, then handed out as plain dicts; callers must not mutate them.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from .vocabulary import LANGUAGES  # noqa: F401  (defined once, in vocabulary.py)

HERE = Path(__file__).parent
DEFAULT_TEMPLATE = ("ogp-card", 1)
DEFAULT_CRITERIA = ("default", 1)


class SchemaError(ValueError):
    """A template or criteria file is missing or does not match its meta-schema."""


def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise SchemaError(f"No such schema file: {path.name}")
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def template_meta_schema() -> dict[str, Any]:
    return _read(HERE / "meta" / "template.schema.json")


def validate_template(template: dict[str, Any]) -> None:
    """Check a template against the meta-schema and the rules JSON Schema cannot say.

    Raises:
        SchemaError: naming the first problem found.
    """
    import jsonschema

    try:
        jsonschema.validate(template, template_meta_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise SchemaError(f"template {where}: {exc.message}") from None
    seen: set[str] = set()
    for field in template["fields"]:
        if field["id"] in seen:
            raise SchemaError(f"template field {field['id']!r} is defined twice")
        seen.add(field["id"])
        if field["id"] in RESERVED_ROOTS:
            raise SchemaError(f"template field id {field['id']!r} is reserved")
        columns = [c["id"] for c in field.get("columns", [])]
        if "id" in columns or len(set(columns)) != len(columns):
            raise SchemaError(f"table {field['id']!r} has a duplicate or reserved column id")


# Root names the document model keeps for itself (see docs/document-model.md).
RESERVED_ROOTS = frozenset({"meta", "values"})


@cache
def load_template(template_id: str = DEFAULT_TEMPLATE[0], version: int = DEFAULT_TEMPLATE[1]) -> dict[str, Any]:
    """The template `template_id` at `version`, validated.

    Raises:
        SchemaError: when the file is missing or invalid.
    """
    template = _read(HERE / "templates" / f"{template_id}-v{version}.json")
    validate_template(template)
    if (template["id"], template["version"]) != (template_id, version):
        raise SchemaError(f"{template_id}-v{version}.json declares {template['id']} v{template['version']}")
    return template


@cache
def load_criteria(criteria_id: str = DEFAULT_CRITERIA[0], version: int = DEFAULT_CRITERIA[1]) -> dict[str, Any]:
    """The criteria set `criteria_id` at `version` (rules with their parameters, attestations)."""
    return _read(HERE / "criteria" / f"{criteria_id}-v{version}.json")


def field_map(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in template["fields"]}


def document_fields(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields whose content lives in the card's Yjs document (not card metadata)."""
    return [f for f in template["fields"] if f.get("source", "document") == "document"]


def label(item: dict[str, Any], lang: str) -> str:
    labels = item["label"]
    return labels.get(lang) or labels["en"]
