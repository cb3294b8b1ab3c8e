"""knowledge base: articles, chunks and their full-text index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Issue 14 (kb/models.py, docs/knowledge.md): one row per article file (content hash, chunker
version) and its chunks. Full-text index: on SQLite an FTS5 table over the chunks' stemmed
words (external content, kept in step by triggers; bm25 ranking), on PostgreSQL a ``tsv``
tsvector column of kb_chunks with a GIN index (written by kb/index.py with the article
language's text search configuration; ts_rank ranking).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('folder', sa.String(length=1000), nullable=False),
    sa.Column('source_path', sa.String(length=1000), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('chunker', sa.String(length=40), nullable=False),
    sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
    sa.UniqueConstraint('folder', 'source_path', name='uq_kb_articles_folder_source_path'),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_articles_slug'))
    )
    op.create_table('kb_chunks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('heading', sa.String(length=1000), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('title_terms', sa.Text(), nullable=False),
    sa.Column('body_terms', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_chunks_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_chunks')),
    sa.UniqueConstraint('article_id', 'seq', name='uq_kb_chunks_article_id_seq'),
    sqlite_autoincrement=True
    )
    op.create_index(op.f('ix_kb_chunks_article_id'), 'kb_chunks', ['article_id'], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE kb_chunks_fts USING fts5(title_terms, body_terms, "
                   "content='kb_chunks', content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER kb_chunks_fts_ai AFTER INSERT ON kb_chunks BEGIN "
                   "INSERT INTO kb_chunks_fts(rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms); END")
        op.execute("CREATE TRIGGER kb_chunks_fts_ad AFTER DELETE ON kb_chunks BEGIN "
                   "INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, title_terms, body_terms) "
                   "VALUES ('delete', old.id, old.title_terms, old.body_terms); END")
        op.execute("CREATE TRIGGER kb_chunks_fts_au AFTER UPDATE ON kb_chunks BEGIN "
                   "INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, title_terms, body_terms) "
                   "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
                   "INSERT INTO kb_chunks_fts(rowid, title_terms, body_terms) VALUES (new.id, new.title_terms, new.body_terms); END")
    elif dialect == 'postgresql':
        op.add_column('kb_chunks', sa.Column('tsv', postgresql.TSVECTOR(), nullable=True))
        op.create_index('ix_kb_chunks_tsv', 'kb_chunks', ['tsv'], unique=False, postgresql_using='gin')


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for trigger in ('kb_chunks_fts_ai', 'kb_chunks_fts_ad', 'kb_chunks_fts_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS kb_chunks_fts")
    elif dialect == 'postgresql':
        op.drop_index('ix_kb_chunks_tsv', table_name='kb_chunks')
    op.drop_index(op.f('ix_kb_chunks_article_id'), table_name='kb_chunks')
    op.drop_table('kb_chunks')
    op.drop_table('kb_articles')
