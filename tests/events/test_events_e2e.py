"""Events end to end, as a user runs it: `main.py run --once` on the example mailbox with
``[events] enabled``, reviewers approve and reject through `main.py review`, `main.py events
relay --once` sends what is left, a crash-lost commit makes the relay send some events twice; a
consumer on the real RabbitMQ sees every state change of every item exactly once after
deduplication by id, in order, as valid CloudEvents, with none of the messages' personal values."""

from __future__ import annotations

import email
import email.policy
import json
import os
import sqlite3
import subprocess
import sys
from collections import defaultdict
from email.utils import getaddresses
from pathlib import Path

import pytest

from storage import outbox
from tests.e2e.helpers import ROOT, with_subject, write_config
from tests.events.events_testkit import (
    BROKER_URL,
    CuttableProxy,
    consumer,
    exchange_name,
    parse,
    require_broker,
)

T = "com.draftguard.item."


def short(event_type: str) -> str:
    return event_type.removeprefix(T).removesuffix(".v1")


def cli(cfg, *args, env):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(cfg), *args], capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:{r.stdout}\nstderr:{r.stderr}"
    return r


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    require_broker()
    tmp = tmp_path_factory.mktemp("events")
    ex = exchange_name()
    cfg = write_config(tmp, extra=f'\n[events]\nenabled = true\ninstance = "e2e"\nexchange = "{ex}"\n')
    env = {**{k: v for k, v in os.environ.items() if k != "DRAFTGUARD_STORAGE_URL"}, "DRAFTGUARD_BROKER_URL": BROKER_URL, "COLUMNS": "200"}
    db = tmp / "dg.db"
    with consumer(ex, {"all": ["#"], "reviews": ["com.draftguard.item.reviewed.*.v1"]}) as con:
        run = cli(cfg, "run", "--once", env=env)
        escalated = [r[0] for r in sqlite3.connect(db).execute("select id from items where state = 'escalated' order by id")]
        assert len(escalated) >= 2
        cli(cfg, "review", "approve", str(escalated[0]), "--reviewer", "Harriet Quill", env=env)
        cli(cfg, "review", "reject", str(escalated[1]), "--reviewer", "Harriet Quill", "--reason", "Ask Mr Brown to call us", env=env)
        # a new mail while the broker is down: the run still succeeds, its events wait
        raw = with_subject("plain_business.eml", "Invoice 88 question").replace(b"<19129466.1075855378242.JavaMail.evans@thyme>", b"<events-e2e-1@client.example>")
        (tmp / "mailbox" / "new" / "1900000000.M1P1.events").write_bytes(raw)
        proxy = CuttableProxy()
        proxy.cut()
        down = cli(cfg, "run", "--once", env={**env, "DRAFTGUARD_BROKER_URL": proxy.url()})
        conn = sqlite3.connect(db)
        waiting = conn.execute("select count(*) from outbox where published_at is null").fetchone()[0]
        # a relay that died after the broker's confirm, before its commit: its last 6 rows go again
        conn.execute(
            "update outbox set published_at = null where audit_seq in "
            "(select audit_seq from outbox where published_at is not null order by audit_seq desc limit 6)"
        )
        conn.commit()
        relayed = cli(cfg, "events", "relay", "--once", env=env)
        messages = con.drain("all")
        reviews = con.drain("reviews")
    return tmp, cfg, db, env, run, relayed, waiting, messages, reviews, down


def test_the_run_relays_at_its_end_and_the_relay_sends_the_rest(world):
    _, _, db, _, run, relayed, waiting, _, _, down = world
    assert "Events: " in run.stdout and "0 waiting" in run.stdout
    # broker down at the end of a run: exit 0 (cli() checks), one line saying why, the events wait
    broker_lines = [line for line in down.stderr.splitlines() if "kept for the next relay" in line]
    assert len(broker_lines) == 1 and "unavailable" in broker_lines[0] and "guest:guest" not in broker_lines[0]
    assert waiting >= 5  # the new item's events (ingested ... delivered) and the review actions' waited
    assert f"{waiting + 6} published, 0 waiting" in relayed.stdout
    assert sqlite3.connect(db).execute("select count(*) from outbox where published_at is null").fetchone()[0] == 0


