"""The reviewer loop: approve delivers through the source, reject records why, assign re-notifies;
every action is a `reviewed` audit event with the reviewer as actor."""

from __future__ import annotations

import hashlib
import json

import pytest
from jobs_testkit import (
    audit_events,
    audit_ok,
    db,
    mailbox_subset,
    seed_escalation,
    settings,
    write_service_config,
)
from sqlalchemy import select
from typer.testing import CliRunner

from agent.ports import Digest, Escalation, Notifier
from jobs.notifications import dispatch_pending
from jobs.review import ReviewError, approve, assign, list_reviews, reject, show_review
from storage.models import Delivery, Item, ItemState, ReviewTask


class Recorder(Notifier):
    transport = "recorder"

    def __init__(self):
        self.sent: list[Escalation] = []

    def notify(self, escalation: Escalation) -> str:
        self.sent.append(escalation)
        return f"rec:{len(self.sent)}"

    def notify_digest(self, digest: Digest) -> str:
        return "rec:digest"


@pytest.fixture
def sf(tmp_path):
    engine, factory = db(f"sqlite:///{tmp_path / 'dg.db'}")
    yield factory
    engine.dispose()


def reviewed(sf) -> list:
    return audit_events(sf, "reviewed")


def test_list_and_show(sf):
    esc, _ = seed_escalation(sf, group="compliance", subject="Escalated one")
    held, _ = seed_escalation(sf, state=ItemState.HELD, with_task=False)
    other, _ = seed_escalation(sf, group="security", subject="Security one")
    rows = list_reviews(sf)
    assert [r.item_id for r in rows] == [esc, held, other]
    assert rows[0].subject == "Escalated one" and rows[0].task_status == "open"
    assert rows[1].state == "held" and rows[1].task_id is None and rows[1].rule_id == "high-severity-finding"
    assert [r.item_id for r in list_reviews(sf, group="security")] == [other]
    d = show_review(sf, esc)
    assert [f["rule_id"] for f in d.findings] == ["commitment.refund", "disclosure.missing"]
    assert d.draft_text.startswith("Dear Ann Lee") and d.decision["action"] == "escalate"
    assert [h["event"] for h in d.history] == ["ingested", "drafted", "escalated"]
    with pytest.raises(ReviewError, match="no item with id 999"):
        show_review(sf, 999)


def test_approve_delivers_and_records_the_reviewer(sf):
    item_id, task_id = seed_escalation(sf)
    calls = []

    def deliver(iid, who):  # as Pipeline.deliver_saved_draft: the state and its `delivered` event together
        from storage import audit

        calls.append((iid, who))
        with sf() as s:
            item = s.get(Item, iid)
            item.state = ItemState.DRAFTED
            audit.append(s, "delivered", correlation_id=item.correlation_id, item_id=iid, actor=who, data={"target": "test"})
            s.commit()
        return ItemState.DRAFTED

    res = approve(sf, item_id, "Rita Reviewer", deliver=deliver)
    assert calls == [(item_id, "Rita Reviewer")] and res.state == "drafted" and res.task_id == task_id
    with sf() as s:
        t = s.get(ReviewTask, task_id)
        assert (t.status, t.reviewer) == ("approved", "Rita Reviewer") and t.resolved_at is not None
    ev = reviewed(sf)
    assert len(ev) == 1 and ev[0].actor == "Rita Reviewer" and ev[0].data["action"] == "approve" and ev[0].data["review_task_id"] == task_id
    with pytest.raises(ReviewError, match="is drafted"):
        approve(sf, item_id, "Rita Reviewer", deliver=deliver)
    assert len(calls) == 1
    audit_ok(sf)


def test_failed_delivery_keeps_the_review_open(sf):
    item_id, task_id = seed_escalation(sf)
    with pytest.raises(ReviewError, match="delivery failed"):
        approve(sf, item_id, "Rita", deliver=lambda iid, who: ItemState.QUARANTINED)
    with sf() as s:
        assert s.get(ReviewTask, task_id).status == "open"
    assert reviewed(sf) == []


def test_approve_after_a_crash_between_delivery_and_close(sf):
    item_id, task_id = seed_escalation(sf, state=ItemState.DRAFTED)  # delivered, task still open

    def never(iid, who):
        raise AssertionError("must not deliver twice")

    assert approve(sf, item_id, "Rita", deliver=never).state == "drafted"
    with sf() as s:
        assert s.get(ReviewTask, task_id).status == "approved"


