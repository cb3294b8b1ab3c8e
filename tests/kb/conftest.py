"""Fixtures of the knowledge base tests: a database of each kind (PostgreSQL: a database
``dg_kb_<random>`` of its own, its knowledge tables emptied before each test) and a folder of
articles."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import new_pg_database


@pytest.fixture(scope="session")
def kb_pg_url():
    """A private PostgreSQL database for the knowledge base tests, migrated once."""
    from storage.db import open_database

    with new_pg_database("dg_kb") as url:
        engine, _ = open_database(url)
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def kb_sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database file, copied by each test (migrating costs ~0.3 s a test)."""
    from storage.db import open_database

    path = tmp_path_factory.mktemp("kb-template") / "kb.db"
    engine, _ = open_database(f"sqlite:///{path}")
    engine.dispose()
    conn = sqlite3.connect(path)  # fold the WAL into the file, so copying the file copies it all
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def kb_db_url(request, tmp_path):
    """A migrated database without knowledge rows: a copy of the SQLite template, or the private
    PostgreSQL database with the knowledge tables emptied (no other test writes there)."""
    if request.param == "sqlite":
        target = tmp_path / "kb.db"
        shutil.copyfile(request.getfixturevalue("kb_sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("kb_pg_url")
    eng = create_engine(url)
    with eng.begin() as c:
        c.execute(text("TRUNCATE kb_chunks, kb_articles RESTART IDENTITY CASCADE"))
    eng.dispose()
    return url


FEES = """---
title: Fees and charges
url: https://help.example.com/fees
---
# Fees

Our custody fee is 0.25% a year.

## Dealing

Dealing in funds is free; shares cost £7.50 per trade.
"""

CARD = """# Lost card

Freeze the card in the app and call the fraud line straight away.
"""

HOURS = """<html lang="en"><head><title>Opening hours</title></head><body>
<h1>Opening hours</h1><p>Phone lines are open Monday to Friday, 8am to 6pm.</p>
<h2>Christmas</h2><p>Closed on 25 and 26 December.</p></body></html>
"""


@pytest.fixture
def articles(tmp_path) -> Path:
    """A folder ``kb/`` with three articles (two Markdown, one HTML); returns the config's folder."""
    root = tmp_path / "kb"
    (root / "fees").mkdir(parents=True)
    (root / "fees" / "overview.md").write_text(FEES, encoding="utf-8")
    (root / "lost-card.md").write_text(CARD, encoding="utf-8")
    (root / "hours.html").write_text(HOURS, encoding="utf-8")
    return root
