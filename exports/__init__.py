"""Exports of commitment cards and plans, and the Word import.

Every exporter takes plain data (the template, a card's canonical content or a plan as
exports/plan.py documents it, and a language) and returns bytes, text or a dict. None of them
touches Flask, the database or a live document, so the server can call them from a request,
a background job or a script alike. docs/exports.md describes the layouts.

Formats:
    Word:       card_docx, plan_docx (bytes; "ar" right to left, "fr"/"en" left to right;
                given comment threads, the review copy with Word comments); report_docx, the
                consultation report (bytes)
    Markdown:   card_markdown, plan_markdown (str)
    HTML:       card_html, plan_html (str fragments with lang and dir)
    Open data:  card_json, plan_json (dicts following open_data.schema.json)
    Import:     import_docx (ImportResult with .values, .report, the file's .comments and the
                .card organisations it names)
"""
from __future__ import annotations

from .docx_card import card_docx
from .docx_plan import plan_docx
from .errors import (
    ExportError,
    PlanError,
    UnknownFieldTypeError,
    UnknownMarkError,
    UnknownNodeError,
    UnsupportedLanguage,
    WordImportError,
)
from .html import card_html, plan_html
from .markdown import card_markdown, plan_markdown
from .open_data import card_json, open_data_schema, plan_json
from .plan import validate_plan
from .report_docx import report_docx
from .word_import import ImportResult, import_docx

__all__ = [
    "ExportError", "ImportResult", "PlanError", "UnknownFieldTypeError", "UnknownMarkError",
    "UnknownNodeError", "UnsupportedLanguage", "WordImportError",
    "card_docx", "card_html", "card_json", "card_markdown", "import_docx", "open_data_schema",
    "plan_docx", "plan_html", "plan_json", "plan_markdown", "report_docx", "validate_plan",
]
