"""The loaded rooms of one server process: get-or-load, unload, and the way in for others.

One load in flight per card: loading, joining and unloading a card all hold that card's lock,
and so does `Documents.edit` when it writes to the store directly, so an edit can never fall
between a room's read of the store and its first member. A room is unloaded `grace` seconds
after its last member left, and only once nothing in it is unsaved.
"""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Iterator

from ..content.layout import SERVER_ORIGIN
from .errors import Unavailable
from .room import Room, Window

if TYPE_CHECKING:
    from pycrdt import Doc

    from .access import Member
    from .room import Replicator, Transport
    from .store import Store

log = logging.getLogger(__name__)


class Rooms:
    def __init__(self, store: Store, transport: Transport, *, spawn: Callable[[Callable[[], None]], Any],
                 window: Window | None = None, grace: float = 30.0, compact_rows: int = 500,
                 ack_timeout: float = 10.0) -> None:
        self.store = store
        self.transport = transport
        self.spawn = spawn
        self.window = window or Window()
        self.grace = grace
        self.compact_rows = compact_rows
        self.ack_timeout = ack_timeout
        self.replicator: Replicator | None = None
        self._rooms: dict[int, Room] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()
        self._loading: dict[int, list[tuple[str, bytes]]] = {}

    @contextmanager
    def card_lock(self, card_id: int) -> Iterator[None]:
        """Hold card `card_id`'s load lock."""
        with self._guard:
            lock = self._locks.setdefault(card_id, threading.Lock())
        with lock:
            yield

    def get(self, card_id: int) -> Room | None:
        return self._rooms.get(card_id)

    # -- members ---------------------------------------------------------------------------

    def join(self, card_id: int, conn_id: str, member: Member) -> list[bytes]:
        """Load the card if needed and add a connection to its room.

        Returns:
            The frames to send the new member first.

        Raises:
            UnknownCard: the card has no document.
            Unavailable: the database could not be read; nothing is left loaded.
        """
        with self.card_lock(card_id):
            room = self._rooms.get(card_id)
            if room is None:
                room = self._load(card_id)
            return room.join(conn_id, member)

    def leave(self, card_id: int, conn_id: str) -> None:
        """Remove a connection; schedule the unload when it was the last one."""
        room = self._rooms.get(card_id)
        if room is None:
            return
        room.leave(conn_id)
        if not room.members:
            self.spawn(lambda: self._unload_later(card_id))

    def _load(self, card_id: int) -> Room:
        with self._guard:
            self._loading[card_id] = []
        try:
            room = Room.load(card_id, self.store, self.transport, spawn=self.spawn, window=self.window,
                             compact_rows=self.compact_rows, replicator=self.replicator)
        except Exception as exc:
            with self._guard:
                self._loading.pop(card_id, None)
            if hasattr(exc, "ack"):
                raise
            log.warning("card %s could not be loaded (%s)", card_id, exc.__class__.__name__)
            raise Unavailable("The card's document could not be read; try again shortly.") from exc
        with self._guard:
            # Updates other processes sent while we were reading the store.
            for kind, payload in self._loading.pop(card_id, []):
                room.apply_remote(kind, payload)
            self._rooms[card_id] = room
        room.start()
        return room

    def _unload_later(self, card_id: int) -> None:
        time.sleep(self.grace)
        self.try_unload(card_id)

    def try_unload(self, card_id: int) -> bool:
        """Unload the room if it has no member and nothing unsaved.

        Returns:
            True if it was unloaded (or was not loaded).
        """
        with self.card_lock(card_id):
            room = self._rooms.get(card_id)
            if room is None:
                return True
            if room.members:
                return False
            room.flush()
            if room.unsaved:
                # The database is down: keep the document in memory and try again later.
                self.spawn(lambda: self._unload_later(card_id))
                return False
            room.close()
            with self._guard:
                del self._rooms[card_id]
        if room.compact_rows and self.store.log_rows(card_id) > 1:
            room.compact()
        return True

    def close_all(self) -> None:
        """Flush and close every room (process shutdown)."""
        for card_id in list(self._rooms):
            room = self._rooms[card_id]
            room.flush()
            room.close()

    # -- the way in for Documents and other processes ---------------------------------------

    def current_state(self, card_id: int) -> bytes | None:
        """The live document as one update, or None if the card is not loaded here."""
        room = self._rooms.get(card_id)
        return room.state() if room is not None else None

    def edit_if_loaded(self, card_id: int, change: Callable[[Doc], None]) -> bool:
        """Apply `change` through the live room, if there is one, and wait until it is durable.

        The caller holds `card_lock(card_id)` (Documents.edit does), so the room stays loaded.

        Returns:
            False when the card is not loaded here (the caller writes to the store).

        Raises:
            Unavailable: the change is applied and held in memory but not saved yet.
        """
        room = self._rooms.get(card_id)
        if room is None:
            return False
        seq = room.edit(change, SERVER_ORIGIN)
        room.wait_durable(seq, self.ack_timeout)
        return True

    def on_remote(self, card_id: int, kind: str, payload: bytes) -> None:
        """An update or presence change accepted by another process."""
        with self._guard:
            if card_id in self._loading:
                self._loading[card_id].append((kind, payload))
                return
            room = self._rooms.get(card_id)
        if room is not None:
            room.apply_remote(kind, payload)

    def catch_up(self) -> None:
        """Re-read every loaded card from the store (after messages from others were lost)."""
        for card_id, room in list(self._rooms.items()):
            try:
                stored = self.store.load_state(card_id)
            except Exception as exc:
                log.warning("card %s: catch-up read failed (%s)", card_id, exc.__class__.__name__)
                continue
            if stored is not None:
                room.catch_up(stored)
