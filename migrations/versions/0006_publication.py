"""Publication and consultation: published versions, consultations, contributions, the plan's
stage and its kept documents

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 22:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column('withdraw_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id']),
        sa.ForeignKeyConstraint(['version_id'], ['card_versions.id']),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_publications_card', 'publications', ['card_id', 'id'])
    op.create_table(
        'consultations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('opens_at', sa.DateTime(), nullable=False),
        sa.Column('closes_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consultations_plan', 'consultations', ['plan_id', 'id'])
    op.create_table(
        'contributions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=60), nullable=True),
        sa.Column('publication_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('lang', sa.String(length=2), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('reject_reason', sa.String(length=20), nullable=True),
        sa.Column('moderation_note', sa.Text(), nullable=False),
        sa.Column('moderated_by_id', sa.Integer(), nullable=True),
        sa.Column('moderated_at', sa.DateTime(), nullable=True),
        sa.Column('outcome', sa.String(length=30), nullable=True),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id']),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id']),
        sa.ForeignKeyConstraint(['card_id'], ['cards.id']),
        sa.ForeignKeyConstraint(['publication_id'], ['publications.id']),
        sa.ForeignKeyConstraint(['moderated_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['answered_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_contributions_plan', 'contributions', ['plan_id', 'state', 'id'])
    op.create_index('ix_contributions_card', 'contributions', ['card_id', 'state'])
    op.create_index('ix_contributions_address', 'contributions', ['address_hash', 'created_at'])
    op.create_index('ix_contributions_email', 'contributions', ['email', 'created_at'])
    op.create_table(
        'plan_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('lang', sa.String(length=2), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plans.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_plan_documents_plan', 'plan_documents', ['plan_id', 'id'])
    with op.batch_alter_table('plans') as batch:
        batch.add_column(sa.Column('stage', sa.String(length=20), server_default='drafting', nullable=False))
        batch.add_column(sa.Column('stage_history', sa.JSON(), server_default='[]', nullable=False))
        batch.add_column(sa.Column('council_decision_date', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('council_reference', sa.String(length=200), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('plans') as batch:
        for column in ('council_reference', 'council_decision_date', 'stage_history', 'stage'):
            batch.drop_column(column)
    op.drop_index('ix_plan_documents_plan', 'plan_documents')
    op.drop_table('plan_documents')
    for index in ('ix_contributions_email', 'ix_contributions_address', 'ix_contributions_card',
                  'ix_contributions_plan'):
        op.drop_index(index, 'contributions')
    op.drop_table('contributions')
    op.drop_index('ix_consultations_plan', 'consultations')
    op.drop_table('consultations')
    op.drop_index('ix_publications_card', 'publications')
    op.drop_table('publications')
