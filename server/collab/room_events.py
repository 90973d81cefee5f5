"""Room events: live news about a card other than document updates, on every server process.

Services call server/services/live.py after a commit; this module turns each call into events,
hands them at once to this process's `Connections` (server/collab/connections.py; so an edit
sent right after the answer is already judged by the new rights) and publishes them for the
other processes, whose replicator hands them to their own. One event is `{"kind": KIND, ...}`:

| kind          | channel              | payload                 | what receivers do                       |
|---------------|----------------------|-------------------------|-----------------------------------------|
| `rights`      | the card's channel   | `user`: id or null      | re-decide those members of the card now |
| `credentials` | the accounts channel | `user`: id              | re-check that user's open connections   |
| `thread_*`    | the card's channel   | `thread`: the thread    | pass it on to every member on the card  |
| `approval`    | the card's channel   | `change`: what changed  | pass it on to every member on the card  |

The thread kinds are THREAD_KINDS (created, a comment added, edited or deleted, resolved,
reopened); `approval` says the card's sign-offs, versions or blocking threads changed (its
`change` one of APPROVAL_CHANGES), and pages read their approval section again. Status
changes ride on `rights` (docs/protocol.md, "Room events").
"""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Protocol
from collections.abc import Callable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

RIGHTS = "rights"
CREDENTIALS = "credentials"
THREAD_KINDS = ("thread_created", "comment_added", "comment_edited", "comment_deleted",
                "thread_resolved", "thread_reopened")
APPROVAL = "approval"
APPROVAL_CHANGES = ("signed", "withdrawn", "version", "blocking")
KINDS = (RIGHTS, CREDENTIALS, APPROVAL, *THREAD_KINDS)
MAX_EVENT_BYTES = 64 * 1024  # what a received event may weigh; anything larger is ignored


class Receiver(Protocol):
    """What handles events on one process (`Connections`, server/collab/connections.py)."""

    def card_event(self, card_id: int, event: dict[str, Any]) -> None: ...

    def thread_event(self, card_id: int, event: dict[str, Any]) -> None: ...

    def approval_event(self, card_id: int, event: dict[str, Any]) -> None: ...

    def account_event(self, event: dict[str, Any]) -> None: ...


class Publisher(Protocol):
    """Where events for the other processes go (Redis, when configured)."""

    def publish_event(self, card_id: int | None, payload: bytes) -> None: ...


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def decode(payload: bytes) -> dict[str, Any] | None:
    """An event from another process, or None when it is not one we know."""
    if len(payload) > MAX_EVENT_BYTES:
        return None
    try:
        event = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("kind") not in KINDS:
        return None
    if event["kind"] in THREAD_KINDS:
        return event if isinstance(event.get("thread"), dict) else None
    if event["kind"] == APPROVAL:
        return {"kind": APPROVAL, "change": event["change"]} if event.get("change") in APPROVAL_CHANGES else None
    user = event.get("user")
    if user is not None and (not isinstance(user, int) or isinstance(user, bool)):
        return None
    return event


class RoomEvents:
    """The engine side of server/services/live.py.

    Args:
        receiver: this process's connections.
        cards_of_plan: plan id -> the ids of its cards (a database query; called inside the
            request that made the change).
    """

    def __init__(self, receiver: Receiver, cards_of_plan: Callable[[int], list[int]]) -> None:
        self.receiver = receiver
        self.cards_of_plan = cards_of_plan
        self.publisher: Publisher | None = None

    def rights_changed(self, *, card_ids: list[int], plan_id: int | None = None,
                       user_id: int | None = None) -> None:
        cards = set(card_ids)
        if plan_id is not None:
            cards.update(self.cards_of_plan(plan_id))
        event = {"kind": RIGHTS, "user": user_id}
        for card_id in sorted(cards):
            self._deliver(lambda card=card_id: self.receiver.card_event(card, event))
            self._publish(card_id, event)

    def thread_event(self, card_id: int, kind: str, thread: dict[str, Any]) -> None:
        if kind not in THREAD_KINDS:
            raise ValueError(f"Unknown thread event {kind!r}")
        event = {"kind": kind, "thread": thread}
        self._deliver(lambda: self.receiver.thread_event(card_id, event))
        if len(encode(event)) <= MAX_EVENT_BYTES:
            self._publish(card_id, event)
        else:  # the other processes' members re-read the thread list instead
            self._publish(card_id, {"kind": kind, "thread": {"id": thread["id"], "card_id": card_id}})

    def approval_changed(self, card_id: int, change: str) -> None:
        if change not in APPROVAL_CHANGES:
            raise ValueError(f"Unknown approval change {change!r}")
        event = {"kind": APPROVAL, "change": change}
        self._deliver(lambda: self.receiver.approval_event(card_id, event))
        self._publish(card_id, event)

    def credentials_revoked(self, user_id: int) -> None:
        event = {"kind": CREDENTIALS, "user": user_id}
        self._deliver(lambda: self.receiver.account_event(event))
        self._publish(None, event)

    # -- from the other processes ---------------------------------------------------------

    def remote_card_event(self, card_id: int, payload: bytes) -> None:
        event = decode(payload)
        if event is not None and event["kind"] == RIGHTS:
            self._deliver(lambda: self.receiver.card_event(card_id, event))
        elif event is not None and event["kind"] in THREAD_KINDS:
            self._deliver(lambda: self.receiver.thread_event(card_id, event))
        elif event is not None and event["kind"] == APPROVAL:
            self._deliver(lambda: self.receiver.approval_event(card_id, event))

    def remote_account_event(self, payload: bytes) -> None:
        event = decode(payload)
        if event is not None and event["kind"] == CREDENTIALS and event.get("user") is not None:
            self._deliver(lambda: self.receiver.account_event(event))

    def _publish(self, card_id: int | None, event: dict[str, Any]) -> None:
        if self.publisher is not None:
            self.publisher.publish_event(card_id, encode(event))

    @staticmethod
    def _deliver(handle: Callable[[], None]) -> None:
        # The change is committed: a failure to tell connections must not turn the answer
        # into an error. The periodic re-check is the backstop.
        try:
            handle()
        except Exception:
            log.exception("a room event could not be handled; the periodic re-check will catch up")


def plan_cards(session_factory: Callable[[], Session]) -> Callable[[int], list[int]]:
    """`cards_of_plan` reading the database."""
    def cards_of_plan(plan_id: int) -> list[int]:
        from sqlalchemy import select

        from ..models import Card

        session = session_factory()
        return list(session.scalars(select(Card.id).where(Card.plan_id == plan_id)))
    return cards_of_plan
