"""parse_message: MIME structure, charsets, HTML-only mail, attachments, headers, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from maildir_testkit import build_mail, fixture_bytes

from agent.errors import BadInputError
from connectors.maildir.parse import parse_message, unflow
from rules.skip import SKIP_HEADER_NAMES

LIMIT = 1_000_000


def parse(raw: bytes, limit: int = LIMIT):
    return parse_message(raw, source="maildir:test", external_id="k1", max_body_bytes=limit)


def raw_mail(body: bytes, content_type: str, *, cte: str = "8bit", extra: bytes = b"") -> bytes:
    """A hand-made message with exact body bytes (the stdlib builder would re-encode them)."""
    return (
        b"From: Ivan Petrov <ivan@client.example>\r\n"
        b"To: support@northwind.example\r\n"
        b"Subject: test\r\n"
        b"Date: Tue, 03 Jun 2025 10:15:00 +0200\r\n"
        b"Message-ID: <raw-1@client.example>\r\n" + extra + b"MIME-Version: 1.0\r\n"
        b"Content-Type: " + content_type.encode() + b"\r\n"
        b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body
    )


def test_multipart_prefers_plain_keeps_html_and_lists_attachment_without_reading_it():
    pdf = b"%PDF-1.4 SECRET-ATTACHMENT-CONTENT " + bytes(range(256)) * 10
    raw = build_mail(
        text="Plain body line.\n\nRegards, Ann",
        html="<html><body><p>HTML body line.</p></body></html>",
        attachments=[("invoice.pdf", "application/pdf", pdf)],
    )
    m = parse(raw)
    assert m.text_body == "Plain body line.\n\nRegards, Ann"
    assert m.html_body is not None and "HTML body line." in m.html_body
    assert [(a.filename, a.content_type, a.size_bytes) for a in m.attachments] == [
        ("invoice.pdf", "application/pdf", len(pdf))
    ]
    assert "SECRET-ATTACHMENT-CONTENT" not in m.text_body
    assert m.content_type == "multipart/mixed"
    assert m.size_bytes == len(raw)
    assert m.source == "maildir:test" and m.external_id == "k1"


def test_html_only_mail_is_turned_into_text_and_html_kept():
    html = (
        "<html><head><style>p {color: red}</style><script>alert('x')</script></head>"
        "<body><p>Hello <b>there</b>,</p><ul><li>first item</li><li>second item</li></ul>"
        "<p>Thanks,<br>Ann</p></body></html>"
    )
    m = parse(build_mail(text=None, html=html))
    assert "Hello there," in m.text_body
    assert "first item" in m.text_body and "second item" in m.text_body
    assert "<" not in m.text_body and "color: red" not in m.text_body and "alert" not in m.text_body
    assert m.html_body is not None and "<b>there</b>" in m.html_body
    assert m.content_type == "text/html"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # iso-8859-1 label on cp1252 bytes (0x80 = euro sign): read as windows-1252 (WHATWG)
        ("Café costs 5 €".encode("cp1252"), 'text/plain; charset="iso-8859-1"', "Café costs 5 €"),
        (
            "\u201cquoted\u201d – 10 €".encode("cp1252"),
            "text/plain; charset=windows-1252",
            "\u201cquoted\u201d – 10 €",
        ),
        (
            "Добрый день, когда будет счёт?".encode("koi8_r"),
            "text/plain; charset=koi8-r",
            "Добрый день, когда будет счёт?",
        ),
        # no charset at all: detected
        (
            "Добрый день! Мы не получили счёт за март. Пожалуйста, пришлите его как можно скорее.".encode(
                "koi8_r"
            ),
            "text/plain",
            "Добрый день! Мы не получили счёт за март. Пожалуйста, пришлите его как можно скорее.",
        ),
        # labelled utf-8 but really cp1252: strict utf-8 fails, detection repairs it
        (
            "Grüße aus München, die Rechnung über 100 € ist leider falsch. Bitte korrigieren.".encode(
                "cp1252"
            ),
            "text/plain; charset=utf-8",
            "Grüße aus München, die Rechnung über 100 € ist leider falsch. Bitte korrigieren.",
        ),
        # a charset Python does not know: falls back to utf-8
        ("héllo wörld".encode(), "text/plain; charset=x-unknown-8bit", "héllo wörld"),
    ],
    ids=[
        "iso-8859-1-as-cp1252",
        "windows-1252",
        "koi8-r",
        "undeclared-koi8-r",
        "mislabelled-utf8",
        "unknown",
    ],
)
def test_odd_charsets_are_decoded(body: bytes, content_type: str, expected: str):
    assert parse(raw_mail(body, content_type)).text_body == expected


def test_base64_koi8r_body_and_quoted_printable():
    import base64

    text = "Счёт 42 оплачен."
    m = parse(raw_mail(base64.encodebytes(text.encode("koi8_r")), "text/plain; charset=koi8-r", cte="base64"))
    assert m.text_body == text
    m2 = parse(
        raw_mail(b"caf=E9 cr=E8me=\r\n br=FBl=E9e", "text/plain; charset=iso-8859-1", cte="quoted-printable")
    )
    assert m2.text_body == "café crème brûlée"


def test_rfc2047_headers_addresses_dates_and_threading():
    raw = (
        b"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <Juergen.Mueller@Client.EXAMPLE>\r\n"
        b"To: Support <Support@Northwind.example>, other@client.example\r\n"
        b"Cc: =?utf-8?b?w4VzYQ==?= <asa@client.example>\r\n"
        b"Reply-To: Accounts <Accounts@Client.example>\r\n"
        b"Subject: =?iso-8859-1?q?Rechnung_f=FCr?=\r\n =?iso-8859-1?q?_M=E4rz?=\r\n"
        b"Date: Tue, 03 Jun 2025 10:15:00 +0200\r\n"
        b"Message-ID: <orig-1@client.example>\r\n"
        b"In-Reply-To: <parent-2@northwind.example>\r\n"
        b"References: <root-0@client.example>\r\n <parent-1@northwind.example> <parent-2@northwind.example>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n"
    )
    m = parse(raw)
    assert m.subject == "Rechnung für März"
    assert (m.sender.name, m.sender.email) == ("Jürgen Müller", "juergen.mueller@client.example")
    assert [a.email for a in m.to] == ["support@northwind.example", "other@client.example"]
    assert [(a.name, a.email) for a in m.cc] == [("Åsa", "asa@client.example")]
    assert [a.email for a in m.reply_to] == ["accounts@client.example"]
    assert m.received_at == datetime(2025, 6, 3, 8, 15, tzinfo=UTC)
    assert m.received_at.utcoffset() == timedelta(hours=2)
    assert m.internet_message_id == "<orig-1@client.example>"
    assert m.in_reply_to == "<parent-2@northwind.example>"
    assert m.references == [
        "<root-0@client.example>",
        "<parent-1@northwind.example>",
        "<parent-2@northwind.example>",
    ]
    assert m.thread_key == "<root-0@client.example>"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("not a date", None),
        ("Tue, 03 Jun 2025 10:15:00 -0000", datetime(2025, 6, 3, 10, 15, tzinfo=UTC)),
        (None, None),
    ],
)
def test_date_bad_missing_or_zoneless(date, expected):
    m = parse(build_mail(date=date))
    assert m.received_at == expected
    if m.received_at is not None:
        assert m.received_at.tzinfo is not None


def test_headers_keep_only_skip_rule_keys_lower_cased():
    raw = build_mail(
        headers={
            "Auto-Submitted": "auto-replied",
            "List-Id": "Riak Users <riak-users.lists.basho.com>",
            "Precedence": "bulk",
            "X-Spam-Score": "12",
            "DKIM-Signature": "v=1; a=rsa-sha256",
        }
    )
    m = parse(raw)
    assert m.headers["auto-submitted"] == "auto-replied"
    assert m.headers["list-id"] == "Riak Users <riak-users.lists.basho.com>"
    assert m.headers["precedence"] == "bulk"
    assert m.headers["content-type"].startswith("text/plain")
    assert all(name in SKIP_HEADER_NAMES for name in m.headers)
    assert "x-spam-score" not in m.headers and "dkim-signature" not in m.headers


def test_multipart_report_content_type_carries_report_type():
    body = (
        b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery to bob@x.example failed.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
        b"Final-Recipient: rfc822; bob@x.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        b"--B--\r\n"
    )
    m = parse(raw_mail(body, 'multipart/report; report-type="delivery-status"; boundary="B"'))
    assert m.content_type == "multipart/report; report-type=delivery-status"
    assert m.text_body == "Delivery to bob@x.example failed."
    assert [a.content_type for a in m.attachments] == ["message/delivery-status"]


def test_format_flowed_is_unwrapped():
    body = b"This is a long line that was \r\nsoft wrapped by the client.\r\n>quoted soft \r\n>line\r\n-- \r\nAnn\r\n"
    m = parse(raw_mail(body, "text/plain; charset=utf-8; format=flowed", cte="7bit"))
    assert (
        m.text_body
        == "This is a long line that was soft wrapped by the client.\n> quoted soft line\n-- \nAnn"
    )
    assert unflow("a \nb", delsp=True) == "ab"


def test_huge_body_is_rejected_with_size_and_limit():
    raw = build_mail(text="x" * 3_200_000)
    with pytest.raises(BadInputError) as exc:
        parse(raw, limit=1_000_000)
    assert "body is 3.2 MB" in exc.value.problem and "limit 1.0 MB" in exc.value.problem
    assert exc.value.item == "maildir:test/k1"


def test_big_attachment_with_small_body_is_accepted():
    big = b"\0" * 1_500_000
    m = parse(build_mail(attachments=[("data.bin", "application/octet-stream", big)]), limit=1_000_000)
    assert m.attachments[0].size_bytes == len(big)
    assert "where is my invoice" in m.text_body


def test_broken_mime_is_rejected_naming_the_defects():
    raw = (
        b"From: Mime Breaker <broken@client.example>\r\nTo: support@northwind.example\r\n"
        b"Subject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="not-in-body"\r\n\r\n'
        b"--other-boundary\r\nContent-Type: text/plain\r\n\r\nhello\r\n--other-boundary--\r\n"
    )
    with pytest.raises(BadInputError) as exc:
        parse(raw)
    assert exc.value.problem.startswith("unreadable MIME")
    assert "StartBoundaryNotFoundDefect" in exc.value.problem


def test_broken_mime_fixture_is_rejected():
    with pytest.raises(BadInputError) as exc:
        parse(fixture_bytes("broken_mime.eml"))
    assert "StartBoundaryNotFoundDefect" in exc.value.problem


def test_undecodable_base64_body_is_rejected():
    with pytest.raises(BadInputError) as exc:
        parse(raw_mail(b"QUJDR\r\n", "text/plain; charset=utf-8", cte="base64"))
    assert "InvalidBase64LengthDefect" in exc.value.problem


def test_no_sender_is_rejected():
    with pytest.raises(BadInputError) as exc:
        parse(build_mail(sender=""))
    assert exc.value.problem == "no sender address (no From header)"
    with pytest.raises(BadInputError) as exc:
        parse(build_mail(sender="undisclosed-recipients:;"))
    assert exc.value.problem.startswith("no sender address (From:")


def test_empty_body_is_rejected_but_attachment_only_mail_is_not():
    with pytest.raises(BadInputError) as exc:
        parse(build_mail(text=" \n\n  "))
    assert exc.value.problem.startswith("empty body")
    m = parse(build_mail(text="", attachments=[("scan.pdf", "application/pdf", b"%PDF")]))
    assert m.text_body == "" and m.attachments[0].filename == "scan.pdf"


def test_garbage_bytes_are_bad_input_not_a_crash():
    with pytest.raises(BadInputError) as exc:
        parse(bytes(range(256)) * 40)
    assert "no sender address" in exc.value.problem


def test_raw_8bit_header_bytes_are_repaired():
    raw = raw_mail(b"body", "text/plain; charset=utf-8", extra=b"").replace(
        b"From: Ivan Petrov", "From: Иван Петров".encode()
    )
    m = parse(raw)
    assert m.sender.name == "Иван Петров"


def test_html_only_fixture_and_rfc2047_fixture_subject():
    m = parse(fixture_bytes("html_only.eml"))
    assert m.content_type == "text/html" and m.html_body and "<div" not in m.text_body
    assert "Hi. I am fine." in m.text_body
    g = parse(fixture_bytes("german.eml"))
    assert g.subject == "AW: Rechnung März"
