"""drafts.grounding: what a draft was grounded on and cited, its token budget and style

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Issue 14: one JSON value per draft (agent/grounding.py: grounding_record): the knowledge snippets
retrieved (ids, titles, links, scores; no text), the citations the draft made and those that
named no retrieved snippet, the prompt's token budget and what it cut, the tone and readability
target, the CRM field names used. Nullable: drafts written before have none.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('drafts') as batch:
        batch.add_column(sa.Column('grounding', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('drafts') as batch:
        batch.drop_column('grounding')
