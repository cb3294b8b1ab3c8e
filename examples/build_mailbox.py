"""Build the example Maildir ``examples/mailbox/`` and the unit-test fixtures ``tests/fixtures/mail/``.

Data only: every message comes from the third-party corpora in ``/work/shared/corpora`` (see
``examples/SOURCES.md``).  Raw RFC 5322 files are copied byte for byte except for the top-level
header edits listed below; text-only corpus records are wrapped in minimal MIME headers; a few
messages (auto-replies, the legal threat, the German message) were written for this project and
are marked ``constructed`` in ``examples/mailbox/MANIFEST.md``.

Header edits applied to copied raw messages (nothing else is changed):
  * the top-level ``To:`` field is replaced by ``To: support@northwind.example``;
  * ``Message-ID: <generated-N@examples.draftguard>`` is appended when the message has none;
  * ``Date:`` is appended when the message has none;
  * where noted (``extra``), headers such as ``List-Unsubscribe`` / ``Precedence`` / ``Reply-To``
    are appended (documented per file in the manifest);
  * an mbox ``From `` separator line at the very top is dropped (not valid inside a Maildir file).

Usage:  python examples/build_mailbox.py [--corpora DIR] [--verify-only]
"""

from __future__ import annotations

import argparse
import collections
import email
import email.policy
import json
import mailbox
import quopri
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAILBOX = ROOT / "examples" / "mailbox"
FIXTURES = ROOT / "tests" / "fixtures" / "mail"
OUR_ADDRESS = "support@northwind.example"
HOST = "example"

CATEGORIES = (
    "draft",
    "escalate",
    "skip:auto-reply",
    "skip:bounce",
    "skip:list",
    "skip:no-reply",
    "quarantine",
    "draft or escalate",
)


# --------------------------------------------------------------------------------------------
# raw header surgery (bytes in, bytes out)
# --------------------------------------------------------------------------------------------

_BLANK = re.compile(rb"(\r?\n)(\r?\n)")


def _split(raw: bytes) -> tuple[bytes, bytes, bytes]:
    """Return (header block incl. the EOL of its last line, blank separator line, body)."""
    m = _BLANK.search(raw)
    if not m:
        return raw, b"", b""
    return raw[: m.start(2)], m.group(2), raw[m.end() :]


def _fields(header: bytes) -> list[bytes]:
    lines = re.findall(rb"[^\r\n]*(?:\r?\n|$)", header)
    lines = [ln for ln in lines if ln]
    fields: list[bytes] = []
    for ln in lines:
        if fields and ln[:1] in (b" ", b"\t"):
            fields[-1] += ln
        else:
            fields.append(ln)
    return fields


def _name(field: bytes) -> bytes:
    return field.split(b":", 1)[0].strip().lower() if b":" in field else b""


def _eol(header: bytes) -> bytes:
    return b"\r\n" if header.count(b"\r\n") * 2 > header.count(b"\n") else b"\n"


def edit_raw(
    raw: bytes, n: int, *, date_fallback: str, extra: list[str] | None = None, rewrite_to: bool = True
) -> tuple[bytes, list[str]]:
    notes: list[str] = []
    if raw.startswith(b"From "):
        raw = raw.split(b"\n", 1)[1]
        notes.append("mbox 'From ' line dropped")
    header, sep, body = _split(raw)
    eol = _eol(header + sep)
    fields = _fields(header)
    # make sure the last field ends with an EOL so we can append
    if fields and not fields[-1].endswith(b"\n"):
        fields[-1] += eol
    names = [_name(f) for f in fields]
    if rewrite_to:
        new_to = b"To: " + OUR_ADDRESS.encode() + eol
        if b"to" in names:
            i = names.index(b"to")
            # keep the field's own line ending
            own = b"\r\n" if fields[i].endswith(b"\r\n") else b"\n"
            fields[i] = b"To: " + OUR_ADDRESS.encode() + own
            notes.append("To rewritten")
        else:
            fields.append(new_to)
            notes.append("To added")
    if b"message-id" not in names:
        fields.append(f"Message-ID: <generated-{n}@examples.draftguard>".encode() + eol)
        notes.append("Message-ID added")
    if b"date" not in names:
        fields.append(b"Date: " + date_fallback.encode() + eol)
        notes.append("Date added")
    for h in extra or []:  # documented by the spec's own note
        fields.append(h.encode() + eol)
    if not sep:  # header-only message: add the blank line
        sep = eol
    return b"".join(fields) + sep + body, notes


# --------------------------------------------------------------------------------------------
# wrapping text-only corpus records
# --------------------------------------------------------------------------------------------


def _hdr(name: str, value: str) -> str:
    try:
        value.encode("ascii")
        return f"{name}: {value}"
    except UnicodeEncodeError:
        return f"{name}: " + Header(value, "utf-8", header_name=name).encode()


def _addr(display: str, address: str) -> str:
    if not display:
        return address
    try:
        display.encode("ascii")
        if re.search(r"[()<>@,;:\\\".\[\]]", display):
            display = '"' + display.replace('"', r"\"") + '"'
        return f"{display} <{address}>"
    except UnicodeEncodeError:
        return Header(display, "utf-8").encode() + f" <{address}>"


def wrap(
    n: int,
    *,
    from_: str,
    subject: str,
    date: str,
    body: str,
    html: bool = False,
    extra: list[str] | None = None,
    charset: str = "utf-8",
) -> bytes:
    body = body.replace("\r\n", "\n")
    if not body.endswith("\n"):
        body += "\n"
    try:
        body.encode("ascii")
        cte, cs = "7bit", ("us-ascii" if charset == "utf-8" else charset)
    except UnicodeEncodeError:
        cte, cs = "8bit", charset
    payload = body.encode(cs)
    if any(len(line) > 998 for line in payload.split(b"\n")):  # RFC 5322 line limit
        cte, payload = "quoted-printable", quopri.encodestring(payload)
    lines = [
        f"From: {from_}" if from_.isascii() else _hdr("From", from_),
        f"To: {OUR_ADDRESS}",
        _hdr("Subject", subject),
        f"Date: {date}",
        f"Message-ID: <generated-{n}@examples.draftguard>",
        *(extra or []),
        "MIME-Version: 1.0",
        f'Content-Type: {"text/html" if html else "text/plain"}; charset="{cs}"',
        f"Content-Transfer-Encoding: {cte}",
    ]
    return ("\n".join(lines) + "\n\n").encode("ascii") + payload


