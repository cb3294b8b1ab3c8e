"""Skip rules: real auto-mail fixtures and header-by-header cases (rules/skip.py).

Every message goes through the Maildir connector's real parser (``parse_message`` on .eml
bytes), so a header the parser does not keep fails here as it would in production. The
Outlook and Salesforce parsers are covered by ``tests/outlook/test_outlook_skip_headers.py``
and ``tests/salesforce/test_salesforce_skip_headers.py`` with the cases of
:mod:`tests.rules.skip_header_cases`."""

from __future__ import annotations

from email.header import Header
from pathlib import Path

import pytest

from agent.config import OrganisationConfig
from agent.errors import BadInputError
from agent.models import InboundMessage
from connectors.maildir.parse import parse_message
from rules.skip import SKIP_HEADER_NAMES, SKIP_HEADERS, is_skip_header, skip_headers, skip_reason
from tests.rules.skip_header_cases import HEADER_CASES, assert_case

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ORG = OrganisationConfig(
    name="Northwind", domains=["northwind.example"], own_addresses=["desk@partner-ops.example"]
)
OWN = ["support@northwind.example"]
BODY_SECRET = "Body text with account 12345678 that must never appear in a skip detail"


def parse(raw: bytes, name: str = "1") -> InboundMessage:
    """The Maildir connector's parser, as the source calls it."""
    return parse_message(raw, source="maildir:test", external_id=name, max_body_bytes=10_000_000)


def eml_to_inbound(path: Path) -> InboundMessage:
    """A fixture .eml through the real Maildir parser."""
    return parse(path.read_bytes(), path.name)


