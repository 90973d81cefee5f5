"""Approval: card versions, sign-offs, blocking threads; approval policies as counted parties

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:00:00
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'card_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('state', sa.LargeBinary(), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('metadata', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_card_versions_card', 'card_versions', ['card_id', 'id'])
    op.create_table(
        'signoffs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('organisation_kind', sa.String(length=20), nullable=True),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=True),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('replaced_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['version_id'], ['card_versions.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_signoffs_card', 'signoffs', ['card_id', 'id'])
    with op.batch_alter_table('threads') as batch:
        batch.add_column(sa.Column('blocking', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('notifications') as batch:
        batch.alter_column('thread_id', existing_type=sa.Integer(), nullable=True)
    # {"required": ["lead", …]} becomes {"parties": [{"role": "lead", "kind": null, "count": 1}, …]}.
    plans = sa.table('plans', sa.column('id', sa.Integer()), sa.column('approval_policy', sa.JSON()))
    conn = op.get_bind()
    for plan_id, policy in conn.execute(sa.select(plans.c.id, plans.c.approval_policy)).all():
        if isinstance(policy, str):
            policy = json.loads(policy)
        if not isinstance(policy, dict) or "parties" in policy:
            continue
        roles = [r for r in policy.get("required") or [] if r in ("lead", "co_lead", "approver", "steering")]
        parties = [{"role": r, "kind": None, "count": 1} for r in dict.fromkeys(roles)]
        conn.execute(plans.update().where(plans.c.id == plan_id).values(approval_policy={"parties": parties}))


def downgrade() -> None:
    plans = sa.table('plans', sa.column('id', sa.Integer()), sa.column('approval_policy', sa.JSON()))
    conn = op.get_bind()
    for plan_id, policy in conn.execute(sa.select(plans.c.id, plans.c.approval_policy)).all():
        if isinstance(policy, str):
            policy = json.loads(policy)
        roles = [p["role"] for p in (policy or {}).get("parties", [])]
        conn.execute(plans.update().where(plans.c.id == plan_id)
                     .values(approval_policy={"required": list(dict.fromkeys(roles))}))
    op.execute("DELETE FROM notifications WHERE thread_id IS NULL")
    with op.batch_alter_table('notifications') as batch:
        batch.alter_column('thread_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('threads') as batch:
        batch.drop_column('blocking')
    op.drop_index('ix_signoffs_card', 'signoffs')
    op.drop_table('signoffs')
    op.drop_index('ix_card_versions_card', 'card_versions')
    op.drop_table('card_versions')
