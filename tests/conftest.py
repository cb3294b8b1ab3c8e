"""Shared fixtures: database URLs (SQLite and a private PostgreSQL database), the redactor.

PostgreSQL: ``DRAFTGUARD_TEST_POSTGRES_URL`` (default the machine's server at
127.0.0.1:5432, database ``test``, user postgres). Each test session creates its own
database ``dg_test_<random>`` and drops it afterwards, so parallel runs never meet.
When the server is absent the PostgreSQL tests skip with the reason, unless
``DRAFTGUARD_REQUIRE_SERVICES=1`` (set by .ci/run), which turns the skip into a failure.

Parallel runs: ``make test`` runs the suite on three pytest-xdist workers (``-n 3 --dist loadscope
--no-loadscope-reorder``).
Session-scoped fixtures run once per worker, so everything shared between tests is private per
worker or per test: PostgreSQL databases get random names (so does each session's), Redis keys a
random namespace, RabbitMQ queues and exchanges random names, servers port 0, files tmp_path.
loadscope sends each module whole to one worker, in file order: a module-scoped fixture (often a
whole pipeline run) is built once, and the modules whose tests build on each other (e.g.
tests/distributed/test_worker_tasks.py polls what the earlier test left) keep their order.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# One terminal width for every test process: rich consoles created when main.py is first imported
# read COLUMNS then and keep it. Tests that check a table's text pass COLUMNS=250 to CliRunner, which
# comes too late when an earlier test of the same xdist worker created the console at 80 columns.
os.environ.setdefault("COLUMNS", "250")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get("DRAFTGUARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("DRAFTGUARD_REQUIRE_SERVICES") == "1"


def need_service(reason: str) -> None:
    """Skip (locally) or fail (in CI, DRAFTGUARD_REQUIRE_SERVICES=1) when a server is missing."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def new_pg_database(prefix: str) -> Iterator[str]:
    """Create an empty PostgreSQL database ``<prefix>_<random>`` and yield its URL; it is dropped
    (after ending its sessions) on exit. Skips or fails (:func:`need_service`) without a server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        need_service(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}")
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url():
    """URL of a private, empty PostgreSQL database for this test session."""
    with new_pg_database("dg_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each storage test runs once on SQLite (a file in tmp_path) and once on PostgreSQL.

    The PostgreSQL variant gets a fresh schema-less database per test by dropping all
    tables first (migrations then rebuild them)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dg.db'}"
    url = request.getfixturevalue("pg_url")
    from sqlalchemy import create_engine, text

    eng = create_engine(url)
    with eng.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    eng.dispose()
    return url


@pytest.fixture(scope="session")
def redactor():
    """One Presidio redactor per session (spaCy loads once, about 2 s)."""
    from agent.config import OrganisationConfig, RedactionConfig
    from agent.redaction import Redactor

    return Redactor(
        RedactionConfig(),
        OrganisationConfig(name="Northwind Advisory", domains=["northwind.example"], allow_names=["Northwind"]),
    )


@pytest.fixture(scope="session")
def ca():
    """A test certificate authority (trustme) for the local TLS servers of Graph, Entra, Salesforce."""
    import trustme

    return trustme.CA()


@pytest.fixture
def ca_trusted(ca, tmp_path, monkeypatch):
    """Make ``requests`` trust the test CA (this machine sets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE,
    which override ``session.verify``); returns the PEM bundle path."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    return bundle