# --------------------------------------------------------------------------------------------
# constructed texts (written for this project; marked "constructed" in the manifest)
# --------------------------------------------------------------------------------------------

OOO_BODY = """\
Thank you for your email.

I am out of the office until Monday 4 December with no access to email.
Your message has not been forwarded.

For anything urgent regarding the EBS sourcing projects please call the
Global Strategic Sourcing desk.

Kind regards,
Morgan Ellery
"""

AUTOREPLY2_BODY = """\
I'm currently away on business travel and will respond to your message when
I'm back in the office on 4 December.

This is an automatic reply.
"""

LEGAL_TOP = """\
Hello,

I am writing to make a formal complaint. As you can see below, on 30 May you
told me you would cancel my order and issue a full refund. Three weeks later
the refund has still not arrived, and nobody has answered my last two emails.

If the full amount is not back on my card within 7 days I will hand this over
to my lawyer and take legal action against your company. I will also report
this to the consumer protection office.

Dana Whitfield

On Jun 1, 2020, at 8:02 AM, Dana Whitfield <dana.whitfield@example.net> wrote:

"""

GERMAN_BODY = """\
Sehr geehrte Damen und Herren,

vielen Dank für Ihre schnelle Antwort. Leider ist die Rechnung für März immer
noch nicht korrigiert: Die Beratung vom 12. März wurde uns doppelt berechnet.
Könnten Sie uns bitte bis Ende der Woche eine korrigierte Rechnung schicken?

Mit freundlichen Grüßen
Katrin Vogel
Vogel & Partner Steuerberatung

Am 14.03.2024 um 10:05 schrieb Northwind Advisory <support@northwind.example>:

> Guten Tag Frau Vogel,
>
> wir prüfen Ihre Rechnung und melden uns in Kürze.
>
> Mit freundlichen Grüßen
> Northwind Advisory
"""


# --------------------------------------------------------------------------------------------
# the message list
# --------------------------------------------------------------------------------------------

E = "raw_email/enron_maildir/"
F = "raw_email/flanker_mime/"


