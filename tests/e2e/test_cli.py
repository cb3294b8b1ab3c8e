"""The command line end to end on the example mailbox (template drafter, SQLite), as a user runs it."""

from __future__ import annotations

import email
import email.policy
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from tests.e2e.helpers import MARKUP_SUBJECT, ROOT, mailbox_of, with_subject, write_config

# Wide enough that Rich never wraps a line the tests look for; the config file decides the storage.
CLI_ENV = {**{k: v for k, v in os.environ.items() if k != "DRAFTGUARD_STORAGE_URL"}, "COLUMNS": "200"}


def cli(cfg, *args, check=True):
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(cfg), *args], capture_output=True, text=True, cwd=ROOT, timeout=600, env=CLI_ENV)
    if check and r.returncode != 0:
        raise AssertionError(f"exit {r.returncode}\nstdout:{r.stdout}\nstderr:{r.stderr}")
    return r


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    cfg = write_config(tmp)
    first = cli(cfg, "run", "--once")
    second = cli(cfg, "run", "--once")
    return tmp, cfg, first, second


def _status(cfg):
    return json.loads(cli(cfg, "status", "--json").stdout)


def test_first_run_processes_every_message_into_exactly_one_state(ran):
    tmp, cfg, first, _ = ran
    assert "draftguard run summary" in first.stdout
    n_files = len(list((tmp / "mailbox" / "new").iterdir())) + len(list((tmp / "mailbox" / "cur").iterdir()))
    states = _status(cfg)["states"]
    assert sum(states.values()) == n_files
    assert set(states) <= {"drafted", "escalated", "held", "skipped", "quarantined"}, states
    assert states.get("drafted", 0) >= 20 and states.get("skipped", 0) >= 5 and states.get("escalated", 0) >= 2
    assert states.get("quarantined", 0) >= 1


def test_second_run_changes_nothing(ran):
    tmp, cfg, first, second = ran
    assert "Nothing new" in second.stdout
    db = sqlite3.connect(tmp / "dg.db")
    assert db.execute("select count(*) from deliveries").fetchone()[0] == len(list((tmp / "Drafts" / "cur").iterdir()))
    assert db.execute("select count(*) from drafts").fetchone()[0] == db.execute("select count(*) from decisions").fetchone()[0]


def test_drafts_are_threaded_rfc5322_messages(ran):
    tmp, cfg, *_ = ran
    files = sorted((tmp / "Drafts" / "cur").iterdir())
    assert files and all(f.name.endswith(":2,D") for f in files)
    originals = {}
    for f in list((tmp / "mailbox" / "new").iterdir()) + list((tmp / "mailbox" / "cur").iterdir()):
        m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        originals[m["Message-ID"]] = m
    for f in files:
        d = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        orig = originals[str(d["In-Reply-To"]).strip()]
        assert d["References"].split()[-1] == str(orig["Message-ID"]).strip()
        assert d["Subject"].startswith("Re:") and not d["Subject"].lower().startswith("re: re:")
        expected_to = (orig["Reply-To"] or orig["From"]).addresses[0].addr_spec.lower()
        assert d["To"].addresses[0].addr_spec.lower() == expected_to
        assert d["X-Draftguard-Idempotency-Key"].startswith("dg-")
        assert d.get_body(("plain",)) is not None and d.get_body(("html",)) is not None


def test_status_lists_quarantined_items_with_their_error(ran):
    _, cfg, *_ = ran
    data = _status(cfg)
    assert data["quarantine"] and all(q["error"] and q["stage"] for q in data["quarantine"])
    human = cli(cfg, "status").stdout
    assert "Quarantined items" in human


def test_audit_verify_passes_then_fails_after_tampering(ran, tmp_path):
    tmp, cfg, *_ = ran
    ok = cli(cfg, "audit", "verify")
    assert "audit chain OK" in ok.stdout
    out = tmp_path / "audit.jsonl"
    cli(cfg, "audit", "export", "--since", "2000-01-01", "-o", str(out))
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert {"ingested", "skipped", "redacted", "drafted", "checked", "routed", "delivered", "escalated", "quarantined"} <= {e["event"] for e in events}
    # No message bodies or addresses in the audit chain.
    assert "@" not in out.read_text().replace("@odata", "")
    db = sqlite3.connect(tmp / "dg.db")
    db.execute("update audit_events set actor = 'mallory' where seq = 7")
    db.commit()
    bad = cli(cfg, "audit", "verify", check=False)
    assert bad.returncode == 3 and "seq=7" in bad.stderr
    db.execute("update audit_events set actor = 'draftguard' where seq = 7")
    db.commit()
    assert cli(cfg, "audit", "verify", check=False).returncode == 0


