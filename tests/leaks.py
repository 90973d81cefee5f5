"""An autouse check that a test leaves nothing behind: no server process it started still
running and no Flask application context still pushed.

Loaded by tests/conftest.py as a plugin. Fixtures of a wider scope (a module's browser server)
are set up before this check looks, so what they own is not counted. A leak fails the test
that caused it, saying what leaked, and is cleaned up so the next test starts clean.
"""
from __future__ import annotations

import pytest
from flask.globals import _cv_app

from server_process import STARTED


@pytest.fixture(autouse=True)
def nothing_left_behind():
    before = {id(s) for s in STARTED if s.proc.poll() is None}
    yield
    leaked = [s for s in STARTED if id(s) not in before and s.proc.poll() is None]
    for server in leaked:
        server.stop()
    STARTED[:] = [s for s in STARTED if s.proc.poll() is None]
    context = _cv_app.get(None)
    if context is not None:
        context.pop()
    assert not leaked, f"{len(leaked)} server process(es) started by this test were left running"
    assert context is None, "the test left a Flask application context pushed"