def test_edit_approve_of_an_already_delivered_item_is_refused(sf):
    """An earlier approve delivered the saved draft but stopped before closing the task: an edit
    cannot be delivered any more, so it is refused (not silently dropped) and nothing changes."""
    item_id, task_id = seed_escalation(sf, state=ItemState.DRAFTED)

    def never(iid, who):
        raise AssertionError("must not deliver twice")

    with sf() as s:
        from storage.models import Draft

        sent = s.execute(select(Draft.body_text).where(Draft.item_id == item_id)).scalar_one()
        drafts_before = s.execute(select(Draft.id).where(Draft.item_id == item_id)).scalars().all()
    with pytest.raises(ReviewError, match="edited text was NOT delivered"):
        approve(sf, item_id, "Rita", deliver=never, edited_text="Dear Ann,\n\nmy corrected reply.\n\nNorthwind")
    with sf() as s:
        assert s.get(ReviewTask, task_id).status == "open"
        assert s.execute(select(Draft.id).where(Draft.item_id == item_id)).scalars().all() == drafts_before
    assert reviewed(sf) == []
    # the text that went out, resubmitted as the "edit", closes the review like a plain approve
    assert approve(sf, item_id, "Rita", deliver=never, edited_text=sent.replace("\n", "\r\n")).state == "drafted"
    with sf() as s:
        assert s.get(ReviewTask, task_id).status == "approved"