def test_config_check_names_the_key_and_the_problem(tmp_path):
    cfg = write_config(tmp_path)
    assert "OK" in cli(cfg, "config", "check").stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(cfg.read_text().replace("timeout_seconds = 30", "timeout_seconds = -5"))
    r = cli(bad, "config", "check", check=False)
    assert r.returncode == 2 and "model.timeout_seconds" in r.stderr
    bad.write_text(cfg.read_text().replace("when = \"max_severity >= 3\"", "when = \"max_severity >>= 3\""))
    r = cli(bad, "config", "check", check=False)
    assert r.returncode == 2 and "routing.rules[6] (high-severity-finding).when" in r.stderr  # after the five risk rules
    assert str(bad) in r.stderr  # the file is named, as for every other key
    two = cfg.read_text().replace("timeout_seconds = 30", "timeout_seconds = -5").replace("max_retries = 1", "max_retries = \"two\"")
    bad.write_text(two)
    r = cli(bad, "config", "check", check=False)
    assert r.returncode == 2 and "model.timeout_seconds" in r.stderr and "model.max_retries" in r.stderr, r.stderr  # both named


def test_draft_dry_run_shows_stages_and_writes_nothing(tmp_path):
    cfg = write_config(tmp_path)
    eml = ROOT / "tests" / "fixtures" / "mail" / "card_numbers.eml"
    r = cli(cfg, "draft", str(eml), "--dry-run", "--json")
    report = json.loads(r.stdout)
    assert report["redactions"] and all(set(x) == {"placeholder", "entity", "detector"} for x in report["redactions"])
    assert any(x["entity"] == "CREDIT_CARD" for x in report["redactions"])
    assert "<CREDIT_CARD_1>" in report["prompt"]["user"]
    assert report["decision"]["rule_id"] and report["draft"]["text"]
    assert not (tmp_path / "dg.db").exists() and not (tmp_path / "Drafts").exists()
    human = cli(cfg, "draft", str(eml), "--dry-run").stdout
    assert "Decision:" in human and "Policy findings" in human


def test_draft_of_a_file_is_a_dry_run_without_the_flag_and_says_what_the_model_does_not_see(tmp_path):
    """`draft FILE` alone previews (a file is never drafted for real), and the quoted history it
    cuts from the client's text is counted, not dropped silently (new-user trial)."""
    cfg = write_config(tmp_path)
    eml = ROOT / "tests" / "fixtures" / "mail" / "quoted_reply.eml"
    report = json.loads(cli(cfg, "draft", str(eml), "--json").stdout)
    m = report["message"]
    assert m["cut_chars"] > 500 and m["new_text_chars"] + m["cut_chars"] <= m["body_chars"] and not m["shortened"], m
    assert "riakClient" not in report["prompt"]["user"]  # the quoted code is what was cut
    human = cli(cfg, "draft", str(eml)).stdout
    assert f"{m['cut_chars']} cut (quoted history and signature" in " ".join(human.split()), human[:600]
    assert not (tmp_path / "dg.db").exists() and not (tmp_path / "Drafts").exists()


