"""ORM models of the knowledge base (migration 0008): one row per article file, its chunks.

The full-text index is not an ORM table: on SQLite the FTS5 table ``kb_chunks_fts`` (external
content = ``kb_chunks``, kept in step by triggers), on PostgreSQL the ``tsv`` column of
``kb_chunks`` (a GIN index) written by :mod:`kb.index` with the article language's text search
configuration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base, utcnow


class KbArticle(Base):
    """One article file. ``folder`` is the configured folder as written in the config;
    ``source_path`` the file's path below it (POSIX separators); ``slug`` the article id used in
    citations (unique); ``content_hash`` the sha256 (hex) of the file's bytes; ``chunker`` the
    chunker version and size cap the chunks were made with (a change re-chunks the file)."""

    __tablename__ = "kb_articles"
    __table_args__ = (UniqueConstraint("folder", "source_path", name="uq_kb_articles_folder_source_path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    folder: Mapped[str] = mapped_column(String(1000))
    source_path: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str | None] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64))
    chunker: Mapped[str] = mapped_column(String(40))
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    chunks: Mapped[list[KbChunk]] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True, order_by="KbChunk.seq"
    )


class KbChunk(Base):
    """One chunk of an article: ``seq`` counts from 1 in reading order (the ``#n`` of the
    snippet id), ``heading`` is the section's heading path, ``text`` what a draft is grounded
    on; ``title_terms`` / ``body_terms`` are the stemmed words the SQLite FTS5 index reads
    (:mod:`kb.terms`)."""

    __tablename__ = "kb_chunks"
    __table_args__ = (
        UniqueConstraint("article_id", "seq", name="uq_kb_chunks_article_id_seq"),
        {"sqlite_autoincrement": True},  # a chunk id is never reused for other text
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(1000))
    text: Mapped[str] = mapped_column(Text)
    title_terms: Mapped[str] = mapped_column(Text)
    body_terms: Mapped[str] = mapped_column(Text)

    article: Mapped[KbArticle] = relationship(back_populates="chunks")