def test_every_state_change_arrives_exactly_once_after_dedup_in_order(world):
    _, _, db, _, _, _, _, messages, _, _ = world
    conn = sqlite3.connect(db)
    ids = [m.properties["message_id"] for m in messages]
    assert len(ids) == len(set(ids)) + 6  # the 6 re-sent events, nothing else twice
    unique = list(dict.fromkeys(ids))
    rows = conn.execute("select id, audit_seq from outbox order by audit_seq").fetchall()
    assert unique == [r[0] for r in rows]  # each row once after dedup, in commit order
    # every audit event that reports a change has its event, and nothing else has one
    events = {}
    for m in messages:
        ev = parse(m)
        events[ev.get_id()] = ev
    by_seq = {ev.get_data()["audit_seq"]: ev for ev in events.values()}
    audit = conn.execute("select seq, event, data from audit_events where item_id is not null order by seq").fetchall()
    expected = {seq: outbox.full_type(name) for seq, ev, data in audit if (name := outbox.type_name(ev, json.loads(data)))}
    assert {seq: ev.get_type() for seq, ev in by_seq.items()} == expected
    # per item: starts with ingested, and the last event matches the item's final state
    per_item: dict[int, list[str]] = defaultdict(list)
    for event_id in unique:
        ev = events[event_id]
        per_item[int(ev.get_subject())].append(short(ev.get_type()))
    last_for_state = {
        "drafted": {"delivered", "reviewed.approved"},
        "skipped": {"skipped"},
        "held": {"held"},
        "escalated": {"escalated", "reviewed.assigned"},
        "quarantined": {"quarantined"},
        "rejected": {"reviewed.rejected"},
    }
    states = dict(conn.execute("select id, state from items").fetchall())
    assert set(per_item) == set(states)
    for item_id, seq in per_item.items():
        assert seq[0] == "ingested" and seq.count("ingested") == 1, (item_id, seq)
        assert seq[-1] in last_for_state[states[item_id]], (item_id, states[item_id], seq)
        if states[item_id] == "drafted" and "reviewed.approved" not in seq:
            assert seq == ["ingested", "drafted", "checked", "routed", "delivered"], (item_id, seq)
    approved = [i for i, s in per_item.items() if "reviewed.approved" in s]
    rejected = [i for i, s in per_item.items() if "reviewed.rejected" in s]
    assert len(approved) == 1 and len(rejected) == 1
    assert per_item[approved[0]][-2:] == ["delivered", "reviewed.approved"] and states[approved[0]] == "drafted"
    assert per_item[rejected[0]] == ["ingested", "drafted", "checked", "escalated", "reviewed.rejected"]


def test_events_are_cloudevents_with_the_items_correlation_id(world):
    _, _, db, _, _, _, _, messages, _, _ = world
    conn = sqlite3.connect(db)
    items = {i: (src, cid) for i, src, cid in conn.execute("select id, source, correlation_id from items")}
    for m in messages:
        assert m.content_type == "application/cloudevents+json" and m.delivery_info["routing_key"] == json.loads(m.body)["type"]
        ev = parse(m)
        source, cid = items[int(ev.get_subject())]
        assert ev.get_specversion() == "1.0" and ev.get_type() in outbox.EVENT_TYPES
        assert ev.get_source() == f"/draftguard/e2e/{source}" and ev.get_extension("correlationid") == cid
        assert ev.get_time().tzinfo is not None and ev.get_datacontenttype() == "application/json"


def test_the_review_binding_receives_only_review_events(world):
    *_, messages, reviews, _ = world
    assert sorted(r.delivery_info["routing_key"] for r in reviews) == ["com.draftguard.item.reviewed.approved.v1", "com.draftguard.item.reviewed.rejected.v1"]
    assert {r.properties["message_id"] for r in reviews} <= {m.properties["message_id"] for m in messages}


def _personal_values(mailbox: Path, db: Path) -> set[str]:
    """Every sender/recipient address and display name, subject and Message-ID of the mailbox's
    messages, and every value the redactor found (the drafts' placeholder maps)."""
    values: set[str] = set()
    for path in sorted(p for sub in ("new", "cur") for p in (mailbox / sub).iterdir()):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
        for header in ("From", "To", "Cc", "Reply-To"):
            for name, addr in getaddresses([str(v) for v in msg.get_all(header, [])]):
                values.update(v for v in (name, addr) if len(v) >= 5)
        for header in ("Subject", "Message-ID"):
            value = str(msg.get(header, "") or "").strip()
            if len(value) >= 8:
                values.add(value)
    for (pmap,) in sqlite3.connect(db).execute("select placeholder_map from drafts where placeholder_map is not null"):
        values.update(v for v in json.loads(pmap).values() if len(v) >= 5)
    values.update({"Harriet Quill", "Mr Brown"})  # the reviewer and the words of the rejection reason
    return values


def test_no_event_carries_a_personal_value_of_the_messages(world):
    tmp, _, db, _, _, _, _, messages, _, _ = world
    values = _personal_values(tmp / "mailbox", db)
    assert len(values) > 100  # the scan has something to find
    leaks = []
    for m in messages:
        body = str(m.body).lower()
        leaks += [(short(json.loads(m.body)["type"]), v) for v in values if v.lower() in body]
    assert leaks == []