def test_draft_says_a_model_request_would_be_refused_when_the_last_check_finds_a_value(tmp_path):
    """Names-only redaction leaves a phone number in the prompt: without a model the decision is the
    template drafter's, and the preview says a model request would be refused and the item escalated
    (new-user trial: the last check said "would refuse" above a "Decision: draft")."""
    cfg = write_config(tmp_path)
    text = cfg.read_text()
    assert text.count('\noutbound = "refuse"') == 1
    cfg.write_text(text.replace('\noutbound = "refuse"', '\nentities = ["PERSON"]\noutbound = "refuse"', 1))
    eml = tmp_path / "phone.eml"
    eml.write_bytes(
        b"From: Anna Berg <anna.berg@client.example>\r\nTo: support@northwind.example\r\nSubject: Call me\r\n"
        b"Date: Mon, 04 Mar 2024 09:00:00 +0000\r\nMessage-ID: <p1@client.example>\r\n\r\n"
        b"Hello,\r\n\r\nplease call me back on +44 7700 900123 about my statement.\r\n\r\nAnna Berg\r\n"
    )
    report = json.loads(cli(cfg, "draft", str(eml), "--json").stdout)
    assert report["outbound"]["prompt_hits"] and report["outbound"]["would_refuse_with_model"] is True
    human = " ".join(cli(cfg, "draft", str(eml)).stdout.split())
    assert "With a model endpoint configured the last check would refuse this prompt" in human and "outbound_pii_blocked" in human
    assert "7700 900123" not in human.split("Last check on this prompt")[1]  # the finding shows the type, never the value
    clean = json.loads(cli(write_config(tmp_path / "c"), "draft", str(eml), "--json").stdout)
    assert clean["outbound"]["would_refuse_with_model"] is False  # the default redaction masks the number


def test_dry_run_forced_past_a_skip_rule_ends_with_the_skip(tmp_path):
    """`--force` shows the drafting stages of an auto-reply, but the last line is what a run does."""
    cfg = write_config(tmp_path)
    eml = ROOT / "tests" / "fixtures" / "mail" / "auto_reply.eml"
    out = cli(cfg, "draft", str(eml), "--dry-run", "--force").stdout
    last = [line for line in out.splitlines() if line.startswith("Decision:")][-1]
    assert last.startswith("Decision: skip (skip rule auto_reply)") and "would have been: draft" in last, last
    assert "Policy findings" in out  # the stages are shown


def test_every_command_has_help():
    for args in (["--help"], ["run", "--help"], ["draft", "--help"], ["status", "--help"], ["audit", "verify", "--help"], ["audit", "export", "--help"], ["config", "check", "--help"]):
        r = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0 and "Usage" in r.stdout, args


# --- 9.2: client text is never read as Rich markup ---------------------------------------------
def test_client_text_with_markup_is_shown_as_written(tmp_path):
    """A subject of `[/] [bold]x[/bold] [red]` (real .eml, real parser, real CLI): the console
    notifier announces the escalation at once, `review show` prints it, and bracketed text in a
    rejection reason and a reviewer name survives."""
    box = mailbox_of(tmp_path, {"1.eml": with_subject("legal_threat.eml", MARKUP_SUBJECT)})
    cfg = write_config(tmp_path, mailbox=box)
    run = cli(cfg, "run", "--once")
    assert "Traceback" not in run.stdout + run.stderr
    assert "Escalation: review task #1" in run.stderr and MARKUP_SUBJECT in run.stderr  # announced, subject literal
    review = _status(cfg)["open_reviews"]
    assert [(r["notified"], r["notify_error"]) for r in review] == [(True, None)]
    shown = cli(cfg, "review", "show", "1")
    assert MARKUP_SUBJECT in shown.stdout
    reason = "[bold]keep[/bold] [red]this wording"
    cli(cfg, "review", "reject", "1", "--reason", reason, "--reviewer", "Rita [qa]")
    shown = cli(cfg, "review", "show", "1").stdout
    assert reason in shown and "Rita [qa]" in shown
    dry = cli(cfg, "draft", str(box / "new" / "1.eml"), "--dry-run")
    assert MARKUP_SUBJECT in dry.stdout  # the Subject line of the draft


# --- 9.15: exit codes and the error helper live in one place --------------------------------------
def test_exit_codes_are_defined_once_and_documented():
    """No module keeps its own EXIT_* numbers or its own fail helper; README and --help list
    exactly the codes of agent.exit_codes.ExitCode."""
    import re

    from agent.exit_codes import ExitCode, summary

    sources = [ROOT / "main.py", *(p for d in ("agent", "connectors", "jobs", "rules", "storage") for p in (ROOT / d).rglob("*.py"))]
    own_codes = [f"{p.relative_to(ROOT)}: {m.group(0).strip()}" for p in sources for m in re.finditer(r"^\s*EXIT_[A-Z_]+\s*[,=]", p.read_text(), re.M)]
    assert own_codes == []
    fail_helpers = [str(p.relative_to(ROOT)) for p in sources if re.search(r"^def _?fail\(", p.read_text(), re.M)]
    assert fail_helpers == ["agent/terminal.py"]
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("Exit codes"):]
    table = table[: table.index("\n\n")]
    assert {int(n) for n in re.findall(r"`(\d)`", table)} == {int(c) for c in ExitCode}
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "--help"], capture_output=True, text=True, cwd=ROOT, env=CLI_ENV)
    assert summary().replace("`", "") in " ".join(r.stdout.replace("│", " ").split())  # --help renders `code` as markdown


