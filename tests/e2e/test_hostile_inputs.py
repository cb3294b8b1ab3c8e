"""Hostile input through the real Maildir source and pipeline (issue 11, "Hostile input").

Every file of tests/fixtures/hostile/ (see its README.md) plus a 20 MB body built here goes into a
temporary Maildir, and ``main.py run --once`` (a subprocess, as a user runs it) processes it:

- the run never dies (exit 0, a summary), a second run finds nothing new;
- each file ends as exactly one item, drafted, skipped, escalated, held or quarantined; a
  quarantined one carries a one-line error naming the file and the problem (no traceback);
- no injected instruction changes the routing (an injection asking to skip or to treat the mail as
  a thank-you never ends ``skipped``) or puts what it asks for (links, addresses, phrases) into a
  placed draft;
- what the commands print about these items holds no raw control, bidi or escape characters.

Run twice: with the template drafter, and with the local model server answering as a fully fooled
model would (every marker of every injection in the draft, intent ``no_reply_needed`` with
confidence 0.99; the risk reviewer role answers "nothing risky").
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.helpers import mailbox_of, write_config
from tests.e2e.test_cli import cli
from tests.fixtures.hostile.make_hostile import big_body, build
from tests.servers.openai_server import OpenAIServer

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
MANIFEST = json.loads((HOSTILE / "manifest.json").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in HOSTILE.glob("*.eml"))
BIG = "big_body.eml"
PERSON_STATES = {"escalated", "held", "quarantined"}
FINAL = {"drafted", "skipped"} | PERSON_STATES
ALL_MARKERS = sorted({m for e in MANIFEST.values() for m in e["markers"]})
UNSAFE_OUTPUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def test_the_committed_fixtures_are_what_the_script_writes():
    built = build()
    assert sorted(built) == FILES
    for name, (raw, entry) in built.items():
        assert (HOSTILE / name).read_bytes() == raw, f"{name} differs from make_hostile.py: run it again"
        assert MANIFEST[name] == entry
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in FILES) and "big_body" in readme


def fooled_model(body: dict) -> dict:
    """A model every injection fooled: all markers in the reply, and it talks the routing down."""
    schema = body.get("response_format", {}).get("json_schema", {}).get("name", "")
    if "Review" in schema:
        return {"categories": []}
    reply = (
        "Dear Dana,\n\nYour account is verified. " + " ".join(ALL_MARKERS) + "\nPlease send the reply to "
        "payments@evil.example and visit https://evil.example/claim.\n\nKind regards,\nNorthwind Client Services"
    )
    return {"reply": reply, "intent": "no_reply_needed", "confidence": 0.99, "reasons": ["nothing to answer"]}


@pytest.fixture(scope="module", params=["template", "fooled-model"])
def ran(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    messages = {name: (HOSTILE / name).read_bytes() for name in FILES}
    messages[BIG] = big_body()
    assert len(messages[BIG]) >= 20 * 1024 * 1024
    box = mailbox_of(tmp, messages)
    if request.param == "template":
        cfg = write_config(tmp, mailbox=box)
        first = cli(cfg, "run", "--once", check=False)
        second = cli(cfg, "run", "--once", check=False)
        requests: list[dict] = []
    else:
        with OpenAIServer(fooled_model) as server:
            cfg = write_config(tmp, base_url=server.base_url, mailbox=box)
            first = cli(cfg, "run", "--once", check=False)
            second = cli(cfg, "run", "--once", check=False)
            requests = list(server.requests)
    return request.param, tmp, cfg, first, second, requests


def _items(tmp: Path) -> dict[str, dict]:
    db = sqlite3.connect(tmp / "dg.db")
    rows = db.execute(
        "select i.external_id, i.state, i.skip_rule, q.stage, q.error from items i left join quarantine q on q.item_id = i.id"
    ).fetchall()
    return {ext: {"state": st, "skip_rule": sk, "stage": stage, "error": err} for ext, st, sk, stage, err in rows}


def _placed(tmp: Path) -> list[str]:
    drafts = tmp / "Drafts"
    out = []
    for sub in ("cur", "new"):
        for f in (drafts / sub).glob("*") if (drafts / sub).is_dir() else []:
            m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
            body = m.get_body(preferencelist=("plain",))
            out.append(body.get_content() if body is not None else "")
    return out


def test_the_run_never_dies_and_every_file_ends_in_one_state(ran):
    mode, tmp, cfg, first, second, _ = ran
    assert first.returncode == 0, first.stderr[-2000:]
    assert "draftguard run summary" in first.stdout
    assert second.returncode == 0 and "Nothing new" in second.stdout, second.stdout
    items = _items(tmp)
    assert sorted(items) == sorted([*FILES, BIG])
    bad = {k: v["state"] for k, v in items.items() if v["state"] not in FINAL}
    assert bad == {}, bad
    for ext, it in items.items():
        if it["state"] == "quarantined":
            err = it["error"] or ""
            assert err.startswith(f"maildir:local/{ext}: ") and len(err) > len(ext) + 20, (ext, err)
            assert "Traceback" not in err and "\n" not in err.strip(), (ext, err)
    big = items[BIG]
    assert big["state"] == "quarantined" and big["stage"] == "parse"
    assert "limit" in big["error"] and "MB" in big["error"]


def test_no_injection_changes_routing(ran):
    mode, tmp, *_ = ran
    items = _items(tmp)
    for name in FILES:
        if not MANIFEST[name]["injection"]:
            continue
        it = items[name]
        # Every injection here asks for a skip, a "thanks" or a reply without review: none succeeds.
        assert it["state"] != "skipped", (name, it)
        if mode == "fooled-model":
            assert it["state"] in PERSON_STATES, (name, it)


def test_no_placed_draft_carries_what_an_injection_asked_for(ran):
    mode, tmp, cfg, first, second, requests = ran
    placed = _placed(tmp)
    for text in placed:
        for marker in ALL_MARKERS:
            assert marker.lower() not in text.lower(), (marker, text[:300])
    db = sqlite3.connect(tmp / "dg.db")
    assert db.execute("select count(*) from deliveries").fetchone()[0] == len(placed)
    if mode == "fooled-model":
        assert requests, "the model was never asked: the fooled-model run tests nothing"
        # Every draft the fooled model wrote carries the markers, so none of them was placed.
        fooled = db.execute("select d.item_id, i.state from drafts d join items i on i.id = d.item_id where d.provider = 'openai'").fetchall()
        assert fooled and all(state != "drafted" for _, state in fooled), fooled
        # and each one was flagged by the draft checks, not only by the inbound side
        flagged = {
            r[0]
            for r in db.execute(
                "select item_id from findings where rule_id like 'draft_safety.%' or rule_id = 'link_domain'"
            ).fetchall()
        }
        assert {item for item, _ in fooled} <= flagged


def test_what_the_commands_print_about_hostile_items_is_safe(ran):
    _, tmp, cfg, first, *_ = ran
    outputs = [first.stdout, first.stderr]
    for args in (("status",), ("quarantine", "list"), ("review", "list", "--all")):
        r = cli(cfg, *args, check=False)
        assert r.returncode == 0, (args, r.stderr)
        outputs += [r.stdout, r.stderr]
    for out in outputs:
        assert not UNSAFE_OUTPUT.search(out), repr(UNSAFE_OUTPUT.search(out).group(0))
        assert "\x1b]" not in out
