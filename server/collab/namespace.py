"""The `/collab` Socket.IO namespace: a thin adapter between connections and rooms.

Each handler translates arguments, asks `access` who may do what, delegates to the room
registry, and maps `CollabError`s to acknowledgements. docs/protocol.md is the contract.
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from collections.abc import Collection

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room

from .. import db
from . import access, fanout, protocol
from .errors import BadRequest, CollabError, NoAccess, NotJoined, Unavailable, UnknownCard

if TYPE_CHECKING:
    from flask import Flask
    from flask_socketio import SocketIO

    from .access import Member
    from .registry import Rooms

log = logging.getLogger(__name__)

NAMESPACE = "/collab"
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database


def room_name(card_id: int) -> str:
    return f"card:{card_id}"


class SocketTransport:
    """Sends a room's frames to this process's clients.

    `ignore_queue=True`: every process holding a card receives its updates over the card's
    Redis channel and fans them out to its own clients, so going through the Socket.IO
    message queue as well would deliver everything twice, and would stop local delivery
    whenever Redis is down.

    Broadcasts skip `emit`: the event is encoded and framed once and each member gets one
    socket write (`fanout`), which is what keeps a 1000-member card's fan-out short.
    """

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio
        fanout.install(socketio.server)

    def send(self, conn_id: str, card_id: int, message: bytes) -> None:
        self.socketio.emit("yjs", (card_id, message), to=conn_id, namespace=NAMESPACE, ignore_queue=True)

    def event(self, conn_id: str, card_id: int | None, event: dict[str, Any]) -> None:
        """A room event for one connection (`card_id` None: about the connection itself)."""
        self.socketio.emit("room", (card_id, event), to=conn_id, namespace=NAMESPACE, ignore_queue=True)

    def broadcast(self, card_id: int, message: bytes, skip: list[str], first: Collection[str] = ()) -> None:
        server = self.socketio.server
        event = fanout.Broadcast(NAMESPACE, "yjs", [card_id, message])
        participants = dict(server.manager.get_participants(NAMESPACE, room_name(card_id)))
        for sid in skip:
            participants.pop(sid, None)
        for sid in first:
            eio_sid = participants.pop(sid, None)
            if eio_sid is not None:
                fanout.send_to(server.eio, eio_sid, event)
        for eio_sid in participants.values():
            fanout.send_to(server.eio, eio_sid, event)


class CollabNamespace(Namespace):
    def __init__(self, app: Flask, rooms: Rooms, transport: SocketTransport, *,
                 recheck_seconds: float = access.RECHECK_SECONDS) -> None:
        super().__init__(NAMESPACE)
        self.app = app
        self.rooms = rooms
        self.transport = transport
        self.recheck_seconds = recheck_seconds
        self.users: dict[str, access.Credential] = {}  # connection -> who opened it, and how
        self.joined: dict[str, dict[int, Member]] = {}  # connection -> card id -> standing

    def on_connect(self, auth: Any = None) -> None:
        try:
            credential = access.authenticate(auth)
        except CollabError as exc:
            raise ConnectionRefusedError(exc.message, {"error": exc.code}) from None
        except Exception as exc:  # the database is down: say so rather than fail the handshake
            log.warning("could not authenticate a connection (%s)", exc.__class__.__name__)
            raise ConnectionRefusedError(Unavailable.default_message, {"error": Unavailable.code}) from None
        finally:
            _release_db()
        self.users[request.sid] = credential
        self.joined[request.sid] = {}

    def on_disconnect(self, *_reason: Any) -> None:
        sid = request.sid
        for card_id in list(self.joined.pop(sid, {})):
            self.rooms.leave(card_id, sid)
        self.users.pop(sid, None)

    def on_join(self, data: Any = None) -> dict[str, Any]:
        sid = request.sid
        try:
            card_id = _card_of(data)
            try:
                member = access.member(self.users[sid].user_id, card_id)
            except CollabError:
                raise
            except Exception as exc:
                log.warning("could not decide a join to card %s (%s)", card_id, exc.__class__.__name__)
                raise Unavailable("Your rights on the card could not be checked; try again shortly.") from None
            finally:
                _release_db()
            room = self.rooms.get(card_id)
            member = access.with_distinct_colour(member, list(room.members.values()) if room else [])
            join_room(room_name(card_id))
            try:
                frames = self.rooms.join(card_id, sid, member)
            except CollabError:
                leave_room(room_name(card_id))
                raise
            self.joined[sid][card_id] = member
            for frame in frames:
                self.transport.send(sid, card_id, frame)
            # The card's status as it is now: a page that was away (offline, asleep) when it
            # changed shows it right.
            self.transport.event(sid, card_id, {"kind": "card", "status": member.card_status})
            return member.ack()
        except CollabError as exc:
            return exc.ack()

    def on_leave(self, data: Any = None) -> dict[str, Any]:
        sid = request.sid
        try:
            card_id = _card_of(data)
        except CollabError as exc:
            return exc.ack()
        self._remove(sid, card_id)
        return {"ok": True}

    def trigger_event(self, event: str, *args: Any) -> Any:
        # `yjs` comes with every keystroke. It needs the app (the database) but not a Flask
        # request, whose construction for each event (environ copy, URL matching, session)
        # was a tenth of the server's time with 200 typists; the other events keep it.
        if event == "yjs":
            sid, *data = args
            with self.app.app_context():
                return self.yjs(sid, *data)
        return super().trigger_event(event, *args)

    def yjs(self, sid: str, card_id: Any = None, message: Any = None, *_extra: Any) -> dict[str, Any]:
        try:
            standing = self.joined.get(sid, {}).get(card_id) if _is_id(card_id) else None
            if standing is None:
                raise NotJoined()
            frame = protocol.parse(message)
            # Every frame, not only updates: a sync step 1 reads the whole document.
            standing = self._recheck(sid, card_id, standing)
            room = self.rooms.get(card_id)
            if room is None:
                raise Unavailable("The card is being reloaded; join it again.")
            replies, seq = room.receive(sid, frame, standing)
            for reply in replies:
                self.transport.send(sid, card_id, reply)
            if seq:
                room.wait_durable(seq, self.rooms.ack_timeout)
            return {"ok": True}
        except CollabError as exc:
            return exc.ack()

    def _recheck(self, sid: str, card_id: int, standing: Member) -> Member:
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
        conns.add(sid)
        due = {conn: held for conn in conns
               if (held := self.joined.get(conn, {}).get(card_id)) is not None
               and access.stale(held, self.recheck_seconds)}
        if not self._redecide(card_id, due, keep_on_failure=True):
            return standing
        if card_id not in self.joined.get(sid, {}):
            raise NoAccess("You may no longer open this card.")
        return self.joined[sid][card_id]

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
            _release_db()
        for conn, old in due.items():
            if card_id not in self.joined.get(conn, {}):
                continue  # left meanwhile
            new = fresh.get(old.user_id)
            if new is None:
                self._remove(conn, card_id)
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
                    _release_db()
                for conn in due:
                    if state is not None and card_id in self.joined.get(conn, {}):
                        self.transport.event(conn, card_id, state)

    def thread_event(self, card_id: int, event: dict[str, Any]) -> None:
        """A comment thread changed: every connection joined to the card hears of it.

        Everyone who may join a card may read its threads, so one emit to the card's room
        does (members joined on other processes hear of it from their own process).
        """
        self.socketio.emit("room", (card_id, event), to=room_name(card_id), namespace=NAMESPACE,
                           ignore_queue=True)

    def account_event(self, event: dict[str, Any]) -> None:
        """A user's sessions or tokens ended: close their connections that no longer hold."""
        user_id = event["user"]
        with self.app.app_context():
            try:
                ended = [sid for sid, cred in list(self.users.items())
                         if cred.user_id == user_id and not access.still_valid(cred)]
            finally:
                _release_db()
            for sid in ended:
                self.transport.event(sid, None, {"kind": "signed_out"})
                self.socketio.server.disconnect(sid, namespace=NAMESPACE)

    def _remove(self, conn: str, card_id: int) -> None:
        if self.joined.get(conn, {}).pop(card_id, None) is not None:
            leave_room(room_name(card_id), sid=conn, namespace=NAMESPACE)
            self.rooms.leave(card_id, conn)


def _release_db() -> None:
    """Give the event's database connection back to the pool now.

    An update's handler then waits for its group commit, and a join sends the document; the
    request-scoped session would otherwise hold its pooled connection through that wait, and
    a few hundred editors waiting at once exhaust the pool, stalling the flusher's own commit
    (the one they wait for) until the acknowledgement timeout.
    """
    db.close_session()


def _is_id(value: Any) -> bool:
    # `True == 1` in Python: a boolean must never stand for card 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _card_of(data: Any) -> int:
    card_id = data.get("card") if isinstance(data, dict) else None
    if not _is_id(card_id):
        raise BadRequest('Send {"card": CARD_ID} with an integer id.')
    if not 0 < card_id <= MAX_ID:
        raise UnknownCard()
    return card_id
