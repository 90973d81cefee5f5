"""Durable storage of card documents: an append-only update log plus a compacted state.

The narrow interface (append, load, compact) is all the rest of the engine sees.

Loading reads the compacted state and *every* log row still present, not only rows numbered after
the compacted state: on PostgreSQL, sequence numbers are taken at insert time but rows become
visible at commit, so a row with a lower number can appear after a higher one was read.
Compaction therefore deletes exactly the rows it folded in, never "everything up to n".
Applying an update twice is harmless, so a row that is both in the compacted state and still in
the log (never the case after a committed compaction) would cost nothing but time.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from pycrdt import Doc, merge_updates
from sqlalchemy import delete, func, select, update

from ..models import CompactedState, CardUpdate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

# First key of the PostgreSQL advisory lock taken by compaction; the second is the card id.
COMPACTION_LOCK = 0x494C545A  # "ILTZ"
DELETE_CHUNK = 500


class Store:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def append(self, card_id: int, updates: list[bytes]) -> int:
        """Durably append updates in one transaction.

        Args:
            card_id: the card.
            updates: Yjs updates, in order.

        Returns:
            The sequence number of the last row written.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: the database refused or is unreachable; nothing
                was written.
        """
        with self.sessions() as session, session.begin():
            rows = [CardUpdate(card_id=card_id, data=u) for u in updates]
            session.add_all(rows)
            session.flush()
            return rows[-1].id

    def append_in(self, session: Session, card_id: int, update: bytes) -> None:
        """Append inside a caller's transaction (card creation: row and seed commit together)."""
        session.add(CardUpdate(card_id=card_id, data=update))

    def load(self, card_id: int) -> tuple[bytes | None, list[bytes]]:
        """The compacted state (or None) and every log row still stored, oldest first."""
        with self.sessions() as session:
            compacted = session.get(CompactedState, card_id)
            tail = session.scalars(select(CardUpdate.data).where(CardUpdate.card_id == card_id)
                                   .order_by(CardUpdate.id)).all()
            return (compacted.data if compacted else None), list(tail)

    def load_state(self, card_id: int) -> bytes | None:
        """Everything stored for the card merged into one update, or None if nothing is."""
        compacted, tail = self.load(card_id)
        parts = ([compacted] if compacted else []) + tail
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else merge_updates(*parts)

    def compact(self, card_id: int) -> bool:
        """Fold the card's log into its compacted state, if no other process is doing it.

        The new compacted state is computed from what is stored, never from a room's memory, so a
        replica that missed an update cannot drop it. One writer at a time: on PostgreSQL a
        transaction-scoped advisory lock (others skip), on SQLite the database write lock,
        taken before reading (others wait for it).

        Returns:
            True if a compacted state was written, False if there was nothing to do or another
            process holds the lock.
        """
        with self.sessions() as session, session.begin():
            if not self._lock(session, card_id):
                return False
            compacted = session.get(CompactedState, card_id)
            rows = session.execute(select(CardUpdate.id, CardUpdate.data)
                                   .where(CardUpdate.card_id == card_id).order_by(CardUpdate.id)).all()
            if not rows or (compacted is None and len(rows) == 1):
                return False
            doc = Doc()
            if compacted is not None:
                doc.apply_update(compacted.data)
            doc.apply_update(merge_updates(*(row.data for row in rows)))
            # Encoding from a Doc (not merge_updates) garbage-collects deleted content.
            state = doc.get_update()
            upto = max(row.id for row in rows)
            if compacted is None:
                session.add(CompactedState(card_id=card_id, data=state, upto=upto))
            else:
                compacted.data, compacted.upto = state, max(upto, compacted.upto)
            ids = [row.id for row in rows]
            for i in range(0, len(ids), DELETE_CHUNK):
                session.execute(delete(CardUpdate).where(CardUpdate.card_id == card_id,
                                                         CardUpdate.id.in_(ids[i:i + DELETE_CHUNK])))
            return True

    def _lock(self, session: Session, card_id: int) -> bool:
        if session.get_bind().dialect.name == "postgresql":
            return bool(session.scalar(select(func.pg_try_advisory_xact_lock(COMPACTION_LOCK, card_id))))
        # SQLite: a write as the first statement takes the database write lock now, so the
        # rows read below cannot change before the deletes.
        session.execute(update(CompactedState).where(CompactedState.card_id == card_id)
                        .values(upto=CompactedState.upto))
        return True

    def log_rows(self, card_id: int) -> int:
        """How many log rows the card has (for tests and the benchmark)."""
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(CardUpdate)
                                  .where(CardUpdate.card_id == card_id)) or 0

    def stored_bytes(self, card_id: int) -> tuple[int, int]:
        """(compacted state bytes, log bytes) stored for the card."""
        with self.sessions() as session:
            tail = session.scalar(select(func.coalesce(func.sum(func.length(CardUpdate.data)), 0))
                                  .where(CardUpdate.card_id == card_id)) or 0
            compacted = session.get(CompactedState, card_id)
            return (len(compacted.data) if compacted else 0), int(tail)