def test_reject_records_the_reason_but_audits_only_its_hash(sf):
    item_id, task_id = seed_escalation(sf)
    reason = "Promises a refund we cannot give to Ann Lee"
    reject(sf, item_id, "Rita", reason)
    with sf() as s:
        assert s.get(Item, item_id).state == "rejected"
        t = s.get(ReviewTask, task_id)
        assert (t.status, t.reason, t.reviewer) == ("rejected", reason, "Rita")
    ev = reviewed(sf)[0]
    assert ev.data == {"action": "reject", "review_task_id": task_id, "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(), "reason_chars": len(reason)}
    assert "Ann Lee" not in json.dumps(ev.data)
    with pytest.raises(ReviewError, match="reason is required"):
        reject(sf, seed_escalation(sf)[0], "Rita", "  ")


def test_reject_a_held_item(sf):
    item_id, _ = seed_escalation(sf, state=ItemState.HELD, with_task=False)
    res = reject(sf, item_id, "Rita", "wrong tone")
    assert res.state == "rejected" and res.task_id is not None
    with sf() as s:
        t = s.get(ReviewTask, res.task_id)
        assert t.status == "rejected" and t.reason == "wrong tone"


def test_assign_moves_the_review_and_the_new_group_is_notified(sf):
    item_id, task_id = seed_escalation(sf, group="compliance")
    n = Recorder()
    assert dispatch_pending(sf, n, settings()).sent == 1 and n.sent[0].group == "compliance"
    with pytest.raises(ReviewError, match="unknown reviewer group 'nobody' \\(configured: compliance, security\\)"):
        assign(sf, settings(), item_id, "nobody", "Rita")
    assign(sf, settings(), item_id, "security", "Rita")
    assert dispatch_pending(sf, n, settings()).sent == 1
    assert [e.group for e in n.sent] == ["compliance", "security"]
    assert dispatch_pending(sf, n, settings()).sent == 0
    ev = reviewed(sf)[0]
    assert ev.actor == "Rita" and ev.data == {"action": "assign", "review_task_id": task_id, "from_group": "compliance", "to_group": "security"}


def test_assign_a_held_item_escalates_it(sf):
    item_id, _ = seed_escalation(sf, state=ItemState.HELD, with_task=False)
    res = assign(sf, settings(), item_id, "compliance", "Rita")
    assert res.state == "escalated"
    n = Recorder()
    assert dispatch_pending(sf, n, settings()).sent == 1 and n.sent[0].item_id == item_id


def test_reviewer_name_is_required(sf):
    item_id, _ = seed_escalation(sf)
    with pytest.raises(ReviewError, match="reviewer name is required"):
        reject(sf, item_id, "", "x")


# --- through the CLI, with the real pipeline and Maildir -------------------------------------------
@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    """Example messages processed by the real pipeline into a Maildir Drafts folder: the two the
    mailbox MANIFEST expects to escalate (legal threat M62, investment advice M63) and two drafts."""
    from agent.config import load_config
    from jobs.bootstrap import bootstrap

    tmp = tmp_path_factory.mktemp("review")
    box = tmp / "box"
    names = mailbox_subset(box, prefixes=("1592658720.M62P1", "1712746800.M63P1", "1325153213.M51P1", "975927660.M7P1"))
    assert len(names) == 4
    cfg = write_service_config(tmp, box)
    rt = bootstrap(load_config(cfg))
    try:
        rt.pipeline.run_source(rt.sources[0])
        with rt.session_factory() as s:
            escalated = s.execute(select(Item.id).where(Item.state == "escalated").order_by(Item.id)).scalars().all()
    finally:
        rt.close()
    assert len(escalated) >= 2, "the example subset should hold at least two escalations"
    return cfg, tmp, escalated


def cli(cfg, *args):
    import main

    return CliRunner().invoke(main.app, ["-c", str(cfg), *args])


def drafts_files(tmp) -> list:
    return [p for sub in ("new", "cur") for p in (tmp / "Drafts" / sub).glob("*")]


def test_cli_review_list_show_approve_reject(processed):
    cfg, tmp, escalated = processed
    first, second = escalated[:2]
    out = cli(cfg, "review", "list", "--json")
    assert out.exit_code == 0, out.output
    listed = {r["item_id"]: r for r in json.loads(out.output)}
    assert set(escalated) <= set(listed) and listed[first]["state"] == "escalated"

    shown = cli(cfg, "review", "show", str(first))
    assert shown.exit_code == 0, shown.output
    assert f"{first} (escalated)" in shown.output and "Decision" in shown.output and "History" in shown.output

    before = len(drafts_files(tmp))
    ok = cli(cfg, "review", "approve", str(first), "--reviewer", "Rita Reviewer")
    assert ok.exit_code == 0, ok.output
    assert "approved by Rita Reviewer" in ok.output
    assert len(drafts_files(tmp)) == before + 1  # delivered into the Drafts Maildir

    again = cli(cfg, "review", "approve", str(first), "--reviewer", "Rita Reviewer")
    assert again.exit_code == 2 and "is drafted" in again.output
    assert len(drafts_files(tmp)) == before + 1  # never twice

    no_reason = cli(cfg, "review", "reject", str(second), "--reviewer", "Rita Reviewer")
    assert no_reason.exit_code == 2
    rej = cli(cfg, "review", "reject", str(second), "--reason", "legal wording", "--reviewer", "Rita Reviewer")
    assert rej.exit_code == 0, rej.output

    from agent.config import load_config
    from storage.db import open_database

    engine, sf = open_database(load_config(cfg).storage_url())
    try:
        with sf() as s:
            assert s.get(Item, first).state == "drafted" and s.get(Item, second).state == "rejected"
            assert s.execute(select(Delivery).where(Delivery.item_id == first)).scalar_one() is not None
        delivered = [e for e in audit_events(sf, "delivered") if e.item_id == first]
        assert [e.actor for e in delivered] == ["Rita Reviewer"]
        actions = [(e.item_id, e.actor, e.data["action"]) for e in audit_events(sf, "reviewed")]
        assert actions == [(first, "Rita Reviewer", "approve"), (second, "Rita Reviewer", "reject")]
    finally:
        engine.dispose()
    verify = cli(cfg, "audit", "verify")
    assert verify.exit_code == 0, verify.output


# --- 9.15: one preview for the inline notification and the outbox ----------------------------------
def test_inline_and_outbox_notifications_carry_the_same_preview(sf):
    """Both paths that build an Escalation cut the draft at the one documented limit."""
    from agent.config import PREVIEW_MAX_CHARS
    from agent.escalation import notify_review_task

    long_text = "Dear Ann Lee,\n\n" + "We will look into it. " * 400
    assert len(long_text) > PREVIEW_MAX_CHARS
    inline_item, _ = seed_escalation(sf, draft_text=long_text)
    outbox_item, _ = seed_escalation(sf, draft_text=long_text)
    rec = Recorder()
    assert notify_review_task(sf, rec, item_id=inline_item, subject="s", sender="ann.lee@client.example", link=None)
    report = dispatch_pending(sf, rec, settings(), reminders=False)
    assert report.sent == 1
    previews = {e.item_id: e.draft_preview for e in rec.sent}
    assert previews == {inline_item: long_text[:PREVIEW_MAX_CHARS], outbox_item: long_text[:PREVIEW_MAX_CHARS]}
