"""Login throttling slows one person's guessing without locking anyone else out.

Time is a fake clock moved by the tests, never waited for.
"""
from __future__ import annotations

import uuid

import pytest
import redis

from server import create_app
from server.auth.throttle import LoginThrottle, MemoryCounters, RedisCounters
from tests.conftest import Auth

REDIS_URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(app):
    fake = Clock()
    app.extensions["iltizam.throttle"].clock = fake
    return fake


def _login(client, email: str, password: str | None = None, address: str | None = None):
    auth = Auth(client)
    token = auth.csrf()
    data = {"email": email, "password": password or "correct horse battery", "csrf_token": token}
    if address:
        return client.post("/login", data=data, environ_overrides={"REMOTE_ADDR": address})
    return client.post("/login", data=data)


def _fail_until_delayed(client, clock, email: str, times: int, address: str | None = None) -> None:
    """`times` real failures, the clock moved past each delay so that none is refused unseen."""
    done = 0
    while done < times:
        res = _login(client, email, "wrong password!", address)
        if res.status_code == 429:
            clock.advance(int(res.headers["Retry-After"]))
            continue
        assert res.status_code == 401
        done += 1


def test_one_persons_typos_do_not_lock_out_colleagues_behind_the_same_address(app, factory, clock):
    people = [f"p{i}@example.org" for i in range(5)]
    for email in people:
        factory.user(email=email)
    clumsy = app.test_client()
    _fail_until_delayed(clumsy, clock, people[0], 10)
    for email in people[1:]:
        assert _login(app.test_client(), email).status_code == 302, email
    res = _login(clumsy, people[0])
    assert res.status_code == 429  # the one who mistyped waits, even with the right password
    assert "ثانية" in res.get_data(as_text=True) and int(res.headers["Retry-After"]) > 0


def test_an_attacker_on_one_address_does_not_stop_the_owner_elsewhere(app, factory, clock):
    factory.user(email="x@example.org")
    attacker = app.test_client()
    _fail_until_delayed(attacker, clock, "x@example.org", 50, address="198.51.100.9")
    assert _login(attacker, "x@example.org", address="198.51.100.9").status_code == 429
    owner = app.test_client()
    assert _login(owner, "x@example.org", address="203.0.113.20").status_code == 302


def test_the_owner_on_the_attacked_address_waits_ever_longer(app, factory, clock):
    factory.user(email="x@example.org")
    client = app.test_client()
    _fail_until_delayed(client, clock, "x@example.org", 5)
    assert _login(client, "x@example.org").status_code == 429
    waits = []
    for _ in range(3):
        res = _login(client, "x@example.org", "wrong password!")
        assert res.status_code == 429
        waits.append(int(res.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert _login(client, "x@example.org", "wrong password!").status_code == 401
    assert waits[0] < waits[1] < waits[2]
    res = _login(client, "x@example.org")
    assert res.status_code == 429
    clock.advance(int(res.headers["Retry-After"]))
    assert _login(client, "x@example.org").status_code == 302


def test_scripted_guessing_from_one_address_is_refused_at_a_high_bar(app, factory, clock):
    app.extensions["iltizam.throttle"].address_limit = 12
    factory.user(email="real@example.org")
    script = app.test_client()
    for i in range(12):
        assert _login(script, f"guess{i}@example.org", "wrong password!").status_code == 401
    assert _login(script, "real@example.org").status_code == 429


def _proxy_app(app, hops: int):
    config = {k: app.config[k] for k in ("DATABASE_URL", "SECRET_KEY", "SOCKETIO_ASYNC_MODE", "SERVER_NAME")}
    return create_app({**config, "TESTING": True, "REDIS_URL": None, "PROXY_HOPS": hops})


@pytest.mark.parametrize("hops,owner_gets_in", [(1, True), (0, False)])
def test_forwarded_addresses_are_believed_only_from_configured_proxies(app, factory, hops, owner_gets_in):
    factory.user(email="x@example.org")
    proxied = _proxy_app(app, hops)
    try:
        attacker, owner = proxied.test_client(), proxied.test_client()
        for _ in range(5):
            res = attacker.post("/login", headers={"X-Forwarded-For": "198.51.100.9"}, data={
                "email": "x@example.org", "password": "wrong password!", "csrf_token": Auth(attacker).csrf()})
            assert res.status_code == 401
        res = owner.post("/login", headers={"X-Forwarded-For": "203.0.113.20"}, data={
            "email": "x@example.org", "password": "correct horse battery", "csrf_token": Auth(owner).csrf()})
        assert (res.status_code == 302) is owner_gets_in
    finally:
        proxied.extensions["iltizam.engine"].dispose()


@pytest.fixture(params=["memory", "redis"])
def counters(request):
    if request.param == "memory":
        shared = MemoryCounters()
        yield lambda: shared
        return
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    prefix = f"iltizam:test:{uuid.uuid4().hex}:"
    yield lambda: RedisCounters(client, prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def test_processes_count_together_and_follow_the_same_rules(counters):
    clock = Clock()
    one = LoginThrottle(counters(), clock=clock, account_attack=20)
    two = LoginThrottle(counters(), clock=clock, account_attack=20)  # another process
    for _ in range(5):
        assert one.wait("x@example.org", "A") == 0
        one.failed("x@example.org", "A")
    assert two.wait("X@example.org", "A") == 30 and two.wait("x@example.org", "B") == 0
    clock.advance(30)
    assert two.wait("x@example.org", "A") == 0
    two.failed("x@example.org", "A")
    assert one.wait("x@example.org", "A") == 60
    # Guessing spread over many addresses: each that failed waits from its first failure.
    for i in range(20):
        one.failed("x@example.org", f"10.0.0.{i}")
    assert two.wait("x@example.org", "10.0.0.3") == 30
    assert two.wait("x@example.org", "B") == 0  # an address that never failed still gets in
    one.succeeded("x@example.org", "A")
    assert two.wait("x@example.org", "A") == 0
    clock.advance(901)
    assert two.wait("x@example.org", "10.0.0.3") == 0  # forgotten after a quiet window


def test_the_password_change_check_is_throttled_too(app, factory, clock):
    factory.user(email="x@example.org")
    client = app.test_client()
    auth = Auth(client)
    assert _login(client, "x@example.org").status_code == 302
    url = "/api/v1/me/password"
    for _ in range(5):
        res = client.post(url, headers=auth.headers(), json={"current_password": "guess", "new_password": "x" * 12})
        assert res.status_code == 403
    res = client.post(url, headers=auth.headers(),
                      json={"current_password": "correct horse battery", "new_password": "x" * 12})
    assert res.status_code == 429 and res.json["field"] == "current_password"
    assert int(res.headers["Retry-After"]) == 30 and "30 seconds" in res.json["message"]
    clock.advance(30)
    res = client.post(url, headers=auth.headers(),
                      json={"current_password": "correct horse battery", "new_password": "x" * 12})
    assert res.status_code == 204
