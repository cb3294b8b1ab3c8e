"""Engine creation and migrations.

:func:`open_database` builds the engine (SQLite in WAL mode with foreign keys and a
busy timeout, or any SQLAlchemy URL such as ``postgresql+psycopg://``) and applies the
Alembic migrations in ``storage/migrations`` to head before returning.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import URL, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from agent.errors import StorageError, StorageFullError
from storage import outbox

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Let SQLAlchemy, not the driver, begin transactions (see _sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn) -> None:
    """Every SQLite transaction takes the write lock up front (``BEGIN IMMEDIATE``).

    pysqlite otherwise begins lazily at the first write, so two writers that both read the
    audit head would collide; SQLite then fails the later one at once instead of waiting
    (a deferred read transaction cannot upgrade past a newer commit). Recipe from the
    SQLAlchemy SQLite dialect docs ("Serializable isolation / Savepoints / Transactional DDL")."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


#: PostgreSQL SQLSTATE disk_full (PostgreSQL docs, Appendix A "Error Codes", class 53)
PG_DISK_FULL = "53100"


def _storage_full(ctx) -> StorageFullError | None:
    """``handle_error`` hook: a driver's "disk full" becomes :class:`StorageFullError` (message
    without the statement or its parameters); every other error is left to SQLAlchemy."""
    orig = ctx.original_exception
    sqlite_full = isinstance(orig, sqlite3.Error) and (getattr(orig, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_FULL
    pg_full = (getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)) == PG_DISK_FULL
    if not (sqlite_full or pg_full):
        return None
    where = ctx.engine.url.render_as_string(hide_password=True) if ctx.engine is not None else "the database"
    return StorageFullError(f"storage {where} is full (database or disk full): free space, then run again; the items in progress are retried")


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the parent folder of a SQLite file.

    ``hide_parameters=True``: SQLAlchemy's error messages never list a statement's parameters
    (draft bodies, client names); see :mod:`agent.error_text`.

    Raises :class:`agent.errors.StorageError` when that folder cannot be created."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"storage URL {url}: cannot create the folder {Path(path).parent}: {exc.strerror}") from exc
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    event.listen(engine, "handle_error", _storage_full, retval=True)
    return engine


def alembic_config(engine: Engine) -> AlembicConfig:
    """Alembic config bound to ``engine`` (no alembic.ini needed)."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


#: key of the PostgreSQL advisory lock migrations run under (a signed 64-bit sha256 prefix of
#: "draftguard:migrate"; distinct from the run lock's key)
MIGRATION_LOCK_KEY = int.from_bytes(hashlib.sha256(b"draftguard:migrate").digest()[:8], "big", signed=True)


def migrate(engine: Engine) -> None:
    """Apply all migrations up to head (idempotent).

    On PostgreSQL under a session advisory lock of their own (``pg_advisory_lock``, held on a
    separate connection while Alembic works): two processes that start together on a fresh
    database never create the same tables at once; the second waits, then finds head. SQLite
    needs nothing: every transaction there takes the write lock up front (``BEGIN IMMEDIATE``)."""
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), "head")
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        conn.commit()
        try:
            command.upgrade(alembic_config(engine), "head")
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()


def _mask(url: str) -> str:
    """The URL with any ``user:password@`` part hidden, for error messages."""
    return re.sub(r"(//|:/)[^/@]*@", r"\1***@", url)[:120]


def check_storage_url(url: str) -> URL:
    """``url`` parsed, with its database driver imported; nothing is connected or created.

    Raises :class:`agent.errors.StorageError` naming the URL (password hidden) when it is not
    a valid SQLAlchemy URL (a non-numeric port included) or its driver is not installed."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a non-numeric port
        why = ": its port is not a number" if isinstance(exc, ValueError) and "int()" in str(exc) else ""
        raise StorageError(f"storage URL {_mask(url)!r} is not a valid SQLAlchemy URL{why}") from exc
    try:
        parsed.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError) as exc:
        raise StorageError(f"storage URL {parsed.render_as_string(hide_password=True)}: no driver installed for it ({exc})") from exc
    return parsed


def open_database(url: str, *, create: bool = True, events_source: str | None = None) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for ``url``, migrated to head.

    ``create=False`` (read-only commands) refuses to create a SQLite file that does not
    exist yet, so a typo in the URL is not answered with an empty database.
    ``events_source`` (``/draftguard/<instance>``, from ``Settings.events.source_prefix()``):
    when set, every audit event that reports a change also writes its outbox row
    (:mod:`storage.outbox`); None (events disabled) writes none.
    Raises :class:`agent.errors.StorageError` naming the URL (password hidden) and the
    problem: invalid URL, missing driver, missing database, server unreachable."""
    parsed = check_storage_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if not create and parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not Path(parsed.database).exists():
            raise StorageError(f"no database at {parsed.database} (storage.url {shown}); run `main.py run --once` first")
    try:
        engine = make_engine(url)
    except (NoSuchModuleError, ImportError) as exc:
        raise StorageError(f"storage URL {shown}: no driver installed for it ({exc})") from exc
    except ValueError as exc:  # e.g. a non-numeric port
        raise StorageError(f"storage URL {shown}: {exc}") from exc
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise StorageError(f"storage {shown} unavailable: {str(exc.orig).strip().splitlines()[0]}") from exc
    factory = sessionmaker(engine, expire_on_commit=False)
    outbox.enable(factory, events_source)
    return engine, factory
