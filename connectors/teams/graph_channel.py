"""Teams notifications as Graph channel messages (the alternative for delegated setups).

``POST {graph}/v1.0/teams/{team-id}/channels/{channel-id}/messages`` with a delegated
token holding ``ChannelMessage.Send`` (Graph docs, "Send chatMessage in a channel or a
chat": application permissions are supported only for migration/import). The card goes
as an attachment: ``body`` is ``{"contentType": "html", "content": "<attachment
id=\\"ID\\"></attachment>"}`` and ``attachments`` holds ``{"id": ID, "contentType":
"application/vnd.microsoft.card.adaptive", "content": "<the card as a JSON string>"}``
(Graph docs, "Working with Teams messaging APIs", card attachment: the content is the
card's serialized JSON). Success is 201 Created with the chatMessage (its ``id`` is the
reference). Graph limits this API to 10 messages per 10 seconds [docs]; 429s are retried
with ``Retry-After`` by :mod:`connectors.teams.retry`.

The token comes from a ``token_provider`` callable (default: the environment variable
named by ``notify.teams.graph_token_env``). A 401 (expired token) is not retried here:
the outbox keeps the failure and retries on a later run, by when the provider may return a
fresh token.

The attachment id is derived from the card's stable reference
(:func:`connectors.teams.card.escalation_reference`), so a message posted twice by an
at-least-once retry carries the same attachment id and the same visible reference.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from urllib.parse import quote

import requests

from agent.config import NotifyConfig, ReviewerGroupConfig
from agent.errors import ConfigError, NotifyError
from agent.ports import Digest, Escalation, Notifier
from connectors.teams.card import (
    CARD_CONTENT_TYPE,
    CardOptions,
    digest_card,
    digest_reference,
    escalation_card,
    escalation_reference,
)
from connectors.teams.retry import post_with_retry

OK_STATUSES = (201,)
TRANSPORT = "teams_graph"


def attachment_id_for(reference: str) -> str:
    """A stable attachment id for a card reference: 32 hex characters of sha256(reference)."""
    return hashlib.sha256(reference.encode()).hexdigest()[:32]


def graph_message_body(card: dict, reference: str, summary: str | None = None) -> dict:
    """The chatMessage body with ``card`` as its one Adaptive Card attachment.

    ``reference`` is the card's stable reference; the attachment id is derived from it."""
    att_id = attachment_id_for(reference)
    body = {
        "body": {"contentType": "html", "content": f'<attachment id="{att_id}"></attachment>'},
        "attachments": [{"id": att_id, "contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": json.dumps(card), "name": None, "thumbnailUrl": None}],
    }
    if summary:
        body["summary"] = summary[:200]
    return body


class TeamsGraphChannelNotifier(Notifier):
    """Posts cards as channel messages through Microsoft Graph v1.0.

    ``channel_id`` is the default channel, ``group_channels`` maps reviewer groups to their own.
    ``token_provider`` returns a delegated access token (no "Bearer " prefix).
    """

    transport = TRANSPORT

    def __init__(
        self,
        team_id: str,
        channel_id: str,
        token_provider: Callable[[], str],
        *,
        base_url: str = "https://graph.microsoft.com",
        group_channels: dict[str, str] | None = None,
        options: CardOptions | None = None,
        timeout: float = 10.0,
        max_attempts: int = 4,
        max_wait: float = 30.0,
        session: requests.Session | None = None,
    ):
        if not team_id:
            raise ConfigError("team_id is empty", key="notify.teams.team_id")
        if not channel_id and not group_channels:
            raise ConfigError("channel_id is empty", key="notify.teams.channel_id")
        self.team_id = team_id
        self.channel_id = channel_id
        self._groups = dict(group_channels or {})
        self._token = token_provider
        self.base_url = base_url.rstrip("/")
        self.options = options or CardOptions()
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self._session = session or requests.Session()

    @classmethod
    def from_config(
        cls, notify: NotifyConfig, groups: list[ReviewerGroupConfig] | None = None, *, session: requests.Session | None = None
    ) -> TeamsGraphChannelNotifier:
        """Build from config; the token is read from ``graph_token_env`` at each send."""
        teams = notify.teams
        env = teams.graph_token_env

        def _env_token() -> str:
            token = os.environ.get(env, "")
            if not token:
                raise NotifyError(f"Teams Graph: environment variable {env} is not set")
            return token

        return cls(
            teams.team_id,
            teams.channel_id,
            _env_token,
            base_url=teams.graph_base_url,
            group_channels={g.name: g.channel_id for g in groups or [] if g.channel_id},
            options=CardOptions.from_config(notify),
            timeout=teams.timeout_seconds,
            max_attempts=teams.max_attempts,
            max_wait=teams.max_wait_seconds,
            session=session,
        )

    def _post(self, group: str, card: dict, reference: str, summary: str, kind: str) -> str:
        channel = self._groups.get(group) or self.channel_id
        url = f"{self.base_url}/v1.0/teams/{quote(self.team_id, safe='')}/channels/{quote(channel, safe='')}/messages"
        resp = post_with_retry(
            self._session,
            url,
            what=f"Teams Graph channel ({group}, {kind})",
            json_body=graph_message_body(card, reference, summary=summary),
            ok_statuses=OK_STATUSES,
            headers={"Authorization": f"Bearer {self._token()}"},
            timeout=self.timeout,
            max_attempts=self.max_attempts,
            max_wait=self.max_wait,
        )
        try:
            msg_id = resp.json().get("id")
        except ValueError:
            msg_id = None
        return f"{TRANSPORT}:{msg_id or 'created'}"[:200]

    def notify(self, escalation: Escalation) -> str:
        """Post the escalation card as a channel message; returns ``teams_graph:<message id>``."""
        card = escalation_card(escalation, self.options)
        kind = "reminder" if escalation.reminder else "escalation"
        return self._post(escalation.group, card, escalation_reference(escalation), card.get("fallbackText", ""), kind)

    def notify_digest(self, digest: Digest) -> str:
        """Post the daily digest card as a channel message."""
        card = digest_card(digest, self.options)
        return self._post(digest.group, card, digest_reference(digest), card.get("fallbackText", ""), "digest")
