"""The database goes away under a live room: edits are refused (not acknowledged), kept in
memory, and saved once it is back.

The outage is real, not simulated: the test's PostgreSQL database stops accepting connections
(ALTER DATABASE … ALLOW_CONNECTIONS false) and the server's open connections are terminated,
which is what a failover or a restart looks like to the server. The shared PostgreSQL keeps
running for everyone else. (SQLite, an embedded file, has no comparable outage.)
"""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from pycrdt import Doc, Text

from collab_support import insert_text, wait_until
from server.collab.wiring import documents

PG_ADMIN = os.environ.get("ILTIZAM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


class Outage:
    def __init__(self, database_url: str) -> None:
        self.name = database_url.rsplit("/", 1)[1]
        self.admin = sa.create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1),
                                      isolation_level="AUTOCOMMIT")

    def begin(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": self.name})

    def end(self) -> None:
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))

    def close(self) -> None:
        self.end()
        self.admin.dispose()


@pytest.fixture
def outage(database_url):
    o = Outage(database_url)
    yield o
    o.close()


def _stored_text(app, card_id: int) -> str:
    engine = app.extensions["iltizam.engine"]
    engine.dispose()  # its pooled connections were terminated by the outage
    doc = Doc()
    doc.apply_update(documents(app).store.load_state(card_id))
    return str(doc.get("title", type=Text))


def test_database_outage_refuses_acks_and_loses_nothing(server, world, connect, outage, app):
    a = connect(server, world.tokens["contributor"])
    b = connect(server, world.tokens["lead"])
    a.join(world.card_id)
    b.join(world.card_id)
    assert a.edit(insert_text("saved ")) == {"ok": True}

    outage.begin()
    ack = a.edit(insert_text("held"))
    assert ack["ok"] is False and ack["error"] == "unavailable", ack
    # Applied in memory and relayed, just not durable yet.
    wait_until(lambda: b.text() == "saved held", message="held edit relayed")
    ack = b.edit(insert_text("!"))
    assert ack["ok"] is False and ack["error"] == "unavailable"
    assert "not saved" in server.log()

    outage.end()
    # The server's retry saves what it held; a resend is acknowledged once all is durable.
    wait_until(lambda: _stored_text(app, world.card_id) == "saved held!", timeout=20,
               message="held edits written after the outage")
    assert a.edit(lambda doc: None) == {"ok": True}
    assert a.edit(insert_text("?")) == {"ok": True}
    assert _stored_text(app, world.card_id) == "saved held!?"
