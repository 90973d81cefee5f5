"""users.session_version: a random per-account session version carried by session cookies

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:45:00
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NOT NULL with a constant default is the one column addition SQLite allows without
    # rebuilding the table (which foreign keys to users would forbid).
    op.add_column('users', sa.Column('session_version', sa.String(length=32), server_default='', nullable=False))
    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('session_version', sa.String(32)))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        # One random value per account: sessions made before the upgrade (which carry none) end.
        conn.execute(users.update().where(users.c.id == user_id).values(session_version=secrets.token_hex(16)))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
