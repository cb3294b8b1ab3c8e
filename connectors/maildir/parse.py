"""Turn one raw RFC 5322 / MIME message into an :class:`agent.models.InboundMessage`.

Parsing is done by the stdlib :mod:`email` package with ``email.policy.default``
(RFC 5322 headers, RFC 2047 encoded words, RFC 2231 parameters, MIME per RFC 2045-2049).
This module adds what the stdlib leaves to the caller:

* robust charset decoding of the body (declared charset, then UTF-8, then detection
  with ``charset_normalizer``; ``iso-8859-1``/``us-ascii`` labels are read as
  windows-1252 as the WHATWG Encoding Standard does, https://encoding.spec.whatwg.org/#names-and-labels);
* ``format=flowed`` text (RFC 3676 §4) is unwrapped;
* HTML-only mail is turned into text by :func:`agent.mailtext.html_to_text` (the HTML is kept too);
* attachments are listed (file name, type, size), never decoded into text;
* clear :class:`agent.errors.BadInputError` problems for bodies that are too large,
  messages without a sender, empty bodies and MIME defects that make the body unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from agent.errors import BadInputError
from agent.mailtext import html_to_text
from agent.models import Address, AttachmentInfo, InboundMessage
from rules.skip import is_skip_header, skip_headers

#: MIME defects (``email.errors``) that mean the MIME structure could not be read:
#: the body the sender meant is not where the headers say it is.
STRUCTURE_DEFECTS: dict[str, str] = {
    "StartBoundaryNotFoundDefect": "the multipart boundary declared in Content-Type never appears",
    "NoBoundaryInMultipartDefect": "a multipart part has no boundary parameter",
    "MultipartInvariantViolationDefect": "declared multipart but holds no parts",
    "InvalidBase64LengthDefect": "base64 content has an impossible length and cannot be decoded",
    "MissingHeaderBodySeparatorDefect": "no blank line between the headers and the body",
    "InvalidMultipartContentTransferEncodingDefect": "a multipart part has a Content-Transfer-Encoding other than 7bit/8bit/binary",
    "CloseBoundaryNotFoundDefect": "the closing multipart boundary is missing",
    "FirstHeaderLineIsContinuationDefect": "the first header line is a continuation line",
    "MisplacedEnvelopeHeaderDefect": "a 'From ' envelope line in the middle of the headers",
    "InvalidBase64CharactersDefect": "base64 content contains characters outside the alphabet",
    "InvalidBase64PaddingDefect": "base64 content has wrong padding",
}

_LATIN1_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1", "cp819", "ibm819"}
_ASCII_LABELS = {"us-ascii", "ascii", "ansi_x3.4-1968", "us"}
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_SURROGATES_RE = re.compile(r"[\udc80-\udcff]")


def human_bytes(n: int) -> str:
    """``3_200_000`` → ``"3.2 MB"`` (SI units: 1 kB = 1,000 bytes, 1 MB = 1,000,000 bytes)."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Decode body bytes to text, never raising.

    Order: the declared charset (strictly; ``iso-8859-1`` and ``us-ascii`` labels as
    windows-1252 per the WHATWG Encoding Standard, since mail that says Latin-1 is very
    often cp1252); then strict UTF-8 (the usual mislabel); then ``charset_normalizer``'s
    best guess; finally UTF-8 with U+FFFD for undecodable bytes.
    """
    if not data:
        return ""
    label = (declared or "").strip().strip('"').lower() or None
    if label in _ASCII_LABELS:
        try:
            return data.decode("ascii")
        except UnicodeDecodeError:
            label = None  # 8-bit bytes under an ASCII label: the label is wrong, detect
    candidates: list[str] = []
    if label in _LATIN1_LABELS:
        candidates = ["cp1252", "latin-1"]
    elif label:
        candidates = [label]
    candidates.append("utf-8")
    for codec in candidates:
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    return data.decode("utf-8", errors="replace")


def _fix_text(s: str) -> str:
    """Repair header text that held raw 8-bit bytes (the parser keeps them as surrogates)."""
    if _SURROGATES_RE.search(s):
        try:
            return decode_bytes(s.encode("utf-8", "surrogateescape"), None)
        except UnicodeEncodeError:
            return _SURROGATES_RE.sub("\ufffd", s)
    return s


def _clean_header(value: str) -> str:
    return " ".join(_fix_text(value).split())


def _header_values(msg: Message, name: str) -> list[str]:
    """All decoded values of a header; falls back to the raw value when the header parser fails."""
    try:
        return [_clean_header(str(v)) for v in (msg.get_all(name) or [])]
    except Exception:  # noqa: BLE001 - header objects of odd input can raise
        out = []
        for k, v in msg.raw_items():
            if k.lower() == name.lower():
                try:
                    out.append(_clean_header(str(make_header(decode_header(str(v))))))
                except Exception:  # noqa: BLE001
                    out.append(_clean_header(str(v)))
        return out


def _header(msg: Message, name: str) -> str | None:
    vals = _header_values(msg, name)
    return vals[0] if vals else None


def _addresses(msg: Message, name: str) -> list[Address]:
    """Mailboxes in every occurrence of an address header, lower-cased, de-duplicated, in order.

    Uses :mod:`email.headerregistry` (RFC 5322 §3.4 parser); when it finds no address
    with an ``@``, falls back to :func:`email.utils.getaddresses` on the decoded text.
    """
    pairs: list[tuple[str, str]] = []
    try:
        headers = msg.get_all(name) or []
    except Exception:  # noqa: BLE001
        headers = [v for k, v in msg.raw_items() if k.lower() == name.lower()]
    for h in headers:
        found: list[tuple[str, str]] = []
        try:
            found = [(a.display_name, a.addr_spec) for a in getattr(h, "addresses", ())]
        except Exception:  # noqa: BLE001
            found = []
        if not any("@" in spec for _, spec in found):
            found = getaddresses([_fix_text(str(h))])
        pairs.extend(found)
    out: list[Address] = []
    seen: set[str] = set()
    for display, spec in pairs:
        email = _fix_text(spec or "").strip().strip("<>").lower()
        if "@" not in email or email.startswith("@") or email.endswith("@") or email in seen:
            continue
        seen.add(email)
        out.append(Address(name=_clean_header(display or "").strip('"'), email=email))
    return out


def _msgids(value: str | None) -> list[str]:
    """Message ids (``<...>``) in order; whitespace-separated tokens when none are bracketed."""
    if not value:
        return []
    ids = _MSGID_RE.findall(value)
    if ids:
        return ids
    return [f"<{tok.strip('<>')}>" for tok in value.split() if "@" in tok]


def _date(value: str | None) -> datetime | None:
    """RFC 5322 §3.3 date → aware datetime; a date without zone (``-0000``) is taken as UTC."""
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def unflow(text: str, *, delsp: bool = False) -> str:
    """Undo ``format=flowed`` (RFC 3676 §4.2): join soft line breaks, remove space-stuffing.

    A line ending in a space is soft-broken and joins the next line of the same quote
    depth; ``"-- "`` (signature separator) is never joined; with ``delsp=yes`` the
    trailing space is deleted when joining.
    """
    out: list[str] = []
    buf: str | None = None
    buf_depth = 0
    for raw in text.split("\n"):
        depth = len(raw) - len(raw.lstrip(">"))
        content = raw[depth:]
        if content.startswith(" "):
            content = content[1:]
        soft = content.endswith(" ") and content != "-- "
        if buf is not None and depth == buf_depth:
            buf += content
        else:
            if buf is not None:
                out.append((">" * buf_depth + " " if buf_depth else "") + buf)
            buf, buf_depth = content, depth
        if soft:
            if delsp:
                buf = buf[:-1]
            continue
        out.append((">" * buf_depth + " " if buf_depth else "") + buf)
        buf = None
    if buf is not None:
        out.append((">" * buf_depth + " " if buf_depth else "") + buf)
    return "\n".join(out)


def _is_attachment_leaf(part: Message) -> bool:
    """A leaf is listed as an attachment when it is ``message/*``, marked attachment, has a
    file name, or is not text. A ``multipart/*`` leaf (unparseable structure) is not."""
    maintype = part.get_content_maintype()
    if maintype == "message":
        return True
    if maintype == "multipart":
        return False
    try:
        if isinstance(part, EmailMessage) and part.is_attachment():
            return True
        if part.get_filename():
            return True
    except Exception:  # noqa: BLE001 - odd Content-Disposition parameters
        return True
    return maintype != "text"


def _leaves(part: Message) -> Iterable[Message]:
    """Leaf parts in order; ``message/*`` parts are leaves (never descended into)."""
    if part.get_content_maintype() == "message" or not part.is_multipart():
        yield part
        return
    payload = part.get_payload()
    if isinstance(payload, list):
        for sub in payload:
            yield from _leaves(sub)


def _part_size(part: Message) -> int:
    try:
        if part.get_content_maintype() == "message":
            payload = part.get_payload()
            if isinstance(payload, list):
                return sum(len(p.as_bytes()) for p in payload)
            return len(payload.encode("utf-8", "surrogateescape")) if isinstance(payload, str) else 0
        data = part.get_payload(decode=True)
        return len(data) if data else 0
    except Exception:  # noqa: BLE001
        return 0


def _find_body_part(msg: EmailMessage, subtype: str) -> Message | None:
    """The first non-attachment ``text/<subtype>`` leaf, for messages ``get_body`` cannot read
    (``multipart/signed``, ``multipart/report`` layouts)."""
    for leaf in _leaves(msg):
        if leaf.get_content_type() == f"text/{subtype}" and not _is_attachment_leaf(leaf):
            return leaf
    return None


def _bodies(msg: EmailMessage) -> tuple[Message | None, Message | None]:
    """(text/plain part, text/html part) the sender meant as the body, either may be None."""
    plain = html = None
    try:
        plain = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
    except Exception:  # noqa: BLE001
        plain = html = None
    if plain is None:
        plain = _find_body_part(msg, "plain")
    if html is None:
        html = _find_body_part(msg, "html")
    return plain, html


def _defect_names(parts: Iterable[Message]) -> list[str]:
    names: list[str] = []
    for p in parts:
        for d in getattr(p, "defects", []):
            n = type(d).__name__
            if n not in names:
                names.append(n)
    return names


def _describe_defects(names: list[str]) -> str:
    return ", ".join(f"{n} ({STRUCTURE_DEFECTS[n]})" if n in STRUCTURE_DEFECTS else n for n in names)


def _normalise_text(text: str) -> str:
    """LF line endings, no NUL characters, no blank lines or trailing spaces at either end.

    Trailing spaces inside the text are kept: ``"-- "`` marks a signature (RFC 3676 §4.3)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.rstrip().lstrip("\n")


def _content_type(msg: Message) -> str:
    ctype = msg.get_content_type()
    if ctype == "multipart/report":
        report_type = msg.get_param("report-type")
        if isinstance(report_type, tuple):  # RFC 2231 value
            report_type = report_type[2]
        if report_type:
            ctype += f"; report-type={str(report_type).lower()}"
    return ctype


def _read_part(part: Message, item: str, max_body_bytes: int, what: str) -> bytes:
    data = part.get_payload(decode=True)
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
    if len(data) > max_body_bytes:
        raise BadInputError(
            item,
            f"{what} is {human_bytes(len(data))} ({len(data):,} bytes), limit {human_bytes(max_body_bytes)}",
        )
    if "InvalidBase64LengthDefect" in _defect_names([part]):
        raise BadInputError(
            item, f"unreadable MIME: {what}: {_describe_defects(['InvalidBase64LengthDefect'])}"
        )
    return data


def _text_of(part: Message, data: bytes) -> str:
    text = decode_bytes(data, part.get_content_charset())
    if part.get_content_type() == "text/plain" and (part.get_param("format") or "").lower() == "flowed":
        text = unflow(text.replace("\r\n", "\n"), delsp=(part.get_param("delsp") or "").lower() == "yes")
    return text


def parse_message(raw: bytes, *, source: str, external_id: str, max_body_bytes: int) -> InboundMessage:
    """Parse one message file.

    ``raw`` is the whole file; ``source``/``external_id`` name it (errors say
    ``"<source>/<external_id>: <problem>"``); ``max_body_bytes`` caps the decoded body
    part (text/plain, or text/html for HTML-only mail) in bytes.

    Raises :class:`BadInputError` (never transient) when: the body is larger than the
    limit; there is no sender address in From (or Sender); the MIME structure is broken
    so no body can be read (the defect class names from :mod:`email.errors` are listed);
    the body is empty after decoding and there are no attachments; or the parser fails.
    """
    item = f"{source}/{external_id}"
    try:
        return _parse(raw, source=source, external_id=external_id, max_body_bytes=max_body_bytes, item=item)
    except BadInputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser crash is bad input, not a pipeline failure
        raise BadInputError(item, f"cannot parse message: {type(exc).__name__}: {exc}") from exc


def _parse(raw: bytes, *, source: str, external_id: str, max_body_bytes: int, item: str) -> InboundMessage:
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[assignment]

    senders = _addresses(msg, "From") or _addresses(msg, "Sender")
    if not senders:
        got = _header(msg, "From")
        raise BadInputError(
            item, f"no sender address (From: {got!r})" if got else "no sender address (no From header)"
        )

    plain, html = _bodies(msg)
    text = ""
    html_text: str | None = None
    if plain is not None:
        text = _text_of(plain, _read_part(plain, item, max_body_bytes, "body"))
    if html is not None:
        if plain is None:
            html_text = _text_of(html, _read_part(html, item, max_body_bytes, "body"))
        else:
            data = html.get_payload(decode=True) or b""
            if len(data) <= max_body_bytes:  # an oversized HTML alternative is dropped, not fatal
                html_text = _text_of(html, data)
    if not text.strip() and html_text:
        text = html_to_text(html_text)
    text = _normalise_text(text)

    attachments: list[AttachmentInfo] = []
    for leaf in _leaves(msg):
        if leaf is plain or leaf is html or not _is_attachment_leaf(leaf):
            continue
        attachments.append(
            AttachmentInfo(
                filename=_clean_header(leaf.get_filename() or ""),
                content_type=leaf.get_content_type(),
                size_bytes=_part_size(leaf),
            )
        )

    if not text.strip() and not attachments:
        defects = _defect_names(msg.walk())
        if defects:
            raise BadInputError(item, f"unreadable MIME: {_describe_defects(defects)}")
        raise BadInputError(item, "empty body: no text after decoding and no attachments")

    # Only the headers the skip rules read (their one list, prefixes included: rules/skip.py).
    names = dict.fromkeys(n.lower() for n in msg.keys() if is_skip_header(n))
    headers = skip_headers((n, v) for n in names if (v := _header(msg, n)) is not None)

    in_reply_to = _msgids(_header(msg, "In-Reply-To"))
    message_ids = _msgids(_header(msg, "Message-ID"))
    return InboundMessage(
        source=source,
        external_id=external_id,
        internet_message_id=message_ids[0] if message_ids else None,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=_msgids(" ".join(_header_values(msg, "References"))),
        subject=_header(msg, "Subject") or "",
        sender=senders[0],
        reply_to=_addresses(msg, "Reply-To"),
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        received_at=_date(_header(msg, "Date")),
        headers=headers,
        content_type=_content_type(msg),
        text_body=text,
        html_body=html_text,
        attachments=attachments,
        size_bytes=len(raw),
    )


__all__ = [
    "STRUCTURE_DEFECTS",
    "decode_bytes",
    "human_bytes",
    "parse_message",
    "unflow",
]
