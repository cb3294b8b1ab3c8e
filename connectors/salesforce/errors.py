"""Map ``simple-salesforce`` exceptions to draftguard errors.

simple-salesforce raises by HTTP status (``simple_salesforce.util.exception_handler``):
400 ``SalesforceMalformedRequest``, 401 ``SalesforceExpiredSession``, 403
``SalesforceRefusedRequest``, 404 ``SalesforceResourceNotFound``, anything else ≥ 300
``SalesforceGeneralError``; ``content`` is the decoded JSON error list
``[{"message", "errorCode", "fields"}]`` [REST API Developer Guide, "Status Codes and Error
Responses"]. What we do with each:

* ``INVALID_SESSION_ID`` (401): re-authenticate once and retry (:mod:`.auth`).
* ``REQUEST_LIMIT_EXCEEDED`` (403): :class:`SalesforceLimitExceeded`, an
  :class:`agent.errors.SourceThrottledError` carrying ``until`` = now + ``limit_pause_seconds``:
  the pipeline pauses the whole source and leaves the item pending (:mod:`.limits`).
* 5xx and ``requests`` connection errors / timeouts: retried with backoff, then transient.
* 400 (``INVALID_FIELD``, ``FIELD_CUSTOM_VALIDATION_EXCEPTION``, ``REQUIRED_FIELD_MISSING``,
  ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`` ...): :class:`SalesforceFieldError` naming the
  object, the field(s) and Salesforce's message; never transient, so the item is quarantined.
* other 403 (``INSUFFICIENT_ACCESS_OR_READONLY`` ...) and 404: not transient.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from agent.errors import DeliveryError, DraftguardError, SourceError, SourceThrottledError

# "No such column 'Foo__c' on entity 'Case'" (SOQL) / "No such column 'Foo__c' on sobject of type Case" (DML)
_NO_SUCH_COLUMN = re.compile(r"No such column '([^']+)' on (?:entity '([^']+)'|sobject of type (\w+))")
_NOT_FILTERABLE = re.compile(r"field '([^']+)' can not be filtered")


#: Pause after ``REQUEST_LIMIT_EXCEEDED`` when the caller names none (the config default).
DEFAULT_LIMIT_PAUSE_SECONDS = 3600


class SalesforceLimitExceeded(SourceThrottledError):
    """The org's API allocation is used up (``REQUEST_LIMIT_EXCEEDED``, HTTP 403).

    ``until`` (aware UTC) = when the connector tries again: the daily allocation is counted
    over a rolling 24 hours, so Salesforce names no reset time and the configured
    ``limit_pause_seconds`` decides. ``sf_message`` is Salesforce's own message."""

    def __init__(self, source: str, sf_message: str, *, until: datetime):
        self.sf_message = sf_message
        detail = f" ({sf_message.strip()})" if sf_message.strip() else ""
        super().__init__(source, f"REQUEST_LIMIT_EXCEEDED{detail}: paused until {until.isoformat()}", until=until, reason=f"REQUEST_LIMIT_EXCEEDED{detail}")


class SalesforceFieldError(DeliveryError):
    """Salesforce refused a record or query because of a field: names ``sobject``, ``fields``,
    the error ``code`` and Salesforce's ``sf_message``. Never transient (quarantine the item)."""

    def __init__(self, target: str, sobject: str, fields: list[str], code: str, sf_message: str, record_id: str | None = None):
        self.sobject = sobject
        self.fields = fields
        self.code = code
        self.sf_message = sf_message
        self.record_id = record_id
        where = f"{sobject} {record_id}" if record_id else sobject
        field_part = f" field {', '.join(fields)}" if fields else ""
        super().__init__(target, f"{where}{field_part}: {code}: {sf_message}", transient=False)


class SalesforceQueryError(SourceError):
    """A SOQL query was refused because of a field (bad allow-list entry, missing permission)."""

    def __init__(self, source: str, sobject: str, fields: list[str], code: str, sf_message: str):
        self.sobject = sobject
        self.fields = fields
        self.code = code
        self.sf_message = sf_message
        field_part = f" field {', '.join(fields)}" if fields else ""
        super().__init__(source, f"query on {sobject}{field_part}: {code}: {sf_message}", transient=False)


def error_items(content: Any) -> list[dict[str, Any]]:
    """The ``[{"errorCode", "message", "fields"}]`` list from an exception's ``content``.

    Accepts the decoded list, a single dict, or raw bytes/str (parsed as JSON when possible;
    otherwise one item with ``errorCode`` ``"UNKNOWN"`` and the text as message)."""
    if isinstance(content, bytes | bytearray):
        content = content.decode("utf-8", "replace")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return [{"errorCode": "UNKNOWN", "message": content.strip()[:500], "fields": []}]
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        return [i for i in content if isinstance(i, dict)]
    return []


def error_code(exc: BaseException) -> str | None:
    """The first ``errorCode`` of a Salesforce exception, or None."""
    if isinstance(exc, SalesforceAuthenticationFailed):
        return str(exc.code) if exc.code is not None else None
    if isinstance(exc, SalesforceError):
        items = error_items(exc.content)
        return items[0].get("errorCode") if items else None
    return None


