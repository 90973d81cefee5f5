"""Several server processes on PostgreSQL + Redis: replicas converge, Redis outages are survived."""
from __future__ import annotations

import os
import socket
import subprocess
import uuid

import pytest
import redis

from collab_support import insert_text, wait_until

REDIS_URL = os.environ.get("ILTIZAM_TEST_REDIS", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def shared_redis() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is required and unreachable at {REDIS_URL}: {exc}", pytrace=False)
    return REDIS_URL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own, so the test can really take it down and bring it back."""

    def __init__(self, workdir) -> None:
        self.port = _free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no",
                                      "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, message="private redis up")

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    try:
        server.start()
    except FileNotFoundError:
        pytest.fail("redis-server is required for the Redis outage test", pytrace=False)
    yield server
    server.stop()


def _pair(start_server, url: str):
    prefix = f"iltizam:test:{uuid.uuid4().hex[:8]}:card:"
    return (start_server(redis_url=url, COLLAB_CHANNEL_PREFIX=prefix),
            start_server(redis_url=url, COLLAB_CHANNEL_PREFIX=prefix))


def test_two_processes_converge(start_server, shared_redis, world, connect):
    one, two = _pair(start_server, shared_redis)
    a = connect(one, world.tokens["contributor"])
    b = connect(two, world.tokens["co_lead"])
    a.join(world.card_id)
    b.join(world.card_id)
    for _i in range(15):
        assert a.edit(insert_text("A")) == {"ok": True}
        assert b.edit(insert_text("B", index=0)) == {"ok": True}
    wait_until(lambda: a.text() == b.text() and len(a.text()) == 30, message="cross-process convergence")
    # A newcomer on either process gets the same document from its replica.
    for srv in (one, two):
        late = connect(srv, world.tokens["viewer"])
        late.join(world.card_id)
        wait_until(lambda late=late: late.text() == a.text(), message="replica state")


def test_redis_outage_keeps_local_service_and_heals(start_server, private_redis, world, connect):
    one, two = _pair(start_server, private_redis.url)
    a1 = connect(one, world.tokens["contributor"])
    a2 = connect(one, world.tokens["lead"])
    b1 = connect(two, world.tokens["co_lead"])
    for c in (a1, a2, b1):
        c.join(world.card_id)
    a1.edit(insert_text("before "))
    wait_until(lambda: b1.text() == "before ", message="replicated before the outage")

    private_redis.stop()
    # Each process keeps serving its own clients, and says so in its log.
    assert a1.edit(insert_text("during")) == {"ok": True}
    wait_until(lambda: a2.text() == "before during", message="local relay without Redis")
    assert b1.edit(insert_text("[b]", index=0)) == {"ok": True}
    wait_until(lambda: "Redis unavailable" in one.log() and "Redis unavailable" in two.log(),
               message="outage logged by both processes")

    private_redis.start()
    wait_until(lambda: a1.text() == b1.text() == a2.text() and "during" in b1.text() and "[b]" in a1.text(),
               timeout=30, message="convergence after Redis came back")
