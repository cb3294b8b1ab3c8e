"""A shadow source runs everything and records it, places nothing and notifies nobody; its drafts
are scored against the replies people sent. A live source in the same run is the control: its
escalations reach the local Teams webhook and its drafts its Drafts folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from agent.config import load_config
from jobs.bootstrap import bootstrap
from jobs.notifications import dispatch_pending
from jobs.shadow_outcomes import score_shadow_drafts, shadow_quality
from storage.audit import verify
from storage.models import AuditEvent, Decision, Draft, Item, OutboxEvent, ReviewTask, ShadowOutcome
from tests.e2e.helpers import write_config
from tests.teams.teams_testkit import FakeTeams

from .conftest import ESCALATING, EXAMPLES, add_mail

TEAMS = '\n[notify]\ntransport = "teams_webhook"\nretry_base_seconds = 0.5\n\n[notify.teams]\nmax_attempts = 1\nmax_wait_seconds = 0.1\n'
CHOSEN = [f for f in EXAMPLES if f.name.startswith(ESCALATING)] + [f for f in EXAMPLES if f.name.startswith("1709712000.M47P1")]


def _files(d: Path) -> list[Path]:
    return [f for sub in ("cur", "new", "tmp") if (d / sub).is_dir() for f in (d / sub).iterdir()]


def _sent_reply(path: Path, n: int, in_reply_to: str, text: str) -> None:
    m = EmailMessage()
    m["From"] = "support@northwind.example"
    m["To"] = "client@client.example"
    m["Subject"] = "Re: your message"
    m["Message-ID"] = f"<sent-{n}@northwind.example>"
    m["In-Reply-To"] = in_reply_to
    m["References"] = in_reply_to
    m.set_content(text)
    (path / "cur").mkdir(parents=True, exist_ok=True)
    (path / "cur" / f"17000000{n}.sent:2,S").write_bytes(m.as_bytes())


def test_shadow_source_places_nothing_notifies_nobody_and_is_scored(tmp_path, monkeypatch):
    live_box, shadow_box = tmp_path / "box", tmp_path / "shadowbox"
    add_mail(live_box, CHOSEN)
    add_mail(shadow_box, CHOSEN)
    sent = tmp_path / "Sent"
    shadow_drafts = tmp_path / "ShadowDrafts"
    extra = TEAMS + f"""
[events]
enabled = true

