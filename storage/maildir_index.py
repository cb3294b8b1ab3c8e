"""The ``maildir_seen`` table as a :class:`connectors.maildir.seen.SeenIndex`.

Each ``record`` inserts its rows in one transaction; a key another process recorded first
is kept as it is (insert, and on a unique-key clash fall back to row-by-row inserts that
skip existing keys), so two runs on one database never fail over it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import MaildirSeen


class SqlMaildirSeenIndex:
    """Files a Maildir source has read, in the draftguard database (see :mod:`connectors.maildir.seen`)."""

    def __init__(self, session_factory: sessionmaker[Session]):
        self._factory = session_factory

    def known_keys(self, source: str) -> set[str]:
        """Every key recorded for ``source`` (one query)."""
        with self._factory() as s:
            return set(s.execute(select(MaildirSeen.key).where(MaildirSeen.source == source)).scalars())

    def external_id_for(self, source: str, identity_sha256: str) -> str | None:
        """External id of the earliest recorded file with this Message-ID digest (indexed lookup)."""
        with self._factory() as s:
            return s.execute(
                select(MaildirSeen.external_id)
                .where(MaildirSeen.source == source, MaildirSeen.identity_sha256 == identity_sha256)
                .order_by(MaildirSeen.seen_at, MaildirSeen.key)
                .limit(1)
            ).scalar_one_or_none()

    def keys_for(self, source: str, external_id: str) -> list[str]:
        """Keys of the files of item ``external_id``, oldest first (indexed lookup)."""
        with self._factory() as s:
            return list(
                s.execute(
                    select(MaildirSeen.key)
                    .where(MaildirSeen.source == source, MaildirSeen.external_id == external_id)
                    .order_by(MaildirSeen.seen_at, MaildirSeen.key)
                ).scalars()
            )

    def record(self, source: str, files: Iterable) -> None:
        """Insert one row per file (``SeenFile``); keys already present are skipped. Commits."""
        rows = [
            MaildirSeen(source=source, key=f.key, identity_sha256=f.identity_sha256, external_id=f.external_id)
            for f in files
        ]
        if not rows:
            return
        with self._factory() as s:
            s.add_all(rows)
            try:
                s.commit()
                return
            except IntegrityError:
                s.rollback()
        for row in rows:  # another process recorded some of them: keep theirs, add the rest
            with self._factory() as s:
                if s.get(MaildirSeen, (source, row.key)) is None:
                    s.add(MaildirSeen(source=source, key=row.key, identity_sha256=row.identity_sha256, external_id=row.external_id))
                    try:
                        s.commit()
                    except IntegrityError:
                        s.rollback()


__all__ = ["SqlMaildirSeenIndex"]
