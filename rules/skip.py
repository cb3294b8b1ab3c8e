"""Skip rules: mail that must not get a reply draft, with the evidence for the decision.

:func:`skip_reason` checks one :class:`~agent.models.InboundMessage` and returns a
:class:`~agent.models.SkipReason` (a stable rule id plus the header that decided it) or
``None`` when the message should be drafted. Rules are tried in this order and the
first that fires wins:

``own_mail``
    The sender is one of our own addresses, or its domain is (a subdomain of) one of
    ``organisation.domains``. Answering ourselves would loop.
``bounce``
    A delivery status notification: ``multipart/report`` (RFC 6522) with
    ``report-type=delivery-status`` (RFC 3464) or any other report type (read receipts,
    RFC 8098; abuse feedback, RFC 5965), a bare ``message/delivery-status`` body, an
    ``X-Failed-Recipients`` header (Exim, Gmail), a sender whose local part is
    ``MAILER-DAEMON`` or ``postmaster`` (RFC 5321 §4.5.1), or a null reverse path
    (``Return-Path: <>``, RFC 5321 §4.5.5) together with a DSN subject.
``auto_reply``
    ``Auto-Submitted`` with any value other than ``no`` (RFC 3834 §5); ``X-Autoreply``
    or ``X-Autorespond`` (de-facto headers of vacation responders); ``Precedence:
    auto_reply``. ``X-Auto-Response-Suppress`` is deliberately NOT a signal: per
    [MS-OXCMAIL] §2.1.3.2.20 it is set by the *sender* to ask recipients not to send
    auto-responses (OOF, AutoReply, DR, NDR, RN, NRN), so any ordinary Outlook mail may
    carry it. As a secondary signal (only when no header fired) the subject prefixes
    that Outlook/Exchange and other clients put on auto-replies ("Automatic reply:",
    "Out of Office:", "Abwesenheitsnotiz:", "Réponse automatique :"...) count on their
    own; the short Lotus Notes prefix "Auto:" counts only on a message that is itself a
    reply (``In-Reply-To``/``References``), since a person may write "Auto: ..." about
    car insurance.
``mailing_list``
    ``List-Id`` (RFC 2919), ``List-Unsubscribe`` / ``List-Post`` (RFC 2369),
    ``Precedence: bulk|list|junk`` (non-standard, RFC 2076 §3.9; RFC 3834 §2 lets
    automatic responders decline such mail), or a newsletter/campaign header (``X-Campaign``, ``X-Campaign-Id``,
    ``X-Mailchimp-*``, ``X-MC-User``, ``X-Newsletter``...).
``no_reply``
    Every address a reply would go to (``Reply-To`` if present, else ``From``) has a
    local part such as ``no-reply``, ``noreply``, ``donotreply``, ``do-not-reply`` or
    ``mailer`` (case-insensitive). A ``noreply@`` web-form sender with a real
    ``Reply-To`` is therefore drafted, to the ``Reply-To``.

``SkipReason.detail`` names the header (or address) and its value, never body text;
it is cut to 200 characters. It may contain the sender's address, so store it with
the item, not in the audit chain.

This module owns the one list of headers the rules read (plus ``Authentication-Results``,
read by :mod:`agent.sender_trust` to decide whether CRM context may be looked up). Every connector keeps exactly
those in ``InboundMessage.headers``: Maildir (the parsed RFC 5322 header block) and
Salesforce (``EmailMessage.Headers``) call :func:`skip_headers` on the message's
``(name, value)`` pairs; Outlook filters Graph's ``internetMessageHeaders`` with
:data:`SKIP_HEADER_NAMES` (repeated headers joined with ", "). A header added to the rules
therefore reaches them from every source. :func:`is_skip_header` (and the container
:data:`SKIP_HEADER_NAMES`) say which names, including the prefix families
(``X-Newsletter*``, ``X-Mailchimp-*``, ``X-*Campaign*``), compared lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from email.message import Message

from agent.config import OrganisationConfig
from agent.models import Address, InboundMessage, SkipReason

#: Header names (lower-case) read by the skip rules; see also :data:`SKIP_HEADER_PATTERN`.
SKIP_HEADERS: frozenset[str] = frozenset(
    {
        "auto-submitted",
        "x-autoreply",
        "x-autorespond",
        "x-auto-response-suppress",
        "precedence",
        "x-precedence",
        "list-id",
        "list-unsubscribe",
        "list-post",
        "return-path",
        "content-type",
        "x-failed-recipients",
        # Not a skip rule's: the sender-trust check (agent/sender_trust.py) reads it, and it
        # reaches the pipeline from every connector through this one list.
        "authentication-results",
    }
)

#: Newsletter / campaign headers of bulk-mail tools (matched on the lower-cased name).
SKIP_HEADER_PATTERN = re.compile(
    r"^x-(?:[a-z0-9]+-)*campaign(?:-?id)?$|^x-mailchimp-|^x-mc-user$|^x-newsletter"
)

_DETAIL_MAX = 200

_REPORT_TYPES = {
    "delivery-status": "delivery status notification (RFC 3464)",
    "disposition-notification": "message disposition notification (RFC 8098)",
    "feedback-report": "abuse feedback report (RFC 5965)",
}

_BOUNCE_LOCALPARTS = {"mailer-daemon", "postmaster"}
_DSN_SUBJECT = re.compile(
    r"undeliver|undelivered mail|delivery status notification|returned mail|mail delivery fail|"
    r"delivery fail|failure notice|delivery has failed|non remis|unzustellbar|nicht zustellbar",
    re.IGNORECASE,
)

# Subject prefixes of auto-replies as clients write them (Outlook in en/de/fr/es/nl/it,
# Exchange "Out of Office AutoReply", Gmail's vacation responder uses the original subject
# and sets Auto-Submitted instead).
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?response|autoreply|automatische antwort|abwesenheitsnotiz|"
    r"r[ée]ponse automatique|respuesta autom[áa]tica|automatisch antwoord|risposta automatica|"
    r"out of (?:the )?office(?: auto ?reply| reply)?)\s*:",
    re.IGNORECASE,
)
_WEAK_AUTO_SUBJECT = re.compile(r"^\s*auto\s*:", re.IGNORECASE)

_NO_REPLY_LOCAL = re.compile(
    r"(?:^|[._+-])(?:no[._-]?reply|do[._-]?not[._-]?reply|dont[._-]?reply|mailer)(?:$|[._+-])",
    re.IGNORECASE,
)

_LIST_PRECEDENCE = {"bulk", "list", "junk"}

_CANONICAL = {
    "list-id": "List-Id",
    "x-autoreply": "X-Autoreply",
    "x-autorespond": "X-Autorespond",
    "x-mc-user": "X-MC-User",
}


def is_skip_header(name: str) -> bool:
    """True when the skip rules read header ``name`` (any case): connectors keep these in ``headers``."""
    n = name.lower()
    return n in SKIP_HEADERS or bool(SKIP_HEADER_PATTERN.match(n))


class _SkipHeaderNames(Container[str]):
    """``name in SKIP_HEADER_NAMES``: :func:`is_skip_header` as a container (any case)."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and is_skip_header(name)

    def __repr__(self) -> str:
        return "SKIP_HEADER_NAMES"


