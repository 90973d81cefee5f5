"""Shared fixtures: an app on SQLite or PostgreSQL, its clients, and a small data factory.

PostgreSQL comes from ILTIZAM_TEST_POSTGRES (default: the local server's `test` database).
When it cannot be reached the tests that need it fail; they never skip.
"""
from __future__ import annotations

import os
import shutil
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from server import create_app, db
from server.auth.passwords import hash_password
from server.collab.wiring import documents
from server.migrate import upgrade
from server.models import Base, Organisation, User
from server.services import cards as card_service
from server.services import plans as plan_service
from server.services import roles as role_service

pytest_plugins = ["leaks"]

PG_ADMIN = os.environ.get("ILTIZAM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)


def _suite_group(nodeid: str) -> str | None:
    """"collab" for tests/collab/test_x.py::test_y; None outside a suite folder."""
    parts = nodeid.split("::", 1)[0].split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logstart(nodeid: str) -> None:
    """Print "== collab ==" and so on as the run enters each suite group.

    One pytest run for all groups, because each run of its own would create the PostgreSQL
    database and migrate the SQLite template again; the group lines make the one run's output
    as easy to follow. Runs before the terminal reporter starts the first file of the group.
    """
    global _current_group
    group = _suite_group(nodeid)
    reporter = _config.pluginmanager.get_plugin("terminalreporter") if _config else None
    # -q keeps to its dots; the lines are for the default and -v outputs.
    if group is None or group == _current_group or reporter is None or not reporter.showfspath:
        return
    _current_group = group
    if reporter.currentfspath is not None:
        if not reporter.showlongtestinfo and getattr(reporter, "_show_progress_info", False) and hasattr(
                reporter, "_write_progress_information_filling_space"):
            # End the previous file's line with its "[ 42%]", as the reporter would have.
            reporter._write_progress_information_filling_space()
        reporter.ensure_newline()
    # No newline: the reporter begins the next file's (or, with -v, test's) line with one.
    reporter.write(f"== {group} ==")


_config: pytest.Config | None = None
_current_group: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


def _pg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(scope="session")
def pg_url():
    """A fresh, migrated PostgreSQL database for this test session, dropped at the end."""
    name = f"iltizam_t_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_pg(PG_ADMIN), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL is required and unreachable at {PG_ADMIN}: {exc}", pytrace=False)
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    sa.create_engine(_pg(url)).dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """One migrated SQLite file, copied for each test (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "iltizam.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    yield url
    engine = sa.create_engine(_pg(url))
    tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ILTIZAM_INSTANCE", str(tmp_path / "instance"))
    application = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
                              "SOCKETIO_ASYNC_MODE": "threading", "REDIS_URL": None,
                              "SERVER_NAME": "iltizam.test"})
    yield application
    application.extensions["iltizam.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Builds users, organisations, plans and cards through the real services."""

    def __init__(self, app) -> None:
        self.app = app

    def _commit(self, fn, *args: Any) -> Any:
        with self.app.app_context():
            session = db.session()
            obj = fn(session, *args)
            session.commit()
            return obj.id

    def org(self, kind: str = "government", name: str | None = None) -> int:
        name = name or f"{kind} {uuid.uuid4().hex[:6]}"
        return self._commit(lambda s: _add(s, Organisation(kind=kind, name_ar=f"مؤسسة {name}", name_fr=name)))

    def user(self, email: str | None = None, admin: bool = False, org_id: int | None = None,
             language: str = "ar") -> int:
        email = email or f"u{uuid.uuid4().hex[:8]}@example.org"
        return self._commit(lambda s: _add(s, User(email=email, name=email.split("@")[0], password_hash=_HASH,
                                                   is_admin=admin, organisation_id=org_id, language=language)))

    def plan(self, coordinator_id: int, **extra: Any) -> int:
        data = {"title_ar": "خطة تجريبية", "title_fr": "Plan d'essai", "period_start": "2024-01",
                "period_end": "2027-12", **extra}
        return self._commit(lambda s: plan_service.create_plan(s, s.get(User, coordinator_id), data))

    def axis(self, plan_id: int, coordinator_id: int, number: int = 1) -> int:
        from server.models import Plan

        return self._commit(lambda s: plan_service.add_axis(
            s, s.get(User, coordinator_id), s.get(Plan, plan_id),
            {"number": number, "title_ar": f"المحور {number}", "title_fr": f"Axe {number}"}))

    def card(self, plan_id: int, coordinator_id: int, **data: Any) -> int:
        from server.models import Plan

        return self._commit(lambda s: card_service.create_card(
            s, documents(self.app), s.get(User, coordinator_id), s.get(Plan, plan_id), data))

    def grant(self, actor_id: int, user_id: int, role: str, plan_id: int, card_id: int | None = None) -> int:
        from server.models import Card, Plan

        return self._commit(lambda s: role_service.grant(
            s, s.get(User, actor_id), s.get(Plan, plan_id), s.get(Card, card_id) if card_id else None,
            s.get(User, user_id), role))


    def without_criteria(self, plan_id: int) -> None:
        """Turn the plan's drafting criteria off (as its coordinator may), so that a bare test
        card can be submitted for review."""
        from server.models import Plan

        with self.app.app_context():
            session = db.session()
            plan = session.get(Plan, plan_id)
            plan.criteria = {**plan.criteria, "disabled": sorted(plan_service.criteria_ids(plan))}
            session.commit()


def _add(session, obj):
    session.add(obj)
    session.flush()
    return obj


@pytest.fixture
def factory(app):
    return Factory(app)


class Auth:
    """Signs a test client in and out the way a browser does, CSRF token included."""

    def __init__(self, client) -> None:
        self.client = client

    def csrf(self) -> str:
        self.client.get("/login")
        with self.client.session_transaction() as sess:
            return sess["csrf"]

    def login(self, email: str, password: str = PASSWORD):
        token = self.csrf()
        return self.client.post("/login", data={"email": email, "password": password, "csrf_token": token})

    def headers(self) -> dict[str, str]:
        with self.client.session_transaction() as sess:
            return {"X-CSRF-Token": sess.get("csrf", "")}


@pytest.fixture
def auth(client):
    return Auth(client)


def email_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session().get(User, user_id).email
