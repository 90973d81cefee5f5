"""Interop tests: the server driven by real Node yjs clients and by a Python pycrdt client.

Node is required: if it (or editor/node_modules) is missing the tests fail, never skip. The
fixtures of tests/collab (card with roles, servers, Python clients) are reused.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "collab"))

from collab_fixtures import connect, server, start_server, world  # noqa: F401
from collab_support import ROOT

CLIENT = ROOT / "editor" / "test-clients" / "collab-client.mjs"


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.fail("node is required for the interop tests and is not on PATH", pytrace=False)
    if not (ROOT / "editor" / "node_modules" / "yjs").is_dir():
        pytest.fail("editor/node_modules is missing: run `cd editor && npm ci`", pytrace=False)
    return path


@pytest.fixture
def node_client(node):
    """Start collab-client.mjs processes; returns a starter and a collector."""
    procs: list[subprocess.Popen] = []

    def start(**options) -> subprocess.Popen:
        proc = subprocess.Popen([node, str(CLIENT), json.dumps(options)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
