"""Read and edit card documents from outside a socket: the API, imports, the demo seeder.

A document that has a live room is read from and written through that room, so people
editing it see the change at once; otherwise it is loaded from the store for the call.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Callable

from pycrdt import Doc
from sqlalchemy.exc import SQLAlchemyError

from ..content import layout
from .errors import Unavailable
from .protocol import EMPTY_UPDATE
from .room import draft

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .registry import Rooms
    from .store import Store


class DocumentNotFound(LookupError):
    """No stored state for this card: it was never seeded."""


class Documents:
    def __init__(self, store: Store, rooms: Rooms | None = None) -> None:
        self.store = store
        self.rooms = rooms  # the live room registry, when the collaboration engine runs

    def seed_new(self, session: Session, card_id: int, template: dict[str, Any],
                 fill: Callable[[Doc], None] | None = None) -> None:
        """Seed a new card's document inside the transaction that creates the card row.

        `fill` may add initial content (an import, demo data); it becomes part of the same
        first update. Seeding happens exactly once: a card with stored history is refused.
        """
        if self.store.load_state(card_id) is not None:
            raise RuntimeError(f"Card {card_id} already has a document; it is never re-seeded.")
        doc = Doc()
        layout.seed(doc, template)
        if fill is not None:
            fill(doc)
        self.store.append_in(session, card_id, doc.get_update())

    def read_in(self, session: Session, card_id: int) -> Doc:
        """The document of a card created in `session`'s transaction, not yet committed (an
        import anchors the file's comments on it before the card and its threads commit together).
        """
        from sqlalchemy import select

        from ..models import CardUpdate

        session.flush()
        doc = Doc()
        for (update,) in session.execute(select(CardUpdate.data).where(CardUpdate.card_id == card_id)
                                         .order_by(CardUpdate.id)):
            doc.apply_update(update)
        return doc

    def state(self, card_id: int) -> bytes:
        """The card's current document as one update (the live one's when it is loaded).

        Raises:
            DocumentNotFound: nothing is stored for the card.
        """
        state = None
        if self.rooms is not None:
            state = self.rooms.current_state(card_id)
        if state is None:
            state = self.store.load_state(card_id)
        if state is None:
            raise DocumentNotFound(card_id)
        return state

    def read(self, card_id: int) -> Doc:
        """A private copy of the card's current document (the live one when it is loaded).

        Raises:
            DocumentNotFound: nothing is stored for the card.
        """
        doc = Doc()
        doc.apply_update(self.state(card_id))
        return doc

    def edit(self, card_id: int, change: Callable[[Doc], None]) -> None:
        """Apply `change` to the card's document and make it durable before returning.

        When a live room holds the card, the change goes through it (members see it at once).
        Otherwise it is written to the store. Both happen under the card's load lock, so a
        room cannot load (and miss the change) or unload (and drop it) meanwhile. Other server
        processes holding the card hear of it through the replicator.

        Raises:
            DocumentNotFound: nothing is stored for the card.
            Unavailable: (live room) the change is applied in memory but not saved yet;
                (no live room) the database is unreachable and nothing was written.
        """
        if self.rooms is None:
            self._edit_stored(card_id, change)
            return
        # The lock also keeps the room from unloading between the check and the edit.
        with self.rooms.card_lock(card_id):
            if self.rooms.edit_if_loaded(card_id, change):
                return
            update = self._edit_stored(card_id, change)
            if update is not None and self.rooms.replicator is not None:
                self.rooms.replicator.publish(card_id, "u", update)

    def _edit_stored(self, card_id: int, change: Callable[[Doc], None]) -> bytes | None:
        """Apply `change` to a private copy of the stored document and append what it made.

        All or nothing: a `change` that raises leaves the store untouched (the copy is
        dropped), and the update is appended in one transaction.

        Raises:
            DocumentNotFound: nothing is stored for the card.
            Unavailable: the store could not be read or written; nothing was written.
            Exception: whatever `change` raises.
        """
        try:
            state = self.store.load_state(card_id)
        except SQLAlchemyError as exc:
            raise Unavailable("The card's document could not be read; try again shortly.") from exc
        if state is None:
            raise DocumentNotFound(card_id)
        doc = Doc()
        doc.apply_update(state)
        update = draft(doc, change, layout.SERVER_ORIGIN)
        if update == EMPTY_UPDATE:
            return None
        try:
            self.store.append(card_id, [update])
        except SQLAlchemyError as exc:
            raise Unavailable("The change could not be saved; nothing was written. Try again shortly.") from exc
        return update
