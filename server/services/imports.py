"""Word import as a service: read the file (in a worker), match the lead and co-lead it names to
known organisations, create the card, keep the file's comments as the card's comment threads,
record it; and word the import's report for its reader.

It takes plain values: the API module (server/api/imports.py) takes the upload and its form
apart; the rules (the size limit, the card's settings, the audit record) are here, so a page
or a script can import the same way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Mapping

from exports.i18n import localized
from exports.import_report import COMMENTS_SOURCE, entry, note

import schemas

from ..i18n import translate
from . import cards as card_service
from . import exports as export_service
from . import threads as thread_service
from .organisation_names import CARD_SIDES, name_index

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..collab.documents import Documents
    from ..models import Card, Plan, User

MAX_UPLOAD = 10 * 1024 * 1024  # bytes of .docx accepted; the worker bounds what it unpacks
FSI, PDI = "\u2068", "\u2069"


def card_organisations(session: Session, named: Mapping[str, str], report: list[dict[str, Any]],
                       settings: dict[str, Any]) -> None:
    """Match the organisations a file names (lead, co-lead) to known ones, into `settings`.

    A side the import form already chose keeps the form's choice. Each side's report entry
    says what became of the name: matched (to which organisation) or not matched, with the
    name as written, so nothing the file said is dropped silently.

    Args:
        named: {"lead": name as written, …}, ImportResult.card.
        report: the import's report; the sides' entries are rewritten in place.
        settings: the card settings (card_settings), completed with the matched ids.
    """
    if not named:
        return
    index = name_index(session)
    for position, line in enumerate(report):
        side = line.get("field")
        if side not in named or side not in CARD_SIDES or line.get("status") != "mapped":
            continue
        attribute, kinds = CARD_SIDES[side]
        name = named[side]
        if attribute in settings:
            report[position] = entry(line["source"], side, "ignored", [note("set_in_form", name=name)])
            continue
        found = index.match(name, kinds)
        if found.organisation is not None:
            settings[attribute] = found.organisation.id
            report[position] = entry(line["source"], side, "mapped",
                                     [note("matched", name=name, organisation=found.organisation.names())])
        else:
            report[position] = entry(line["source"], side, "not_matched", [note(found.outcome, name=name)])


def _note_values(value: Any, spec: dict[str, Any] | None, lang: str) -> Any:
    """A note's value as the reader reads it: names in their language, option ids as labels.

    Text (a name as written, a cell, names of columns) is isolated (U+2068…U+2069): a French
    name inside an Arabic sentence, or the reverse, keeps its place and its punctuation.
    """
    if isinstance(value, dict):
        value = localized(value, lang)
    elif isinstance(value, list):
        options = {o["id"]: o for o in (spec or {}).get("options", [])}
        words = [schemas.label(options[v], lang) if v in options else str(v) for v in value]
        return translate("list.separator", lang).join(words) or translate("import.none", lang)
    return f"{FSI}{value}{PDI}" if isinstance(value, str) else value


def worded_report(template: dict[str, Any], report: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The import report as its reader reads it, in `lang`.

    Each entry keeps its keys (`field` stays the field id, for programs) and gains `label`, the
    field's label in `lang` (None when the entry names no field), `status_text`, and `message`,
    its notes in `lang`; an entry's `source` is what the file says, except the one about Word
    comments left out, worded in `lang` too. Nothing of it is an internal id.
    """
    fields = {f["id"]: f for f in template["fields"]}
    worded = []
    for line in report:
        spec = fields.get(line.get("field") or "")
        messages = [translate(f"import.note.{n['key']}", lang,
                              **{k: _note_values(v, spec, lang) for k, v in n.items() if k != "key"})
                    for n in line.get("notes") or []]
        source = line.get("source", "")
        source_note = line.get("source_note")
        if source_note and source_note.get("key") == COMMENTS_SOURCE:
            source = translate(f"import.note.{COMMENTS_SOURCE}", lang, n=source_note.get("n", 0))
        worded.append({**line, "source": source,
                       "label": schemas.label(spec, lang) if spec is not None else None,
                       "status_text": translate(f"import.{line.get('status')}", lang),
                       "message": translate("import.note_separator", lang).join(messages)})
    return worded


def report_text(report: list[dict[str, Any]]) -> str:
    """A worded report (`worded_report`) as plain lines: label, what the file said, result."""
    return "\n".join(" — ".join(part for part in (line["label"] or "", line["source"], line["status_text"],
                                                 line["message"]) if part) for line in report)


def keep_comments(session: Session, documents: Documents, card: Card, actor: User,
                  comments: list[dict[str, Any]]) -> int:
    """Make the Word comments of an imported file the new card's comment threads.

    Returns:
        How many comments (with their replies) were kept.
    """
    if not comments:
        return 0
    return thread_service.import_threads(session, documents, card, actor, comments,
                                         documents.read_in(session, card.id))


def import_card(session: Session, documents: Documents, actor: User, plan: Plan, data: bytes,
                filename: str, *, number: str | None = None, axis_id: int | None = None,
                lead_org_id: int | None = None, co_lead_org_id: int | None = None,
                ) -> tuple[Card, list[dict[str, Any]], dict[str, int]]:
    """Create a card of `plan` from a Word file, with the file's comments as its threads.

    Args:
        number, axis_id, lead_org_id, co_lead_org_id: the new card's settings, as for
            `cards.create_card` (None: the next number, no axis, no lead or co-lead).

    Returns:
        The new card (not committed), the import report (its lead and co-lead entries saying
        what they matched; `worded_report` words it for a reader), and the file's comments counted:
        {"found": in the file, "kept": made into threads}.

    Raises:
        exports.WordImportError: what is wrong with the file ("too_large" over MAX_UPLOAD).
        offload.OffloadError: the worker failed.
        Invalid, Conflict: the card's settings.
    """
    settings = {key: value for key, value in (("number", number), ("axis_id", axis_id),
                                              ("lead_org_id", lead_org_id), ("co_lead_org_id", co_lead_org_id))
                if value is not None}
    result = export_service.read_word(export_service.template_for(plan), data, max_bytes=MAX_UPLOAD)
    card_organisations(session, result.card, result.report, settings)
    card = card_service.create_card(session, documents, actor, plan, {**settings, "fields": result.values})
    kept = keep_comments(session, documents, card, actor, result.comments)
    export_service.record_import(session, actor, card, filename, result.report, comments=kept)
    return card, result.report, {"found": len(result.comments), "kept": kept}