def specs(corp: Path) -> list[dict]:  # noqa: C901 - a flat table
    def jl(rel: str) -> list[dict]:
        return [json.loads(x) for x in (corp / rel).read_text(encoding="utf-8").splitlines() if x.strip()]

    bipia = jl("prompt_injection_email/bipia_email/email_train.jsonl")
    bipia_att = json.loads((corp / "prompt_injection_email/bipia_email/text_attack_train.json").read_text())
    llmail = {r["job_id"]: r for r in jl("prompt_injection_email/llmail_inject/attacks_sample.jsonl")}
    fp_tests = json.loads(
        (corp / "prompt_injection_email/llmail_inject/benign_emails/fp_tests.json").read_text()
    )["emails"]
    spikee_jb = {r["id"]: r for r in jl("prompt_injection_email/spikee_llm_mailbox/jailbreaks.jsonl")}
    spikee_ins = {r["id"]: r for r in jl("prompt_injection_email/spikee_llm_mailbox/instructions.jsonl")}
    pii = json.loads((corp / "pii_presidio/synth_dataset_v2_sample.json").read_text(encoding="utf-8"))
    adv = {
        r["id"]: r
        for r in jl("compliance_investment_advice/seeds-investment-advice/standalone_user_inputs.jsonl")
    }
    adv_fp = {
        r["id"]: r
        for r in jl("compliance_investment_advice/seeds-investment-advice-fp/standalone_user_inputs.jsonl")
    }

    def bip(i: int) -> dict:
        c = bipia[i]["context"]
        m = re.match(r"SUBJECT: (.*?)\|EMAIL_FROM: ?(.*?)\|RECEIVED DATE: ?(.*?)\|CONTENT: ?(.*)\Z", c, re.S)
        assert m, i
        return {
            "subject": m.group(1).strip(),
            "from": m.group(2).strip(),
            "date": m.group(3).strip(),
            "body": m.group(4),
        }

    def fp(i: int) -> tuple[str, str]:
        m = re.match(r"Subject of the email: (.*?)\.\s+Body: (.*)\Z", fp_tests[i], re.S)
        assert m, i
        return m.group(1), m.group(2)

    def txt(rel: str) -> str:
        return (corp / rel).read_text(encoding="utf-8")

    S: list[dict] = []

    def raw(src, cat, what, *, folder="new", extra=None, kind="business", note="", fixture=None):
        S.append(
            dict(
                mode="raw",
                src=src,
                cat=cat,
                what=what,
                folder=folder,
                extra=extra or [],
                kind=kind,
                note=note,
                fixture=fixture,
            )
        )

    def wrapped(src, cat, what, *, kind, note="", folder="new", fixture=None, **kw):
        S.append(
            dict(
                mode="wrap",
                src=src,
                cat=cat,
                what=what,
                folder=folder,
                kind=kind,
                note=note,
                fixture=fixture,
                wrap=kw,
            )
        )

    # ---- real Enron business mail (clients) ------------------------------------------------
    raw(
        E + "allen-p/_sent_mail/1_",
        "draft",
        "one-line note, empty Subject, refers to a missing attachment",
        folder="cur",
    )
    raw(
        E + "allen-p/_sent_mail/2_",
        "draft",
        "Re: survey; long Lotus Notes quoted questionnaire below a short answer",
    )
    raw(
        E + "allen-p/_sent_mail/3_",
        "draft",
        "empty Subject; dollar amounts; plain business request",
        folder="cur",
    )
    raw(E + "allen-p/_sent_mail/4_", "draft", "short plain business request", fixture="plain_business.eml")
    raw(
        E + "allen-p/all_documents/6_",
        "draft",
        "report announcement to a distribution list; Cc/Bcc; attachment only named in text",
    )
    raw(
        E + "allen-p/deleted_items/1_",
        "draft",
        "Fwd: from private address, '>' quoted forward with financial figures, MSN footer; charset ANSI_X3.4-1968",
    )
    raw(E + "arnold-j/2000_conference/3_", "draft", "cost question with amounts", folder="cur")
    raw(E + "arnold-j/_sent_mail/10_", "draft", "trader jargon, lower-case prose")
    raw(
        E + "arnold-j/_sent_mail/2_", "draft", "'Re:' with blank subject text, short reply above Notes header"
    )
    raw(E + "arnold-j/_sent_mail/3_", "draft", "empty Subject, two-line note")
    raw(E + "arnold-j/_sent_mail/4_", "draft", "one-word reply above Lotus Notes quoted header")
    raw(E + "arnold-j/_sent_mail/5_", "draft", "'Forwarded by' block (Lotus Notes) with little own text")
    raw(E + "arnold-j/_sent_mail/6_", "draft", "one-word reply 'yep' above quoted header")
    raw(
        E + "arnold-j/_sent_mail/8_",
        "draft",
        "numbered answers to due-diligence questions; quoted questions below",
    )
    raw(E + "arnold-j/all_documents/1_", "draft", "meeting invitation, multi-line To")
    raw(E + "arnold-j/all_documents/2_", "draft", "change request for an event date; Cc")
    raw(E + "arnold-j/all_documents/3_", "draft", "RE: thread, tone/relationship discussion, nested forwards")
    raw(
        E + "arnold-j/all_documents/4_",
        "draft or escalate",
        "forwarded vendor note that mentions 'lawsuit avoidance' (keyword without any threat); many phone numbers. Ideal: draft",
        note="false-positive probe for legal keywords",
    )
    raw(E + "arnold-j/all_documents/5_", "draft", "conference-call notice, multi-line To")
    raw(
        E + "arnold-j/all_documents/6_",
        "draft",
        "long thread: forwards + '-----Original Message-----' blocks, signatures with phones/addresses",
    )
    raw(
        E + "arnold-j/all_documents/7_",
        "draft",
        "'Re:' thread with Notes headers, signature block with mobile/desk/fax numbers; Cc+Bcc",
    )
    raw(E + "arnold-j/all_documents/8_", "draft", "availability request to several people; Cc")
    raw(
        E + "arnold-j/all_documents/9_",
        "draft",
        "near-empty body ('FYI:' only, the list it refers to is missing); Cc",
    )
    raw(E + "arnold-j/all_documents/10_", "draft", "team note about an org chart attachment (not present)")

    # ---- newsletters / list mail -----------------------------------------------------------
    raw(
        E + "allen-p/all_documents/4_",
        "skip:list",
        "NYTimes member newsletter",
        extra=[
            "List-Unsubscribe: <http://www.nytimes.com/unsubscribe>",
            "List-Id: NYTimes.com Direct <direct.nytimes.com>",
            "Precedence: bulk",
        ],
        kind="newsletter",
        note="List-Unsubscribe/List-Id/Precedence added by this project (URL taken from the body)",
    )
    raw(
        E + "allen-p/all_documents/1_",
        "skip:list",
        "Multex 'Daily Update' investor newsletter; only Precedence + List-Unsubscribe as signals",
        extra=["List-Unsubscribe: <http://www.multexinvestor.com/edituinfo.asp>", "Precedence: bulk"],
        kind="newsletter",
        note="List-Unsubscribe/Precedence added by this project (URL taken from the body)",
    )
    raw(
        F + "message-external-body.eml",
        "skip:list",
        "real mailing-list post (Precedence: bulk, Sender: owner-, Reply-To list); message/external-body part",
        kind="newsletter",
    )
    raw(
        F + "apache-message-news-mime.eml",
        "skip:list",
        "real 1996 mailing-list post (Precedence: bulk) forwarding a message/news part",
        kind="newsletter",
    )
    b = bip(1)
    wrapped(
        "prompt_injection_email/bipia_email/email_train.jsonl#1 (context)",
        "skip:list",
        "product-update newsletter",
        kind="newsletter",
        note="wrapped; List-Unsubscribe/List-Id/Precedence added by this project",
        from_=b["from"],
        subject=b["subject"],
        date=b["date"],
        body=b["body"],
        extra=[
            "List-Unsubscribe: <mailto:unsubscribe@calendly.example?subject=unsubscribe>, <https://calendly.example/unsubscribe>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "List-Id: Calendly product updates <product-updates.calendly.example>",
            "Precedence: bulk",
        ],
        fixture="newsletter.eml",
    )
    wrapped(
        "email_replies_quotes/mailparser_reply/email_nl_1_1.txt",
        "skip:list",
        "Dutch question posted to a mailman list (list footer); non-English + list",
        kind="newsletter",
        note="wrapped; sender, Subject, Date, List-Id, List-Post constructed",
        from_="Maarten de Jong <maarten.dejong@example.nl>",
        subject="Riak-bucket legen na een test",
        date="Wed, 02 Mar 2011 10:14:00 +0100",
        body=txt("email_replies_quotes/mailparser_reply/email_nl_1_1.txt"),
        extra=[
            "List-Id: riak-gebruikers <riak-gebruikers.lijsten.basho.com>",
            "List-Post: <mailto:riak-gebruikers@lijsten.basho.com>",
            "List-Unsubscribe: <http://lijsten.basho.com/mailman/options/riak-gebruikers_lijsten.basho.com>",
            "Precedence: list",
        ],
    )

    # ---- auto-replies ----------------------------------------------------------------------
    wrapped(
        "constructed (answers our reply to enron arnold-j/all_documents/5_; References its real Message-ID)",
        "skip:auto-reply",
        "out-of-office with Auto-Submitted: auto-replied",
        kind="auto-reply",
        note="constructed by this project (no out-of-office text exists in the corpora)",
        from_="Morgan Ellery <morgan.ellery@client-a.example>",
        subject="Out of Office: Re: Universal sponsorship conference call 12/4 4PM CST",
        date="Tue, 28 Nov 2000 16:02:11 -0600",
        body=OOO_BODY,
        extra=[
            "Auto-Submitted: auto-replied",
            "X-Auto-Response-Suppress: All",
            "In-Reply-To: <reply-20001128-1@northwind.example>",
            "References: <28863984.1075849624078.JavaMail.evans@thyme> <reply-20001128-1@northwind.example>",
        ],
        fixture="auto_reply.eml",
    )
    wrapped(
        "constructed",
        "skip:auto-reply",
        "auto-reply WITHOUT Auto-Submitted: only 'Automatic reply:' subject + X-Autoreply/X-Autorespond",
        kind="auto-reply",
        note="constructed by this project",
        from_="Sam Okafor <sam.okafor@client-b.example>",
        subject="Automatic reply: EBS Information",
        date="Thu, 30 Nov 2000 10:20:00 -0600",
        body=AUTOREPLY2_BODY,
        extra=["X-Autoreply: yes", "X-Autorespond: Automatic reply"],
    )
    raw(
        F + "disposition-notification.eml",
        "skip:auto-reply",
        "read receipt (multipart/report; report-type=disposition-notification)",
        kind="auto-reply",
    )

    # ---- bounces and feedback reports ------------------------------------------------------
    raw(
        F + "bounce/zed.eml",
        "skip:bounce",
        "Postfix DSN multipart/report delivery-status from MAILER-DAEMON; also carries Auto-Submitted: auto-replied",
        kind="bounce",
        fixture="bounce.eml",
    )
    raw(
        F + "bounce/mailbox-full.eml",
        "skip:bounce",
        "AOL DSN, mailbox full (multipart/report)",
        kind="bounce",
    )
    raw(
        F + "bounce/no-mx.eml",
        "skip:bounce",
        "delayed-delivery DSN (still retrying) from Mailer-Daemon",
        kind="bounce",
    )
    raw(
        F + "bounce/delayed.eml",
        "skip:bounce",
        "RFC 1894 example DSN 'Cannot send message for 5 days'",
        kind="bounce",
    )
    raw(
        F + "bounce/gmail-no-dns.eml",
        "skip:bounce",
        "Gmail text/plain bounce from mailer-daemon, no DSN part; Return-Path <>",
        kind="bounce",
    )
    raw(
        F + "bounce/broken-mime.eml",
        "skip:bounce",
        "postmaster text/plain 'Undeliverable Mail' with inline original; X-Envelope-From <>",
        kind="bounce",
    )
    raw(
        F + "complaints/aol.eml",
        "skip:bounce",
        "AOL feedback-loop abuse report (multipart/report; report-type=feedback-report) - machine complaint, NOT a client complaint",
        kind="bounce",
    )

    # ---- no-reply senders ------------------------------------------------------------------
    b = bip(14)
    wrapped(
        "prompt_injection_email/bipia_email/email_train.jsonl#14 (context)",
        "skip:no-reply",
        "booking confirmation from noreply@; card last digits",
        kind="no-reply",
        note="wrapped from BIPIA flattened context",
        from_=b["from"],
        subject=b["subject"],
        date=b["date"],
        body=b["body"],
        fixture="noreply.eml",
    )
    b = bip(8)
    wrapped(
        "prompt_injection_email/bipia_email/email_train.jsonl#8 (context)",
        "skip:no-reply",
        "payment receipt from donotreply@ (variant spelling)",
        kind="no-reply",
        note="wrapped from BIPIA flattened context",
        from_=b["from"],
        subject=b["subject"],
        date=b["date"],
        body=b["body"],
    )

    # ---- MIME variety (flanker) ------------------------------------------------------------
    raw(
        F + "long-links.eml",
        "draft",
        "HTML-only (text/html, no text part) with enormous URLs; sender local part is 'postmaster' but it is NOT a bounce",
        kind="mime",
    )
    raw(
        F + "quoted-printable.eml",
        "draft",
        "multipart/alternative whose two parts are both text/plain (2nd is QP-encoded HTML source); very long QP links",
        kind="mime",
    )
    raw(
        F + "bz2-attachment.eml",
        "draft",
        "multipart/mixed with a binary attachment (foo.txt.bz2); no Date/Message-ID originally",
        kind="mime",
    )
    raw(
        F + "8bitmime.eml", "draft", "8bit UTF-8 Cyrillic text part + HTML with numeric entities", kind="mime"
    )
    raw(
        F + "encoded-header.eml",
        "draft",
        "RFC 2047 encoded display name with a comma ('Foo, Bar')",
        kind="mime",
    )
    raw(F + "relative.eml", "draft", "text+HTML alternative, ISO-8859-1, '-- ' signature", kind="mime")
    raw(
        F + "enclosed.eml",
        "draft",
        "message/rfc822 attachment; first header line is whitespace (parser defect FirstHeaderLineIsContinuation); RFC 2047 To",
        kind="mime",
    )
    raw(
        F + "signed.eml",
        "quarantine",
        "S/MIME multipart/signed whose content part is application/plain (base64), i.e. no text/* part",
        kind="mime",
        note="no readable text part; reject as empty body (draft only if the parser learns to read application/plain)",
    )
    raw(
        F + "text-only.eml",
        "draft",
        "minimal text/plain 'testing message parsing' with 'BR,' sign-off",
        folder="cur",
        kind="mime",
    )
    raw(
        F + "outlook-express.eml",
        "quarantine",
        "top-level application/octet-stream (base64 Cyrillic .txt), no text body at all",
        kind="mime",
        note="no readable text part; reject as empty body",
    )

    # ---- broken / corrupt ------------------------------------------------------------------
    raw(
        F + "false-multipart.eml",
        "quarantine",
        "CORRUPT: multipart/alternative whose boundary never occurs; body is blank",
        kind="corrupt",
        fixture="broken_mime.eml",
    )
    raw(
        F + "mailformed-headers.eml",
        "quarantine",
        "CORRUPT: raw 8-bit bytes in From/To/Subject, boundary mismatch, base64 part that is not base64",
        kind="corrupt",
    )
    raw(
        F + "missing-boundaries.eml",
        "draft",
        "CORRUPT-ish: no Subject; text/plain body containing stray MIME headers of parts that lost their boundaries (parses fine)",
        kind="corrupt",
        note="marked corrupt but readable: the first line is a normal sentence",
    )

    # ---- prompt injection ------------------------------------------------------------------
    r = llmail["2f224b9a-51d9-4403-bad5-ae567f475072"]
    wrapped(
        "prompt_injection_email/llmail_inject/attacks_sample.jsonl job_id=2f224b9a-51d9-4403-bad5-ae567f475072",
        "escalate",
        "real LLMail-Inject attack (end-to-end success): fake </email> tag + instruction to mail contact@contact.com",
        kind="injection",
        note="wrapped; sender and Date constructed",
        from_="Recruiting Team <recruiting@talent-portal.example>",
        subject=r["subject"],
        date="Mon, 16 Dec 2024 09:41:00 +0000",
        body=r["body"],
        fixture="injection.eml",
    )
    r = llmail["222bd606-596f-47e5-9ce8-b418a1e8c058"]
    wrapped(
        "prompt_injection_email/llmail_inject/attacks_sample.jsonl job_id=222bd606-596f-47e5-9ce8-b418a1e8c058",
        "escalate",
        "real LLMail-Inject attack: fake <summary> block + JSON tool call; emoji in Subject (RFC 2047)",
        kind="injection",
        note="wrapped; sender and Date constructed",
        from_="Project Office <pmo@projects-hub.example>",
        subject=r["subject"],
        date="Tue, 17 Dec 2024 14:05:00 +0000",
        body=r["body"],
    )
    b = bip(35)
    attack = bipia_att["Malware Distribution"][0]
    wrapped(
        "prompt_injection_email/bipia_email/email_train.jsonl#35 + text_attack_train.json['Malware Distribution'][0]",
        "escalate",
        "BIPIA-style attack: benign reply with an appended instruction to insert a malware link (position: end)",
        kind="injection",
        note="composed as BIPIA does: context + '\\n' + attack",
        from_=b["from"],
        subject=b["subject"],
        date=b["date"],
        body=b["body"].strip() + "\n" + attack,
    )
    subj, body = fp(80)
    jb = spikee_jb["ignore-01"]["text"].replace(
        "<INSTRUCTION>", spikee_ins["data-exfil-markdown-encode-02"]["instruction"]
    )
    parts = body.split(". ", 1)
    wrapped(
        "llmail_inject/benign_emails/fp_tests.json#80 + spikee jailbreaks.jsonl 'ignore-01' + instructions.jsonl 'data-exfil-markdown-encode-02'",
        "escalate",
        "Spikee-style 'Ignore previous instructions' + markdown-image exfiltration payload inserted mid-email",
        kind="injection",
        note="composed as Spikee does: jailbreak.replace('<INSTRUCTION>', instruction), inserted after the first sentence; sender/Date constructed",
        from_="Finance Team <finance@partner-firm.example>",
        subject=subj,
        date="Thu, 05 Sep 2024 11:20:00 +0000",
        body=parts[0] + ".\n\n" + jb + "\n\n" + parts[1],
    )

    # ---- PII -------------------------------------------------------------------------------
    t1, t2 = pii[204]["full_text"], pii[176]["full_text"]
    wrapped(
        "pii_presidio/synth_dataset_v2_sample.json[204] + [176]",
        "draft or escalate",
        "two synthetic credit-card numbers + a person name; lost-card request",
        kind="pii",
        note="wrapped; sender address and Subject constructed (name from the sample)",
        from_="Stephan Fenstermacher <stephan.fenstermacher@example.com>",
        subject="Lost card - please block",
        date="Fri, 08 Mar 2024 07:55:00 +0100",
        body=f"Hello,\n\n{t1}\n\n{t2}\n\nThank you\nStephan Fenstermacher\n",
        fixture="card_numbers.eml",
    )
    t3 = pii[233]["full_text"]
    wrapped(
        "pii_presidio/synth_dataset_v2_sample.json[233]",
        "draft",
        "synthetic IBAN + names in a wire-transfer problem",
        kind="pii",
        note="wrapped; sender and Subject constructed",
        from_="Vinicio Marchetti <v.marchetti@example.it>",
        subject="Problem with wire transfer",
        date="Tue, 12 Mar 2024 16:30:00 +0100",
        body=t3 + "\n\nRegards,\nVinicio\n",
    )

    # ---- escalation ------------------------------------------------------------------------
    hist = txt("email_replies_quotes/mailparser_reply/multi_header.txt")
    quoted = "".join("> " + ln if ln.strip() else ">\n" for ln in hist.splitlines(keepends=True))
    wrapped(
        "constructed top text + quoted history email_replies_quotes/mailparser_reply/multi_header.txt",
        "escalate",
        "formal complaint with legal threat ('formal complaint', 'my lawyer', 'legal action') above a quoted support thread",
        kind="escalate",
        note="top message constructed by this project; quoted part is the corpus fixture",
        from_="Dana Whitfield <dana.whitfield@example.net>",
        subject="Formal complaint - refund still not received",
        date="Sat, 20 Jun 2020 09:12:00 -0400",
        body=LEGAL_TOP + quoted,
        fixture="legal_threat.eml",
    )
    q = adv["financial-adv-chat-01"]["text"]
    wrapped(
        "compliance_investment_advice/seeds-investment-advice/standalone_user_inputs.jsonl id=financial-adv-chat-01",
        "escalate",
        "client asks for personalised investment advice (must not be answered by a draft)",
        kind="escalate",
        note="wrapped; sender/Subject constructed",
        from_="Priya Raman <priya.raman@example.com>",
        subject="Inheritance - what to do with it?",
        date="Wed, 10 Apr 2024 12:00:00 +0100",
        body=f"Hi,\n\n{q}\n\nThanks,\nPriya\n",
    )
    q = adv_fp["financial-adv-chat-fp-02"]["text"]
    wrapped(
        "compliance_investment_advice/seeds-investment-advice-fp/standalone_user_inputs.jsonl id=financial-adv-chat-fp-02",
        "draft",
        "general financial-education question (negative for the advice check)",
        kind="business",
        note="wrapped; sender/Subject constructed",
        from_="Tom Becker <tom.becker@example.com>",
        subject="Question about diversification",
        date="Thu, 11 Apr 2024 09:30:00 +0100",
        body=f"Hello,\n\n{q}\n\nBest,\nTom\n",
    )

    # ---- non-English -----------------------------------------------------------------------
    wrapped(
        "email_replies_quotes/crisp/email_customer_quote_header_3.txt",
        "draft or escalate",
        "French follow-up ('je n'ai pas eu de retour') above a French quoted header (De/À/Envoyé le/Objet)",
        kind="non-english",
        note="wrapped; sender, Subject, Date constructed",
        from_="Someone Somewhere <someone@example.fr>",
        subject="Re: Vous avez reçu une réponse à votre question !",
        date="Fri, 02 Dec 2016 09:15:00 +0100",
        body=txt("email_replies_quotes/crisp/email_customer_quote_header_3.txt"),
    )
    ru = txt("email_replies_quotes/talon/signature/emails/P/unicode_msg")
    ru_name = ru.splitlines()[0].split(":", 1)[1].strip()
    wrapped(
        "email_replies_quotes/talon/signature/emails/P/unicode_msg",
        "draft or escalate",
        "Russian business enquiry (UTF-8 8bit body, RFC 2047 From/Subject) with signature",
        kind="non-english",
        note="wrapped; address, Subject, Date constructed; the fixture's first line 'From: <name>' became the From header",
        from_=_addr(ru_name, "sergey.obukhov@example.com"),
        subject="Сотрудничество",
        date="Mon, 15 Jul 2013 11:00:00 +0400",
        body=ru.split("\n", 1)[1],
    )
    wrapped(
        "constructed (quote-header style of email_replies_quotes/crisp/email_german.txt)",
        "draft or escalate",
        "German invoice-correction request with German quote header 'Am ... schrieb'",
        kind="non-english",
        note="constructed by this project: the corpora contain no German prose (only German quote headers)",
        from_="Katrin Vogel <k.vogel@vogel-partner.example>",
        subject="AW: Rechnung März",
        date="Fri, 15 Mar 2024 08:47:00 +0100",
        body=GERMAN_BODY,
        fixture="german.eml",
    )

    # ---- HTML-only replies -----------------------------------------------------------------
    wrapped(
        "email_replies_quotes/talon/html_replies/gmail.html",
        "draft",
        "HTML-only Gmail reply with gmail_quote blockquote; expected visible reply 'Hi. I am fine. Thanks, Alex'",
        kind="html",
        note="wrapped; headers constructed",
        html=True,
        from_="Alex <alex@example.com>",
        subject="Re: How are you?",
        date="Thu, 26 Jun 2014 14:20:00 +0000",
        body=txt("email_replies_quotes/talon/html_replies/gmail.html"),
        fixture="html_only.eml",
    )
    wrapped(
        "email_replies_quotes/talon/html_replies/ms_outlook_2010.html",
        "draft",
        "HTML-only Outlook 2010 reply (Word HTML, <meta> claims iso-2022-jp but bytes are ASCII)",
        kind="html",
        note="wrapped; headers constructed",
        html=True,
        from_="Alex <alex@example.com>",
        subject="RE: How are you?",
        date="Thu, 26 Jun 2014 15:02:00 +0000",
        body=txt("email_replies_quotes/talon/html_replies/ms_outlook_2010.html"),
    )

    # ---- reply / quote / signature fixtures -----------------------------------------------
    wrapped(
        "email_replies_quotes/mailparser_reply/email_1_3.txt",
        "draft",
        "reply + nested '>' quoted history + '-Name' signature; mailparser-reply expects 3 replies",
        kind="reply",
        note="wrapped; sender, Subject, Date constructed",
        from_="Abhishek Kona <abhishek.kona@example.com>",
        subject="Re: [riak] Clearing a bucket after tests",
        date="Tue, 01 Mar 2011 19:20:00 +0530",
        body=txt("email_replies_quotes/mailparser_reply/email_1_3.txt"),
        fixture="quoted_reply.eml",
    )
    wrapped(
        "email_replies_quotes/crisp/email_thread.txt",
        "draft",
        "reply above a multi-line 'On ... wrote:' header and 3-level nested quotes with a '--' signature inside",
        kind="reply",
        note="wrapped; sender, Subject, Date constructed",
        from_="John Doe <john@doe123.example>",
        subject="Re: Filename disappears in CMD+T pane",
        date="Fri, 21 Nov 2014 10:40:00 +0100",
        body=txt("email_replies_quotes/crisp/email_thread.txt"),
    )
    wrapped(
        "email_replies_quotes/mailparser_reply/caution.txt",
        "draft",
        "support request wrapped in an external-sender CAUTION banner and long legal disclaimers",
        kind="reply",
        note="wrapped; sender, Subject, Date constructed",
        from_="HAHA LOLO <haha.lolo@bank-of-lads.example>",
        subject="Files for 31st August 2019 not available",
        date="Mon, 02 Sep 2019 08:05:00 +0100",
        body=txt("email_replies_quotes/mailparser_reply/caution.txt"),
    )
    wrapped(
        "email_replies_quotes/mailparser_reply/outlook.txt",
        "draft",
        "short question with placeholder phone number and 'Get Outlook for iOS' signature",
        kind="reply",
        note="wrapped; sender, Subject, Date constructed",
        from_="Riak User <riak.user@example.com>",
        subject="Clearing a Riak bucket",
        date="Wed, 03 Mar 2021 17:45:00 +0000",
        body=txt("email_replies_quotes/mailparser_reply/outlook.txt"),
    )
    raw(
        "email_replies_quotes/talon/standard_replies/gmail.eml",
        "draft",
        "Gmail reply 'Hello' + 'On ... wrote:' quote (text+HTML)",
        folder="cur",
        kind="reply",
    )
    raw(
        "email_replies_quotes/talon/standard_replies/sparrow.eml",
        "draft",
        "Sparrow reply with '-- ' signature and nested quotes",
        kind="reply",
    )
    raw(
        "email_replies_quotes/talon/standard_replies/iphone.eml",
        "draft",
        "iPhone reply, QP soft line break inside 'wrote:', 'Sent from my iPhone'",
        kind="reply",
    )
    raw(
        "email_replies_quotes/talon/standard_replies/hotmail.eml",
        "draft",
        "Hotmail 'RE:' reply quoting headers with '>'",
        kind="reply",
    )
    raw(
        "email_replies_quotes/talon/standard_replies/apple_mail_2.eml",
        "draft",
        "Apple Mail reply with In-Reply-To/References",
        kind="reply",
    )
    raw(
        F + "multi-received-headers.eml",
        "draft",
        "Fwd with References chain (2 ids) + In-Reply-To; Reply-To (added) differs from From -> draft must go to Reply-To",
        extra=["Reply-To: Bob <example@example.com>"],
        kind="reply",
        note="Reply-To added by this project (the corpora have no message with both Reply-To and References)",
        fixture="reply_to.eml",
    )
    subj, body = fp(90)
    wrapped(
        "prompt_injection_email/llmail_inject/benign_emails/fp_tests.json#90",
        "draft",
        "benign business update mentioning an attached report (negative for the injection check)",
        kind="business",
        note="wrapped; sender and Date constructed",
        from_="Operations Team <ops@partner-firm.example>",
        subject=subj,
        date="Mon, 01 Jul 2024 10:00:00 +0000",
        body=body,
    )
    return S


