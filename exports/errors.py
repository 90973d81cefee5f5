"""The errors the exporters and the Word import raise, in one place.

Callers (the server's export and import endpoints) map these to HTTP answers in one spot, so
every class carries a message a person can read as it is.
"""
from __future__ import annotations

# The one language error, shared with the server (schemas/vocabulary.py); re-exported here so
# callers of the exporters find every error they may meet in this module.
from schemas.vocabulary import UnsupportedLanguage

__all__ = ["ExportError", "PlanError", "UnknownFieldTypeError", "UnknownMarkError", "UnknownNodeError",
           "UnsupportedLanguage", "WordImportError"]


class ExportError(ValueError):
    """Content or a plan cannot be exported as given."""


class UnknownNodeError(ExportError):
    """A rich-text node type no exporter knows; raised instead of dropping the content.

    Attributes:
        node_type: the `type` of the offending node.
        exporter: which exporter met it ("docx", "markdown", "text").
    """

    def __init__(self, node_type: object, exporter: str) -> None:
        super().__init__(f"The {exporter} exporter has no handler for rich-text node type {node_type!r}")
        self.node_type = node_type
        self.exporter = exporter


class UnknownMarkError(UnknownNodeError):
    """A text mark (bold, link…) no exporter knows."""

    def __init__(self, mark_type: object, exporter: str) -> None:
        ExportError.__init__(self, f"The {exporter} exporter has no handler for text mark {mark_type!r}")
        self.node_type = mark_type
        self.exporter = exporter


class UnknownFieldTypeError(ExportError):
    """A template field type that has no layout; adding a field of a known type needs no code."""

    def __init__(self, field_type: object, field_id: str) -> None:
        super().__init__(f"Field {field_id!r} has type {field_type!r}, which no exporter lays out")
        self.field_type = field_type
        self.field_id = field_id


class PlanError(ExportError):
    """A plan handed to a plan exporter does not have the documented shape.

    Attributes:
        path: where the problem is, e.g. "cards[3].axis_id".
    """

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"plan {path}: {message}")
        self.path = path
        self.message = message


class WordImportError(ValueError):
    """An uploaded file that cannot be imported as a card. Nothing was created.

    Attributes:
        code: one of "not_docx", "corrupt", "encrypted", "too_large", "empty", or "too_complex"
            (the server stopped reading it: over its time or memory limit).
        message: a sentence to show the person who uploaded the file.
    """

    CODES = frozenset({"not_docx", "corrupt", "encrypted", "too_large", "empty", "too_complex"})

    def __init__(self, code: str, message: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"Unknown WordImportError code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
