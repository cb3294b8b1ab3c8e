"""audit head seal and key check; index on audit_events.item_id

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

``audit_head.seal``: HMAC-SHA256 of the head (seq, hash) under ``DRAFTGUARD_AUDIT_KEY``,
written with every append, so removing the last events and rewriting the head is detected.
``audit_head.key_check``: HMAC of a fixed label under the key (``none`` without a key), so a
wrong key is reported as such. Both stay NULL until the next append (``audit verify`` says
so). The index serves the cross-check of item states against their events.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seal', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('key_check', sa.String(length=64), nullable=True))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_item_id'))
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('key_check')
        batch_op.drop_column('seal')
