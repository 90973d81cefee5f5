"""Durable storage of card documents: an append-only update log plus a compacted snapshot.

The narrow interface (append, load, compact) is all the rest of the engine sees.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pycrdt import merge_updates
from sqlalchemy import delete, func, select

from ..models import CardSnapshot, CardUpdate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class Store:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def append(self, card_id: int, updates: list[bytes]) -> int:
        """Durably append updates (one transaction). Returns the last sequence number."""
        with self.sessions() as session, session.begin():
            rows = [CardUpdate(card_id=card_id, data=u) for u in updates]
            session.add_all(rows)
            session.flush()
            return rows[-1].id

    def append_in(self, session: Session, card_id: int, update: bytes) -> None:
        """Append inside a caller's transaction (card creation: row and seed commit together)."""
        session.add(CardUpdate(card_id=card_id, data=update))

    def load(self, card_id: int) -> tuple[bytes | None, list[bytes], int]:
        """The snapshot, the updates after it, and the last sequence number read."""
        with self.sessions() as session:
            snap = session.get(CardSnapshot, card_id)
            upto = snap.upto if snap else 0
            tail = session.execute(
                select(CardUpdate.id, CardUpdate.data)
                .where(CardUpdate.card_id == card_id, CardUpdate.id > upto)
                .order_by(CardUpdate.id)).all()
        last = tail[-1][0] if tail else upto
        return (snap.data if snap else None), [row[1] for row in tail], last

    def load_state(self, card_id: int) -> bytes | None:
        """Everything stored for the card merged into one update, or None if nothing is."""
        snapshot, tail, _ = self.load(card_id)
        parts = ([snapshot] if snapshot else []) + tail
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else merge_updates(*parts)

    def compact(self, card_id: int, state: bytes, upto: int) -> None:
        """Replace updates up to `upto` by `state` (which must include all of them)."""
        with self.sessions() as session, session.begin():
            snap = session.get(CardSnapshot, card_id)
            if snap is None:
                session.add(CardSnapshot(card_id=card_id, data=state, upto=upto))
            elif upto > snap.upto:
                snap.data, snap.upto = state, upto
            else:
                return
            session.execute(delete(CardUpdate).where(CardUpdate.card_id == card_id, CardUpdate.id <= upto))

    def stored_bytes(self, card_id: int) -> int:
        with self.sessions() as session:
            tail = session.scalar(select(func.coalesce(func.sum(func.length(CardUpdate.data)), 0))
                                  .where(CardUpdate.card_id == card_id)) or 0
            snap = session.get(CardSnapshot, card_id)
            return int(tail) + (len(snap.data) if snap else 0)
