"""A Python client built on pycrdt's own sync helpers, against the server."""
from __future__ import annotations

from pycrdt import Doc, Text

from collab_support import insert_text, missing, wait_until


def test_pycrdt_clients_converge_and_match_the_store(server, world, connect, app):
    from server.collab.wiring import documents

    a = connect(server, world.tokens["contributor"])
    b = connect(server, world.tokens["co_lead"])
    a.join(world.card_id)
    b.join(world.card_id)
    for i in range(20):
        (a if i % 2 else b).edit(insert_text(str(i % 10), index=0))
    wait_until(lambda: a.text() == b.text() and len(a.text()) == 20, message="convergence")
    assert missing(a.state(), b.state()) == b"\x00\x00"
    # Every acknowledged edit is in the database.
    stored = documents(app).store.load_state(world.card_id)
    doc = Doc()
    doc.apply_update(stored)
    assert str(doc.get("title", type=Text)) == a.text()
