"""risk_assessments: the risk assessment of each analysed item

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

One row per analysis of an item (agent/risk.py, issue 11): the score, whether a person must
see the item, the raised categories with their signals and reviewer group, the evidence (rule
ids and spans of the redacted inbound text, or the model reviewer's quotes; purged by retention)
and the details (reasons, per-signal scores, normalisation flags, versions, the reviewer call).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('risk_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('must_review', sa.Boolean(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_risk_assessments_draft_id_drafts')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_risk_assessments_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessments'))
    )
    op.create_index(op.f('ix_risk_assessments_item_id'), 'risk_assessments', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_risk_assessments_item_id'), table_name='risk_assessments')
    op.drop_table('risk_assessments')
