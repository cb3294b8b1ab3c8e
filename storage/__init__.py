"""SQLAlchemy models, the unit of work, the audit chain and Alembic migrations."""
