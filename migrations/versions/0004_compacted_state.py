"""card_snapshots is called compacted_states: it is compaction's state, not a version of a card

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 08:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The table's constraints keep their first names (pk_card_snapshots, …): renaming them is
    # not needed for anything and SQLite cannot rename a constraint in place.
    op.rename_table('card_snapshots', 'compacted_states')


def downgrade() -> None:
    op.rename_table('compacted_states', 'card_snapshots')
