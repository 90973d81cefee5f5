"""Who is connected and what each connection joined: the engine side of the /collab namespace.

`Connections` owns membership: the credential each connection was opened with, the standing it
holds on every card it joined, joining and leaving rooms through the registry, the periodic
re-check of stale standings, and the reaction to room events (server/collab/room_events.py).
It knows nothing of Socket.IO: what must reach a connection, or close it, goes through the
`Transport` (namespace.py's `SocketTransport` in production), and refusals are raised as
`CollabError`s for the namespace to acknowledge.
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from .. import db
from . import access, protocol
from .errors import CollabError, NoAccess, NotJoined, Unavailable
from .room import Transport as RoomTransport

if TYPE_CHECKING:
    from flask import Flask

    from .access import Member
    from .registry import Rooms

log = logging.getLogger(__name__)


class Transport(RoomTransport, Protocol):
    """What the engine asks of the connections' transport, beyond a room's frames."""

    def event(self, conn_id: str, card_id: int | None, event: dict[str, Any]) -> None:
        """A room event for one connection (`card_id` None: about the connection itself)."""

    def event_to_card(self, card_id: int, event: dict[str, Any]) -> None:
        """A room event for every connection of this process joined to the card."""

    def join_group(self, conn_id: str, card_id: int) -> None: ...

    def leave_group(self, conn_id: str, card_id: int) -> None: ...

    def close(self, conn_id: str) -> None:
        """End the connection from the server's side."""