def _encoded(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def raw_mail(
    *,
    sender: str = "ann.lee@client.example",
    subject: str = "Question about my invoice",
    headers: dict[str, str] | None = None,
    content_type: str = "text/plain",
    reply_to: list[str] | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    """The bytes of a message as a mail server stores it (CRLF, RFC 2047 subject).

    ``content_type="multipart/report"`` (or a ``Content-Type`` in ``headers``) gives a
    delivery report with a text part and a ``message/delivery-status`` part."""
    headers = dict(headers or {})
    ctype = headers.pop("Content-Type", None)
    lines = [
        f"From: Ann Lee <{sender}>",
        "To: support@northwind.example",
        f"Subject: {_encoded(subject)}",
        "Date: Tue, 03 Jun 2025 10:15:00 +0200",
        "Message-ID: <skip-test-1@client.example>",
        "MIME-Version: 1.0",
    ]
    if reply_to:
        lines.append("Reply-To: " + ", ".join(reply_to))
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if ctype or content_type == "multipart/report":
        lines.append("Content-Type: " + (ctype or 'multipart/report; boundary="b1"'))
        body = [
            "",
            "--b1",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            BODY_SECRET,
            "--b1",
            "Content-Type: message/delivery-status",
            "",
            "Reporting-MTA: dns; mx.client.example",
            "",
            "Final-Recipient: rfc822; bob@client.example",
            "Action: failed",
            "Status: 5.1.1",
            "",
            "--b1--",
        ]
    else:
        lines.append(f"Content-Type: {content_type}; charset=us-ascii")
        body = ["", BODY_SECRET]
    return ("\r\n".join(lines + body) + "\r\n").encode("utf-8")


def make(**kw) -> InboundMessage:
    """:func:`raw_mail` through the real Maildir parser."""
    return parse(raw_mail(**kw))


def rule_of(msg: InboundMessage) -> str | None:
    r = skip_reason(msg, ORG, OWN)
    return r.rule if r else None


# ---------------------------------------------------------------------------- fixtures


MAIL_EXPECTED = {
    "auto_reply.eml": "auto_reply",
    "bounce.eml": "bounce",
    "newsletter.eml": "mailing_list",
    "noreply.eml": "no_reply",
    "plain_business.eml": None,
    "german.eml": None,
    "quoted_reply.eml": None,
    "reply_to.eml": None,
    "legal_threat.eml": None,
    "html_only.eml": None,
    "card_numbers.eml": None,
    "injection.eml": None,
}


@pytest.mark.parametrize("name", sorted(MAIL_EXPECTED))
def test_mail_fixtures(name: str) -> None:
    path = FIXTURES / "mail" / name
    assert path.exists(), f"fixture {path} missing"
    msg = eml_to_inbound(path)
    reason = skip_reason(msg, ORG, OWN)
    assert (reason.rule if reason else None) == MAIL_EXPECTED[name]
    if reason:
        assert BODY_SECRET not in reason.detail
        assert msg.text_body.strip()[:40] not in reason.detail


SKIP_FIXTURES = {
    "bounce-broken-mime.eml": ("bounce", "postmaster@example.com"),
    "bounce-delayed.eml": ("bounce", "report-type=delivery-status"),
    "bounce-gmail-no-dns.eml": ("bounce", "X-Failed-Recipients: user@example.comm"),
    "bounce-mailbox-full.eml": ("bounce", "report-type=delivery-status"),
    "bounce-no-mx.eml": ("bounce", "report-type=delivery-status"),
    "complaint-aol.eml": ("bounce", "report-type=feedback-report"),
    "disposition-notification.eml": ("auto_reply", "report-type=disposition-notification"),
}


@pytest.mark.parametrize("name", sorted(SKIP_FIXTURES))
def test_flanker_machine_mail_is_skipped_with_evidence(name: str) -> None:
    rule, evidence = SKIP_FIXTURES[name]
    reason = skip_reason(eml_to_inbound(FIXTURES / "skip" / name), ORG, OWN)
    assert reason is not None
    assert reason.rule == rule
    assert evidence in reason.detail


def test_bounce_without_any_sender_is_quarantined_by_the_parser_not_skipped() -> None:
    # A bare message/delivery-status with no From/Sender: nothing to answer, nothing to skip
    # on; the Maildir parser refuses it with a clear reason, so the pipeline quarantines it.
    with pytest.raises(BadInputError, match="no sender address"):
        eml_to_inbound(FIXTURES / "skip" / "bounce-delayed-broken.eml")


# ---------------------------------------------------------------------------- auto_reply


@pytest.mark.parametrize(
    "value", ["auto-replied", "auto-generated", "auto-notified", "Auto-Replied; owner-email=x@y"]
)
def test_auto_submitted_other_than_no_is_auto_reply(value: str) -> None:
    r = skip_reason(make(headers={"Auto-Submitted": value}), ORG, OWN)
    assert r is not None and r.rule == "auto_reply"
    assert r.detail == f"Auto-Submitted: {value}"


def test_auto_submitted_no_is_a_person() -> None:
    assert rule_of(make(headers={"Auto-Submitted": "no"})) is None
    assert rule_of(make(headers={"Auto-Submitted": " No "})) is None


@pytest.mark.parametrize("value", ["OOF", "All", "OOF, AutoReply", "DR, NDR, RN, NRN, OOF, AutoReply"])
def test_x_auto_response_suppress_alone_is_not_an_auto_reply(value: str) -> None:
    # [MS-OXCMAIL] 2.1.3.2.20: the sender asks recipients to suppress auto-responses;
    # ordinary Outlook mail carries it, so it says nothing about this message itself.
    assert rule_of(make(headers={"X-Auto-Response-Suppress": value})) is None


@pytest.mark.parametrize("name", ["X-Autoreply", "X-Autorespond"])
def test_vacation_responder_headers(name: str) -> None:
    r = skip_reason(make(headers={name: "yes"}), ORG, OWN)
    assert r is not None and r.rule == "auto_reply" and r.detail == f"{name}: yes"


def test_precedence_auto_reply() -> None:
    r = skip_reason(make(headers={"Precedence": "auto_reply"}), ORG, OWN)
    assert r is not None and (r.rule, r.detail) == ("auto_reply", "Precedence: auto_reply")


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: Invoice 2291",
        "Out of Office: Re: meeting",
        "Out of Office AutoReply: status",
        "Abwesenheitsnotiz: Rechnung März",
        "Automatische Antwort: Rechnung",
        "Réponse automatique : facture",
    ],
)
def test_auto_reply_subject_prefixes(subject: str) -> None:
    r = skip_reason(make(subject=subject), ORG, OWN)
    assert r is not None and r.rule == "auto_reply"
    assert r.detail.startswith(f"Subject: {subject.strip()}")


