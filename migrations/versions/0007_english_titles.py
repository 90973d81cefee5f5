"""plans.title_en, axes.title_en: an English name for a plan and an axis, empty when none was
given (the English interface then shows the French one)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NOT NULL with a constant default: the column addition SQLite allows without a table rebuild.
    for table in ('plans', 'axes'):
        op.add_column(table, sa.Column('title_en', sa.String(length=300), server_default='', nullable=False))


def downgrade() -> None:
    for table in ('plans', 'axes'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('title_en')
