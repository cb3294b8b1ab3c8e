"""The automatic stop: a canary whose escalation rate exceeds the default's by more than the
margin (both past the minimum sample) is stopped, audited and reported; one within the margin,
or below the minimum sample, is left alone. On SQLite and PostgreSQL (the registry's upsert too)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from agent.config import Settings
from agent.release.config import ReleaseConfig
from jobs.variants import auto_stop, read_state, report
from storage import release as store
from storage.audit import verify
from storage.db import open_database
from storage.models import AuditEvent, Decision, Draft, DraftProvenance, Item
from storage.repository import UnitOfWork


def _settings(min_items: int = 20) -> Settings:
    return Settings(
        release=ReleaseConfig.model_validate(
            {
                "default": "base",
                "variants": [{"name": "base"}, {"name": "canary", "share": 0.1}, {"name": "steady", "share": 0.1}],
                "auto_stop": {"min_items": min_items, "escalation_margin": 0.10, "fallback_margin": None, "findings_margin": None},
            }
        )
    )


def _drafts(sf, variant: str, n: int, escalated: int) -> None:
    with UnitOfWork(sf) as uow:
        for i in range(n):
            item = Item(source="maildir:local", external_id=f"{variant}-{i}-{uuid.uuid4().hex[:6]}", correlation_id=str(uuid.uuid4()), state="escalated")
            uow.session.add(item)
            uow.session.flush()
            d = Draft(item_id=item.id, provider="template", model="templates/v2", prompt_template_id="reply/v1", prompt_hash="0" * 64, intent="other", confidence=0.5, body_sha256="0" * 64)
            uow.session.add(d)
            uow.session.flush()
            uow.session.add(DraftProvenance(draft_id=d.id, item_id=item.id, variant=variant, variant_salt="s", shadow=False, prompt_sha256="0" * 64, pack_sha256="1" * 64, model_sha256="2" * 64))
            uow.session.add(Decision(item_id=item.id, draft_id=d.id, action="escalate" if i < escalated else "draft", rule_id="r"))
        uow.commit()


def test_a_worse_escalation_rate_stops_the_variant(db_url):
    engine, sf = open_database(db_url)
    try:
        settings = _settings()
        _drafts(sf, "base", 40, 4)  # 10 %
        _drafts(sf, "canary", 10, 9)  # worse, but below the minimum sample
        _drafts(sf, "steady", 30, 5)  # 16.7 %: within the 10-point margin
        assert auto_stop(sf, settings) == []
        _drafts(sf, "canary", 20, 10)  # 19 of 30 = 63 %
        stopped = auto_stop(sf, settings)
        assert [x["variant"] for x in stopped] == ["canary"]
        assert stopped[0]["figures"]["metric"] == "escalation_rate" and stopped[0]["figures"]["drafts"] == 30
        assert read_state(sf, settings).stopped == {"canary"}
        assert auto_stop(sf, settings) == []  # once
        with sf() as s:
            ev = s.execute(select(AuditEvent).where(AuditEvent.event == "variant_stopped")).scalar_one()
            assert ev.actor == "draftguard" and ev.data["variant"] == "canary" and "escalation rate" in ev.data["reason"]
            assert verify(s).kind == "items"  # the chain's links hold; the items here were made without their events
        rep = {v["name"]: v for v in report(sf, settings)["variants"]}
        assert rep["canary"]["status"] == "stopped" and rep["canary"]["effective_share"] == 0.0
        assert rep["base"]["effective_share"] == 0.9 and rep["steady"]["status"] == "active"
        esc = rep["canary"]["escalation_rate"]
        assert esc["k"] == 19 and esc["n"] == 30 and esc["low"] < esc["rate"] < esc["high"]
        assert rep["canary"]["delta_vs_default"]["escalation_rate"] == round(19 / 30 - 0.1, 4)
    finally:
        engine.dispose()


def test_registry_keeps_first_and_last_use_and_counts(db_url):
    engine, sf = open_database(db_url)
    try:
        with sf() as s:
            store.touch_registry(s, "prompt_template", "a" * 64, "reply/v1", "old text")
            store.touch_registry(s, "prompt_template", "a" * 64, "reply/v1", "old text")
            store.touch_registry(s, "prompt_template", "b" * 64, "reply/v1", "new text")
            s.commit()
            (a,) = store.registry_lookup(s, "aaaaaa")
            assert a.uses == 2 and a.content == "old text" and a.last_used_at >= a.first_used_at
            assert [e.content for e in store.registry_lookup(s, "bbbbbbbb")] == ["new text"]
    finally:
        engine.dispose()