def test_short_auto_prefix_needs_a_reply() -> None:
    assert rule_of(make(subject="Auto: insurance renewal question")) is None
    assert rule_of(make(subject="Auto: I am away", in_reply_to="<a@b>")) == "auto_reply"


@pytest.mark.parametrize(
    "subject", ["Out of office next week - handover notes", "Re: Automatic reply settings help"]
)
def test_subjects_that_only_mention_auto_replies_are_drafted(subject: str) -> None:
    assert rule_of(make(subject=subject)) is None


# ---------------------------------------------------------------------------- bounce


def test_multipart_report_from_content_type_field() -> None:
    r = skip_reason(make(content_type="multipart/report"), ORG, OWN)
    assert r is not None and r.rule == "bounce"


def test_report_type_read_from_header() -> None:
    msg = make(headers={"Content-Type": 'multipart/report; report-type="delivery-status"; boundary="b1"'})
    r = skip_reason(msg, ORG, OWN)
    assert r is not None and r.rule == "bounce" and "RFC 3464" in r.detail


@pytest.mark.parametrize(
    "sender, subject",
    [("MAILER-DAEMON@mx.client.example", "Hello"), ("postmaster@client.example", "Undelivered Mail Returned to Sender")],
)
def test_mail_system_senders(sender: str, subject: str) -> None:
    r = skip_reason(make(sender=sender.lower(), subject=subject), ORG, OWN)
    assert r is not None and r.rule == "bounce" and sender.lower() in r.detail


def test_postmaster_writing_a_normal_mail_is_not_a_bounce() -> None:
    assert skip_reason(make(sender="postmaster@client.example", subject="Links for the migration"), ORG, OWN) is None


def test_null_return_path_needs_a_dsn() -> None:
    assert rule_of(make(headers={"Return-Path": "<>"})) is None
    r = skip_reason(make(headers={"Return-Path": "<>"}, subject="Undeliverable: Invoice 2291"), ORG, OWN)
    assert r is not None and r.rule == "bounce" and r.detail.startswith("Return-Path: <>")


def test_x_failed_recipients() -> None:
    r = skip_reason(make(headers={"X-Failed-Recipients": "bob@client.example"}), ORG, OWN)
    assert r is not None and (r.rule, r.detail) == ("bounce", "X-Failed-Recipients: bob@client.example")


# ---------------------------------------------------------------------------- mailing_list


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("List-Id", "Product news <news.vendor.example>"),
        ("List-Unsubscribe", "<mailto:unsub@vendor.example>"),
        ("List-Post", "<mailto:list@vendor.example>"),
        ("Precedence", "bulk"),
        ("Precedence", "list"),
        ("Precedence", "junk"),
        ("X-Campaign", "spring-sale"),
        ("X-Campaign-Id", "123"),
        ("X-CampaignID", "123"),
        ("X-Mailchimp-Campaign", "abc"),
        ("X-MC-User", "abc"),
        ("X-Newsletter", "weekly"),
    ],
)
def test_mailing_list_headers(name: str, value: str) -> None:
    r = skip_reason(make(headers={name: value}), ORG, OWN)
    assert r is not None and r.rule == "mailing_list"
    assert r.detail.lower() == f"{name}: {value}".lower()


def test_precedence_first_class_is_not_a_list() -> None:
    assert rule_of(make(headers={"Precedence": "first-class"})) is None


# ---------------------------------------------------------------------------- no_reply


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@shop.example",
        "no-reply@shop.example",
        "No_Reply@shop.example",
        "donotreply@bank.example",
        "do-not-reply@bank.example",
        "DoNotReply@bank.example",
        "mailer@shop.example",
        "notifications-noreply@git.example",
        "no.reply@shop.example",
    ],
)
def test_no_reply_senders(sender: str) -> None:
    r = skip_reason(make(sender=sender.lower()), ORG, OWN)
    assert r is not None and r.rule == "no_reply" and r.detail.startswith("From: ")


@pytest.mark.parametrize(
    "sender", ["emailer@shop.example", "mailerteam@shop.example", "snoreply@x.example", "norah@x.example"]
)
def test_look_alike_senders_are_drafted(sender: str) -> None:
    assert rule_of(make(sender=sender)) is None


def test_noreply_form_with_real_reply_to_is_drafted() -> None:
    assert rule_of(make(sender="noreply@forms.example", reply_to=["ann.lee@client.example"])) is None