[[sources.maildir]]
name = "shadowbox"
path = "{shadow_box}"
drafts_path = "{shadow_drafts}"
from_address = "support@northwind.example"
mode = "shadow"
sent_path = "{sent}"
"""
    cfg = write_config(tmp_path, mailbox=live_box, extra=extra)
    settings = load_config(cfg)
    with FakeTeams() as teams:
        monkeypatch.setenv("DRAFTGUARD_TEAMS_WEBHOOK_URL", teams.webhook_url)
        rt = bootstrap(settings)
        try:
            for src in rt.sources:
                rt.pipeline.run_source(src)
            dispatch_pending(rt.session_factory, rt.pipeline.notifier, settings, now=datetime(2100, 1, 1, tzinfo=UTC), reminders=False)
            sf = rt.session_factory
            with sf() as s:
                live_tasks = s.execute(select(ReviewTask.id).join(Item, Item.id == ReviewTask.item_id).where(Item.source == "maildir:local")).all()
                shadow_tasks = s.execute(select(ReviewTask.id).join(Item, Item.id == ReviewTask.item_id).where(Item.source == "maildir:shadowbox")).all()
                shadow_items = s.execute(select(Item.id, Item.state, Item.internet_message_id).where(Item.source == "maildir:shadowbox").order_by(Item.id)).all()
                shadow_decisions = s.execute(select(Decision.action).join(Item, Item.id == Decision.item_id).where(Item.source == "maildir:shadowbox")).scalars().all()
                shadow_ids = [i for i, _, _ in shadow_items]
                acting = s.execute(
                    select(OutboxEvent.type).where(OutboxEvent.data["item_id"].as_integer().in_(shadow_ids))
                ).scalars().all()
                assert verify(s).ok
            # the control: the live source escalated and its reviewers were told; it placed drafts
            assert live_tasks and len(teams.successes()) == len(live_tasks)
            assert _files(tmp_path / "Drafts")
            # the shadow source: analysed and decided like the live one, nothing placed, nobody told
            assert len(shadow_items) == len(CHOSEN) and {st for _, st, _ in shadow_items} == {"shadow"}
            assert "escalate" in shadow_decisions and not shadow_tasks
            assert _files(shadow_drafts) == []
            assert not any(t.endswith((".routed.v1", ".escalated.v1", ".delivered.v1", ".held.v1")) for t in acting), acting
            assert len(teams.received) == len(live_tasks)  # nothing else reached Teams

            # people answered two of the shadow items by hand: one as the draft said, one otherwise
            with sf() as s:
                bodies = {i: s.execute(select(Draft.body_text).where(Draft.item_id == i)).scalar_one() for i in shadow_ids}
            (a, mid_a, _), (b, mid_b, _) = [(i, m, st) for i, st, m in shadow_items][:2]
            _sent_reply(sent, 1, f"<{mid_a.strip('<>')}>", bodies[a])
            _sent_reply(sent, 2, f"<{mid_b.strip('<>')}>", "Thanks, we will call you tomorrow about this.")
            counts = score_shadow_drafts(settings, sf)
            assert counts == {"maildir:shadowbox": {"replied": 2, "waiting": len(CHOSEN) - 2}}
            with sf() as s:
                got = dict(s.execute(select(ShadowOutcome.item_id, ShadowOutcome.similarity).where(ShadowOutcome.outcome == "replied")).all())
                audited = s.execute(select(AuditEvent.data).where(AuditEvent.event == "shadow_outcome")).scalars().all()
            assert got[a] == 1.0 and 0 < got[b] < 0.6
            assert len(audited) == 2 and all(set(d) == {"outcome", "similarity", "draft_id"} for d in audited)
            q = shadow_quality(sf)["maildir:shadowbox"]
            assert q["items"] == len(CHOSEN) and q["replied"] == 2 and q["unchanged"]["k"] == 1
            assert q["similarity"]["mean"] == round((got[a] + got[b]) / 2, 4)
            assert "maildir:local" not in shadow_quality(sf)
            assert score_shadow_drafts(settings, sf) == {"maildir:shadowbox": {"replied": 0, "waiting": len(CHOSEN) - 2}}  # scored once
            from main import app

            status = CliRunner().invoke(app, ["-c", str(cfg), "status", "--json"])
            assert status.exit_code == 0, status.output
            assert json.loads(status.stdout)["shadow"]["maildir:shadowbox"]["replied"] == 2
        finally:
            rt.close()


def test_status_says_why_a_shadow_maildir_without_sent_path_keeps_waiting(tmp_path):
    shadow_box = tmp_path / "shadowbox"
    add_mail(tmp_path / "box", [])
    add_mail(shadow_box, CHOSEN[:1])
    extra = f"""
[[sources.maildir]]
name = "shadowbox"
path = "{shadow_box}"
drafts_path = "{tmp_path / 'ShadowDrafts'}"
from_address = "support@northwind.example"
mode = "shadow"
"""
    cfg = write_config(tmp_path, mailbox=tmp_path / "box", extra=extra)
    rt = bootstrap(load_config(cfg))
    try:
        for src in rt.sources:
            rt.pipeline.run_source(src)
    finally:
        rt.close()
    from main import app

    out = CliRunner().invoke(app, ["-c", str(cfg), "status"])
    assert out.exit_code == 0, out.output
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("Shadow maildir:shadowbox"))
    assert "1 waiting" in line and "no sent_path is configured" in line, line
