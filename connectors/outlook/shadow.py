"""What a person sent in an Outlook conversation, for shadow scoring (issue 15, docs/release.md).

One Graph query per shadow item: the mailbox's Sent Items in the item's conversation
(``$filter=conversationId eq '…'``, every page: ``$top`` 50 and each ``@odata.nextLink``, at
most :data:`MAX_SENT_PAGES`; Graph refuses ``$orderby`` with this filter, so the rows are
sorted locally by ``sentDateTime``), the first message sent
at or after the client's message was received. Its new text (``uniqueBody``, quote stripped
by :func:`agent.mailtext.latest_reply`) is what the shadow draft is compared with, the same way
:mod:`connectors.outlook.outcomes` reads a sent draft.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from connectors.outlook.messages import odata_quote, parse_datetime, split_external_id
from connectors.outlook.outcomes import _new_text

log = logging.getLogger(__name__)

SENT_PAGE = 50  # messages a request ($top)
MAX_SENT_PAGES = 20  # pages read per conversation (1,000 sent messages)


def sent_reply(source: Any, external_id: str, conversation_id: str | None, after: datetime | None) -> tuple[str, str] | None:
    """``(Graph id, new text)`` of the first message the mailbox of ``external_id`` sent in
    ``conversation_id`` at or after ``after`` (aware UTC), or None. Raises what the Graph
    connection raises (``requests`` errors): the caller counts an error and tries later."""
    if not conversation_id:
        return None
    mailbox, _gid = split_external_id(external_id)
    url = f"{source.con.protocol.service_url}users/{mailbox}/mailFolders/SentItems/messages"
    params: dict | None = {"$filter": f"conversationId eq {odata_quote(conversation_id)}", "$select": "id,sentDateTime,uniqueBody,body", "$top": str(SENT_PAGE)}
    rows: list[dict] = []
    for page in range(MAX_SENT_PAGES):  # Graph pages the list (10 a page without $top) and cannot sort it here
        data = source.con.get(url, params=params).json()
        rows += [r for r in (data.get("value") or []) if isinstance(r, dict)]
        url, params = data.get("@odata.nextLink"), None  # an absolute URL carrying the query
        if not url:
            break
        if page == MAX_SENT_PAGES - 1:
            log.warning("shadow: more than %d sent messages in one conversation; the first %d read", MAX_SENT_PAGES * SENT_PAGE, len(rows))
    rows.sort(key=lambda r: r.get("sentDateTime") or "")
    if after is not None and after.tzinfo is None:
        after = after.replace(tzinfo=UTC)
    for r in rows:
        try:
            sent = parse_datetime(r.get("sentDateTime"), "sentDateTime", "sent")
        except Exception:  # noqa: BLE001 - a row without a usable time is not the reply
            continue
        if after is None or sent >= after:
            return str(r.get("id") or ""), _new_text(r)
    return None
