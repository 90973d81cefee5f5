"""Fixtures for the co-editing and interop tests: a card with people in every role, servers,
clients. Imported by tests/collab/conftest.py and tests/interop/conftest.py.

The app, factory and databases (SQLite and a per-session PostgreSQL database) come from
tests/conftest.py; every test using them runs on both.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from collab_support import PyClient, ServerProcess
from server import db
from server.auth.tokens import create_token
from server.models import User


@dataclass
class World:
    """One draft card and a token for each kind of person."""

    plan_id: int
    card_id: int
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def token_for(app, user_id: int) -> str:
    with app.app_context():
        session = db.session()
        _, secret = create_token(session, session.get(User, user_id))
        session.commit()
        return secret


@pytest.fixture
def world(app, factory) -> World:
    gov = factory.org("government")
    ngo = factory.org("civil_society")
    coordinator = factory.user(admin=True, org_id=gov)
    plan = factory.plan(coordinator)
    card = factory.card(plan, coordinator)
    w = World(plan_id=plan, card_id=card, users={"coordinator": coordinator})
    for role, org in (("contributor", gov), ("lead", gov), ("co_lead", ngo), ("reviewer", ngo),
                      ("viewer", ngo), ("approver", gov)):
        user = factory.user(org_id=org)
        factory.grant(coordinator, user, role, plan, card)
        w.users[role] = user
    w.users["outsider"] = factory.user(org_id=ngo)
    w.tokens = {name: token_for(app, uid) for name, uid in w.users.items()}
    return w


@pytest.fixture
def start_server(database_url, tmp_path):
    """Start `server.serve` processes on this test's database; all stopped at teardown."""
    started: list[ServerProcess] = []

    def start(**settings) -> ServerProcess:
        redis_url = settings.pop("redis_url", None)
        server = ServerProcess(database_url, tmp_path, redis_url=redis_url, **settings)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(start_server) -> ServerProcess:
    return start_server()


@pytest.fixture
def connect():
    """Open PyClients; every one is disconnected at teardown."""
    clients: list[PyClient] = []

    def open_client(server: ServerProcess, token: str | None = None, cookie: str | None = None) -> PyClient:
        client = PyClient(server.url, token=token, cookie=cookie)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        try:
            client.close()
        except Exception:  # already gone with its server
            pass
