"""The one ``Retry-After`` parser of draftguard (Graph, Teams webhooks, any HTTP client).

RFC 9110 §10.2.3: ``Retry-After = HTTP-date / delay-seconds``. ``delay-seconds`` is a
non-negative integer; a decimal (``"1.5"``, sent by some proxies) is read as seconds too.
``HTTP-date`` is any of the three forms of RFC 9110 §5.6.7 (IMF-fixdate, RFC 850, asctime),
parsed with :func:`email.utils.parsedate_to_datetime`; a date without a zone is UTC (GMT by
definition) and a date in the past means "no wait". Everything else (``NaN``, ``inf``,
negative numbers, exponents, words) is unusable and gives ``None``: the caller then falls
back to its own backoff. Callers cap the result themselves (a hostile header must not stall
a poll).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

_DELAY_SECONDS = re.compile(r"\d{1,12}(?:\.\d{1,6})?")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait (≥ 0, finite) from a ``Retry-After`` header value, or ``None``.

    ``value`` is the raw header (``"120"``, ``"Wed, 21 Oct 2015 07:28:00 GMT"``); ``now``
    (aware; default: the current UTC time) is the reference for an HTTP-date."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _DELAY_SECONDS.fullmatch(text):
        return float(text)
    if text[:1].isdigit() or text[:1] in "+-.":
        return None  # a malformed number ("-5", "1e9", "0x10"), not a date
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def retry_after_until(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """The aware UTC time a ``Retry-After`` value points at (``now`` + delay), or ``None``."""
    current = now or datetime.now(UTC)
    seconds = parse_retry_after(value, now=current)
    if seconds is None:
        return None
    return current.astimezone(UTC) + timedelta(seconds=seconds)
