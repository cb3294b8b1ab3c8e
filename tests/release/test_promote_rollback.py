"""Promote and rollback change what new items get, are audited with who did it, and a variant
that failed (or never ran) the evaluation gate cannot be promoted."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.config import load_config
from jobs.bootstrap import bootstrap
from jobs.variants import ReleaseError, promote, record_gate, report, rollback
from storage.audit import verify
from storage.models import AuditEvent, DraftProvenance, Item

from .conftest import SMALL, add_mail


def _variants_of_new_items(rt, seen: set[int]) -> list[str]:
    for src in rt.sources:
        rt.pipeline.run_source(src)
    with rt.session_factory() as s:
        rows = s.execute(select(DraftProvenance.item_id, DraftProvenance.variant).order_by(DraftProvenance.item_id)).all()
    new = [(i, v) for i, v in rows if i not in seen]
    seen.update(i for i, _ in new)
    return [v for _, v in new]


def test_promote_and_rollback_change_new_items_and_are_audited(release_config):
    cfg, box = release_config
    settings = load_config(cfg)
    rt = bootstrap(settings)
    seen: set[int] = set()
    try:
        add_mail(box, SMALL[0:1])
        first = _variants_of_new_items(rt, seen)
        assert first and set(first) == {"base"}

        with pytest.raises(ReleaseError, match="never ran the evaluation gate"):
            promote(rt.session_factory, settings, "alt", actor="ops-anna")
        record_gate(rt.session_factory, settings, "alt", passed=False, dataset="cases.jsonl", split="test", gate="regression", drafter="template", figures={}, actor="ops-anna")
        with pytest.raises(ReleaseError, match="failed the evaluation gate"):
            promote(rt.session_factory, settings, "alt", actor="ops-anna")
        record_gate(rt.session_factory, settings, "alt", passed=True, dataset="cases.jsonl", split="test", gate="regression", drafter="template", figures={}, actor="ops-anna")
        st = promote(rt.session_factory, settings, "alt", actor="ops-anna")
        assert st.default == "alt" and st.previous == "base"

        add_mail(box, SMALL[1:2])
        second = _variants_of_new_items(rt, seen)
        assert second and set(second) == {"alt"}

        st = rollback(rt.session_factory, settings, actor="ops-ben")
        assert st.default == "base" and st.previous is None
        with pytest.raises(ReleaseError, match="nothing to roll back"):
            rollback(rt.session_factory, settings, actor="ops-ben")

        add_mail(box, SMALL[2:3])
        third = _variants_of_new_items(rt, seen)
        assert third and set(third) == {"base"}

        with rt.session_factory() as s:
            events = s.execute(select(AuditEvent.event, AuditEvent.actor, AuditEvent.data).where(AuditEvent.event.like("variant_%")).order_by(AuditEvent.seq)).all()
            drafted = s.execute(select(AuditEvent.data).where(AuditEvent.event == "drafted")).scalars().all()
            assert s.execute(select(Item.state).where(Item.state == "shadow")).first() is None
            assert verify(s).ok
        assert [(e, a) for e, a, _ in events] == [
            ("variant_gate", "ops-anna"), ("variant_gate", "ops-anna"), ("variant_promoted", "ops-anna"), ("variant_rolled_back", "ops-ben")
        ]
        assert events[2][2]["previous_default"] == "base" and events[3][2] == {"from": "alt", "to": "base"}
        assert sorted(d["variant"] for d in drafted) == sorted(first + second + third)  # the variant is in the audit chain
        rep = report(rt.session_factory, settings)
        by = {v["name"]: v for v in rep["variants"]}
        assert by["alt"]["drafts"] == len(second) and by["base"]["drafts"] == len(first) + len(third)
        assert by["alt"]["fallback_rate"]["rate"] == 1.0 and by["alt"]["gate"]["passed"] is True
        assert [h["action"] for h in rep["history"]] == ["rollback", "promote"]
    finally:
        rt.close()


def test_a_gate_pass_of_an_earlier_definition_does_not_count(release_config, tmp_path):
    cfg, _box = release_config
    settings = load_config(cfg)
    rt = bootstrap(settings)
    try:
        record_gate(rt.session_factory, settings, "alt", passed=True, dataset="d", split="test", gate="targets", drafter="template", figures={}, actor="t")
    finally:
        rt.close()
    changed = load_config(cfg.parent / "config.toml")
    changed = changed.model_copy(update={"release": changed.release.model_copy(update={"variants": [
        changed.release.variants[0], changed.release.variants[1].model_copy(update={"temperature": 0.9})
    ]})})
    rt = bootstrap(changed)
    try:
        with pytest.raises(ReleaseError, match="definition changed"):
            promote(rt.session_factory, changed, "alt", actor="t")
    finally:
        rt.close()
