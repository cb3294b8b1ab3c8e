"""Header text is normalised at parse and kept out of the headers we write (issue 9.4).

Real .eml bytes with zero-width, bidi and control characters in the display name and subject,
and NUL in Message-ID / References / In-Reply-To, go through the Maildir parser, the draft
writer and (end to end) a ``run`` with the template drafter."""

from __future__ import annotations

import unicodedata
from email import policy
from email.header import Header
from email.parser import BytesParser
from pathlib import Path

from maildir_testkit import make_maildir

from agent.config import load_config
from agent.models import ReplyDraft
from connectors.maildir.drafts import DraftsMaildir, build_reply
from connectors.maildir.parse import parse_message
from jobs.bootstrap import bootstrap
from tests.e2e.helpers import write_config
from tests.unit.fakes import FakeNotifier

HOSTILE_NAME = "Ann\u202e\u200b Lee\u2066\u00ad\ufeff\x07"
HOSTILE_SUBJECT = "Invoice\u200b 4711\x1b[31m \u202equestion\u2069"


def hostile_eml() -> bytes:
    """A message as a server would store it: RFC 2047 display name and subject carrying
    invisible characters, and raw NUL bytes inside the message ids."""
    lines = [
        f"From: {Header(HOSTILE_NAME, 'utf-8').encode()} <ann.lee@client.example>",
        "To: Support <support@northwind.example>",
        f"Subject: {Header(HOSTILE_SUBJECT, 'utf-8').encode()}",
        "Date: Tue, 03 Jun 2025 10:15:00 +0200",
        "Message-ID: <abc\x00def@client.example>",
        "In-Reply-To: <r1\x00@client.example>",
        "References: <root\x00@client.example> <r1\x00@client.example>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Hello,",
        "",
        "could you tell me your opening hours next week? Thank you.",
        "",
        "Ann",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def invisible(text: str) -> list[str]:
    """Control and format characters in ``text`` (LF/CR/tab of the file structure excepted)."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf") and c not in "\r\n\t"]


def test_parser_normalises_display_name_subject_and_ids():
    m = parse_message(hostile_eml(), source="maildir:t", external_id="1", max_body_bytes=100_000)
    assert m.sender.name == "Ann Lee" and m.sender.email == "ann.lee@client.example"
    assert m.subject == "Invoice 4711[31m question"
    assert m.internet_message_id == "<abcdef@client.example>"
    assert m.in_reply_to == "<r1@client.example>"
    assert m.references == ["<root@client.example>", "<r1@client.example>"]


def test_written_draft_headers_carry_no_invisible_characters(tmp_path: Path):
    m = parse_message(hostile_eml(), source="maildir:t", external_id="1", max_body_bytes=100_000)
    reply = build_reply(m, ReplyDraft(idempotency_key="k-1", subject="", text="Dear Ann,\n\nthank you.", html="", to=[]), from_address="Support <support@northwind.example>")
    drafts = DraftsMaildir(tmp_path / "Drafts", target="maildir:t/Drafts")
    stored = drafts.store(reply, "k-1")
    raw = (tmp_path / "Drafts" / "cur" / stored.name).read_bytes()
    assert b"\x00" not in raw
    written = BytesParser(policy=policy.default).parsebytes(raw)
    for name in ("To", "Subject", "In-Reply-To", "References"):
        assert invisible(str(written[name])) == [], name
    assert str(written["To"]) == "Ann Lee <ann.lee@client.example>"
    assert str(written["In-Reply-To"]) == "<abcdef@client.example>"
    assert str(written["References"]).split() == ["<root@client.example>", "<r1@client.example>", "<abcdef@client.example>"]


def test_run_writes_a_draft_without_invisible_characters_in_greeting_or_headers(tmp_path: Path):
    box = make_maildir(tmp_path / "box")
    (box / "new" / "1700000001.M1P1.host").write_bytes(hostile_eml())
    rt = bootstrap(load_config(write_config(tmp_path, mailbox=box)), notifier=FakeNotifier())
    try:
        summary = rt.pipeline.run_source(rt.sources[0])
    finally:
        rt.close()
    files = list((tmp_path / "Drafts" / "cur").iterdir())
    assert summary.seen == 1 and len(files) == 1, summary
    raw = files[0].read_bytes()
    assert b"\x00" not in raw
    written = BytesParser(policy=policy.default).parsebytes(raw)
    assert str(written["To"]) == "Ann Lee <ann.lee@client.example>"
    assert invisible(str(written["Subject"])) == []
    body = written.get_body(preferencelist=("plain",)).get_content()
    assert invisible(body) == [], body[:200]
