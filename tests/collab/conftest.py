"""Co-editing tests: fixtures live in collab_fixtures.py (shared with tests/interop)."""
from __future__ import annotations

from collab_fixtures import World, connect, server, start_server, world  # noqa: F401
