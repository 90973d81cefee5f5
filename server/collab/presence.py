"""Awareness (presence) for one room, with the user fields taken from the server's records.

Clients send standard y-protocols awareness updates. Each entry (Yjs client id, clock, JSON
state) is accepted only from the connection that first used that client id, and its `user`
field is replaced by the identity the server knows for that connection, so nobody can appear
under another person's name, organisation or colour.

Presence is open to read-only members too, so it is bounded against one of them flooding the
room: a few client ids per connection, a small state, a frame rate per connection (a token
bucket), and a ceiling on the room's total; states must be plain JSON (no NaN or Infinity,
which y-protocols clients cannot parse). Released and outdated states are forgotten.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pycrdt import write_var_uint

from .errors import AwarenessRefused, MalformedMessage, PresenceLimit
from .protocol import Reader

# One client's presence JSON (cursor, selection, field); the editor's are under 300 bytes.
MAX_STATE_BYTES = 4 * 1024
# A browser tab uses one Yjs client id per card; a reload or a second editor may add one.
MAX_CLIENTS_PER_CONNECTION = 4
# Frames a connection may send per second on average, and in one burst (a cursor update
# with every keystroke of a fast typist stays well inside).
RATE_PER_SECOND = 30.0
BURST = 60.0
# Every live state of one room together (1,300 members with a cursor each is about 400 KB).
MAX_ROOM_BYTES = 2 * 1024 * 1024
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


def _refuse_constant(name: str) -> Any:
    raise MalformedMessage(f"An awareness state may not contain {name} (it is not JSON).")


@dataclass
class Bucket:
    """A connection's allowance of presence frames (token bucket)."""

    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(BURST, self.tokens + (now - self.at) * RATE_PER_SECOND)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Presence:
    """The awareness states of one card's room. Not thread-safe: the room's lock guards it."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self.buckets: dict[str, Bucket] = {}
        self.total = 0  # bytes of every live state

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
            PresenceLimit: too many frames from this connection, too many client ids for
                it, or the room's presence is full. Nothing is applied.
        """
        now = time.monotonic()
        bucket = self.buckets.setdefault(owner, Bucket(BURST, now))
        if not bucket.take(now):
            raise PresenceLimit("Too many presence updates; slow down.")
        parsed = _decode(payload)
        if len(parsed) > MAX_CLIENTS_PER_CONNECTION:
            raise PresenceLimit(f"At most {MAX_CLIENTS_PER_CONNECTION} presence entries per connection.")
        for client_id, _clock, _state in parsed:
            entry = self.entries.get(client_id)
            if entry is not None and entry.owner not in (None, owner):
                raise AwarenessRefused()
        texts = [(client_id, clock, self._sanitise(state, identity)) for client_id, clock, state in parsed]
        held = {cid for cid, e in self.entries.items() if e.owner == owner}
        new = {cid for cid, _c, text in texts if text != "null"} - held
        if len(held) + len(new) > MAX_CLIENTS_PER_CONNECTION:
            raise PresenceLimit(f"At most {MAX_CLIENTS_PER_CONNECTION} presence entries per connection.")
        growth = sum(len(text) - self._size(cid) for cid, _c, text in texts)
        if growth > 0 and self.total + growth > MAX_ROOM_BYTES:
            self.forget_outdated(now)
            if self.total + growth > MAX_ROOM_BYTES:
                raise PresenceLimit("This card's presence is full; try again later.")
        accepted = []
        for client_id, clock, text in texts:
            self._store(client_id, clock, text, owner)
            accepted.append((client_id, self.entries[client_id].clock, text))
        return accepted

    def forget_outdated(self, now: float | None = None) -> None:
        """Drop states released or not renewed for OUTDATED_SECONDS (receivers have dropped
        them too: y-protocols clients time out states they do not hear renewed)."""
        now = time.monotonic() if now is None else now
        for client_id in [cid for cid, e in self.entries.items() if now - e.seen >= OUTDATED_SECONDS]:
            self._set_size(client_id, 0)
            del self.entries[client_id]

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
        now = time.monotonic()
        self.buckets.pop(owner, None)
        for client_id, entry in self.entries.items():
            if entry.owner == owner:
                self._set_size(client_id, 0)
                entry.clock += 1
                entry.state = "null"
                entry.owner = None  # a reconnecting client may claim its id again
                entry.seen = now
                removed.append((client_id, entry.clock, "null"))
        self.forget_outdated(now)
        return removed

    def snapshot(self) -> bytes | None:
        """Every live state, for a joining client (None when nobody is present)."""
        now = time.monotonic()
        self.forget_outdated(now)
        live = [(cid, e.clock, e.state) for cid, e in self.entries.items()
                if e.state != "null" and now - e.seen < OUTDATED_SECONDS]
        return encode(live) if live else None

    def worn(self) -> list[tuple[int, str]]:
        """(user id, colour) of every live state, those relayed by other processes included."""
        worn = []
        for entry in self.entries.values():
            if entry.state == "null":
                continue
            try:
                user = json.loads(entry.state).get("user")
            except (ValueError, AttributeError):
                continue
            if isinstance(user, dict) and isinstance(user.get("id"), int) and isinstance(user.get("color"), str):
                worn.append((user["id"], user["color"]))
        return worn

    def _sanitise(self, state: str, identity: dict[str, Any]) -> str:
        if len(state) > MAX_STATE_BYTES or len(state.encode("utf-8")) > MAX_STATE_BYTES:
            raise MalformedMessage(f"An awareness state is limited to {MAX_STATE_BYTES} bytes.")
        try:
            value = json.loads(state, parse_constant=_refuse_constant) if state else None
        except (ValueError, RecursionError):
            raise MalformedMessage("An awareness state is not JSON.") from None
        if value is None:
            return "null"
        if not isinstance(value, dict):
            raise MalformedMessage("An awareness state must be a JSON object or null.")
        value["user"] = identity
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def _size(self, client_id: int) -> int:
        entry = self.entries.get(client_id)
        return len(entry.state) if entry is not None and entry.state != "null" else 0

    def _set_size(self, client_id: int, size: int) -> None:
        self.total += size - self._size(client_id)

    def _store(self, client_id: int, clock: int, state: str, owner: str) -> bool:
        entry = self.entries.get(client_id)
        now = time.monotonic()
        holder = None if state == "null" else owner
        size = 0 if state == "null" else len(state)
        if entry is None:
            self.total += size
            self.entries[client_id] = Entry(clock, state, holder, now)
            return True
        if owner == "remote":
            # Another process already ordered these clocks: apply them as y-protocols does.
            if clock > entry.clock or (clock == entry.clock and state == "null" and entry.state != "null"):
                self._set_size(client_id, size)
                entry.clock, entry.state, entry.owner, entry.seen = clock, state, holder, now
                return True
            return False
        # The owning connection is always heard. The clock relayed is kept increasing for the
        # receivers even when a reconnecting client restarts its own.
        self._set_size(client_id, size)
        entry.clock = max(clock, entry.clock + 1)
        entry.state, entry.owner, entry.seen = state, holder, now
        return True
