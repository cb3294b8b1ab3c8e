"""maildir_seen: the files a Maildir source has read

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

One row per Maildir file a source has read and handed to the pipeline: its key, the
sha256 of its Message-ID with sender and text, and the item (external id) it belongs to.
A poll reads only files without a row, so its cost grows with new mail only, and a file
whose Message-ID is already known with the same sender and text (an mbsync re-sync, a
second delivery) joins the first file's item instead of making a second draft.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('maildir_seen',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=500), nullable=False),
    sa.Column('identity_sha256', sa.String(length=64), nullable=True),
    sa.Column('external_id', sa.String(length=500), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('source', 'key', name=op.f('pk_maildir_seen'))
    )
    op.create_index('ix_maildir_seen_identity', 'maildir_seen', ['source', 'identity_sha256'])
    op.create_index('ix_maildir_seen_external_id', 'maildir_seen', ['source', 'external_id'])


def downgrade() -> None:
    op.drop_index('ix_maildir_seen_external_id', table_name='maildir_seen')
    op.drop_index('ix_maildir_seen_identity', table_name='maildir_seen')
    op.drop_table('maildir_seen')
