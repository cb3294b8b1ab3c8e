"""Reply drafts: threading headers, addressing, subject, parts, quoting, Maildir flag D, idempotency."""

from __future__ import annotations

import mailbox
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from maildir_testkit import build_mail, fixture_bytes

from agent.config import MaildirSourceConfig
from agent.errors import DeliveryError
from agent.models import Address, ReplyDraft
from connectors.maildir.drafts import IDEMPOTENCY_HEADER, DraftsMaildir, build_reply, reply_subject
from connectors.maildir.parse import parse_message
from connectors.maildir.source import MaildirSource

KEY = "maildir:local/1700000000.M1P1.host/v1"


def inbound(raw: bytes):
    return parse_message(
        raw, source="maildir:local", external_id="1700000000.M1P1.host", max_body_bytes=1_000_000
    )


def reply_draft(key: str = KEY, **kw) -> ReplyDraft:
    data = {
        "idempotency_key": key,
        "subject": "",
        "text": "Dear Ann,\n\nyour invoice is attached to this reply.\n\nKind regards\nNorthwind Support",
        "html": "<p>Dear Ann,</p><p>your invoice is attached to this reply.</p><script>alert(1)</script>",
        "to": [],  # empty: the connector addresses the reply from the original
    }
    data.update(kw)
    return ReplyDraft(**data)


def drafts_files(drafts: Path) -> list[Path]:
    return sorted(p for sub in ("cur", "new") if (drafts / sub).is_dir() for p in (drafts / sub).iterdir())


def read(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


ORIGINAL = dict(
    subject="RE: Aw: Re: Question about my invoice",
    text="Hello,\n\nwhere is my invoice?\n> earlier quoted line\n\nAnn",
    html="<p>Hello,</p><p>where is my <b>invoice</b>?</p><script>steal()</script><img src='https://t.example/px.gif'>",
    headers={
        "Reply-To": "Accounts Team <accounts@client.example>",
        "References": "<root-0@client.example> <parent-1@northwind.example>",
        "In-Reply-To": "<parent-1@northwind.example>",
        "Cc": "Bob <bob@client.example>, support@northwind.example",
    },
)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Invoice", "Re: Invoice"),
        ("Re: Invoice", "Re: Invoice"),
        ("RE: AW: Re: Invoice", "Re: Invoice"),
        ("Aw: Rechnung", "Re: Rechnung"),
        ("SV: Faktura", "Re: Faktura"),
        ("Antw: Factuur", "Re: Factuur"),
        ("Re[2]: Invoice", "Re: Invoice"),
        ("Fwd: Invoice", "Re: Fwd: Invoice"),
        ("Re: Fwd: Invoice", "Re: Fwd: Invoice"),
        ("Reminder: Invoice", "Re: Reminder: Invoice"),
        ("", "Re: your message"),  # issue 11: never a bare "Re:"
        ("   ", "Re: your message"),
        ("Re:", "Re: your message"),
    ],
)
def test_reply_subject_is_not_stacked(subject: str, expected: str):
    assert reply_subject(subject) == expected
    assert reply_subject(reply_subject(subject)) == expected


