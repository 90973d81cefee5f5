"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 16:10:05.185250
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name_ar', sa.String(length=300), nullable=False),
    sa.Column('name_fr', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations'))
    )
    op.create_table('plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_ar', sa.String(length=300), nullable=False),
    sa.Column('title_fr', sa.String(length=300), nullable=False),
    sa.Column('period_start', sa.String(length=7), nullable=False),
    sa.Column('period_end', sa.String(length=7), nullable=False),
    sa.Column('coordinator_org_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.String(length=50), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('approval_policy', sa.JSON(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_org_id'], ['organisations.id'], name=op.f('fk_plans_coordinator_org_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_users_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('axes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title_ar', sa.String(length=300), nullable=False),
    sa.Column('title_fr', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_axes_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_axes')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_axes_plan_id'))
    )
    op.create_table('cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('axis_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('lead_org_id', sa.Integer(), nullable=True),
    sa.Column('co_lead_org_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['axis_id'], ['axes.id'], name=op.f('fk_cards_axis_id_axes')),
    sa.ForeignKeyConstraint(['co_lead_org_id'], ['organisations.id'], name=op.f('fk_cards_co_lead_org_id_organisations')),
    sa.ForeignKeyConstraint(['lead_org_id'], ['organisations.id'], name=op.f('fk_cards_lead_org_id_organisations')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_cards_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cards')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_cards_plan_id'))
    )
    op.create_table('attestations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=50), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_attestations_card_id_cards')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_attestations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attestations')),
    sa.UniqueConstraint('card_id', 'criterion', name=op.f('uq_attestations_card_id'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_audit_events_card_id_cards')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_audit_events_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_table('card_snapshots',
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('upto', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_snapshots_card_id_cards')),
    sa.PrimaryKeyConstraint('card_id', name=op.f('pk_card_snapshots'))
    )
    op.create_table('card_updates',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_updates_card_id_cards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_updates'))
    )
    with op.batch_alter_table('card_updates', schema=None) as batch_op:
        batch_op.create_index('ix_card_updates_card_seq', ['card_id', 'id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_invitations_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_invitations_card_id_cards')),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_invitations_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations'))
    )
    op.create_table('role_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_role_assignments_card_id_cards')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_role_assignments_plan_id_plans')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_role_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_assignments')),
    sa.UniqueConstraint('user_id', 'plan_id', 'card_id', 'role', name=op.f('uq_role_assignments_user_id'))
    )



def downgrade() -> None:

    op.drop_table('role_assignments')
    op.drop_table('invitations')
    with op.batch_alter_table('card_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_card_updates_card_seq')

    op.drop_table('card_updates')
    op.drop_table('card_snapshots')
    op.drop_table('audit_events')
    op.drop_table('attestations')
    op.drop_table('cards')
    op.drop_table('axes')
    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('plans')
    op.drop_table('organisations')

