"""The SOQL the connector sends, built with ``simple_salesforce.format_soql`` (quotes and escapes
values [SOQL and SOSL Reference, "Quoted String Escape Sequences"]).

One poll is ONE query (plus ``nextRecordsUrl`` pages): changed cases with their recent
emails and comments as parent-to-child subqueries, so the connector sees in one answer

* the inbound ``EmailMessage`` records and whether an outgoing one came after them
  (answered), newest first;
* public ``CaseComment`` records for the thread (and, in ``case_comment`` mode, the
  internal ones, to find draftguard's own comments);
* draftguard's own earlier drafts (their idempotency marker or external-id field), so
  ``deliver`` can look before it writes without another call.

Why not filter on bodies with ``LIKE``: Salesforce cannot filter on textarea fields
(``TextBody``, ``HtmlBody``, ``CommentBody``) [SOQL and SOSL Reference, "Understanding
Relationship Query Limitations": "You can't filter against the content of textarea
fields"]; the marker is therefore found by reading the bodies, which the poll does anyway.

Which cases: those with an inbound ``EmailMessage`` that is new or changed since
``watermark - overlap``, or whose own ``SystemModstamp`` moved since then (assignment to a
watched queue, a status change), in ONE semi-join::

    Id IN (SELECT ParentId FROM EmailMessage WHERE Incoming = true
           AND (SystemModstamp >= :since OR Parent.SystemModstamp >= :since))

A follow-up email is therefore seen through its own ``SystemModstamp`` even when nothing
touches its case (Email-to-Case does not promise to). SOQL refuses a semi-join combined with
``OR`` at the main WHERE ("Semi join sub-selects are not allowed with the 'OR' operator"),
allows at most two semi-joins per WHERE, and allows ``OR`` and relationship fields inside
the sub-select's own WHERE [SOQL and SOSL Reference, "Semi-Join and Anti-Join
Restrictions"]; hence the ``OR`` sits inside. Cases without any inbound email have nothing
to answer and are not returned. ``SystemModstamp`` is indexed on every object and changes
on every system or user update of the record [Object Reference, "System Fields"]. The
caller orders the cases by their change stamp (the newest of the case's and its inbound
emails' ``SystemModstamp``) and skips (case, stamp) pairs it has already handled.
"""

from __future__ import annotations

import re
from datetime import datetime

from simple_salesforce import format_soql

from agent.config import SalesforceSourceConfig

_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,4}$")

#: Case fields the connector itself needs (not prompt context: crm_fields uses the allow-list only).
CASE_FIELDS = ("Id", "CaseNumber", "Subject", "Status", "SystemModstamp", "OwnerId", "ContactId", "ContactEmail", "Contact.Name", "Account.Name")
#: EmailMessage fields read for the item, its thread and the look-before-write.
EMAIL_FIELDS = (
    "Id",
    "Incoming",
    "Status",
    "Subject",
    "FromAddress",
    "FromName",
    "ToAddress",
    "CcAddress",
    "MessageDate",
    "CreatedDate",
    "SystemModstamp",
    "MessageIdentifier",
    "Headers",
    "TextBody",
    "HtmlBody",
    "HasAttachment",
    "LastModifiedDate",
)
#: ``LastModifiedDate`` equal to ``CreatedDate`` tells an unedited draftguard write: only a
#: user or API update moves it ("LastModifiedDate: the date and time when a user last
#: modified this record", [Object Reference, System Fields]); draftguard never updates one.
COMMENT_FIELDS = ("Id", "CommentBody", "IsPublished", "CreatedDate", "LastModifiedDate")


def check_field(name: str) -> str:
    """``name`` if it is a plain (optionally dotted) API field name, else ValueError.

    Field names are inserted into SOQL literally, so anything else is refused."""
    if not _FIELD.match(name):
        raise ValueError(f"not a Salesforce field name: {name!r}")
    return name


def _unique(names) -> list[str]:
    seen: dict[str, None] = {}
    for n in names:
        seen.setdefault(check_field(n), None)
    return list(seen)


def case_select_fields(cfg: SalesforceSourceConfig) -> list[str]:
    """The Case fields of the poll: the connector's own plus the allow-list."""
    return _unique([*CASE_FIELDS, *cfg.case_fields_allow_list])


def email_select_fields(cfg: SalesforceSourceConfig) -> list[str]:
    """EmailMessage fields of the subquery, plus ``idempotency_field`` when configured."""
    extra = [cfg.idempotency_field] if cfg.idempotency_field and cfg.reply_mode == "email_draft" else []
    return _unique([*EMAIL_FIELDS, *extra])