def test_delivered_draft_is_threaded_addressed_and_has_both_parts(source_config: MaildirSourceConfig):
    original = inbound(build_mail(**ORIGINAL))
    source = MaildirSource(source_config)
    receipt = source.deliver(original, reply_draft())

    assert receipt.created is True and receipt.target == "maildir:local/Drafts"
    files = drafts_files(source_config.drafts_path)
    assert [p.name for p in files] == [receipt.ref]
    path = files[0]
    assert path.parent.name == "cur" and path.name.endswith(".draftguard:2,D")
    assert not any((source_config.drafts_path / "tmp").iterdir())

    msg = read(path)
    assert msg["In-Reply-To"] == "<orig-1@client.example>"
    assert msg["References"].split() == [
        "<root-0@client.example>",
        "<parent-1@northwind.example>",
        "<orig-1@client.example>",
    ]
    assert msg["Subject"] == "Re: Question about my invoice"
    assert [a.addr_spec for a in msg["To"].addresses] == ["accounts@client.example"]  # Reply-To respected
    assert msg["Cc"] is None  # reply_all is off
    assert msg["From"].addresses[0].addr_spec == "support@northwind.example"
    assert msg["Message-ID"].endswith("@northwind.example>")
    assert msg["Date"] is not None and msg["Date"].datetime.tzinfo is not None
    assert msg[IDEMPOTENCY_HEADER] == KEY
    assert msg["X-Draftguard-Version"]

    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p["MIME-Version"] is None for p in parts) and msg["MIME-Version"] == "1.0"
    text, html = parts[0].get_content(), parts[1].get_content()
    assert text.startswith("Dear Ann,\n\nyour invoice is attached")
    assert "On Tue, 03 Jun 2025 10:15:00 +0200, Ann Lee <ann.lee@client.example> wrote:" in text
    assert "\n> where is my invoice?\n" in text
    assert "\n>> earlier quoted line\n" in text
    assert text.index("Kind regards") < text.index("wrote:")
    assert "<p>Dear Ann,</p>" in html
    assert '<blockquote type="cite"' in html and "<b>invoice</b>" in html
    assert "alert(1)" not in html and "steal()" not in html and "t.example/px.gif" not in html

    raw = path.read_bytes()
    raw.decode("ascii")  # 7-bit clean: quoted-printable bodies, RFC 2047 headers
    assert all(len(line) <= 998 for line in raw.split(b"\n"))  # RFC 5322 §2.1.1

    box = mailbox.Maildir(source_config.drafts_path, create=False)
    (key,) = box.keys()
    assert box[key].get_flags() == "D"
    assert key == receipt.ref.split(":2,")[0]


def test_to_is_sender_without_reply_to_and_references_built_from_in_reply_to(source_config):
    original = inbound(
        build_mail(subject="Invoice", headers={"In-Reply-To": "<parent-9@northwind.example>"}, html=None)
    )
    source = MaildirSource(source_config)
    receipt = source.deliver(original, reply_draft(html=""))
    msg = read(next(p for p in drafts_files(source_config.drafts_path) if p.name == receipt.ref))
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [
        ("Ann Lee", "ann.lee@client.example")
    ]
    # RFC 5322 §3.6.4: no References in the parent -> its In-Reply-To, then its Message-ID
    assert msg["References"].split() == ["<parent-9@northwind.example>", "<orig-1@client.example>"]
    assert msg["Subject"] == "Re: Invoice"
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "<p>Dear Ann,</p>" in html  # built from the text when the draft has no HTML
    assert "where is my invoice?" in html


def test_reply_all_keeps_to_and_cc_without_our_own_addresses(source_config):
    config = source_config.model_copy(update={"reply_all": True})
    original = inbound(
        build_mail(
            to="support@northwind.example, Carol <carol@client.example>",
            headers={"Cc": "Bob <bob@client.example>, help@northwind.example, ann.lee@client.example"},
        )
    )
    source = MaildirSource(config, own_addresses=["help@northwind.example"])
    receipt = source.deliver(original, reply_draft())
    msg = read(config.drafts_path / "cur" / receipt.ref)
    # as Outlook's Reply All: the original To stays in To, Cc in Cc (issue 8.9)
    assert [a.addr_spec for a in msg["To"].addresses] == ["ann.lee@client.example", "carol@client.example"]
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["bob@client.example"]


def test_recipients_chosen_by_the_pipeline_are_used(source_config):
    from agent.reply import reply_recipients as pipeline_recipients
    from agent.reply import reply_subject as pipeline_subject

    original = inbound(build_mail(**ORIGINAL))
    to, cc = pipeline_recipients(original, reply_all=False, own_addresses={"support@northwind.example"})
    draft = reply_draft(to=to, cc=[Address(name="Legal", email="legal@northwind.example")])
    draft = draft.model_copy(update={"subject": pipeline_subject(original.subject)})
    receipt = MaildirSource(source_config).deliver(original, draft)
    msg = read(source_config.drafts_path / "cur" / receipt.ref)
    assert [a.addr_spec for a in msg["To"].addresses] == ["accounts@client.example"]  # Reply-To, end to end
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["legal@northwind.example"]
    assert msg["Subject"] == "Re: Question about my invoice"


