"""Issue 8.2 end to end: the org's API allocation runs out after the poll, while drafts are
delivered. Through the real CLI (``main.py run --once`` / ``status``), the real pipeline and
simple-salesforce against the fake org: the source is paused, nothing is quarantined, every
item stays pending, every run and ``status`` say so in one line, nothing is sent while paused,
and the first run after the pause delivers every draft exactly once."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import main
from storage.models import Delivery, Item, QuarantineEntry, SourceState

ROOT = Path(__file__).resolve().parents[2]
PAUSE_SECONDS = 6
LIMIT_BODY = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]

pytestmark = pytest.mark.slow  # loads the spaCy model


@pytest.fixture
def config_file(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTGUARD_SF_CLIENT_ID", fake.app.client_id)
    monkeypatch.setenv("DRAFTGUARD_SF_CLIENT_SECRET", fake.app.client_secret)
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[organisation]
name = "Ours Ltd"
domains = ["ours.example"]
own_addresses = ["support@ours.example"]
signature = "Ours Support"

[[sources.salesforce]]
name = "acme"
domain = "{fake.domain}"
queues = ["Support_EN"]
case_fields_allow_list = ["CaseNumber", "Subject", "Priority"]
from_address = "support@ours.example"
limit_pause_seconds = {PAUSE_SECONDS}

[policy]
pack = "{ROOT / "rules" / "policy_pack.toml"}"

[storage]
url = "sqlite:///{tmp_path / "dg.db"}"

[limits]
retry_initial_seconds = 0
retry_max_seconds = 0
"""
    )
    return str(path)


def exhaust_allocation_at_first_write(fake, monkeypatch) -> None:
    """From the first write on, the org refuses every API call with REQUEST_LIMIT_EXCEEDED
    (the daily allocation is used up), as Salesforce does; the poll before it succeeds."""
    real = fake._fault_for
    hit: list[str] = []

    def fault_for(method, path):
        if method == "POST" and "/sobjects/" in path and not hit:
            hit.append(path)
            fake.api_limit = fake.api_used - 1  # every later call fails the allocation check
            from sf_fake import Fault

            return Fault(method, path, status=403, body=LIMIT_BODY)
        return real(method, path)

    monkeypatch.setattr(fake, "_fault_for", fault_for)


def _cli(path: str, *args: str):
    res = CliRunner().invoke(main.app, ["--config", path, *args])
    return res, " ".join(res.output.split())  # rich wraps long lines at the terminal width


def _db(tmp_path) -> Session:
    return Session(create_engine(f"sqlite:///{tmp_path / 'dg.db'}"))


def _our_drafts(fake) -> list[dict]:
    return [r for r in fake.org.tables["EmailMessage"].values() if r["Status"] == "5"]


def test_limit_hit_after_the_poll_pauses_the_source_and_the_run_after_the_pause_delivers_all(fake, seed, config_file, tmp_path, monkeypatch):
    mails = [seed.email(seed.case(f"Invoice copy {i}"), f"Hello, could you send me a copy of invoice {1000 + i}?") for i in range(5)]
    exhaust_allocation_at_first_write(fake, monkeypatch)

    res, out = _cli(config_file, "run", "--once")
    assert res.exit_code == 0, res.output  # a paused source is not a failed one
    assert out.count("paused until") == 1, res.output
    assert "salesforce:acme paused until " in out and "(REQUEST_LIMIT_EXCEEDED (TotalRequests Limit exceeded.)); 5 items wait" in out
    assert out.count("salesforce:acme:") == 0  # the source is named once, not as an error prefix
    assert "source failed" not in out
    assert _our_drafts(fake) == []
    with _db(tmp_path) as s:
        items = s.execute(select(Item)).scalars().all()
        assert len(items) == 5
        assert sorted(i.state for i in items) == ["new", "new", "new", "new", "routed"]
        assert all(i.attempts == 0 for i in items)  # the pause consumed no attempt
        assert s.execute(select(QuarantineEntry)).scalars().all() == []
        until = s.get(SourceState, "salesforce:acme").paused_until.replace(tzinfo=UTC)
    assert 0 < (until - datetime.now(UTC)).total_seconds() <= PAUSE_SECONDS

    res, out = _cli(config_file, "status")
    assert res.exit_code == 0, res.output
    assert out.count("paused until") == 1
    assert f"salesforce:acme paused until {until:%Y-%m-%d %H:%M:%S} UTC" in out and "5 items wait" in out

    # Another run while paused: not one request reaches the org; the same one line.
    sent = len(fake.requests)
    res, out = _cli(config_file, "run", "--once")
    assert res.exit_code == 0, res.output
    assert out.count("paused until") == 1 and f"paused until {until:%Y-%m-%d %H:%M:%S} UTC" in out
    assert len(fake.requests) == sent

    # The pause ends (and the rolling 24-hour allocation has room again).
    fake.api_limit = 15000
    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
    res, out = _cli(config_file, "run", "--once")
    assert res.exit_code == 0, res.output
    assert "paused until" not in out
    drafts = _our_drafts(fake)
    assert sorted(d["ReplyToEmailMessageId"] for d in drafts) == sorted(m["Id"] for m in mails)  # each exactly once
    with _db(tmp_path) as s:
        assert {i.state for i in s.execute(select(Item)).scalars()} == {"drafted"}
        assert len(s.execute(select(Delivery)).scalars().all()) == 5
        assert s.execute(select(QuarantineEntry)).scalars().all() == []

    res, out = _cli(config_file, "status")
    assert "paused until" not in out

    # Nothing left to do: a further run writes nothing.
    res, out = _cli(config_file, "run", "--once")
    assert res.exit_code == 0 and len(_our_drafts(fake)) == 5
