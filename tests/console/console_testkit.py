"""The console under test: a real Maildir with the clients' messages, a SQLite database with
their escalations (rows as the pipeline writes them), the real services (fetch and deliver
through the Maildir source and the pipeline) and a TestClient signed in through the local
sign-in form."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from agent.config import MaildirSourceConfig, ReviewerGroupConfig, Settings, StorageConfig
from console.app import create_app
from console.config import ConsoleConfig, LocalUserConfig
from console.services import open_services
from storage import audit
from storage.models import Decision, Draft, FindingRow, Item, ItemState, ReviewTask, RiskAssessmentRow

SECRET = "s" * 48
ALICE = "local:Alice"  # reviewer, billing
BOB = "local:Bob"  # reviewer, compliance
AUDREY = "local:Audrey"  # auditor
NOBODY = "local:Nobody"  # signed in, no role
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def eml(subject: str, body: str, *, sender: str = '"Ann Lee" <ann.lee@client.example>', msgid: str | None = None, html: str | None = None) -> bytes:
    """An RFC 5322 message (text/plain, or multipart/alternative with ``html``)."""
    from email.message import EmailMessage

    m = EmailMessage()
    m["From"] = sender
    m["To"] = "support@northwind.example"
    m["Subject"] = subject
    m["Message-ID"] = msgid or f"<{uuid.uuid4().hex}@client.example>"
    m["Date"] = "Mon, 07 Dec 2026 09:00:00 +0000"
    m.set_content(body)
    if html is not None:
        m.add_alternative(html, subtype="html")
    return bytes(m)


def settings_for(tmp: Path, *, storage_url: str | None = None, **console_kw) -> Settings:
    box = tmp / "box"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    console = dict(
        public_url="http://127.0.0.1:8080",
        groups={"billing": ["grp-billing"], "compliance": ["grp-compliance"]},
        auditors=["grp-audit"],
        local_users=[
            LocalUserConfig(name="Alice", groups=["billing"]),
            LocalUserConfig(name="Bob", groups=["compliance"]),
            LocalUserConfig(name="Audrey", auditor=True),
            LocalUserConfig(name="Nobody"),
        ],
    )
    console.update(console_kw)
    return Settings(
        sources={"maildir": [MaildirSourceConfig(name="local", path=box, drafts_path=tmp / "Drafts", from_address="support@northwind.example")]},
        reviewer_groups=[ReviewerGroupConfig(name="billing", sla_minutes=60), ReviewerGroupConfig(name="compliance", sla_minutes=240)],
        storage=StorageConfig(url=storage_url or f"sqlite:///{tmp / 'dg.db'}"),
        console=ConsoleConfig(**console),
        base_dir=tmp,
    )


def add_message(settings: Settings, raw: bytes) -> str:
    """Put ``raw`` in the Maildir's new/; returns its key (the item's external id)."""
    key = f"{uuid.uuid4().hex}.M1P1.test"
    (settings.sources.maildir[0].path / "new" / key).write_bytes(raw)
    return key


@dataclass
class Seeded:
    item_id: int
    task_id: int | None
    key: str


def seed(
    sf,
    settings: Settings,
    *,
    group: str = "billing",
    subject: str = "Refund for order 1234",
    body: str = "Hello,\n\nplease refund order 1234.\n\nAnn",
    draft_text: str = "Dear Ann Lee,\n\nwe will refund 500 EUR by Friday.\n\nNorthwind Client Services",
    raw: bytes | None = None,
    state: str = ItemState.ESCALATED,
    age_minutes: int = 20,
    categories: tuple[str, ...] = ("complaint",),
    sender: str = '"Ann Lee" <ann.lee@client.example>',
) -> Seeded:
    """A client's message in the Maildir and its escalation as the pipeline records it (item,
    draft, a policy finding on ``refund 500 EUR``, risk assessment, decision, review task,
    audit events)."""
    key = add_message(settings, raw or eml(subject, body, sender=sender))
    created = datetime.now(UTC) - timedelta(minutes=age_minutes)
    with sf() as s:
        item = Item(source="maildir:local", external_id=key, correlation_id=str(uuid.uuid4()), state=state, created_at=created, updated_at=created)
        s.add(item)
        s.flush()
        audit.append(s, "ingested", correlation_id=item.correlation_id, item_id=item.id, data={"source": "maildir:local"})
        draft = Draft(
            item_id=item.id, provider="template", model="templates/v1", prompt_template_id="reply/v1", prompt_hash="0" * 64,
            intent="refund", confidence=0.8, language="en", body_text=draft_text, body_html=None,
            body_sha256=hashlib.sha256(draft_text.encode()).hexdigest(), created_at=created,
        )  # fmt: skip
        s.add(draft)
        s.flush()
        audit.append(s, "drafted", correlation_id=item.correlation_id, item_id=item.id, data={"draft_id": draft.id})
        at = draft_text.find("refund 500 EUR")
        if at >= 0:
            s.add(FindingRow(item_id=item.id, draft_id=draft.id, rule_id="commitment.refund", severity="high", target="draft", span_start=at, span_end=at + 14, excerpt="refund 500 EUR", message="promises a refund", pack_version="1"))
        s.add(RiskAssessmentRow(item_id=item.id, draft_id=draft.id, score=0.9, must_review=True, categories=[{"id": c, "score": 0.9, "signals": ["lexicon"], "group": group} for c in categories], evidence=[{"category": c, "signal": "lexicon", "ref": f"{c}.r1", "field": "body", "part": "text", "excerpt": "refund"} for c in categories] + [{"category": categories[0], "signal": "classifier", "ref": "head", "field": "body", "part": "text"}], detail={"reasons": ["lexicon"]}))
        s.add(Decision(item_id=item.id, draft_id=draft.id, action="escalate", rule_id="high-severity-finding", group=group, reasons=["max_severity >= 3"]))
        task = ReviewTask(item_id=item.id, draft_id=draft.id, group=group, rule_id="high-severity-finding", created_at=created, escalation={"subject": subject})
        s.add(task)
        s.flush()
        audit.append(s, "escalated", correlation_id=item.correlation_id, item_id=item.id, data={"review_task_id": task.id})
        s.commit()
        return Seeded(item.id, task.id, key)


def make_app(settings: Settings, *, local_login: bool = True):
    """The app with the real services (database, Maildir fetch, pipeline delivery)."""
    services = open_services(settings)
    return create_app(settings, local_login=local_login, services=services, secret_key=SECRET), services


def client(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1:8080")


def csrf(c: TestClient, path: str = "/login") -> str:
    page = c.get(path)
    m = CSRF_RE.search(page.text)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def sign_in(c: TestClient, subject: str) -> TestClient:
    r = c.post("/login/local", data={"csrf_token": csrf(c), "subject": subject, "next": "/queue"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def post(c: TestClient, path: str, data: dict | None = None, *, page: str | None = None):
    """POST a form with the CSRF token of ``page`` (default: the queue)."""
    token = csrf(c, page or "/queue")
    return c.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=False)