def test_real_sender_with_noreply_reply_to_is_skipped() -> None:
    r = skip_reason(make(reply_to=["no-reply@client.example"]), ORG, OWN)
    assert r is not None and r.rule == "no_reply" and r.detail.startswith("Reply-To: no-reply@client.example")


# ---------------------------------------------------------------------------- own_mail


@pytest.mark.parametrize(
    "sender",
    [
        "support@northwind.example",
        "desk@partner-ops.example",
        "ceo@northwind.example",
        "bot@mail.northwind.example",
    ],
)
def test_own_mail(sender: str) -> None:
    r = skip_reason(make(sender=sender), ORG, OWN)
    assert r is not None and r.rule == "own_mail" and sender in r.detail


def test_own_address_comparison_ignores_case() -> None:
    assert rule_of(make(sender="support@northwind.example")) == "own_mail"
    assert skip_reason(
        make(sender="support@northwind.example"), OrganisationConfig(), ["Support@Northwind.Example"]
    )


@pytest.mark.parametrize("sender", ["x@northwind.example.evil.example", "x@evilnorthwind.example"])
def test_look_alike_domains_are_not_ours(sender: str) -> None:
    assert rule_of(make(sender=sender)) is None


# ---------------------------------------------------------------------------- order and shape


def test_rule_order() -> None:
    everything = {
        "Auto-Submitted": "auto-replied",
        "List-Id": "<x.example>",
        "X-Failed-Recipients": "a@b.example",
    }
    assert rule_of(make(sender="support@northwind.example", headers=everything)) == "own_mail"
    assert rule_of(make(sender="noreply@x.example", headers=everything)) == "bounce"
    del everything["X-Failed-Recipients"]
    assert rule_of(make(sender="noreply@x.example", headers=everything)) == "auto_reply"
    del everything["Auto-Submitted"]
    assert rule_of(make(sender="noreply@x.example", headers=everything)) == "mailing_list"
    assert rule_of(make(sender="noreply@x.example")) == "no_reply"
    assert rule_of(make()) is None


def test_detail_is_bounded_and_never_body_text() -> None:
    r = skip_reason(make(headers={"List-Id": "x" * 1000}), ORG, OWN)
    assert r is not None and len(r.detail) <= 200
    for msg in [make(headers={"Auto-Submitted": "auto-replied"}), make(sender="noreply@x.example")]:
        reason = skip_reason(msg, ORG, OWN)
        assert reason is not None and BODY_SECRET not in reason.detail and "12345678" not in reason.detail


@pytest.mark.parametrize(("name", "value", "rule"), HEADER_CASES)
def test_every_header_the_rules_read_survives_the_maildir_parser(name: str, value: str, rule: str) -> None:
    msg = make(headers={name: value})
    assert_case(skip_reason(msg, ORG, OWN), name, value, rule)
    assert rule_of(make()) is None


def test_skip_headers_keeps_only_rule_headers_first_value_and_bounds_it() -> None:
    pairs = [
        ("Received", "from mx"),
        ("X-Newsletter-Id", "7"),
        ("Precedence", "bulk"),
        ("PRECEDENCE", "list"),
        ("X-Mailchimp-Campaign", "x" * 5000),
        ("Subject", "hi"),
        (None, "odd"),
        ("List-Id", "a\r\n  b"),
    ]
    got = skip_headers(pairs)
    assert list(got) == ["x-newsletter-id", "precedence", "x-mailchimp-campaign", "list-id"]
    assert got["precedence"] == "bulk" and got["list-id"] == "a b"
    assert len(got["x-mailchimp-campaign"]) == 2000
    assert "X-Precedence" in SKIP_HEADER_NAMES and "x-newsletter-issue" in SKIP_HEADER_NAMES
    assert "subject" not in SKIP_HEADER_NAMES and 3 not in SKIP_HEADER_NAMES


def test_is_skip_header_covers_every_header_read() -> None:
    for name in SKIP_HEADERS:
        assert is_skip_header(name.upper())
    assert is_skip_header("X-Campaign-Id") and is_skip_header("x-mailchimp-campaign")
    assert not is_skip_header("Subject") and not is_skip_header("X-Mailer") and not is_skip_header("Received")