def test_long_message_ids_read_back_exactly(source_config):
    long_id = "<CAKsfaBW4hj0Gek6TwbR3erng4P1y0CZzJ0d=pXtCNnYnbe7PLg-and-some-more@mail.gmail.example>"
    refs = " ".join(f"<ref-{i}-{'x' * 40}@client.example>" for i in range(30))
    original = inbound(build_mail(message_id=long_id, headers={"References": refs}))
    receipt = MaildirSource(source_config).deliver(original, reply_draft())
    raw = (source_config.drafts_path / "cur" / receipt.ref).read_bytes()
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert msg["In-Reply-To"] == long_id  # no leading space from folding
    assert msg["References"].split() == [*refs.split(), long_id]
    assert all(len(line) <= 998 for line in raw.split(b"\n"))


def test_unthreadable_original_without_message_id(source_config):
    original = inbound(build_mail(message_id=None))
    msg = build_reply(original, reply_draft(), from_address=source_config.from_address)
    assert msg["In-Reply-To"] is None and msg["References"] is None
    assert msg["Subject"] == "Re: Question about my invoice"


def test_deliver_twice_writes_one_file(source_config):
    original = inbound(build_mail())
    source = MaildirSource(source_config)
    first = source.deliver(original, reply_draft())
    second = source.deliver(original, reply_draft(text="a different text the second time"))
    assert first.created is True and second.created is False
    assert second.ref == first.ref
    assert len(drafts_files(source_config.drafts_path)) == 1
    third = source.deliver(original, reply_draft(key=KEY + "-v2"))
    assert third.created is True and len(drafts_files(source_config.drafts_path)) == 2


def test_existing_draft_found_after_a_mail_client_renamed_it(source_config):
    original = inbound(build_mail())
    source = MaildirSource(source_config)
    first = source.deliver(original, reply_draft())
    cur = source_config.drafts_path / "cur"
    (cur / first.ref).rename(cur / "1800000000.M5P7.laptop:2,DS")
    again = source.deliver(original, reply_draft())
    assert again.created is False and again.ref == "1800000000.M5P7.laptop:2,DS"
    assert len(drafts_files(source_config.drafts_path)) == 1


def test_file_with_key_in_name_but_other_header_is_not_taken_for_ours(tmp_path: Path):
    drafts = DraftsMaildir(tmp_path / "Drafts", target="maildir:local/Drafts")
    drafts.ensure()
    key = "abc123"
    (drafts.path / "cur" / "1.abc123.draftguard:2,D").write_bytes(
        b"From: x@y.example\nX-Draftguard-Idempotency-Key: something-else\n\nbody\n"
    )
    assert drafts.find(key) is None
    original = inbound(build_mail())
    stored = drafts.store(
        build_reply(original, reply_draft(key=key), from_address="s@northwind.example"), key
    )
    assert stored.created is True and drafts.find(key) == stored.name


def test_unwritable_drafts_folder_raises_delivery_error(tmp_path: Path, source_config):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    config = source_config.model_copy(update={"drafts_path": blocker / "Drafts"})
    with pytest.raises(DeliveryError) as exc:
        MaildirSource(config).deliver(inbound(build_mail()), reply_draft())
    assert exc.value.target == "maildir:local/Drafts"
    assert str(blocker) in str(exc.value)


def test_reply_to_a_fixture_message(source_config):
    original = inbound(fixture_bytes("german.eml"))
    receipt = MaildirSource(source_config).deliver(original, reply_draft())
    msg = read(source_config.drafts_path / "cur" / receipt.ref)
    assert msg["Subject"] == "Re: Rechnung März"
    assert msg["In-Reply-To"] == original.internet_message_id
    assert "Sehr geehrte Damen und Herren" in msg.get_body(preferencelist=("plain",)).get_content()
