"""review task notification state: retry time, SLA reminders, escalation snapshot

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

``notify_next_at``: earliest time the outbox may retry a failed first notification
(bounded exponential backoff by ``notify_attempts``). ``reminded_at`` /
``reminder_count``: the last SLA reminder and how many were sent. ``escalation``: the
snapshot the notification cards are built from (subject, sender, link, findings); its
personal fields are purged by retention together with the draft bodies.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_next_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminder_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('escalation', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review_tasks', schema=None) as batch_op:
        batch_op.drop_column('escalation')
        batch_op.drop_column('reminder_count')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('notify_next_at')
