"""Ranked knowledge snippets for a question: the interface drafting codes against.

``retrieve(db, "How much is the custody fee?", k=3, language="en")`` → the ``k`` best chunks as
:class:`Snippet`, best first. ``db`` is the project's storage handle (:func:`storage.db.open_database`
returns ``(engine, session_factory)``): a ``sessionmaker`` (the session factory), an ``Engine``
or an open ``Session`` (used as is, not closed). Nothing is written.

Ranking: on SQLite the FTS5 table's ``bm25`` (title and heading words weigh twice the text's)
over Snowball stems (:mod:`kb.terms`); on PostgreSQL ``ts_rank`` of ``websearch_to_tsquery`` over
the chunks' ``tsv`` (the article language's configuration). A question matches a chunk that
shares any of its words (OR), so a client's sentence works as a query. The question is stemmed
in its language (``language``, else identified by :func:`agent.language.detect_language`) and
in English; snippets in that language get their score multiplied by :data:`LANGUAGE_BOOST`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from agent.language import detect_language
from kb.models import KbArticle
from kb.terms import pg_config, query_terms, words

#: score factor of a snippet in the question's language (a German article first for German mail)
LANGUAGE_BOOST = 1.5
#: at most this many distinct words of a question are searched (a whole e-mail as a query)
MAX_QUERY_TERMS = 100
#: at most this many chunks of one article among the snippets returned (others fill only empty
#: places): a wrong first article cannot take every place
MAX_PER_ARTICLE = 2
#: FTS5 bm25 column weights: (title + heading path, chunk text)
BM25_WEIGHTS = (2.0, 1.0)


@dataclass(frozen=True)
class Snippet:
    """One retrieved chunk.

    ``id``: the stable citation id ``KB-<article id>#<chunk number>`` (``KB-fees-overview#2``);
    ``article_id``: the article id (slug); ``title``: the article's title; ``source_path``: the
    file's path below its configured folder; ``url``: front matter/HTML link or
    ``[knowledge] base_url/<article id>``, else None; ``text``: the chunk (its section heading
    first); ``score``: higher is better, comparable within one call only; ``language``: the
    article's ISO 639-1 code."""

    id: str
    article_id: str
    title: str
    source_path: str
    url: str | None
    text: str
    score: float
    language: str | None


def snippet_id(slug: str, seq: int) -> str:
    """The citation id of chunk ``seq`` of article ``slug``."""
    return f"KB-{slug}#{seq}"


@contextmanager
def _session(db) -> Iterator[Session]:
    if isinstance(db, Session):
        yield db
    elif isinstance(db, sessionmaker):
        with db() as s:
            yield s
    elif isinstance(db, Engine):
        with Session(db) as s:
            yield s
    else:
        raise TypeError(f"retrieve() needs a sessionmaker, Engine or Session, not {type(db).__name__}")


def _sqlite(s: Session, terms: list[str], n: int) -> list:
    match = " OR ".join(f'"{t}"' for t in terms)  # \w+ words only: no quote or operator can get in
    w_title, w_text = BM25_WEIGHTS
    return list(s.execute(text(
        "SELECT c.seq, c.heading, c.text, a.slug, a.title, a.source_path, a.url, a.language, "
        f"-bm25(kb_chunks_fts, {w_title}, {w_text}) AS score "
        "FROM kb_chunks_fts JOIN kb_chunks AS c ON c.id = kb_chunks_fts.rowid "
        "JOIN kb_articles AS a ON a.id = c.article_id "
        "WHERE kb_chunks_fts MATCH :match ORDER BY bm25(kb_chunks_fts, "
        f"{w_title}, {w_text}), c.id LIMIT :n"
    ), {"match": match, "n": n}))


def _postgresql(s: Session, question_words: list[str], language: str | None, n: int) -> list:
    query = " or ".join(w for w in question_words if w != "or")
    return list(s.execute(text(
        "WITH q AS (SELECT websearch_to_tsquery(CAST(:cfg AS regconfig), :query) || "
        "websearch_to_tsquery('english', :query) AS query) "
        "SELECT c.seq, c.heading, c.text, a.slug, a.title, a.source_path, a.url, a.language, "
        "ts_rank(c.tsv, q.query) AS score "
        "FROM q, kb_chunks AS c JOIN kb_articles AS a ON a.id = c.article_id "
        "WHERE c.tsv @@ q.query ORDER BY score DESC, c.id LIMIT :n"
    ), {"cfg": pg_config(language), "query": query, "n": n}))


def retrieve(db, query: str, *, k: int = 3, language: str | None = None) -> list[Snippet]:
    """The ``k`` snippets that best answer ``query``, best first (fewer when fewer match; none
    for an empty index or a query without words).

    ``db``: a ``sessionmaker`` (``open_database(...)[1]``), an ``Engine`` or a ``Session``.
    ``query``: a question or a client's message (client text: treated as words only, never as
    search syntax). ``language``: the client's language (ISO 639-1); None = identified from the
    query. Raises ValueError for ``k`` < 1, TypeError for another kind of ``db``, and
    SQLAlchemy's errors when the database fails (or has no knowledge tables: not migrated)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    lang = (language or detect_language(query) or "").lower()[:2] or None
    question_words = list(dict.fromkeys(words(query)))[:MAX_QUERY_TERMS]
    if not question_words:
        return []
    pool = max(4 * k, 20)
    with _session(db) as s:
        dialect = s.get_bind().dialect.name
        if dialect == "postgresql":
            rows = _postgresql(s, question_words, lang, pool)
        else:
            langs: list[str | None] = [lang, "en"] if lang and lang != "en" else ["en"]
            if lang is None:  # unknown language: stem as every language the knowledge base holds
                langs += [x for x in s.scalars(select(KbArticle.language).distinct()) if x and x != "en"]
            terms = query_terms(" ".join(question_words), langs)[: 2 * MAX_QUERY_TERMS]
            rows = _sqlite(s, terms, pool)
    snippets = [
        Snippet(
            id=snippet_id(r.slug, r.seq), article_id=r.slug, title=r.title, source_path=r.source_path,
            url=r.url, text=r.text, language=r.language,
            score=float(r.score) * (LANGUAGE_BOOST if lang and r.language == lang else 1.0),
        )
        for r in rows
    ]
    snippets.sort(key=lambda sn: -sn.score)  # stable: ties keep the database's order
    return _diverse(snippets, k)


def _diverse(ranked: list[Snippet], k: int) -> list[Snippet]:
    """The first ``k`` of ``ranked`` with at most :data:`MAX_PER_ARTICLE` chunks of one article
    (the other chunks of an article only fill places nothing else takes), in score order."""
    chosen: list[Snippet] = []
    per_article: dict[str, int] = {}
    rest: list[Snippet] = []
    for sn in ranked:
        if per_article.get(sn.article_id, 0) < MAX_PER_ARTICLE:
            per_article[sn.article_id] = per_article.get(sn.article_id, 0) + 1
            chosen.append(sn)
        else:
            rest.append(sn)
    chosen = chosen[:k]
    if len(chosen) < k:
        chosen += rest[: k - len(chosen)]
        chosen.sort(key=lambda sn: -sn.score)
    return chosen
