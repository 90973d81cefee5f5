"""Login throttling that slows guessing without letting anyone lock other people out.

Failures are counted three ways, within LOGIN_WINDOW_SECONDS of the last one:

- per account and address: after LOGIN_ATTEMPTS failures, each further attempt from that
  address for that account waits LOGIN_DELAY_SECONDS, doubling with every failure up to
  LOGIN_MAX_DELAY_SECONDS. A colleague behind the same proxy, or the owner elsewhere, is not
  slowed by it.
- per account: once an account has LOGIN_ACCOUNT_ATTACK failures (guessing spread over many
  addresses), every address that has itself failed for it is delayed from its first failure.
  An address that has not failed for the account still gets in with the right password: the
  owner is never locked out by someone else's guesses.
- per address: LOGIN_ADDRESS_LIMIT failures over all accounts (scripted guessing) refuse that
  address until its window ends. The bar is far above what the people behind one office proxy
  mistype.

The "forgot password" form has its own limit (RequestLimit): every request counts, per
address named and per client address, so it cannot be used to flood a mailbox.

The counts live in Redis when REDIS_URL is set (so every process counts together), else in
this process's memory.
"""
from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any
from collections.abc import Callable

if TYPE_CHECKING:
    from flask import Flask


class MemoryCounters:
    """Failure counts in this process: key -> [count, first failure, last failure, expiry]."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, list[float]] = {}

    def add(self, key: str, now: float, ttl: int, fixed: bool) -> None:
        """Count one failure; the count lasts `ttl` from the first failure (`fixed`) or the last."""
        with self._lock:
            row = self._rows.get(key)
            if row is None or row[3] <= now:
                row = self._rows[key] = [0, now, now, now + ttl]
            row[0] += 1
            row[2] = now
            if not fixed:
                row[3] = now + ttl

    def get(self, key: str, now: float) -> tuple[int, float, float]:
        """(count, first failure, last failure); (0, 0, 0) when none is current."""
        with self._lock:
            row = self._rows.get(key)
            if row is None or row[3] <= now:
                self._rows.pop(key, None)
                return 0, 0.0, 0.0
            return int(row[0]), row[1], row[2]

    def clear(self, key: str) -> None:
        with self._lock:
            self._rows.pop(key, None)


class RedisCounters:
    """The same counts in a Redis hash per key (fields c, f, l), expiring with Redis' TTL."""

    def __init__(self, client: Any, prefix: str = "iltizam:login:") -> None:
        self.redis = client
        self.prefix = prefix

    def add(self, key: str, now: float, ttl: int, fixed: bool) -> None:
        name = self.prefix + key
        pipe = self.redis.pipeline()
        pipe.hincrby(name, "c", 1)
        pipe.hsetnx(name, "f", now)
        pipe.hset(name, "l", now)
        if fixed:
            pipe.expire(name, ttl, nx=True)
        else:
            pipe.expire(name, ttl)
        pipe.execute()

    def get(self, key: str, now: float) -> tuple[int, float, float]:
        count, first, last = self.redis.hmget(self.prefix + key, "c", "f", "l")
        if count is None:
            return 0, 0.0, 0.0
        return int(count), float(first or 0), float(last or 0)

    def clear(self, key: str) -> None:
        self.redis.delete(self.prefix + key)


class LoginThrottle:
    """Decides how long a sign-in attempt must wait, and counts the failures."""

    def __init__(self, counters: MemoryCounters | RedisCounters, *, free: int = 5, window: int = 900,
                 delay: int = 30, max_delay: int = 900, account_attack: int = 20,
                 address_limit: int = 100, clock: Callable[[], float] = time.time) -> None:
        self.counters = counters
        self.free, self.window = free, window
        self.delay, self.max_delay = delay, max_delay
        self.account_attack, self.address_limit = account_attack, address_limit
        self.clock = clock

    @staticmethod
    def _keys(email: str, address: str) -> tuple[str, str, str]:
        email = email.strip().lower()
        return f"pair:{email}|{address}", f"account:{email}", f"address:{address}"

    def wait(self, email: str, address: str) -> int:
        """Seconds before `address` may try a password for `email` again; 0 when it may now."""
        now = self.clock()
        pair_key, account_key, address_key = self._keys(email, address)
        count, first, _ = self.counters.get(address_key, now)
        if count >= self.address_limit:
            return max(1, math.ceil(first + self.window - now))
        failures, _, last = self.counters.get(pair_key, now)
        free = self.free
        if self.counters.get(account_key, now)[0] >= self.account_attack:
            free = 1  # under attack from many addresses: no free retries for those that failed
        if failures < free:
            return 0
        delay = min(self.delay * 2 ** min(failures - free, 30), self.max_delay)
        return max(0, math.ceil(last + delay - now))

    def failed(self, email: str, address: str) -> None:
        now = self.clock()
        pair_key, account_key, address_key = self._keys(email, address)
        self.counters.add(pair_key, now, self.window, fixed=False)
        self.counters.add(account_key, now, self.window, fixed=False)
        self.counters.add(address_key, now, self.window, fixed=True)

    def succeeded(self, email: str, address: str) -> None:
        # Only this address's count for the account: someone else may still be guessing.
        self.counters.clear(self._keys(email, address)[0])


class RequestLimit:
    """At most `per_account` requests naming one address and `per_address` from one client
    address within a fixed `window` from the first: for forms that send mail, where every
    request counts, not only failures."""

    def __init__(self, counters: MemoryCounters | RedisCounters, *, per_account: int, per_address: int,
                 window: int, clock: Callable[[], float] = time.time) -> None:
        self.counters = counters
        self.per_account, self.per_address, self.window = per_account, per_address, window
        self.clock = clock

    def take(self, email: str, address: str) -> int:
        """Count one request; returns 0 when it may go ahead, else the seconds to wait (not counted)."""
        now = self.clock()
        keys = ((f"account:{email.strip().lower()}", self.per_account), (f"address:{address}", self.per_address))
        for key, limit in keys:
            count, first, _ = self.counters.get(key, now)
            if count >= limit:
                return max(1, math.ceil(first + self.window - now))
        for key, _ in keys:
            self.counters.add(key, now, self.window, fixed=True)
        return 0


def init_app(app: Flask) -> None:
    counters: MemoryCounters | RedisCounters = MemoryCounters()
    reset_counters: MemoryCounters | RedisCounters = MemoryCounters()
    if app.config.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2)
        counters = RedisCounters(client)
        reset_counters = RedisCounters(client, prefix="iltizam:reset:")
    config = app.config
    app.extensions["iltizam.throttle"] = LoginThrottle(
        counters, free=config["LOGIN_ATTEMPTS"], window=config["LOGIN_WINDOW_SECONDS"],
        delay=config["LOGIN_DELAY_SECONDS"], max_delay=config["LOGIN_MAX_DELAY_SECONDS"],
        account_attack=config["LOGIN_ACCOUNT_ATTACK"], address_limit=config["LOGIN_ADDRESS_LIMIT"])
    app.extensions["iltizam.reset_limit"] = RequestLimit(
        reset_counters, per_account=config["RESET_REQUESTS_PER_ACCOUNT"],
        per_address=config["RESET_REQUESTS_PER_ADDRESS"], window=config["RESET_REQUEST_WINDOW_SECONDS"])
