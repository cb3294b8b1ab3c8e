"""Every example message ends where examples/mailbox/MANIFEST.md says it should (template drafter)."""

from __future__ import annotations

import re

from sqlalchemy import select

from agent.config import load_config
from jobs.bootstrap import bootstrap
from storage.models import Item
from tests.e2e.helpers import ROOT, write_config
from tests.unit.fakes import FakeNotifier

STATE_TO_CATEGORY = {"drafted": "draft", "escalated": "escalate", "quarantined": "quarantine", "held": "hold"}
SKIP_TO_CATEGORY = {"auto_reply": "skip:auto-reply", "bounce": "skip:bounce", "mailing_list": "skip:list", "no_reply": "skip:no-reply"}
# Known misses, each a limit we accept for now (see the issue notes):
KNOWN = {
    # A general financial-education question: the template drafter's keyword intent says
    # "investment_advice", so routing escalates it to compliance (safe side).
    "1712824200.M64P1.example": "escalate",
}


def _manifest() -> dict[str, str]:
    rows = re.findall(r"^\| \d+ \| `(?:new|cur)/([^`:]+)[^`]*` \|[^|]*\|[^|]*\| \*\*([^*]+)\*\* \|", (ROOT / "examples" / "mailbox" / "MANIFEST.md").read_text(), re.M)
    return dict(rows)


def test_example_mailbox_outcomes_match_the_manifest(tmp_path):
    expected = _manifest()
    assert len(expected) >= 50
    rt = bootstrap(load_config(write_config(tmp_path)), notifier=FakeNotifier())
    try:
        rt.pipeline.run_source(rt.sources[0])
        with rt.session_factory() as s:
            items = s.execute(select(Item.external_id, Item.state, Item.skip_rule)).all()
    finally:
        rt.close()
    actual = {
        ext: SKIP_TO_CATEGORY.get(rule, f"skip:{rule}") if state == "skipped" else STATE_TO_CATEGORY.get(state, state)
        for ext, state, rule in items
    }
    assert set(actual) == set(expected)  # every message ends in exactly one state
    wrong = {
        f: (exp, actual[f])
        for f, exp in expected.items()
        if actual[f] != exp and not (exp == "draft or escalate" and actual[f] in ("draft", "escalate")) and KNOWN.get(f) != actual[f]
    }
    assert wrong == {}
