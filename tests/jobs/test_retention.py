"""Retention purge: bodies, placeholder maps, excerpts and card snapshots go; hashes and the audit chain stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs_testkit import DRAFT_TEXT, audit_events, audit_ok, db, seed_escalation, settings
from sqlalchemy import select
from typer.testing import CliRunner

from jobs.retention import purge
from storage.models import Draft, FindingRow, ReviewTask


def test_purge_old_content_and_keep_the_audit_chain_verifiable(db_url):
    _, sf = db(db_url)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    old_item, old_task = seed_escalation(sf, created_at=now - timedelta(days=31))
    new_item, new_task = seed_escalation(sf, created_at=now - timedelta(days=29))
    s = settings()  # retention.draft_body_days = 30

    report = purge(sf, s, now=now)
    assert (report.drafts, report.findings, report.review_snapshots) == (1, 2, 1)
    with sf() as ses:
        old = ses.execute(select(Draft).where(Draft.item_id == old_item)).scalar_one()
        new = ses.execute(select(Draft).where(Draft.item_id == new_item)).scalar_one()
        assert old.body_text is None and old.body_html is None and old.placeholder_map is None
        assert old.purged_at is not None and len(old.body_sha256) == 64  # the hash stays
        assert new.body_text == DRAFT_TEXT and new.placeholder_map and new.purged_at is None
        assert [f.excerpt for f in ses.execute(select(FindingRow).where(FindingRow.item_id == old_item)).scalars()] == [None, None]
        assert all(f.excerpt for f in ses.execute(select(FindingRow).where(FindingRow.item_id == new_item)).scalars())
        snap = ses.get(ReviewTask, old_task).escalation
        assert snap == {"purged": True, "link": "https://outlook.office.com/mail/id/AAMk1"}
        assert ses.get(ReviewTask, new_task).escalation["subject"] == "Refund for order 1234"
    events = audit_events(sf, "purged")
    assert len(events) == 1
    assert events[0].data["drafts"] == 1 and events[0].data["findings"] == 2 and events[0].data["older_than_days"] == 30
    audit_ok(sf)

    # idempotent: nothing left to purge, no new event
    again = purge(sf, s, now=now)
    assert (again.drafts, again.findings, again.review_snapshots, again.batches) == (0, 0, 0, 0)
    assert len(audit_events(sf, "purged")) == 1


def test_purge_then_cli_audit_verify_passes(tmp_path):
    """Through the real CLI: `main.py audit verify` after a purge of every draft."""
    import main

    db_path = tmp_path / "dg.db"
    _, sf = db(f"sqlite:///{db_path}")
    for _ in range(3):
        seed_escalation(sf, created_at=datetime.now(UTC) - timedelta(days=40))
    assert purge(sf, settings()).drafts == 3
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\nurl = "sqlite:///{db_path}"\n')
    result = CliRunner().invoke(main.app, ["-c", str(cfg), "audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "audit chain OK" in result.output
    with sf() as ses:
        assert all(d.body_text is None for d in ses.execute(select(Draft)).scalars())


def test_purge_clears_risk_evidence_and_keeps_categories_and_scores(db_url):
    from storage.models import RiskAssessmentRow

    _, sf = db(db_url)
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    rows = {}
    for days in (31, 29):
        item, _task = seed_escalation(sf, created_at=now - timedelta(days=days))
        with sf() as ses:
            row = RiskAssessmentRow(
                item_id=item,
                score=0.9,
                must_review=True,
                categories=[{"id": "fraud_report", "score": 0.9, "signals": ["lexicon"], "group": "security"}],
                evidence=[{"category": "fraud_report", "signal": "lexicon", "ref": "fraud_report.en.fraud", "excerpt": "my account was hacked"}],
                detail={"reasons": []},
                created_at=now - timedelta(days=days),
            )
            ses.add(row)
            ses.commit()
            rows[days] = row.id
    report = purge(sf, settings(), now=now)
    assert report.risk_evidence == 1
    with sf() as ses:
        old, new = ses.get(RiskAssessmentRow, rows[31]), ses.get(RiskAssessmentRow, rows[29])
        assert old.evidence is None and old.categories[0]["id"] == "fraud_report" and old.score == 0.9
        assert new.evidence[0]["excerpt"] == "my account was hacked"
    assert audit_events(sf, "purged")[0].data["risk_evidence"] == 1
    audit_ok(sf)
    assert purge(sf, settings(), now=now).risk_evidence == 0  # idempotent
