"""outbox: CloudEvents written with the change they report, published by the events relay

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

One row per event (storage/outbox.py, docs/events.md, issue 12): the CloudEvent id (uuid4, the
deduplication key), the audit event it was made from (unique, the publish order), type, source,
subject, time, data (ids, hashes, rule ids, versions), the item's correlation id, and the relay's
bookkeeping (published_at after the broker's confirm, attempts, last_error). The partial index
keeps the relay's "unpublished, in order" query cheap however many rows are published.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('audit_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('correlation_id', sa.String(length=36), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('audit_seq', name=op.f('uq_outbox_audit_seq'))
    )
    op.create_index(op.f('ix_outbox_correlation_id'), 'outbox', ['correlation_id'], unique=False)
    op.create_index(op.f('ix_outbox_published_at'), 'outbox', ['published_at'], unique=False)
    op.create_index('ix_outbox_unpublished', 'outbox', ['audit_seq'], unique=False,
                    sqlite_where=sa.text('published_at IS NULL'), postgresql_where=sa.text('published_at IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_outbox_unpublished', table_name='outbox')
    op.drop_index(op.f('ix_outbox_published_at'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_correlation_id'), table_name='outbox')
    op.drop_table('outbox')
