"""What an agent sent on a Salesforce case, for shadow scoring (issue 15, docs/release.md).

One SOQL query per shadow item (``query_all``, so simple-salesforce follows
``nextRecordsUrl``), values bound by ``simple_salesforce.format_soql`` as in
:mod:`connectors.salesforce.soql`::

    SELECT Id, Incoming, Status, CreatedDate, TextBody, HtmlBody FROM EmailMessage
    WHERE ParentId = :case AND (Id = :email OR (Incoming = false AND Status != '5'
          AND CreatedDate >= :received - 1 day))
    ORDER BY CreatedDate ASC, Id ASC

It returns the client's ``EmailMessage`` the draft answered (for its ``CreatedDate``: when
Salesforce recorded it) and the case's outbound emails that are not drafts (``Status`` ``5``
is Draft [Object Reference, EmailMessage]: saved by an agent, not sent). The reply is the
first outbound one created strictly after the client's email; an inbound email is never the
reply. The ``CreatedDate`` bound keeps older outbound bodies off the wire; it starts a day
before the client's ``MessageDate`` (the ``Date`` header, the item's ``received_at``) because
the sender's clock may run ahead of Salesforce's. Salesforce cannot compare one field with
another or semi-join an object with itself [SOQL and SOSL Reference, "Semi-Join and Anti-Join
Restrictions"], hence one query and the comparison here.

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

#: how far before the client's ``MessageDate`` outbound emails are read (sender clock skew)
CLOCK_SKEW = timedelta(days=1)


def reply_query(case_id: str, email_id: str, received: datetime | None) -> str:
    """The SOQL of :func:`sent_reply` (module docstring): case ``case_id``'s email
    ``email_id`` and its outbound, non-draft emails created since ``received`` minus
    :data:`CLOCK_SKEW` (all of them when ``received`` is None), oldest first."""
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
    created after the inbound EmailMessage ``external_id`` (whose ``MessageDate``, aware UTC,
    is ``after``), or None: no case, the inbound email is gone or not on that case, or no
    reply yet. ``source`` is the runtime's :class:`connectors.salesforce.source.SalesforceSource`
    (its connection, API limit pause and retries are used). Raises what its calls raise
    (:class:`agent.errors.SourceThrottledError` during a limit pause, simple-salesforce errors):
    the caller counts an error and tries again next time."""
    if not case_id or not external_id:
        return None
    query = reply_query(case_id, external_id, after)
    result = source._call(lambda sf: sf.query_all(query), sobject="EmailMessage", action="query")
    rows = [r for r in (result.get("records") or []) if isinstance(r, dict)]
    inbound = next((r for r in rows if r.get("Id") == external_id), None)
    created = parse_sf_datetime(inbound.get("CreatedDate")) if inbound else None
    if created is None:
        return None
    replies = []
    for r in rows:
        at = parse_sf_datetime(r.get("CreatedDate"))
        if r.get("Incoming") is False and r.get("Status") != EMAIL_STATUS_DRAFT and at is not None and at > created:
            replies.append((at, str(r.get("Id") or ""), r))
    if not replies:
        return None
    _at, rec_id, rec = min(replies, key=lambda t: (t[0], t[1]))
    return rec_id, _body_text(rec)
