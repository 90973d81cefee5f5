"""What the services tell the live co-editing engine once a change is committed.

Services never import the engine: they call these functions after `session.commit()`, and the
engine (server/collab/room_events.py), when it runs in this app, carries the news to every
server process holding an affected card, which re-decides its open connections at once
(docs/protocol.md, "Room events"). Without the engine (the CLI, some tests) they do nothing.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable

from flask import current_app, has_app_context


def _events() -> Any:
    if not has_app_context():
        return None
    return current_app.extensions.get("iltizam.room_events")


def rights_changed(*, card_ids: Iterable[int] = (), plan_id: int | None = None,
                   user_id: int | None = None) -> None:
    """Rights on some cards changed (a role granted or removed, a card changed status).

    Args:
        card_ids: the cards concerned.
        plan_id: every card of this plan is concerned (a plan role changed).
        user_id: only this user's connections need re-deciding; None for everyone's.
    """
    events = _events()
    if events is not None:
        events.rights_changed(card_ids=list(card_ids), plan_id=plan_id, user_id=user_id)


def credentials_revoked(user_id: int) -> None:
    """A user's sessions or tokens ended (logout, password change, token revoked, account removed).

    Every open connection of that user is checked against its credentials again and closed
    when they no longer hold.
    """
    events = _events()
    if events is not None:
        events.credentials_revoked(user_id)


def thread_event(card_id: int, kind: str, thread: dict[str, Any]) -> None:
    """A comment thread of the card changed (`kind`: one of room_events.THREAD_KINDS).

    Everyone connected to the card, on every process, receives `{"kind": kind, "thread": ...}`.
    """
    events = _events()
    if events is not None:
        events.thread_event(card_id, kind, thread)


def approval_changed(card_id: int, change: str) -> None:
    """The card's sign-offs, versions or blocking threads changed (`change`: one of
    room_events.APPROVAL_CHANGES).

    Everyone connected to the card, on every process, receives `{"kind": "approval", "change": ...}`.
    """
    events = _events()
    if events is not None:
        events.approval_changed(card_id, change)
