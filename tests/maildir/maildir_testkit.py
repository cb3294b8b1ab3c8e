"""Helpers for the Maildir connector tests: message builders, fixture access, a cursor store.

Imported by the test modules (``from maildir_testkit import ...``); pytest's default
``prepend`` import mode puts this folder on ``sys.path``."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from pathlib import Path

from agent.ports import CursorStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
EXAMPLE_MAILBOX = Path(__file__).resolve().parents[2] / "examples" / "mailbox"


class MemoryCursors(CursorStore):
    """In-memory :class:`CursorStore` (Maildir has no cursor; records any use)."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str | None] = {}

    def get(self, source: str, key: str) -> str | None:
        return self.data.get((source, key))

    def set(self, source: str, key: str, value: str | None) -> None:
        self.data[(source, key)] = value


def build_mail(
    *,
    sender: str = "Ann Lee <Ann.Lee@Client.example>",
    to: str = "support@northwind.example",
    subject: str = "Question about my invoice",
    text: str | None = "Hello,\n\nwhere is my invoice?\n\nAnn",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    message_id: str | None = "<orig-1@client.example>",
    date: str | None = "Tue, 03 Jun 2025 10:15:00 +0200",
) -> bytes:
    """A well-formed message built with the stdlib (``attachments``: (filename, mime type, data))."""
    msg = EmailMessage(policy=policy.default)
    if sender:
        msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if date:
        msg["Date"] = date
    if message_id:
        msg["Message-ID"] = message_id
    for k, v in (headers or {}).items():
        msg[k] = v
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def fixture_bytes(name: str) -> bytes:
    """A file from ``tests/fixtures/mail`` (made by the fixtures helper); fails the test when absent."""
    path = FIXTURES / name
    assert path.is_file(), f"fixture {path} missing"
    return path.read_bytes()


def make_maildir(root: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root
