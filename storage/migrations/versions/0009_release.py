"""release: variant events, gate results, the registry of what drafted, draft provenance, shadow outcomes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Issue 15 (docs/release.md): the promotion history of the variant set (promote, rollback,
automatic stop, who did it), the evaluation gate's results per variant, every prompt template,
policy pack and model configuration that drafted an item (full text by sha256, first and last
use), which variant wrote each draft, and the shadow drafts' comparison with what was sent.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('variant_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('variant', sa.String(length=63), nullable=False),
    sa.Column('previous_default', sa.String(length=63), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variant_events'))
    )
    op.create_index(op.f('ix_variant_events_variant'), 'variant_events', ['variant'], unique=False)
    op.create_table('variant_gate_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=63), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('dataset', sa.String(length=500), nullable=False),
    sa.Column('split', sa.String(length=20), nullable=False),
    sa.Column('gate', sa.String(length=20), nullable=False),
    sa.Column('drafter', sa.String(length=20), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_variant_gate_results'))
    )
    op.create_index(op.f('ix_variant_gate_results_variant'), 'variant_gate_results', ['variant'], unique=False)
    op.create_table('registry_entries',
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=300), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'sha256', name=op.f('pk_registry_entries'))
    )
    op.create_table('draft_provenance',
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=63), nullable=False),
    sa.Column('variant_salt', sa.String(length=100), nullable=False),
    sa.Column('shadow', sa.Boolean(), nullable=False),
    sa.Column('prompt_sha256', sa.String(length=64), nullable=False),
    sa.Column('pack_sha256', sa.String(length=64), nullable=False),
    sa.Column('model_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_provenance_draft_id_drafts')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_draft_provenance_item_id_items')),
    sa.PrimaryKeyConstraint('draft_id', name=op.f('pk_draft_provenance'))
    )
    op.create_index(op.f('ix_draft_provenance_item_id'), 'draft_provenance', ['item_id'], unique=False)
    op.create_index(op.f('ix_draft_provenance_variant'), 'draft_provenance', ['variant'], unique=False)
    op.create_table('shadow_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=True),
    sa.Column('sent_ref', sa.String(length=998), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_shadow_outcomes_draft_id_drafts')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_shadow_outcomes_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shadow_outcomes')),
    sa.UniqueConstraint('item_id', name=op.f('uq_shadow_outcomes_item_id'))
    )


def downgrade() -> None:
    op.drop_table('shadow_outcomes')
    op.drop_index(op.f('ix_draft_provenance_variant'), table_name='draft_provenance')
    op.drop_index(op.f('ix_draft_provenance_item_id'), table_name='draft_provenance')
    op.drop_table('draft_provenance')
    op.drop_table('registry_entries')
    op.drop_index(op.f('ix_variant_gate_results_variant'), table_name='variant_gate_results')
    op.drop_table('variant_gate_results')
    op.drop_index(op.f('ix_variant_events_variant'), table_name='variant_events')
    op.drop_table('variant_events')
