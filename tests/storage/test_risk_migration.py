"""Migration 0006 creates ``risk_assessments`` exactly as the model declares it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import open_database
from storage.models import Base


def test_migration_0006_matches_the_risk_assessments_model(tmp_path):
    engine, _ = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()

    def touches(d) -> bool:
        return "risk_assessments" in repr(d)

    assert [d for d in diffs if touches(d)] == []