def is_invalid_session(exc: BaseException) -> bool:
    """True for a 401 ``INVALID_SESSION_ID`` (expired or revoked access token)."""
    return isinstance(exc, SalesforceExpiredSession)


def is_limit_exceeded(exc: BaseException) -> bool:
    """True for ``REQUEST_LIMIT_EXCEEDED`` (403)."""
    return isinstance(exc, SalesforceRefusedRequest) and error_code(exc) == "REQUEST_LIMIT_EXCEEDED"


def is_retryable(exc: BaseException) -> bool:
    """True for faults a retry with backoff may cure: 5xx answers and connection errors/timeouts."""
    if isinstance(exc, SalesforceGeneralError):
        return int(exc.status) >= 500
    return isinstance(exc, requests.ConnectionError | requests.Timeout)


def _fields_of(item: dict[str, Any], default_sobject: str) -> tuple[str, list[str]]:
    fields = [str(f) for f in (item.get("fields") or [])]
    sobject = default_sobject
    msg = str(item.get("message", ""))
    m = _NO_SUCH_COLUMN.search(msg)
    if m:
        sobject = m.group(2) or m.group(3) or sobject
        if not fields:
            fields = [m.group(1)]
    m = _NOT_FILTERABLE.search(msg)
    if m and not fields:
        fields = [m.group(1)]
    return sobject, fields


def _short(msg: str) -> str:
    """Salesforce's message without the echoed SOQL text (keeps the last line that says what is wrong)."""
    lines = [ln.strip() for ln in msg.strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else "")[:500]


def translate(
    exc: BaseException,
    *,
    source: str,
    sobject: str,
    action: str,
    record_id: str | None = None,
    delivery: bool = False,
    limit_pause_seconds: int = DEFAULT_LIMIT_PAUSE_SECONDS,
    now: datetime | None = None,
) -> DraftguardError:
    """A draftguard error for ``exc`` raised while doing ``action`` (``"query"``, ``"create"``,
    ``"update"``, ``"delete"``) on ``sobject``.

    ``delivery=True`` gives :class:`DeliveryError` subclasses (writes), else
    :class:`SourceError` subclasses (reads); ``REQUEST_LIMIT_EXCEEDED`` gives
    :class:`SalesforceLimitExceeded` either way, with ``until`` = ``now`` (default: the
    current UTC time) + ``limit_pause_seconds``. Unknown exceptions are wrapped non-transient.
    """
    target = f"{source} {sobject}"
    if is_limit_exceeded(exc):
        items = error_items(getattr(exc, "content", None))
        until = (now or datetime.now(UTC)) + timedelta(seconds=limit_pause_seconds)
        return SalesforceLimitExceeded(source, str(items[0].get("message", "")) if items else "", until=until)
    if isinstance(exc, SalesforceMalformedRequest):
        items = error_items(exc.content) or [{"errorCode": "MALFORMED_REQUEST", "message": str(exc)}]
        item = items[0]
        obj, fields = _fields_of(item, sobject)
        code = str(item.get("errorCode", "UNKNOWN"))
        msg = _short(str(item.get("message", "")))
        if delivery:
            return SalesforceFieldError(target, obj, fields, code, msg, record_id)
        return SalesforceQueryError(source, obj, fields, code, msg)
    if isinstance(exc, SalesforceAuthenticationFailed):
        transient = isinstance(exc.code, int) and exc.code >= 500
        problem = f"sign-in failed ({exc.code}): {exc.auth_message}"
        return DeliveryError(target, problem, transient=transient) if delivery else SourceError(source, problem, transient=transient)
    if isinstance(exc, SalesforceExpiredSession):
        problem = "INVALID_SESSION_ID again after re-authentication"
        return DeliveryError(target, problem, transient=True) if delivery else SourceError(source, problem, transient=True)
    if isinstance(exc, SalesforceError):
        items = error_items(exc.content)
        code = items[0].get("errorCode", "") if items else ""
        msg = _short(str(items[0].get("message", ""))) if items else ""
        transient = is_retryable(exc)
        if isinstance(exc, SalesforceResourceNotFound | SalesforceRefusedRequest):
            transient = False
        where = f" {record_id}" if record_id else ""
        problem = f"{action} {sobject}{where}: HTTP {exc.status} {code}: {msg}".rstrip(": ")
        return DeliveryError(target, problem, transient=transient) if delivery else SourceError(source, problem, transient=transient)
    if isinstance(exc, requests.RequestException):
        problem = f"{action} {sobject}: {type(exc).__name__}: {exc}"[:500]
        transient = is_retryable(exc)
        return DeliveryError(target, problem, transient=transient) if delivery else SourceError(source, problem, transient=transient)
    if isinstance(exc, DraftguardError):
        return exc
    problem = f"{action} {sobject}: {type(exc).__name__}: {exc}"[:500]
    return DeliveryError(target, problem) if delivery else SourceError(source, problem)
