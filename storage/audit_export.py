"""The audit export as JSON Lines, shared by ``main.py audit export`` and the console's auditor
download (``GET /audit/export``): one event per line, seq order, keys sorted, UTF-8.

Each line is :func:`storage.audit.export`'s dict (``seq``, ``ts``, ``correlation_id``,
``item_id``, ``event``, ``actor``, ``data``, ``prev_hash``, ``hash``), so a downloaded file can be
checked link by link as ``audit verify`` does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from storage import audit


class ExportRangeError(ValueError):
    """A bad ``since``/``until``: the message names the parameter and the expected form."""


def parse_when(value: str | None, name: str, *, end_of_day: bool = False) -> datetime | None:
    """``value`` (ISO date ``2026-11-01`` or datetime ``2026-11-01T09:00``, UTC when no zone) as an
    aware datetime; None for None/empty. A plain date as ``until`` (``end_of_day``) means the end
    of that day (the next midnight, exclusive). Raises ExportRangeError naming ``name``."""
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            when = datetime.combine(d, time(0), tzinfo=UTC)
            return when + timedelta(days=1) if end_of_day else when
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ExportRangeError(f"{name} {value!r}: not an ISO date (expected e.g. 2026-11-01 or 2026-11-01T09:00)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def export_lines(session: Session, since: datetime | None = None, until: datetime | None = None) -> Iterator[str]:
    """JSON Lines (each ending in ``\\n``) of the events with ``since <= ts < until`` (either bound
    optional), in seq order. Raises ExportRangeError when ``until`` is not after ``since``."""
    if since and until and until <= since:
        raise ExportRangeError("until must be after since")
    until_s = until.astimezone(UTC).isoformat(timespec="microseconds") if until else None
    for ev in audit.export(session, since):
        if until_s is not None and ev["ts"] >= until_s:
            continue  # seq order is not strictly ts order across processes: read on
        yield json.dumps(ev, ensure_ascii=False, sort_keys=True) + "\n"
