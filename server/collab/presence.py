"""Awareness (presence) for one room, with the user fields taken from the server's records.

Clients send standard y-protocols awareness updates. Each entry (Yjs client id, clock, JSON
state) is accepted only from the connection that first used that client id, and its `user`
field is replaced by the identity the server knows for that connection, so nobody can appear
under another person's name, organisation or colour.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pycrdt import write_var_uint

from .errors import AwarenessRefused, MalformedMessage
from .protocol import Reader

MAX_STATE_BYTES = 16 * 1024  # one client's presence JSON (cursor, selection, user)
# States not renewed for this long are dropped (y-protocols clients renew every 15 s).
OUTDATED_SECONDS = 60.0

Triple = tuple[int, int, str]  # client id, clock, JSON state


@dataclass
class Entry:
    clock: int
    state: str  # JSON text; "null" once the client is gone
    owner: str | None  # connection id, "remote" for another process, None once released
    seen: float


def _decode(payload: bytes) -> list[Triple]:
    reader = Reader(payload)
    count = reader.var_uint()
    if count > len(payload):
        raise MalformedMessage("Awareness update claims more entries than it has bytes.")
    entries = [(reader.var_uint(), reader.var_uint(), reader.var_string()) for _ in range(count)]
    reader.end()
    return entries


def encode(entries: list[Triple]) -> bytes:
    """Encode entries as one y-protocols awareness update.

    Written by hand because the string length must be counted in UTF-8 bytes (pycrdt's
    Encoder counts characters, which breaks on Arabic names).
    """
    out = [write_var_uint(len(entries))]
    for client_id, clock, state in entries:
        data = state.encode("utf-8")
        out += [write_var_uint(client_id), write_var_uint(clock), write_var_uint(len(data)), data]
    return b"".join(out)


class Presence:
    """The awareness states of one card's room. Not thread-safe: the room's lock guards it."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}

    def apply(self, owner: str, payload: bytes, identity: dict[str, Any]) -> list[Triple]:
        """Take an awareness update from a connection.

        Args:
            owner: the connection's id.
            payload: the awareness update (the frame's payload).
            identity: the `user` object others must see for this connection.

        Returns:
            The rewritten entries to relay (client id, clock, state); `encode` them.

        Raises:
            MalformedMessage: not a well-formed awareness update, or a state that is not a
                JSON object or null, or too big.
            AwarenessRefused: it names a client id another connection owns.
        """
        accepted = []
        parsed = _decode(payload)
        for client_id, _clock, _state in parsed:
            entry = self.entries.get(client_id)
            if entry is not None and entry.owner not in (None, owner):
                raise AwarenessRefused()
        for client_id, clock, state in parsed:
            text = self._sanitise(state, identity)
            self._store(client_id, clock, text, owner)
            accepted.append((client_id, self.entries[client_id].clock, text))
        return accepted

    def apply_trusted(self, payload: bytes) -> list[Triple]:
        """Take an already rewritten update relayed by another server process."""
        accepted = []
        for client_id, clock, state in _decode(payload):
            if self._store(client_id, clock, state, "remote"):
                accepted.append((client_id, clock, state))
        return accepted

    def release(self, owner: str) -> list[Triple]:
        """Remove every state a departing connection owned.

        Returns:
            The removal entries to relay (empty if it owned none).
        """
        removed = []
        for client_id, entry in self.entries.items():
            if entry.owner == owner:
                entry.clock += 1
                entry.state = "null"
                entry.owner = None  # a reconnecting client may claim its id again
                removed.append((client_id, entry.clock, "null"))
        return removed

    def snapshot(self) -> bytes | None:
        """Every live state, for a joining client (None when nobody is present)."""
        now = time.monotonic()
        live = [(cid, e.clock, e.state) for cid, e in self.entries.items()
                if e.state != "null" and now - e.seen < OUTDATED_SECONDS]
        return encode(live) if live else None

    def _sanitise(self, state: str, identity: dict[str, Any]) -> str:
        if len(state) > MAX_STATE_BYTES:
            raise MalformedMessage(f"An awareness state is limited to {MAX_STATE_BYTES} bytes.")
        try:
            value = json.loads(state) if state else None
        except ValueError:
            raise MalformedMessage("An awareness state is not JSON.") from None
        if value is None:
            return "null"
        if not isinstance(value, dict):
            raise MalformedMessage("An awareness state must be a JSON object or null.")
        value["user"] = identity
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def _store(self, client_id: int, clock: int, state: str, owner: str) -> bool:
        entry = self.entries.get(client_id)
        now = time.monotonic()
        holder = None if state == "null" else owner
        if entry is None:
            self.entries[client_id] = Entry(clock, state, holder, now)
            return True
        if owner == "remote":
            # Another process already ordered these clocks: apply them as y-protocols does.
            if clock > entry.clock or (clock == entry.clock and state == "null" and entry.state != "null"):
                entry.clock, entry.state, entry.owner, entry.seen = clock, state, holder, now
                return True
            return False
        # The owning connection is always heard. The clock relayed is kept increasing for the
        # receivers even when a reconnecting client restarts its own.
        entry.clock = max(clock, entry.clock + 1)
        entry.state, entry.owner, entry.seen = state, holder, now
        return True
