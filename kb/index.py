"""Incremental indexing of the configured knowledge folders.

For every article file (:data:`kb.loaders.SUFFIXES`) below each ``[knowledge] folders`` entry:
an unchanged file (same sha256 of its bytes, same chunker and size cap) is not touched (not even
read past hashing); a new or changed one is loaded, chunked and written in its own transaction
(its old chunks deleted, its article row kept with the same id); articles whose file is gone, or
whose folder is no longer configured, are deleted with their chunks. A file that fails to load
keeps its last indexed version and is reported in :attr:`IndexReport.errors`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.errors import ConfigError
from agent.language import detect_language
from kb.chunker import chunk_article, chunker_id
from kb.config import KnowledgeConfig
from kb.documents import ArticleError
from kb.loaders import LOADERS, MAX_FILE_BYTES, SUFFIXES
from kb.models import KbArticle, KbChunk
from kb.terms import index_terms, pg_config
from storage.models import utcnow


@dataclass
class IndexReport:
    """What one ``kb index`` pass did: paths (``folder/relative path``) per outcome, and
    ``errors`` as ``(path, reason)`` for files that could not be indexed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """``{"added": n, "updated": n, "removed": n, "unchanged": n, "failed": n}``."""
        return {"added": len(self.added), "updated": len(self.updated), "removed": len(self.removed),
                "unchanged": len(self.unchanged), "failed": len(self.errors)}


@dataclass(frozen=True)
class ArticleFile:
    """``folder``: the configured folder as written (the article's key with ``rel``);
    ``path``: the file; ``rel``: its POSIX path below the folder."""

    folder: str
    path: Path
    rel: str

    @property
    def shown(self) -> str:
        return f"{self.folder.rstrip('/')}/{self.rel}"


def slugify(rel: str) -> str:
    """The article id of a file without front matter ``id``: its path below the folder without
    the suffix, lower case, every run of other characters than a-z/0-9 a hyphen
    (``fees/Custody fee.md`` → ``fees-custody-fee``)."""
    stem = rel.rsplit(".", 1)[0].lower()
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:200] or "article"


def discover(config: KnowledgeConfig, base_dir: Path) -> list[ArticleFile]:
    """Every article file below the configured folders, sorted by folder then path; hidden
    files and folders (name starting with ``.``) are left out. Raises ConfigError (key
    ``knowledge.folders[i]``) for a folder that does not exist, before anything is changed."""
    files: list[ArticleFile] = []
    for i, folder in enumerate(config.folders):
        root = folder if folder.is_absolute() else (base_dir / folder).resolve()
        if not root.is_dir():
            raise ConfigError(f"{root}: no such folder of knowledge articles", key=f"knowledge.folders[{i}]")
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or not path.is_file():
                continue
            if path.suffix.lower() in SUFFIXES:
                files.append(ArticleFile(str(folder), path, rel.as_posix()))
    return files


def _pg_vectors(session: Session, article_id: int, language: str | None) -> None:
    """PostgreSQL: the chunks' ``tsv`` (title and heading weight A, text weight B) in the
    article language's text search configuration."""
    session.execute(
        text(
            "UPDATE kb_chunks AS c SET tsv = "
            "setweight(to_tsvector(CAST(:cfg AS regconfig), a.title || ' ' || c.heading), 'A') || "
            "setweight(to_tsvector(CAST(:cfg AS regconfig), c.text), 'B') "
            "FROM kb_articles AS a WHERE a.id = c.article_id AND c.article_id = :id"
        ),
        {"cfg": pg_config(language), "id": article_id},
    )


