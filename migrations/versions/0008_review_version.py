"""cards.review_version: a random value renewed whenever the card's threads or comments change

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:00:00
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NOT NULL with a constant default: SQLite adds it without rebuilding the table; then one
    # random value per card, as a new card gets (the value names one database's card alone).
    op.add_column('cards', sa.Column('review_version', sa.String(length=32), server_default='', nullable=False))
    cards = sa.table('cards', sa.column('id', sa.Integer()), sa.column('review_version', sa.String(32)))
    conn = op.get_bind()
    for (card_id,) in conn.execute(sa.select(cards.c.id)).all():
        conn.execute(cards.update().where(cards.c.id == card_id).values(review_version=secrets.token_hex(16)))


def downgrade() -> None:
    with op.batch_alter_table('cards', schema=None) as batch_op:
        batch_op.drop_column('review_version')
