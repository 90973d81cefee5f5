"""Keeps every process's replica of a card current through Redis (one channel per card).

A process publishes each batch of updates it accepted (after committing it), each presence
change and each room event about a card on `iltizam:collab:card:<id>`; every other process
holding the card applies it and fans it out to its own clients. One pattern subscription per
process covers every card, so loading a card never waits for a subscription and cannot miss a
message that was published while it read the store. Events about an account rather than a
card (its sessions ended) go on `iltizam:collab:accounts`.

Redis down: publishing stops (nothing blocks the room's flusher), local clients are served
as before, and the log says so. When the subscription comes back every loaded card catches
up from the database, which holds every update any process acknowledged.
"""
from __future__ import annotations

import logging
import time
import uuid
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

import redis

if TYPE_CHECKING:
    from .registry import Rooms
    from .room_events import RoomEvents

log = logging.getLogger(__name__)

PREFIX = "iltizam:collab:card:"  # COLLAB_CHANNEL_PREFIX; deployments sharing a Redis differ here
ORIGIN_BYTES = 32
KINDS = (b"u", b"a", b"e")  # document update, presence (awareness) update, room event
ACCOUNTS = "accounts"  # the channel suffix of account events
BACKOFF = (0.2, 0.5, 1.0, 2.0, 5.0)


class RedisReplicator:
    def __init__(self, url: str, rooms: Rooms, *, spawn: Callable[..., Any], prefix: str = PREFIX,
                 events: RoomEvents | None = None) -> None:
        self.url = url
        self.prefix = prefix
        # "iltizam:collab:card:" -> "iltizam:collab:accounts": beside the cards, not among them.
        self.accounts_channel = prefix.rstrip(":").rsplit(":", 1)[0] + ":" + ACCOUNTS
        self.rooms = rooms
        self.events = events
        self.spawn = spawn
        self.origin = uuid.uuid4().hex.encode()
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.up = False
        self.stopped = False
        self._ever_up = False

    def start(self) -> None:
        """Start the subscriber; publishing starts now if Redis answers."""
        try:
            self.client.ping()
            self.up = self._ever_up = True
        except (redis.RedisError, OSError) as exc:
            self._down(exc)
        self.spawn(self._listen)

    def stop(self) -> None:
        self.stopped = True

    def publish_event(self, card_id: int | None, payload: bytes) -> None:
        """A room event for the other processes: on the card's channel, or the accounts one."""
        if card_id is not None:
            self.publish(card_id, "e", payload)
        elif self.up:
            try:
                self.client.publish(self.accounts_channel, self.origin + b"e" + payload)
            except (redis.RedisError, OSError) as exc:
                self._down(exc)

    def publish(self, card_id: int, kind: str, payload: bytes) -> None:
        """Tell the other processes; never raises, never blocks while Redis is known down."""
        if not self.up:
            return
        try:
            self.client.publish(f"{self.prefix}{card_id}", self.origin + kind.encode() + payload)
        except (redis.RedisError, OSError) as exc:
            self._down(exc)

    def _listen(self) -> None:
        attempt = 0
        while not self.stopped:
            pubsub = redis.Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=5).pubsub(
                ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe(self.prefix + "*")
                pubsub.subscribe(self.accounts_channel)
                self._back()
                attempt = 0
                while not self.stopped:
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._handle(message)
            except (redis.RedisError, OSError) as exc:
                self._down(exc)
                time.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
                attempt += 1
            finally:
                try:
                    pubsub.close()
                except Exception:  # closing a dead connection may fail too; nothing to do
                    pass

    def _handle(self, message: dict[str, Any]) -> None:
        data = message.get("data")
        channel = message.get("channel")
        if not isinstance(data, bytes) or len(data) <= ORIGIN_BYTES or data[:ORIGIN_BYTES] == self.origin:
            return
        kind = data[ORIGIN_BYTES:ORIGIN_BYTES + 1]
        if kind not in KINDS:
            return
        payload = data[ORIGIN_BYTES + 1:]
        if channel == self.accounts_channel.encode():
            if kind == b"e" and self.events is not None:
                self.events.remote_account_event(payload)
            return
        try:
            card_id = int(channel.decode().rsplit(":", 1)[1])
        except (AttributeError, ValueError, IndexError):
            return
        try:
            if kind == b"e":
                if self.events is not None:
                    self.events.remote_card_event(card_id, payload)
                return
            self.rooms.on_remote(card_id, kind.decode(), payload)
        except Exception:
            log.exception("card %s: message from another process could not be applied", card_id)

    def _down(self, exc: BaseException) -> None:
        if self.up or not self._ever_up:
            log.error("Redis unavailable (%s): serving this process's clients only; "
                      "other processes will not see their edits until it is back", exc)
        self.up = False
        self._ever_up = True

    def _back(self) -> None:
        recovered = self._ever_up and not self.up
        self.up = True
        self._ever_up = True
        if recovered:
            log.warning("Redis is back: catching up loaded cards from the database")
            self.rooms.catch_up()