def _case_query(cfg: SalesforceSourceConfig, where: list[str]) -> str:
    n = cfg.thread_max_messages + 1
    emails = format_soql(
        "(SELECT {:literal} FROM EmailMessages ORDER BY MessageDate DESC NULLS LAST LIMIT {:literal})",
        ", ".join(email_select_fields(cfg)),
        str(n),
    )
    comment_filter = "" if cfg.reply_mode == "case_comment" else " WHERE IsPublished = true"
    comments = format_soql(
        "(SELECT {:literal} FROM CaseComments{:literal} ORDER BY CreatedDate DESC LIMIT {:literal})",
        ", ".join(COMMENT_FIELDS),
        comment_filter,
        str(n),
    )
    return format_soql(
        "SELECT {:literal}, {:literal}, {:literal} FROM Case WHERE {:literal} ORDER BY SystemModstamp ASC, Id ASC",
        ", ".join(case_select_fields(cfg)),
        emails,
        comments,
        " AND ".join(where),
    )


def poll_query(cfg: SalesforceSourceConfig, since: datetime) -> str:
    """The poll: Cases in the configured queues, record types and statuses that got an
    inbound email, or changed themselves, at or after ``since`` (module docstring), each with
    its newest ``thread_max_messages`` + 1 EmailMessages (newest first) and CaseComments
    (public only, unless ``reply_mode`` is ``case_comment``).

    Queues are matched by DeveloperName through a second semi-join, on ``Group`` (no extra
    call to resolve them; two is SOQL's maximum); record types through
    ``RecordType.DeveloperName``.
    """
    where = [
        format_soql(
            "Id IN (SELECT ParentId FROM EmailMessage WHERE Incoming = true "
            "AND (SystemModstamp >= {} OR Parent.SystemModstamp >= {}))",
            since,
            since,
        )
    ]
    if cfg.queues:
        where.append(
            format_soql("OwnerId IN (SELECT Id FROM Group WHERE Type = 'Queue' AND DeveloperName IN {})", list(cfg.queues))
        )
    if cfg.record_types:
        where.append(format_soql("RecordType.DeveloperName IN {}", list(cfg.record_types)))
    if cfg.statuses:
        where.append(format_soql("Status IN {}", list(cfg.statuses)))
    return _case_query(cfg, where)


def fetch_query(cfg: SalesforceSourceConfig, email_id: str) -> str:
    """The case holding EmailMessage ``email_id``, with the same fields and subqueries as the
    poll (one call; the semi-join selects the reference field ``ParentId``)."""
    return _case_query(cfg, [format_soql("Id IN (SELECT ParentId FROM EmailMessage WHERE Id = {})", email_id)])


def draft_lookup_query(cfg: SalesforceSourceConfig, case_id: str) -> str:
    """draftguard's writes on one case, newest first, with ``CreatedDate`` and
    ``LastModifiedDate`` (used only when the poll's snapshot cannot be trusted: after a failed
    or ambiguous write, or in a fresh process). The caller finds the idempotency key among
    them (look before write) and the older, superseded drafts (one AI draft per case).

    With ``idempotency_field`` the field is filtered for non-null (an external-id field is
    indexed and filterable); otherwise drafts / internal comments of the case are read and
    the marker is looked for in their bodies."""
    if cfg.reply_mode == "case_comment":
        return format_soql(
            "SELECT Id, CommentBody, CreatedDate, LastModifiedDate FROM CaseComment "
            "WHERE ParentId = {} AND IsPublished = false ORDER BY CreatedDate DESC",
            case_id,
        )
    if cfg.idempotency_field:
        field = check_field(cfg.idempotency_field)
        return format_soql(
            "SELECT Id, {:literal}, CreatedDate, LastModifiedDate FROM EmailMessage "
            "WHERE ParentId = {} AND Incoming = false AND Status = '5' AND {:literal} != null ORDER BY CreatedDate DESC",
            field,
            case_id,
            field,
        )
    return format_soql(
        "SELECT Id, HtmlBody, TextBody, CreatedDate, LastModifiedDate FROM EmailMessage "
        "WHERE ParentId = {} AND Incoming = false AND Status = '5' ORDER BY CreatedDate DESC",
        case_id,
    )


def queue_query(developer_name: str) -> str:
    """The queue (``Group`` of type ``Queue``) with this DeveloperName."""
    return format_soql("SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue' AND DeveloperName = {}", developer_name)


def feed_lookup_query(case_id: str) -> str:
    """Recent Chatter posts on a case (to skip a post already made for the same item)."""
    return format_soql("SELECT Id, Body FROM FeedItem WHERE ParentId = {} ORDER BY CreatedDate DESC LIMIT 50", case_id)