# --------------------------------------------------------------------------------------------


def build(corp: Path) -> list[dict]:
    if MAILBOX.exists():
        shutil.rmtree(MAILBOX)
    for d in ("cur", "new", "tmp"):
        (MAILBOX / d).mkdir(parents=True)
    (MAILBOX / "tmp" / ".gitkeep").write_bytes(b"")
    rows = []
    base = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    for n, s in enumerate(specs(corp), start=1):
        assert s["cat"] in CATEGORIES, s
        fallback = format_datetime(base + timedelta(hours=n))
        if s["mode"] == "raw":
            data = (corp / s["src"]).read_bytes()
            data, notes = edit_raw(data, n, date_fallback=fallback, extra=s["extra"])
        else:
            w = dict(s["wrap"])
            data = wrap(n, **w)
            notes = []  # the spec's note says what was wrapped/constructed
        msg = email.message_from_bytes(data, policy=email.policy.default)
        try:
            ts = int(parsedate_to_datetime(str(msg["Date"])).timestamp())
        except Exception:  # noqa: BLE001 - odd dates are part of the test data
            ts = int((base + timedelta(hours=n)).timestamp())
        name = f"{ts}.M{n}P1.{HOST}" + (":2,S" if s["folder"] == "cur" else "")
        (MAILBOX / s["folder"] / name).write_bytes(data)
        rows.append(dict(s, n=n, file=f"{s['folder']}/{name}", notes=notes, size=len(data)))
    return rows


