"""Helpers for the jobs tests: seeded escalations, configs for `main.py run`, small mailboxes.

Imported by the test modules in this folder (pytest's ``prepend`` import mode)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.config import NotifyConfig, ReviewerGroupConfig, Settings
from storage import audit
from storage.db import open_database
from storage.models import Decision, Draft, FindingRow, Item, ItemState, ReviewTask

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_MAILBOX = ROOT / "examples" / "mailbox"
DRAFT_TEXT = "Dear Ann Lee,\n\nwe will refund 500 EUR by Friday.\n\nNorthwind Client Services"


def settings(**kw) -> Settings:
    """Settings with two reviewer groups (compliance SLA 60 min, security SLA 30 min)."""
    base = dict(
        reviewer_groups=[ReviewerGroupConfig(name="compliance", sla_minutes=60, digest_hour_utc=8), ReviewerGroupConfig(name="security", sla_minutes=30, digest_hour_utc=9)],
        notify=NotifyConfig(retry_base_seconds=60, retry_max_seconds=600),
    )
    base.update(kw)
    return Settings(**base)


def db(url: str):
    return open_database(url)


def seed_escalation(
    sf,
    *,
    group: str = "compliance",
    subject: str | None = "Refund for order 1234",
    created_at: datetime | None = None,
    notified_at: datetime | None = None,
    notify_attempts: int = 0,
    state: str = ItemState.ESCALATED,
    with_task: bool = True,
    draft_text: str = DRAFT_TEXT,
    source: str = "maildir:local",
) -> tuple[int, int | None]:
    """An escalated item with a draft, two findings, a decision and (optionally) its review task.

    Returns ``(item_id, task_id)``. Writes the audit events the pipeline would."""
    created_at = created_at or datetime.now(UTC) - timedelta(minutes=20)
    with sf() as s:
        item = Item(source=source, external_id=uuid.uuid4().hex, correlation_id=str(uuid.uuid4()), state=state, created_at=created_at, updated_at=created_at)
        s.add(item)
        s.flush()
        audit.append(s, "ingested", correlation_id=item.correlation_id, item_id=item.id, data={"source": source})
        draft = Draft(
            item_id=item.id,
            provider="template",
            model="templates/v1",
            prompt_template_id="reply/v1",
            prompt_hash="0" * 64,
            prompt_tokens=120,
            completion_tokens=80,
            latency_ms=1500,
            intent="refund",
            confidence=0.8,
            language="en",
            body_text=draft_text,
            body_html=f"<p>{draft_text}</p>",
            body_sha256=hashlib.sha256(draft_text.encode()).hexdigest(),
            placeholder_map={"<PERSON_1>": "Ann Lee"},
            created_at=created_at,
        )
        s.add(draft)
        s.flush()
        audit.append(s, "drafted", correlation_id=item.correlation_id, item_id=item.id, data={"draft_id": draft.id})
        for rule, sev in (("commitment.refund", "high"), ("disclosure.missing", "medium")):
            s.add(FindingRow(item_id=item.id, draft_id=draft.id, rule_id=rule, severity=sev, target="draft", span_start=0, span_end=10, excerpt="refund 500 EUR", message=rule, pack_version="1"))
        action = "hold" if state == ItemState.HELD else "escalate"
        s.add(Decision(item_id=item.id, draft_id=draft.id, action=action, rule_id="high-severity-finding", group=group if action == "escalate" else None, reasons=["max_severity >= 3"]))
        task_id = None
        if with_task:
            task = ReviewTask(
                item_id=item.id,
                draft_id=draft.id,
                group=group,
                rule_id="high-severity-finding",
                created_at=created_at,
                notified_at=notified_at,
                notify_attempts=notify_attempts,
                escalation={"subject": subject, "sender": "ann.lee@client.example", "link": "https://outlook.office.com/mail/id/AAMk1"} if subject else None,
            )
            s.add(task)
            s.flush()
            task_id = task.id
            audit.append(s, "escalated", correlation_id=item.correlation_id, item_id=item.id, data={"review_task_id": task.id})
        s.commit()
        return item.id, task_id


def audit_ok(sf) -> bool:
    with sf() as s:
        result = audit.verify(s)
    assert result.ok, result
    return True


def audit_events(sf, event: str) -> list:
    from sqlalchemy import select

    from storage.models import AuditEvent

    with sf() as s:
        return s.execute(select(AuditEvent).where(AuditEvent.event == event).order_by(AuditEvent.seq)).scalars().all()


# --- mailboxes and the real CLI ---------------------------------------------------------------------
def mailbox_subset(dest: Path, n: int | None = None, *, skip: int = 0, prefixes: tuple[str, ...] = ()) -> list[str]:
    """Copy ``n`` messages of the example mailbox (sorted by name, after ``skip``), or those whose
    file names start with one of ``prefixes``, into a new Maildir ``dest``."""
    for sub in ("cur", "new", "tmp"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    files = sorted((EXAMPLE_MAILBOX / "new").iterdir()) + sorted((EXAMPLE_MAILBOX / "cur").iterdir())
    if prefixes:
        chosen = [f for f in files if f.name.startswith(prefixes)]
    else:
        chosen = files[skip : skip + n if n is not None else None]
    for f in chosen:
        shutil.copy(f, dest / f.parent.name / f.name)
    return [f.name for f in chosen]


def write_service_config(tmp: Path, mailbox: Path, *, storage_url: str | None = None, metrics_port: int = 0, extra: str = "") -> Path:
    """A config for `main.py run`: the example config with this mailbox, a short poll interval
    and lock poll, metrics on ``metrics_port`` (0 = off)."""
    from tests.e2e.helpers import write_config

    cfg = write_config(
        tmp,
        mailbox=mailbox,
        storage_url=storage_url,
        extra=f"[schedule]\nlock_poll_seconds = 0.5\nnotify_interval_seconds = 2\n\n[observability]\nmetrics_port = {metrics_port}\n{extra}",
    )
    text = cfg.read_text().replace("interval_seconds = 60", "interval_seconds = 5")
    cfg.write_text(text)
    return cfg


def start_service(cfg: Path, *args: str, env: dict | None = None, log: Path | None = None) -> subprocess.Popen:
    """Start `main.py run` (the real entry point) as a subprocess; stderr goes to ``log``."""
    e = {k: v for k, v in os.environ.items() if k != "DRAFTGUARD_STORAGE_URL"}
    e.update(env or {})
    err = open(log or os.devnull, "wb")  # noqa: SIM115 - closed by the caller's process end
    return subprocess.Popen([sys.executable, str(ROOT / "main.py"), "-c", str(cfg), "run", *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=e)


def stop_service(proc: subprocess.Popen, timeout: float = 30) -> int:
    """SIGTERM and wait; kills (and fails) if it does not stop in ``timeout`` seconds."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"main.py run did not stop within {timeout} s after SIGTERM") from None


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    """Poll ``predicate`` until truthy (returned) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def sqlite_states(db_path: Path) -> dict[str, int]:
    """Item counts by state, read with the stdlib driver (no engine in the test process)."""
    if not db_path.exists():
        return {}
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return dict(con.execute("SELECT state, count(*) FROM items GROUP BY state").fetchall())
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()


TERMINAL = ItemState.TERMINAL
