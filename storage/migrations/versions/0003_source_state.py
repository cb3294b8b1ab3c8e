"""source state: the pause of a source that refused work (rate limit)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

``source_state`` holds one row per source the pipeline paused after a
``SourceThrottledError`` (Salesforce ``REQUEST_LIMIT_EXCEEDED``, Graph 429 after the
client's retries): ``paused_until`` (aware UTC), the connector's reason, when it began.
Every run and ``main.py status`` read it; the first run after ``paused_until`` resumes
the items left pending.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('source_state',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pause_reason', sa.Text(), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', name=op.f('pk_source_state'))
    )


def downgrade() -> None:
    op.drop_table('source_state')
