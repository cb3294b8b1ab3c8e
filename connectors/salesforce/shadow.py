"""What an agent sent on a Salesforce case, for shadow scoring (issue 15, docs/release.md).

Two SOQL queries per shadow item (``query_all``, so simple-salesforce follows
``nextRecordsUrl``), values bound by ``simple_salesforce.format_soql`` as in
:mod:`connectors.salesforce.soql`::

    SELECT Id, CreatedDate FROM EmailMessage WHERE Id = :email AND ParentId = :case LIMIT 1

    SELECT Id, Incoming, Status, CreatedDate, TextBody, HtmlBody FROM EmailMessage
    WHERE ParentId = :case AND Incoming = false AND Status != '5' AND CreatedDate >= :created
    ORDER BY CreatedDate ASC, Id ASC

The first reads the client's ``EmailMessage`` the draft answered for its ``CreatedDate``: when
Salesforce recorded it, on Salesforce's clock. The second reads the case's outbound emails
that are not drafts (``Status`` ``5`` is Draft [Object Reference, EmailMessage]: saved by an
agent, not sent) created since then; the reply is the first one created strictly after the
client's email (an inbound email is never the reply). The bound is Salesforce's own time, not
the client's ``MessageDate`` (the ``Date`` header, the item's ``received_at``): a sender whose
clock runs a day or more ahead would otherwise push the bound past the real reply. Salesforce
cannot compare one field with another or semi-join an object with itself [SOQL and SOSL
Reference, "Semi-Join and Anti-Join Restrictions"], hence two queries.

The reply's text is its ``TextBody``, else its ``HtmlBody`` through
:func:`agent.mailtext.html_to_text` (:func:`connectors.salesforce.source._body_text`, as for
the items themselves); :mod:`jobs.shadow_outcomes` reduces both texts with
:func:`agent.mailtext.latest_reply` before comparing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from simple_salesforce import format_soql

from connectors.salesforce.source import EMAIL_STATUS_DRAFT, _body_text, parse_sf_datetime

#: how far before the client's ``MessageDate`` :func:`reply_query` reads outbound emails (sender
#: clock skew). :func:`sent_reply` no longer bounds by the client's clock (module docstring).
CLOCK_SKEW = timedelta(days=1)


def inbound_query(case_id: str, email_id: str) -> str:
    """The SOQL reading email ``email_id`` of case ``case_id`` (``Id``, ``CreatedDate``)."""
    return format_soql("SELECT Id, CreatedDate FROM EmailMessage WHERE Id = {} AND ParentId = {} LIMIT 1", email_id, case_id)


def replies_query(case_id: str, created: datetime) -> str:
    """The SOQL reading case ``case_id``'s outbound, non-draft emails created at or after
    ``created`` (the inbound email's ``CreatedDate``; naive means UTC), oldest first."""
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return format_soql(
        "SELECT Id, Incoming, Status, CreatedDate, TextBody, HtmlBody FROM EmailMessage "
        "WHERE ParentId = {} AND Incoming = false AND Status != {} AND CreatedDate >= {} ORDER BY CreatedDate ASC, Id ASC",
        case_id,
        EMAIL_STATUS_DRAFT,
        created.astimezone(UTC),
    )


def reply_query(case_id: str, email_id: str, received: datetime | None) -> str:
    """The earlier one-query form: case ``case_id``'s email ``email_id`` and its outbound,
    non-draft emails created since ``received`` (the client's ``MessageDate``) minus
    :data:`CLOCK_SKEW` (all of them when ``received`` is None), oldest first. Bounded by the
    client's clock, so :func:`sent_reply` uses :func:`inbound_query` and :func:`replies_query`."""
    outbound = format_soql("Incoming = false AND Status != {}", EMAIL_STATUS_DRAFT)
    if received is not None:
        if received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        outbound += format_soql(" AND CreatedDate >= {}", (received - CLOCK_SKEW).astimezone(UTC))
    return format_soql(
        "SELECT Id, Incoming, Status, CreatedDate, TextBody, HtmlBody FROM EmailMessage "
        "WHERE ParentId = {} AND (Id = {} OR ({:literal})) ORDER BY CreatedDate ASC, Id ASC",
        case_id,
        email_id,
        outbound,
    )


def sent_reply(source: Any, external_id: str, case_id: str | None, after: datetime | None) -> tuple[str, str] | None:
    """``(EmailMessage Id, text)`` of the first outbound, non-draft email on case ``case_id``
    created after the inbound EmailMessage ``external_id`` (by Salesforce's ``CreatedDate``;
    ``after``, the client's ``MessageDate``, is not used as a bound), or None: no case, the
    inbound email is gone or not on that case, or no reply yet. ``source`` is the runtime's
    :class:`connectors.salesforce.source.SalesforceSource` (its connection, API limit pause and
    retries are used). Raises what its calls raise (:class:`agent.errors.SourceThrottledError`
    during a limit pause, simple-salesforce errors): the caller counts an error and tries again
    next time."""
    if not case_id or not external_id:
        return None
    first = inbound_query(case_id, external_id)
    found = source._call(lambda sf: sf.query_all(first), sobject="EmailMessage", action="query")
    inbound = next((r for r in (found.get("records") or []) if isinstance(r, dict) and r.get("Id") == external_id), None)
    created = parse_sf_datetime(inbound.get("CreatedDate")) if inbound else None
    if created is None:
        return None
    query = replies_query(case_id, created)
    result = source._call(lambda sf: sf.query_all(query), sobject="EmailMessage", action="query")
    rows = [r for r in (result.get("records") or []) if isinstance(r, dict)]
    replies = []
    for r in rows:
        at = parse_sf_datetime(r.get("CreatedDate"))
        if r.get("Incoming") is False and r.get("Status") != EMAIL_STATUS_DRAFT and at is not None and at > created:
            replies.append((at, str(r.get("Id") or ""), r))
    if not replies:
        return None
    _at, rec_id, rec = min(replies, key=lambda t: (t[0], t[1]))
    return rec_id, _body_text(rec)