# --- 9.8: a bad storage URL or a missing driver is one line, never a traceback ------------------
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql+psycopg://dg:s3cret@127.0.0.1:notaport/dg", "its port is not a number"),
        ("mysql+pymysql://dg:s3cret@127.0.0.1/dg", "no driver installed for it"),
    ],
)
def test_bad_storage_url_is_one_line_for_every_command(tmp_path, url, problem):
    cfg = write_config(tmp_path, storage_url=url)
    for args, code in ((["run"], 4), (["run", "--once"], 4), (["status"], 4), (["config", "check"], 2)):
        r = cli(cfg, *args, check=False)
        assert r.returncode == code, (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr, args
        assert problem in r.stderr and "s3cret" not in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)


# --- 9.9: a full database ends the run in one line, exit 4, nothing lost ---------------------------
def test_full_database_stops_the_run_in_one_line_and_loses_nothing(tmp_path):
    from storage.db import open_database

    cfg = write_config(tmp_path)
    db = tmp_path / "dg.db"
    engine, _ = open_database(f"sqlite:///{db}")  # migrated, empty
    engine.dispose()
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    env = {**CLI_ENV, "DG_MAX_PAGES": str(pages + 25)}  # room for a few items, not for the mailbox
    r = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "e2e" / "run_with_page_limit.py"), str(ROOT / "main.py"), "-c", str(cfg), "run", "--once"],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env=env,
    )
    assert r.returncode == 4, r.stderr
    assert "Traceback" not in r.stdout + r.stderr
    full = [line for line in r.stderr.splitlines() if "full" in line]
    assert len(full) == 1 and full[0].startswith("error: run stopped: storage ") and "database or disk full" in full[0], r.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM quarantine WHERE error LIKE '%full%'").fetchone()[0] == 0  # not the items' fault
    done_before = con.execute("SELECT count(*) FROM items WHERE state NOT IN ('new', 'processing', 'routed')").fetchone()[0]
    con.close()
    assert done_before > 0
    # Space freed: the next run finishes every message, the interrupted one included.
    cli(cfg, "run", "--once")
    states = _status(cfg)["states"]
    assert not {"new", "processing", "routed"} & set(states), states
    assert cli(cfg, "audit", "verify", check=False).returncode == 0


# --- 9.10: two `run --once` at the same moment on a fresh PostgreSQL database -----------------------
@pytest.fixture
def fresh_pg_url():
    """A new, empty PostgreSQL database of its own (dropped afterwards)."""
    from tests.conftest import new_pg_database

    with new_pg_database("dg_race") as url:
        yield url