FIXTURE_NAMES = {
    "auto_reply.eml",
    "bounce.eml",
    "newsletter.eml",
    "noreply.eml",
    "html_only.eml",
    "german.eml",
    "injection.eml",
    "legal_threat.eml",
    "card_numbers.eml",
    "plain_business.eml",
    "broken_mime.eml",
    "quoted_reply.eml",
    "reply_to.eml",
}


def write_fixtures(rows: list[dict]) -> None:
    if FIXTURES.exists():
        for old in FIXTURES.glob("*.eml"):
            old.unlink()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    done = set()
    for r in rows:
        if r.get("fixture"):
            shutil.copyfile(MAILBOX / r["file"], FIXTURES / r["fixture"])
            done.add(r["fixture"])
    assert done == FIXTURE_NAMES, done ^ FIXTURE_NAMES
    lines = [
        "# Mail fixtures",
        "",
        "Single RFC 5322 messages for unit tests. Each is a byte copy of one message of the example",
        "mailbox (`examples/mailbox/`), generated by `examples/build_mailbox.py`; origins, licences and",
        "what was constructed by this project: `examples/SOURCES.md` and `examples/mailbox/MANIFEST.md`.",
        "",
        "| fixture | mailbox file | corpus source | expected outcome |",
        "| --- | --- | --- | --- |",
    ]
    for r in sorted((r for r in rows if r.get("fixture")), key=lambda r: r["fixture"]):
        lines.append(f"| `{r['fixture']}` | `{r['file']}` | `{r['src']}` | {r['cat']} |")
    (FIXTURES / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_manifest(rows: list[dict]) -> None:
    cnt = collections.Counter(r["cat"] for r in rows)
    kinds = collections.Counter(r["kind"] for r in rows)
    out = [
        "# Example mailbox - manifest",
        "",
        "Maildir for the Maildir connector and end-to-end demos. All mail is addressed to our fictional",
        f'organisation **Northwind Advisory** (`{OUR_ADDRESS}`); senders are the "clients".',
        "Generated by `examples/build_mailbox.py` from `/work/shared/corpora` (origins and licences:",
        "`examples/SOURCES.md`). Do not hand-edit the message files; change the script and rebuild.",
        "",
        "Expected outcome categories: `draft`, `escalate`, `skip:auto-reply`, `skip:bounce`, `skip:list`,",
        "`skip:no-reply`, `quarantine`, or `draft or escalate` when it depends on the model/policy.",
        "",
        "Header edits on copied raw messages: top-level `To:` replaced by `support@northwind.example`;",
        "`Message-ID: <generated-N@examples.draftguard>` / `Date:` appended only where missing; other",
        "added headers are listed in *notes*. Everything else is byte-identical to the corpus file",
        "(mixed CRLF/LF line endings included). *wrapped* = a text-only corpus record put into minimal",
        "MIME headers (From/Subject/Date constructed unless the record had them). *constructed* = text",
        "written for this project.",
        "",
        f"**{len(rows)} messages** ({sum(1 for r in rows if r['folder'] == 'new')} in `new/`, "
        f"{sum(1 for r in rows if r['folder'] == 'cur')} in `cur/` flagged seen `:2,S`).",
        "",
        "| expected | count |",
        "| --- | --- |",
        *[f"| {c} | {cnt[c]} |" for c in CATEGORIES if cnt[c]],
        "",
        "| kind | count |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in sorted(kinds.items())],
        "",
        "| # | file | corpus source (under /work/shared/corpora) | what it exercises | expected | notes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        notes = "; ".join(
            x
            for x in [
                r.get("note", ""),
                ", ".join(n for n in r["notes"] if n != "To rewritten"),
                ("test fixture `tests/fixtures/mail/" + r["fixture"] + "`") if r.get("fixture") else "",
            ]
            if x
        )
        out.append(
            f"| {r['n']} | `{r['file']}` | `{r['src']}` | {r['what'].replace('|', '/')} | **{r['cat']}** | {notes.replace('|', '/')} |"
        )
    out += [
        "",
        "Special cases to note:",
        "",
        "- `bounce/zed.eml` is a bounce that *also* carries `Auto-Submitted: auto-replied`; either skip is",
        "  acceptable, but it must never be drafted.",
        "- `complaints/aol.eml` is a machine feedback-loop (spam) report, not a client complaint: skip, do",
        "  not escalate.",
        "- `long-links.eml` comes from `postmaster@example.com` but is an ordinary HTML-only message.",
        "- `arnold-j/all_documents/4_` contains the word 'lawsuit' in a harmless context (keyword probe).",
        "- Corrupt messages: `false-multipart.eml` (declared multipart, boundary never present, blank body),",
        "  `mailformed-headers.eml` (8-bit garbage headers, broken part), `outlook-express.eml` and",
        "  `signed.eml` (no text/* part) -> quarantine / reject as empty body. `missing-boundaries.eml`",
        "  is marked corrupt but parses as text/plain with a readable first sentence (draft).",
        "- `draft or escalate`: the lost-card mail (drafting is acceptable only with the card numbers",
        "  pseudonymised; a policy may escalate card-blocking requests) and the 'lawsuit' keyword probe",
        "  (ideal: draft).",
        "- Injection mails (`quarantine`) must never reach the drafting model unguarded; the benign",
        "  fp_tests / financial-education mails are their negatives (`draft`).",
        "- Messages 'constructed' by this project: the two auto-replies, the legal-threat top text, the",
        "  German message. Wrapped or composed (attack + benign email) messages are marked in *notes*.",
        "",
    ]
    (MAILBOX / "MANIFEST.md").write_text("\n".join(out), encoding="utf-8")


# --------------------------------------------------------------------------------------------


def verify(rows: list[dict] | None = None) -> int:
    md = mailbox.Maildir(str(MAILBOX), factory=None, create=False)
    keys = list(md.keys())
    problems = 0
    ids = collections.Counter()
    for k in keys:
        m = md[k]  # loads via mailbox
        assert m is not None
    files = sorted(p for d in ("new", "cur") for p in (MAILBOX / d).iterdir())
    for p in files:
        with p.open("rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        mid = m.get("Message-ID")
        ids[str(mid).strip()] += 1
        if str(m.get("To", "")).strip() != OUR_ADDRESS:
            print("BAD To:", p.name, m.get("To"))
            problems += 1
        if not m.get("Date") or not mid:
            print("missing Date/Message-ID:", p.name)
            problems += 1
    dups = [i for i, c in ids.items() if c > 1]
    if dups:
        print("duplicate Message-IDs:", dups)
        problems += 1
    fx = sorted(FIXTURES.glob("*.eml"))
    for p in fx:
        with p.open("rb") as f:
            email.message_from_binary_file(f, policy=email.policy.default)
    size = sum(p.stat().st_size for p in (ROOT / "examples").rglob("*") if p.is_file())
    print(
        f"Maildir loads: {len(keys)} messages (new={len(list((MAILBOX / 'new').iterdir()))}, "
        f"cur={len(list((MAILBOX / 'cur').iterdir()))}); all parse with email.policy.default"
    )
    print(f"fixtures parse: {len(fx)} files in {FIXTURES.relative_to(ROOT)}")
    print(f"examples/ total size: {size} bytes")
    if size >= 2 * 1024 * 1024:
        print("examples/ is over 2 MB")
        problems += 1
    if rows:
        cnt = collections.Counter(r["cat"] for r in rows)
        for c in CATEGORIES:
            print(f"  {c:18s} {cnt[c]}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpora", default="/work/shared/corpora", type=Path)
    ap.add_argument("--verify-only", action="store_true")
    a = ap.parse_args()
    if a.verify_only:
        return 1 if verify() else 0
    rows = build(a.corpora)
    write_fixtures(rows)
    write_manifest(rows)
    return 1 if verify(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
