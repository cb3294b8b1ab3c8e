"""Incremental indexing on SQLite and PostgreSQL: unchanged files untouched (row ids and times),
a changed file re-chunked alone, removed files' chunks deleted, failures reported, nothing
removed when a folder is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agent.errors import ConfigError
from kb.config import KnowledgeConfig
from kb.index import index_knowledge
from kb.models import KbArticle, KbChunk
from kb.retrieve import retrieve
from storage.db import open_database


@pytest.fixture
def db(kb_db_url):
    engine, sf = open_database(kb_db_url)
    yield sf
    engine.dispose()


def state(sf) -> dict[str, tuple]:
    """slug → (article id, updated_at, content hash, chunk ids)."""
    with sf() as s:
        out = {}
        for a in s.scalars(select(KbArticle)):
            ids = tuple(s.scalars(select(KbChunk.id).where(KbChunk.article_id == a.id).order_by(KbChunk.seq)))
            out[a.slug] = (a.id, a.updated_at, a.content_hash, ids)
        return out


def cfg(root: Path, **kw) -> KnowledgeConfig:
    return KnowledgeConfig(folders=[root], **kw)


def test_first_pass_then_nothing_changes(db, articles):
    report = index_knowledge(db, cfg(articles, base_url="https://kb.example.com"), articles.parent)
    assert report.counts() == {"added": 3, "updated": 0, "removed": 0, "unchanged": 0, "failed": 0}
    before = state(db)
    assert set(before) == {"fees-overview", "lost-card", "hours"}
    again = index_knowledge(db, cfg(articles, base_url="https://kb.example.com"), articles.parent)
    assert again.counts() == {"added": 0, "updated": 0, "removed": 0, "unchanged": 3, "failed": 0}
    assert state(db) == before
    with db() as s:
        urls = dict(s.execute(select(KbArticle.slug, KbArticle.url)).all())
    assert urls == {"fees-overview": "https://help.example.com/fees", "lost-card": "https://kb.example.com/lost-card",
                    "hours": "https://kb.example.com/hours"}


def test_changing_one_file_touches_only_that_file(db, articles):
    index_knowledge(db, cfg(articles), articles.parent)
    before = state(db)
    card = articles / "lost-card.md"
    card.write_text("# Lost card\n\nReport a stolen card by phone to the 24-hour hotline.\n\n## Replacement\n\nA new card arrives in five days.\n")
    report = index_knowledge(db, cfg(articles), articles.parent)
    assert report.updated == [f"{articles}/lost-card.md"] and len(report.unchanged) == 2 and not report.added
    after = state(db)
    for slug in ("fees-overview", "hours"):
        assert after[slug] == before[slug]  # same row ids, same updated_at, same chunk ids
    old_id, old_time, old_hash, old_chunks = before["lost-card"]
    new_id, new_time, new_hash, new_chunks = after["lost-card"]
    assert new_id == old_id and new_time > old_time and new_hash != old_hash
    assert len(new_chunks) == 2 and not set(new_chunks) & set(old_chunks)
    with db() as s:
        assert s.scalar(select(func.count()).select_from(KbChunk).where(KbChunk.id.in_(old_chunks))) == 0
    found = retrieve(db, "stolen card hotline", k=3)
    assert found[0].article_id == "lost-card" and "hotline" in found[0].text
    assert not [sn for sn in retrieve(db, "freeze fraud line app", k=5) if sn.article_id == "lost-card" and "Freeze" in sn.text]


def test_removed_file_is_deleted_with_its_chunks(db, articles):
    index_knowledge(db, cfg(articles), articles.parent)
    removed_chunks = state(db)["hours"][3]
    (articles / "hours.html").unlink()
    report = index_knowledge(db, cfg(articles), articles.parent)
    assert report.removed == [f"{articles}/hours.html"] and len(report.unchanged) == 2
    assert "hours" not in state(db)
    with db() as s:
        assert s.scalar(select(func.count()).select_from(KbChunk).where(KbChunk.id.in_(removed_chunks))) == 0
    assert [sn for sn in retrieve(db, "opening hours Christmas phone lines", k=5) if sn.article_id == "hours"] == []


def test_missing_folder_changes_nothing(db, articles, tmp_path):
    index_knowledge(db, cfg(articles), articles.parent)
    before = state(db)
    with pytest.raises(ConfigError) as exc:
        index_knowledge(db, KnowledgeConfig(folders=[articles, tmp_path / "gone"]), tmp_path)
    assert "knowledge.folders[1]" in str(exc.value) and "gone" in str(exc.value)
    assert state(db) == before


def test_broken_file_is_reported_and_keeps_its_last_version(db, articles):
    index_knowledge(db, cfg(articles), articles.parent)
    before = state(db)
    (articles / "fees" / "overview.md").write_text("---\ntitle: [broken\n---\nBody\n")
    (articles / "new.md").write_text("# New article\n\nAbout pensions.\n")
    report = index_knowledge(db, cfg(articles), articles.parent)
    assert [p for p, _ in report.errors] == [f"{articles}/fees/overview.md"]
    assert "not valid YAML" in report.errors[0][1]
    assert report.added == [f"{articles}/new.md"]
    assert state(db)["fees-overview"] == before["fees-overview"]


def test_article_id_taken_by_another_file_is_an_error(db, articles):
    (articles / "fees-overview.md").write_text("# Duplicate\n\nSame id as fees/overview.md.\n")
    report = index_knowledge(db, cfg(articles), articles.parent)
    assert len(report.added) == 3 and len(report.errors) == 1
    path, reason = report.errors[0]
    assert path.endswith("kb/fees-overview.md")  # discovered after fees/overview.md (sorted by path parts)
    assert "'fees-overview' is already used by" in reason and reason.endswith("give one of them another front matter id")


def test_new_chunk_size_rechunks_every_article(db, articles):
    index_knowledge(db, cfg(articles), articles.parent)
    report = index_knowledge(db, cfg(articles, chunk_max_chars=300), articles.parent)
    assert len(report.updated) == 3 and not report.unchanged


def test_unchanged_file_with_new_mtime_is_untouched(db, articles):
    index_knowledge(db, cfg(articles), articles.parent)
    before = state(db)
    os.utime(articles / "lost-card.md", (1_900_000_000, 1_900_000_000))
    assert index_knowledge(db, cfg(articles), articles.parent).counts()["unchanged"] == 3
    assert state(db) == before