@pytest.mark.postgres
def test_two_runs_at_once_on_a_fresh_postgres_database(tmp_path, fresh_pg_url):
    """The run lock is taken before the schema is migrated: one run works, the other exits 5."""
    cfg = write_config(tmp_path, storage_url=fresh_pg_url)
    cmd = [sys.executable, str(ROOT / "main.py"), "--config", str(cfg), "run", "--once"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=CLI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    codes = sorted(p.returncode for p in procs)
    for out, errs in outs:
        assert "Traceback" not in out + errs, errs
    assert codes == [0, 5], outs
    loser = outs[[p.returncode for p in procs].index(5)][1]
    assert "another draftguard run holds the scheduler lock" in loser and len(loser.strip().splitlines()) == 1
    assert cli(cfg, "audit", "verify", check=False).returncode == 0


@pytest.mark.postgres
def test_commands_started_together_on_a_fresh_postgres_database_migrate_once(tmp_path, fresh_pg_url):
    """Read commands migrate too (`status` on a fresh database): started together, their
    migrations wait for each other under their own advisory lock instead of colliding."""
    cfg = write_config(tmp_path, storage_url=fresh_pg_url)
    cmd = [sys.executable, str(ROOT / "main.py"), "--config", str(cfg), "status", "--json"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=CLI_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for p in procs:
        out, errs = p.communicate(timeout=600)
        assert p.returncode == 0 and "Traceback" not in out + errs, errs
        assert json.loads(out)["states"] == {}


# --- 9.11: a run that drafts nothing says why; quarantined items are not "already done" -------------
def test_run_of_only_skips_and_quarantines_says_what_happened(tmp_path):
    names = ("auto_reply.eml", "bounce.eml", "newsletter.eml", "noreply.eml", "broken_mime.eml")
    box = mailbox_of(tmp_path, {n: (ROOT / "tests" / "fixtures" / "mail" / n).read_bytes() for n in names})
    cfg = write_config(tmp_path, mailbox=box)
    first = " ".join(cli(cfg, "run", "--once").stdout.split())
    assert "Nothing drafted: all 5 new messages were skipped or quarantined." in first
    assert "Skipped 4: auto_reply 1, bounce 1, mailing_list 1, no_reply 1." in first, first
    assert "Quarantined 1 (by stage): parse 1." in first
    assert "1 item in quarantine: `main.py quarantine list` shows why" in first
    second = " ".join(cli(cfg, "run", "--once").stdout.split())
    assert "every message was already processed" not in second
    assert "1 item in quarantine" in second
    assert "already done" in second  # the table row (skips are done; the quarantined item is not)
    table = _status(cfg)["states"]
    assert table == {"skipped": 4, "quarantined": 1}


# --- 9.12: draft --dry-run shows the routing facts and every rule's result; `sender` is a fact ------
def test_dry_run_explains_routing_and_sender_is_a_fact(tmp_path):
    extra = '[[routing.rules]]\nid = "vip-sender"\nwhen = \'sender == "phillip.allen@enron.com"\'\naction = "hold"\n'
    cfg = write_config(tmp_path, extra=extra)
    eml = ROOT / "tests" / "fixtures" / "mail" / "plain_business.eml"  # From: Phillip Allen, no rule but ours matches
    assert "OK" in cli(cfg, "config", "check").stdout
    report = json.loads(cli(cfg, "draft", str(eml), "--dry-run", "--json").stdout)
    routing = report["routing"]
    assert routing["facts"]["sender"] == "phillip.allen@enron.com" and routing["facts"]["sender_domain"] == "enron.com"
    results = {r["rule_id"]: (r["matched"], r["decides"]) for r in routing["rules"]}
    assert results["vip-sender"] == (True, True) and results["risk-client-services"] == (False, False)
    assert report["decision"]["rule_id"] == "vip-sender"
    human = " ".join(cli(write_config(tmp_path / "plain"), "draft", str(eml), "--dry-run").stdout.replace("│", " ").split())
    assert "Routing facts" in human and '"phillip.allen@enron.com"' in human
    assert "low-confidence confidence < 0.35 hold false" in human
    assert "default (no rule matched) draft ← decides" in human


# --- 9.13: a config that works where it is copied; names as written; how to start; readable logs ----
def _copied_example_config(folder, box, db):
    """config.example.toml copied to ``folder`` as the README suggests, with only the user's own
    paths (mailbox, drafts, database) filled in: the policy pack key is left as shipped."""
    text = (ROOT / "config.example.toml").read_text()
    text = text.replace('path = "examples/mailbox"', f'path = "{box}"').replace('drafts_path = "var/Drafts"', f'drafts_path = "{folder / "Drafts"}"')
    text = text.replace('url = "sqlite:///var/draftguard.db"', f'url = "sqlite:///{db}"')
    text = text.replace('folders = ["examples/knowledge"]', f'folders = ["{ROOT / "examples" / "knowledge"}"]')
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "config.toml"
    cfg.write_text(text)
    return cfg


def test_config_copied_elsewhere_uses_the_shipped_policy_pack_and_names_the_key(tmp_path):
    box = mailbox_of(tmp_path, {"1.eml": (ROOT / "tests" / "fixtures" / "mail" / "plain_business.eml").read_bytes()})
    cfg = _copied_example_config(tmp_path / "elsewhere", box, tmp_path / "dg.db")
    ok = cli(cfg, "config", "check", check=False)
    assert ok.returncode == 0 and "policy pack draftguard-default" in ok.stdout, ok.stderr
    run = cli(cfg, "run", "--once", "--source", "local")  # the name as written in [[sources.maildir]]
    assert "drafted" in run.stdout and _status(cfg)["states"] == {"drafted": 1}
    wrong = cli(cfg, "run", "--once", "--source", "nope", check=False)
    assert wrong.returncode == 2 and "known: maildir:local" in wrong.stderr
    (cfg.parent / "custom.toml").write_text(cfg.read_text().replace('# pack = "my_policy_pack.toml"', 'pack = "my_policy_pack.toml"'))
    bad = cli(cfg.parent / "custom.toml", "config", "check", check=False)
    assert bad.returncode == 2 and "policy.pack:" in bad.stderr and "remove the key to use the pack shipped" in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr


def test_missing_config_and_missing_outlook_source_say_what_to_do(tmp_path):
    r = cli(tmp_path / "config.toml", "status", check=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "no config file here. To start, copy" in r.stderr and "config.example.toml" in r.stderr, r.stderr
    cfg = write_config(tmp_path)
    o = cli(cfg, "outlook", "check", check=False)
    assert o.returncode == 2 and "docs/outlook.md" in o.stderr and "Traceback" not in o.stderr, o.stderr


def _service_log(cfg, *args, tty: bool) -> str:
    """Start `main.py run` (the service), wait for it to be running, SIGTERM it; its stderr."""
    import os
    import select
    import signal
    import time

    cmd = [sys.executable, str(ROOT / "main.py"), "-c", str(cfg), "run", *args]
    if tty:
        master, slave = os.openpty()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=CLI_ENV, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        read = lambda: os.read(master, 65536) if select.select([master], [], [], 0.2)[0] else b""  # noqa: E731
    else:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=CLI_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.set_blocking(proc.stderr.fileno(), False)
        read = lambda: (time.sleep(0.2), proc.stderr.read() or b"")[1]  # noqa: E731
    out, deadline, stopping = b"", time.monotonic() + 120, False
    try:
        while time.monotonic() < deadline:
            try:
                out += read()
            except OSError:  # the pty closes when the process ends
                break
            if not stopping and b"draftguard running:" in out:  # printed after the "draftguard running" log record
                proc.send_signal(signal.SIGTERM)
                stopping = True
            if proc.poll() is not None and stopping:
                try:
                    out += read()
                except OSError:
                    pass
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if tty:
            os.close(master)
    assert stopping, out.decode(errors="replace")
    return out.decode(errors="replace")


def test_service_logs_are_readable_on_a_terminal_and_json_otherwise(tmp_path):
    box = mailbox_of(tmp_path, {"1.eml": (ROOT / "tests" / "fixtures" / "mail" / "plain_business.eml").read_bytes()})
    cfg = write_config(tmp_path, mailbox=box, extra="[observability]\nmetrics_port = 0\n")
    def record(log: str) -> str:  # the log record of the start (not the plain "draftguard running: N jobs" line,
        # which a log record written right after it may share a terminal line with)
        lines = [line.strip() for line in log.splitlines() if "draftguard running" in line and ("jobs=" in line or '"jobs"' in line)]
        assert len(lines) == 1, log
        return lines[0]

    on_tty = record(_service_log(cfg, tty=True))
    assert not on_tty.startswith("{") and "[info" in on_tty and "jobs=" in on_tty, on_tty
    piped = json.loads(record(_service_log(cfg, tty=False)))
    assert piped["event"] == "draftguard running" and piped["level"] == "info"
    forced = json.loads(record(_service_log(cfg, "--log-format", "json", tty=True)))
    assert forced["event"] == "draftguard running"


def test_a_failed_source_is_never_reported_as_nothing_new(tmp_path):
    """A Maildir that is gone was not read: the run names it and does not claim "Nothing new"."""
    box = mailbox_of(tmp_path, {})
    cfg = write_config(tmp_path, mailbox=box)
    for sub in ("cur", "new", "tmp"):
        (box / sub).rmdir()
    box.rmdir()
    proc = cli(cfg, "run", "--once", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "source failed" in out and "Nothing new" not in out, out


def test_help_shows_config_table_names_as_written():
    """Help texts name config tables in brackets ("[distributed] enabled"); Rich markup once ate them."""
    r = subprocess.run([sys.executable, str(ROOT / "main.py"), "worker", "--help"], capture_output=True, text=True, cwd=ROOT, env=CLI_ENV)
    assert "[distributed] enabled" in " ".join(r.stdout.replace("│", " ").split())
