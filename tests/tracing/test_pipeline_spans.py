"""The real pipeline's spans (agent/flow.py, agent/stages/): one trace per item, a child span per
stage, the item's correlation id (the one in the audit log) on every span, inline and on the
thread pools of ``[limits] concurrency``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.config import Settings
from agent.drafting import Drafter
from agent.pipeline import Pipeline
from agent.template_drafter import TemplateDrafter
from rules.policy import load_policy_pack
from rules.routing import Router
from storage.db import open_database
from storage.models import AuditEvent, Item
from storage.repository import SqlCursorStore
from tests.unit.fakes import FakeModel, FakeNotifier, FakeSource, message

DRAFTED_STAGES = ["ingest", "skip", "validate", "route_before_draft", "context", "redact", "prompt", "draft", "risk", "restore", "policy", "route", "record", "deliver"]


def _pipeline(tmp_path, redactor, concurrency: int) -> tuple[Pipeline, object]:
    settings = Settings.model_validate(
        {
            "organisation": {"name": "Northwind Advisory", "domains": ["northwind.example"], "signature": "Northwind Client Services"},
            "limits": {"retry_initial_seconds": 0, "retry_max_seconds": 0, "concurrency": concurrency},
            "base_dir": str(tmp_path),
        }
    )
    _, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    p = Pipeline(
        settings,
        sf,
        redactor_factory=lambda: redactor,
        drafter=Drafter(FakeModel(), TemplateDrafter(organisation="Northwind Advisory", signature="Northwind Client Services")),
        policy=load_policy_pack("rules/policy_pack.toml"),
        router=Router(settings.routing),
        notifier=FakeNotifier(),
        cursors=SqlCursorStore(sf),
        sleep=lambda s: None,
    )
    return p, sf


@pytest.mark.parametrize("concurrency", [1, 4])
def test_each_item_is_one_trace_with_a_span_per_stage_and_its_correlation_id(spans, tmp_path, redactor, concurrency):
    p, sf = _pipeline(tmp_path, redactor, concurrency)
    summary = p.run_source(FakeSource([message("m1"), message("m2", subject="Second question")]))
    assert summary.counts["drafted"] == 2
    with sf() as s:
        ids = {ext: (iid, cid) for ext, iid, cid in s.execute(select(Item.external_id, Item.id, Item.correlation_id))}
        audited = {cid for cid in s.execute(select(AuditEvent.correlation_id)).scalars() if cid}
    assert audited == {cid for _, cid in ids.values()}  # the ids of the spans are the audit log's

    finished = spans.get_finished_spans()
    (poll,) = [s for s in finished if s.name == "poll"]
    roots = [s for s in finished if s.name == "item"]
    assert len(roots) == 2
    for root in roots:
        item_id = root.attributes["draftguard.item_id"]
        correlation_id = root.attributes["draftguard.correlation_id"]
        assert (item_id, correlation_id) in ids.values()
        assert root.parent is None and root.attributes["draftguard.outcome"] == "drafted"
        assert [link.context.span_id for link in root.links] == [poll.context.span_id]  # linked to the poll that found it
        in_trace = [s for s in finished if s.context.trace_id == root.context.trace_id and s is not root]
        children = [s for s in in_trace if s.parent.span_id == root.context.span_id]
        assert [s.name for s in sorted(children, key=lambda s: s.start_time)] == DRAFTED_STAGES
        for s in in_trace:  # every span of the item, nested ones included, carries its ids
            assert s.attributes["draftguard.correlation_id"] == correlation_id, s.name
            assert s.attributes["draftguard.item_id"] == item_id, s.name
            assert s.attributes["draftguard.source"] == "fake:box", s.name
        for s in children:
            assert s.attributes["draftguard.stage"] == s.name
        by = {s.name: s for s in children}
        assert by["draft"].attributes["gen_ai.system"] == "fake" and by["draft"].attributes["draftguard.fallback"] is False
        assert by["route"].attributes["draftguard.action"] == "draft"
        assert by["redact"].attributes["draftguard.entities"] >= 1
    assert roots[0].context.trace_id != roots[1].context.trace_id


def test_a_quarantined_item_ends_its_trace_with_the_stage_that_failed(spans, tmp_path, redactor):
    p, sf = _pipeline(tmp_path, redactor, 1)
    summary = p.run_source(FakeSource([message("m1", text="   ")]))  # empty body: validate fails
    assert summary.counts["quarantined"] == 1
    finished = {s.name: s for s in spans.get_finished_spans()}
    assert finished["item"].attributes["draftguard.outcome"] == "quarantined"
    assert finished["validate"].attributes["error.type"] == "BadInputError"
    assert finished["quarantine"].parent.span_id == finished["item"].context.span_id
    assert "context" not in finished and "draft" not in finished  # nothing after the failed stage ran
