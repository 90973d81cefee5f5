"""Read and edit card documents from outside a socket: the API, imports, the demo seeder.

A document that has a live room is read from and written through that room, so people
editing it see the change at once; otherwise it is loaded from the store for the call.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from pycrdt import Doc

from ..content import layout

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .store import Store


class DocumentNotFound(LookupError):
    """No stored state for this card: it was never seeded."""


class Documents:
    def __init__(self, store: Store, rooms: Any = None) -> None:
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

    def read(self, card_id: int) -> Doc:
        """A private copy of the card's current document."""
        state = None
        if self.rooms is not None:
            state = self.rooms.current_state(card_id)
        if state is None:
            state = self.store.load_state(card_id)
        if state is None:
            raise DocumentNotFound(card_id)
        doc = Doc()
        doc.apply_update(state)
        return doc

    def edit(self, card_id: int, change: Callable[[Doc], None]) -> None:
        """Apply `change` to the card's document and make it durable before returning."""
        if self.rooms is not None and self.rooms.edit_if_loaded(card_id, change):
            return
        doc = self.read(card_id)
        before = doc.get_state()
        change(doc)
        update = doc.get_update(before)
        self.store.append(card_id, [update])
