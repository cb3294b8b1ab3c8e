"""Teams notifications through a Workflows (Power Automate) webhook.

The flow "Post to a channel when a webhook request is received" accepts
``{"type": "message", "attachments": [{"contentType":
"application/vnd.microsoft.card.adaptive", "content": <Adaptive Card>}]}`` and answers
202 Accepted with an empty body (200 is accepted too). Adaptive Cards only: the old
MessageCard format and Office 365 connectors are being retired (Microsoft 365 dev blog,
"Retirement of Office 365 connectors within Microsoft Teams").

The URL embeds a signature (``sig=``): it is a secret, read from the environment
variable named in ``notify.teams.webhook_url_env`` (or a reviewer group's own
``webhook_url_env``) and never logged or put in an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os

import requests

from agent.config import NotifyConfig, ReviewerGroupConfig
from agent.errors import ConfigError
from agent.ports import Digest, Escalation, Notifier
from connectors.teams.card import CardOptions, digest_card, escalation_card, webhook_payload
from connectors.teams.retry import post_with_retry

log = logging.getLogger(__name__)

OK_STATUSES = (200, 202)
TRANSPORT = "teams_webhook"


class TeamsWebhookNotifier(Notifier):
    """Posts escalation and digest cards to a Workflows webhook, with retries.

    ``url`` is the default webhook; ``group_urls`` maps a reviewer group to its own.
    ``timeout`` is seconds per request; see :mod:`connectors.teams.retry` for the policy.
    ``session`` may be a pre-configured ``requests.Session`` (e.g. instrumented for metrics).
    """

    transport = TRANSPORT

    def __init__(
        self,
        url: str,
        *,
        group_urls: dict[str, str] | None = None,
        options: CardOptions | None = None,
        timeout: float = 10.0,
        max_attempts: int = 4,
        max_wait: float = 30.0,
        session: requests.Session | None = None,
    ):
        if not url and not group_urls:
            raise ConfigError("no Teams webhook URL", key="notify.teams.webhook_url_env")
        self._url = url
        self._group_urls = dict(group_urls or {})
        self.options = options or CardOptions()
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self._session = session or requests.Session()

    def __repr__(self) -> str:  # never show the URL
        return f"TeamsWebhookNotifier(groups={sorted(self._group_urls)})"

    @classmethod
    def from_config(
        cls, notify: NotifyConfig, groups: list[ReviewerGroupConfig] | None = None, *, session: requests.Session | None = None
    ) -> TeamsWebhookNotifier:
        """Build from config, reading the URL(s) from the environment.

        Raises :class:`ConfigError` naming the variable when it is unset."""
        teams = notify.teams
        url = os.environ.get(teams.webhook_url_env, "")
        group_urls: dict[str, str] = {}
        for g in groups or []:
            if g.webhook_url_env:
                value = os.environ.get(g.webhook_url_env, "")
                if not value:
                    raise ConfigError(f"environment variable {g.webhook_url_env} is not set", key="reviewer_groups.webhook_url_env")
                group_urls[g.name] = value
        if not url and not group_urls:
            raise ConfigError(f"environment variable {teams.webhook_url_env} is not set", key="notify.teams.webhook_url_env")
        return cls(
            url,
            group_urls=group_urls,
            options=CardOptions.from_config(notify),
            timeout=teams.timeout_seconds,
            max_attempts=teams.max_attempts,
            max_wait=teams.max_wait_seconds,
            session=session,
        )

    def _url_for(self, group: str) -> str:
        url = self._group_urls.get(group) or self._url
        if not url:
            raise ConfigError(f"no Teams webhook for reviewer group {group!r}", key="reviewer_groups.webhook_url_env")
        return url

    def _post(self, group: str, card: dict, kind: str) -> str:
        body = webhook_payload(card)
        resp = post_with_retry(
            self._session,
            self._url_for(group),
            what=f"Teams webhook ({group}, {kind})",
            json_body=body,
            ok_statuses=OK_STATUSES,
            timeout=self.timeout,
            max_attempts=self.max_attempts,
            max_wait=self.max_wait,
        )
        # Power Automate answers carry a run id header [unverified: not in the webhook docs];
        # fall back to a hash of what we sent.
        run_id = resp.headers.get("x-ms-workflow-run-id") or resp.headers.get("x-ms-request-id")
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
        return f"{TRANSPORT}:{resp.status_code}:{(run_id or digest)[:100]}"

    def notify(self, escalation: Escalation) -> str:
        """Post the escalation card (or SLA reminder) to the group's webhook; returns a reference.

        Raises :class:`agent.errors.NotifyError` after the last try."""
        kind = "reminder" if escalation.reminder else "escalation"
        return self._post(escalation.group, escalation_card(escalation, self.options), kind)

    def notify_digest(self, digest: Digest) -> str:
        """Post the group's daily digest card; returns a reference. Raises NotifyError."""
        return self._post(digest.group, digest_card(digest, self.options), "digest")