#: Every header name the skip rules read, prefixes included, as a container for ``in`` tests.
SKIP_HEADER_NAMES: Container[str] = _SkipHeaderNames()

#: Longest header value kept for the rules (characters); longer values are cut. The rules read
#: a token or a presence; 2,000 is well above any real ``List-Unsubscribe`` line.
MAX_HEADER_CHARS = 2000


def skip_headers(pairs: Iterable[tuple[str, object]]) -> dict[str, str]:
    """The headers the skip rules read, from a message's ``(name, value)`` header pairs.

    Returns ``{lower-case name: value}`` for every name :func:`is_skip_header` accepts, in
    order of first appearance. A repeated header keeps its first value (the one nearest the
    top: the last hop's, RFC 5322 §3.6 lets each of these appear once). Values are turned
    into text with ``str``, whitespace runs collapsed to one space, cut to
    :data:`MAX_HEADER_CHARS`. Pairs whose name is not a string are ignored. Never raises.
    """
    out: dict[str, str] = {}
    for name, value in pairs:
        if not isinstance(name, str):
            continue
        key = name.strip().lower()
        if key in out or not is_skip_header(key):
            continue
        try:
            text = "" if value is None else str(value)
        except Exception:  # noqa: BLE001 - odd header objects of broken input
            continue
        out[key] = " ".join(text.split())[:MAX_HEADER_CHARS]
    return out


def _canonical(name: str) -> str:
    return _CANONICAL.get(name, "-".join(p.capitalize() for p in name.split("-")))


def _detail(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 1] + "…"


def _hdr(name: str, value: str) -> str:
    return _detail(f"{_canonical(name)}: {value}")


def _local(email: str) -> str:
    return email.rpartition("@")[0].lower() if "@" in email else email.lower()


def _domain_in(domain: str, domains: Iterable[str]) -> str | None:
    domain = domain.lower().rstrip(".")
    for d in domains:
        d = d.lower().strip().lstrip("@").rstrip(".")
        if d and (domain == d or domain.endswith("." + d)):
            return d
    return None


def _content_type(msg: InboundMessage) -> tuple[str, str | None]:
    """(mime type, report-type parameter) from the Content-Type header, else ``msg.content_type``."""
    raw = msg.headers.get("content-type") or msg.content_type or "text/plain"
    m = Message()
    m["Content-Type"] = raw
    ctype = m.get_content_type()
    report = m.get_param("report-type")
    return ctype, (str(report).lower() if isinstance(report, str) else None)


