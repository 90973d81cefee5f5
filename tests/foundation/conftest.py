"""Fixtures of the foundation tests beyond tests/conftest.py: a stand-in for the live engine."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server import db
from server.models import RoleAssignment

from tests.foundation import approval_world


class LiveRecorder:
    """Stands in for the co-editing engine's room events; notes what was committed when told."""

    def __init__(self, app) -> None:
        self.app = app
        self.calls: list[tuple] = []
        self.approvals: list[tuple[int, str]] = []  # apart: they follow the rights calls they come with

    def _roles_now(self) -> set[tuple]:
        # A fresh session on a fresh connection sees only committed rows.
        with self.app.app_context():
            session = db.sessionmaker_for(self.app)()
            try:
                rows = session.execute(select(RoleAssignment.user_id, RoleAssignment.card_id, RoleAssignment.role))
                return set(rows)
            finally:
                session.close()

    def rights_changed(self, *, card_ids, plan_id, user_id) -> None:
        self.calls.append(("rights", tuple(card_ids), plan_id, user_id, self._roles_now()))

    def credentials_revoked(self, user_id) -> None:
        self.calls.append(("credentials", user_id))

    def approval_changed(self, card_id, change) -> None:
        self.approvals.append((card_id, change))


@pytest.fixture
def live(app):
    recorder = LiveRecorder(app)
    app.extensions["iltizam.room_events"] = recorder
    yield recorder
    app.extensions.pop("iltizam.room_events", None)


@pytest.fixture
def world(app, factory):
    """The approval tests' people (tests/foundation/approval_world.py); modules may narrow it."""
    return approval_world.build(factory)


@pytest.fixture
def as_(app, client, auth, world):
    """Calls the API as one of `world`'s people."""
    return approval_world.As(app, client, auth, world)
