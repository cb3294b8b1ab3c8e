"""The dashboard's escalation figures at volume are counted by their risk categories in one query
that binds a handful of parameters whatever the number of escalated items (the escalated items
are a subquery, not an IN list, which broke above SQLite's 32,766 and PostgreSQL's 65,535 bound
parameters). 2,000 items show the query's shape (an IN list would bind 2,000) in a second, where
40,000 took 13 s of the suite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert

from console.routes import dashboard_data as data
from storage.db import open_database
from storage.models import Item, ReviewTask, RiskAssessmentRow

N = 2_000


def test_escalations_by_category_bind_a_handful_of_parameters_whatever_the_volume(tmp_path):
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    now = datetime.now(UTC)
    since = now - timedelta(days=14)
    try:
        with sf() as s:
            s.execute(insert(Item), [{"id": i, "source": "maildir:local", "external_id": f"k{i}", "correlation_id": f"c{i}", "state": "escalated", "created_at": now, "updated_at": now} for i in range(1, N + 2)])
            s.execute(insert(ReviewTask), [{"item_id": i, "group": "billing", "rule_id": "high-severity-finding", "created_at": now} for i in range(1, N + 1)])
            s.execute(insert(ReviewTask), [{"item_id": N + 1, "group": "billing", "rule_id": "old", "created_at": since - timedelta(days=1)}])  # outside the window
            # each item: an older assessment (superseded) and its latest one
            s.execute(insert(RiskAssessmentRow), [{"item_id": i, "score": 0.1, "must_review": False, "categories": [{"id": "stale"}], "detail": {}} for i in range(1, N + 2)])
            s.execute(insert(RiskAssessmentRow), [{"item_id": i, "score": 0.9, "must_review": True, "categories": [{"id": "complaint" if i % 4 else "legal"}], "detail": {}} for i in range(1, N + 2)])
            s.commit()

        bound: list[int] = []

        @event.listens_for(engine, "before_cursor_execute")
        def count(conn, cursor, statement, parameters, context, executemany):
            bound.append(len(parameters) if isinstance(parameters, tuple | list | dict) else 0)

        with sf() as s:
            esc = data.escalations(s, since)
        assert esc.total == N and esc.by_rule == [("high-severity-finding", N)]
        assert dict(esc.by_category) == {"complaint": N - N // 4, "legal": N // 4}  # latest assessment only, window only
        assert bound and max(bound) < 10, bound
    finally:
        engine.dispose()
