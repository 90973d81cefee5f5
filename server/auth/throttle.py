"""Login throttling: a fixed number of failures per email and per address within a window.

Kept in Redis when REDIS_URL is set (so every process counts together), else in memory.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


class LoginThrottle:
    def __init__(self, limit: int, window: int, redis_client=None) -> None:  # noqa: ANN001
        self.limit = limit
        self.window = window
        self.redis = redis_client
        self._lock = threading.Lock()
        self._failures: dict[str, list[float]] = {}

    def _keys(self, email: str, address: str) -> list[str]:
        return [f"login:email:{email.lower()}", f"login:addr:{address}"]

    def blocked(self, email: str, address: str) -> bool:
        return any(self._count(k) >= self.limit for k in self._keys(email, address))

    def failed(self, email: str, address: str) -> None:
        for key in self._keys(email, address):
            if self.redis is not None:
                pipe = self.redis.pipeline()
                pipe.incr(key)
                pipe.expire(key, self.window, nx=True)
                pipe.execute()
                continue
            with self._lock:
                self._failures.setdefault(key, []).append(time.monotonic())

    def succeeded(self, email: str, address: str) -> None:
        key = self._keys(email, address)[0]
        if self.redis is not None:
            self.redis.delete(key)
            return
        with self._lock:
            self._failures.pop(key, None)

    def _count(self, key: str) -> int:
        if self.redis is not None:
            return int(self.redis.get(key) or 0)
        cutoff = time.monotonic() - self.window
        with self._lock:
            recent = [t for t in self._failures.get(key, []) if t > cutoff]
            self._failures[key] = recent
            return len(recent)


def init_app(app: Flask) -> None:
    client = None
    if app.config.get("REDIS_URL"):
        import redis

        client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2)
    app.extensions["iltizam.throttle"] = LoginThrottle(
        app.config["LOGIN_ATTEMPTS"], app.config["LOGIN_WINDOW_SECONDS"], client)