def _write(session: Session, f: ArticleFile, data: bytes, digest: str, existing: KbArticle | None,
           config: KnowledgeConfig, chunker: str) -> None:
    """Load, chunk and store one file (insert, or replace the chunks of ``existing``)."""
    if len(f.rel) > 1000 or len(f.folder) > 1000:
        raise ArticleError(f.shown, "path longer than the 1000 characters the index keeps; use a shorter folder or file name")
    article = LOADERS[SUFFIXES[f.path.suffix.lower()]](data, f.shown)
    if not any(s.text.strip() for s in article.sections):
        raise ArticleError(f.shown, "no text in it")
    slug = article.slug or slugify(f.rel)
    other = session.scalar(select(KbArticle).where(KbArticle.slug == slug))
    if other is not None and (existing is None or other.id != existing.id):
        raise ArticleError(f.shown, f"article id {slug!r} is already used by {other.folder.rstrip('/')}/{other.source_path}; "
                                    "give one of them another front matter id")
    language = article.language or detect_language(article.full_text()) or config.default_language
    url = article.url or (f"{config.base_url}/{slug}" if config.base_url else None)
    now = utcnow()
    if existing is None:
        row = KbArticle(folder=f.folder, source_path=f.rel, indexed_at=now)
        session.add(row)
    else:
        row = existing
        session.execute(delete(KbChunk).where(KbChunk.article_id == row.id))
    row.slug, row.title, row.url, row.language = slug, article.title[:500], url, language
    row.content_hash, row.chunker, row.updated_at = digest, chunker, now
    session.flush()
    for seq, chunk in enumerate(chunk_article(article, config.chunk_max_chars), 1):
        session.add(KbChunk(
            article_id=row.id, seq=seq, heading=chunk.heading[:1000], text=chunk.text,
            title_terms=index_terms(f"{row.title} {chunk.heading}", language),
            body_terms=index_terms(chunk.text, language),
        ))
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        _pg_vectors(session, row.id, language)


def index_knowledge(
    session_factory: sessionmaker[Session],
    config: KnowledgeConfig,
    base_dir: Path,
    *,
    on_file: Callable[[int, int, str], None] | None = None,
) -> IndexReport:
    """Bring the index in step with the configured folders (see the module docstring).

    ``session_factory``: from :func:`storage.db.open_database`. ``base_dir``: the folder
    relative ``folders`` are resolved against (the config file's). ``on_file(done, total,
    path)`` is called after each file (progress bars). Raises ConfigError for a missing folder
    (nothing changed then); a file that cannot be indexed is reported, not raised."""
    files = discover(config, base_dir)
    chunker = chunker_id(config.chunk_max_chars)
    report = IndexReport()
    with session_factory() as s:
        known = {(a.folder, a.source_path): (a.id, a.content_hash, a.chunker) for a in s.scalars(select(KbArticle))}
    seen: set[tuple[str, str]] = set()
    for n, f in enumerate(files, 1):
        key = (f.folder, f.rel)
        seen.add(key)
        try:
            size = f.path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ArticleError(f.shown, f"{size} bytes is larger than the {MAX_FILE_BYTES} an article may have")
            data = f.path.read_bytes()
        except OSError as exc:
            report.errors.append((f.shown, f"cannot read: {exc.strerror}"))
        except ArticleError as exc:
            report.errors.append((f.shown, exc.problem))
        else:
            digest = hashlib.sha256(data).hexdigest()
            old = known.get(key)
            if old is not None and old[1] == digest and old[2] == chunker:
                report.unchanged.append(f.shown)
            else:
                try:
                    with session_factory() as s, s.begin():
                        existing = s.get(KbArticle, old[0]) if old else None
                        _write(s, f, data, digest, existing, config, chunker)
                except ArticleError as exc:
                    report.errors.append((f.shown, exc.problem))
                except IntegrityError as exc:  # another `kb index` wrote the same article or id meanwhile
                    report.errors.append((f.shown, f"changed by another indexer at the same time ({type(exc.orig).__name__}); run kb index again"))
                else:
                    (report.updated if old else report.added).append(f.shown)
        if on_file is not None:
            on_file(n, len(files), f.shown)
    gone = [(key, ids[0]) for key, ids in known.items() if key not in seen]
    if gone:
        with session_factory() as s, s.begin():
            for (folder, rel), article_id in gone:
                s.execute(delete(KbChunk).where(KbChunk.article_id == article_id))
                s.execute(delete(KbArticle).where(KbArticle.id == article_id))
                report.removed.append(f"{folder.rstrip('/')}/{rel}")
    return report