def _own_mail(msg: InboundMessage, org: OrganisationConfig, own_addresses: list[str]) -> SkipReason | None:
    sender = msg.sender.email.lower()
    own = {a.lower().strip() for a in [*own_addresses, *org.own_addresses] if a.strip()}
    if sender in own:
        return SkipReason(rule="own_mail", detail=_detail(f"From: {sender} (one of our own addresses)"))
    d = _domain_in(msg.sender.domain, org.domains)
    if d:
        return SkipReason(
            rule="own_mail", detail=_detail(f"From: {sender} (domain {d} is in organisation.domains)")
        )
    return None


def _bounce(msg: InboundMessage) -> SkipReason | None:
    h = msg.headers
    ctype, report = _content_type(msg)
    if ctype == "multipart/report":
        what = _REPORT_TYPES.get(report or "", "report (RFC 6522)")
        # A read receipt (RFC 8098 MDN) is an automatic answer, not a failed delivery.
        rule = "auto_reply" if report == "disposition-notification" else "bounce"
        return SkipReason(
            rule=rule, detail=_detail(f"Content-Type: multipart/report; report-type={report} ({what})")
        )
    if ctype == "message/delivery-status":
        return SkipReason(rule="bounce", detail="Content-Type: message/delivery-status (RFC 3464)")
    if "x-failed-recipients" in h:
        return SkipReason(rule="bounce", detail=_hdr("x-failed-recipients", h["x-failed-recipients"]))
    local = _local(msg.sender.email)
    if local == "mailer-daemon" or (local in _BOUNCE_LOCALPARTS and _DSN_SUBJECT.search(msg.subject or "")):
        # postmaster@ is a role address people write from (RFC 5321 §4.5.1): only a
        # failure-notice subject makes its mail a bounce.
        return SkipReason(rule="bounce", detail=_detail(f"From: {msg.sender.email} (mail system sender)"))
    rp = h.get("return-path")
    if rp is not None and rp.strip() in ("<>", "<<>>", "") and _DSN_SUBJECT.search(msg.subject or ""):
        return SkipReason(rule="bounce", detail=_detail(f"Return-Path: <> with subject {msg.subject!r}"))
    return None


def _auto_reply(msg: InboundMessage) -> SkipReason | None:
    h = msg.headers
    auto = h.get("auto-submitted")
    if auto is not None:
        token = auto.split(";", 1)[0].strip().lower()
        if token and token != "no":
            return SkipReason(rule="auto_reply", detail=_hdr("auto-submitted", auto))
    for name in ("x-autoreply", "x-autorespond"):
        if name in h and h[name].strip().lower() not in ("no", "false", "0"):
            return SkipReason(rule="auto_reply", detail=_hdr(name, h[name]))
    for name in ("precedence", "x-precedence"):
        if h.get(name, "").strip().lower() in ("auto_reply", "auto-reply"):
            return SkipReason(rule="auto_reply", detail=_hdr(name, h[name]))
    subject = msg.subject or ""
    if _AUTO_SUBJECT.match(subject):
        return SkipReason(
            rule="auto_reply", detail=_detail(f"Subject: {subject} (auto-reply subject prefix)")
        )
    if _WEAK_AUTO_SUBJECT.match(subject) and (msg.in_reply_to or msg.references):
        return SkipReason(
            rule="auto_reply", detail=_detail(f"Subject: {subject} (auto-reply subject prefix on a reply)")
        )
    return None


def _mailing_list(msg: InboundMessage) -> SkipReason | None:
    h = msg.headers
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if name in h:
            return SkipReason(rule="mailing_list", detail=_hdr(name, h[name]))
    for name in ("precedence", "x-precedence"):
        if h.get(name, "").strip().lower() in _LIST_PRECEDENCE:
            return SkipReason(rule="mailing_list", detail=_hdr(name, h[name]))
    for name in sorted(h):
        if SKIP_HEADER_PATTERN.match(name):
            return SkipReason(rule="mailing_list", detail=_hdr(name, h[name]))
    return None


def _no_reply(msg: InboundMessage) -> SkipReason | None:
    targets: list[Address] = list(msg.reply_to) or [msg.sender]
    if all(_NO_REPLY_LOCAL.search(_local(a.email)) for a in targets):
        header = "Reply-To" if msg.reply_to else "From"
        return SkipReason(
            rule="no_reply",
            detail=_detail(f"{header}: {', '.join(a.email for a in targets)} (no-reply address)"),
        )
    return None


def skip_reason(msg: InboundMessage, org: OrganisationConfig, own_addresses: list[str]) -> SkipReason | None:
    """Why ``msg`` must not be drafted, or ``None`` when it should be.

    ``own_addresses`` are the addresses drafts are written from (each source's
    ``from_address``); ``org.own_addresses`` and ``org.domains`` are added to them.
    Rules in order: own_mail, bounce, auto_reply, mailing_list, no_reply (see the
    module docstring for the evidence each uses and its source). Never raises on odd
    header values.
    """
    return (
        _own_mail(msg, org, own_addresses)
        or _bounce(msg)
        or _auto_reply(msg)
        or _mailing_list(msg)
        or _no_reply(msg)
    )