class Connections:
    def __init__(self, app: Flask, rooms: Rooms, transport: Transport, *,
                 recheck_seconds: float = access.RECHECK_SECONDS) -> None:
        self.app = app
        self.rooms = rooms
        self.transport = transport
        self.recheck_seconds = recheck_seconds
        self.users: dict[str, access.Credential] = {}  # connection -> who opened it, and how
        self.joined: dict[str, dict[int, Member]] = {}  # connection -> card id -> standing

    # -- a connection's life ----------------------------------------------------------------

    def open(self, conn_id: str, auth: Any) -> None:
        """Authenticate a new connection.

        Raises:
            Unauthenticated: no valid token and no logged-in session.
            Unavailable: the database could not be asked.
        """
        try:
            credential = access.authenticate(auth)
        except CollabError:
            raise
        except Exception as exc:  # the database is down: say so rather than fail the handshake
            log.warning("could not authenticate a connection (%s)", exc.__class__.__name__)
            raise Unavailable() from None
        finally:
            release_db()
        self.users[conn_id] = credential
        self.joined[conn_id] = {}

    def closed(self, conn_id: str) -> None:
        """The connection is gone: it leaves every card it joined."""
        for card_id in list(self.joined.pop(conn_id, {})):
            self.rooms.leave(card_id, conn_id)
        self.users.pop(conn_id, None)

    def join(self, conn_id: str, card_id: int) -> Member:
        """Decide the connection's standing on the card, add it to the room, send it the document.

        Raises:
            UnknownCard, NoAccess, Unavailable: see docs/protocol.md, `join`.
        """
        try:
            member = access.member(self.users[conn_id].user_id, card_id)
        except CollabError:
            raise
        except Exception as exc:
            log.warning("could not decide a join to card %s (%s)", card_id, exc.__class__.__name__)
            raise Unavailable("Your rights on the card could not be checked; try again shortly.") from None
        finally:
            release_db()
        self.transport.join_group(conn_id, card_id)
        try:
            frames = self.rooms.join(card_id, conn_id, member)
        except CollabError:
            self.transport.leave_group(conn_id, card_id)
            raise
        member = self.rooms.get(card_id).members[conn_id]  # wearing the colour the room chose
        self.joined[conn_id][card_id] = member
        for frame in frames:
            self.transport.send(conn_id, card_id, frame)
        # The card's status as it is now: a page that was away (offline, asleep) when it
        # changed shows it right.
        self.transport.event(conn_id, card_id, {"kind": "card", "status": member.card_status})
        return member

    def leave(self, conn_id: str, card_id: int) -> None:
        """Take the connection out of the card (nothing happens when it had not joined)."""
        if self.joined.get(conn_id, {}).pop(card_id, None) is not None:
            self.transport.leave_group(conn_id, card_id)
            self.rooms.leave(card_id, conn_id)

    def receive(self, conn_id: str, card_id: int, message: Any) -> None:
        """Hand one `yjs` frame to the card's room; return once an update is durable.

        Raises:
            NotJoined, NoAccess, Unavailable, or whatever the frame and the room refuse.
        """
        standing = self.joined.get(conn_id, {}).get(card_id)
        if standing is None:
            raise NotJoined()
        frame = protocol.parse(message)
        # Every frame, not only updates: a sync step 1 reads the whole document.
        standing = self._recheck(conn_id, card_id, standing)
        room = self.rooms.get(card_id)
        if room is None:
            raise Unavailable("The card is being reloaded; join it again.")
        replies, seq = room.receive(conn_id, frame, standing)
        for reply in replies:
            self.transport.send(conn_id, card_id, reply)
        if seq:
            room.wait_durable(seq, self.rooms.ack_timeout)

    # -- stale standings --------------------------------------------------------------------

    def _recheck(self, conn_id: str, card_id: int, standing: Member) -> Member:
        """`standing`, re-decided if stale; the room's other stale members with it.

        Room events (`card_event`) re-decide at once when a service changes rights; this is
        the backstop for changes made outside the services. A member who may no longer see
        the card leaves the room (their next frame is answered `not_joined`; this
        connection's own frame, `no_access`).
        """
        if not access.stale(standing, self.recheck_seconds):
            return standing
        room = self.rooms.get(card_id)
        conns = set(room.members) if room is not None else set()
        conns.add(conn_id)
        due = {conn: held for conn in conns
               if (held := self.joined.get(conn, {}).get(card_id)) is not None
               and access.stale(held, self.recheck_seconds)}
        if not self._redecide(card_id, due, keep_on_failure=True):
            return standing
        if card_id not in self.joined.get(conn_id, {}):
            raise NoAccess("You may no longer open this card.")
        return self.joined[conn_id][card_id]

    def _redecide(self, card_id: int, due: dict[str, Member], *, keep_on_failure: bool,
                  tell: bool = False) -> bool:
        """Re-decide the standings in `due` (connection -> standing) in two queries.

        Returns:
            False when the database could not be asked (the old decisions stay).
        """
        if not due:
            return True
        try:
            fresh = access.redecide(card_id, list(due.values()))
        except Exception as exc:  # the database is down: keep the last decisions
            log.warning("could not re-check rights on card %s (%s); keeping the last decisions",
                        card_id, exc.__class__.__name__)
            if keep_on_failure:
                for old in due.values():
                    old.checked = time.monotonic()
            return False
        finally:
            release_db()
        for conn, old in due.items():
            if card_id not in self.joined.get(conn, {}):
                continue  # left meanwhile
            new = fresh.get(old.user_id)
            if new is None:
                self.leave(conn, card_id)
            else:
                self.joined[conn][card_id] = new
            if tell and (new is None or new.ack() != old.ack()):
                self.transport.event(conn, card_id, access.standing_event(new))
        return True

    # -- room events (server/collab/room_events.py) ------------------------------------------

    def card_event(self, card_id: int, event: dict[str, Any]) -> None:
        """Rights on `card_id` changed: re-decide its members on this process now."""
        user_id = event.get("user")
        with self.app.app_context():
            due = {conn: held for conn, cards in list(self.joined.items())
                   if (held := cards.get(card_id)) is not None and (user_id is None or held.user_id == user_id)}
            self._redecide(card_id, due, keep_on_failure=False, tell=True)
            if user_id is None and due:
                # A change for everyone (the card's status): every member's page shows it.
                try:
                    state = access.card_state(card_id)
                finally:
                    release_db()
                for conn in due:
                    if state is not None and card_id in self.joined.get(conn, {}):
                        self.transport.event(conn, card_id, state)

    def thread_event(self, card_id: int, event: dict[str, Any]) -> None:
        """A comment thread changed: every connection joined to the card hears of it.

        Everyone who may join a card may read its threads, so one message to the card's
        members does (members joined on other processes hear of it from their own process).
        """
        self.transport.event_to_card(card_id, event)

    def approval_event(self, card_id: int, event: dict[str, Any]) -> None:
        """Sign-offs or versions of the card changed: every connection joined to it hears of it.

        The event says only what kind of change it was; each page reads its own approval
        section again, since what it shows (the forms, the withdraw buttons) depends on who
        looks.
        """
        self.transport.event_to_card(card_id, event)

    def account_event(self, event: dict[str, Any]) -> None:
        """A user's sessions or tokens ended: close their connections that no longer hold."""
        user_id = event["user"]
        with self.app.app_context():
            try:
                ended = [conn for conn, cred in list(self.users.items())
                         if cred.user_id == user_id and not access.still_valid(cred)]
            finally:
                release_db()
            for conn in ended:
                self.transport.event(conn, None, {"kind": "signed_out"})
                self.transport.close(conn)


def release_db() -> None:
    """Give the event's database connection back to the pool now.

    An update's handler then waits for its group commit, and a join sends the document; the
    request-scoped session would otherwise hold its pooled connection through that wait, and
    a few hundred editors waiting at once exhaust the pool, stalling the flusher's own commit
    (the one they wait for) until the acknowledgement timeout.
    """
    db.close_session()
