"""Ports: the small interfaces the pipeline needs from the outside world.

Connectors (``connectors/``) implement them; :mod:`jobs.bootstrap` picks the
implementations from the config. Unit tests use in-memory fakes of these.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass

from agent.errors import DrafterError
from agent.models import DeliveryReceipt, DraftOutput, InboundMessage, Prompt, ReplyDraft, ReviewOutput


@dataclass(frozen=True)
class BadItem:
    """An item a source found but could not turn into an :class:`InboundMessage`.

    The pipeline quarantines it with ``error``; nothing is dropped."""

    source: str
    external_id: str
    error: str


class CursorStore(abc.ABC):
    """Per-source cursors (delta links, watermarks) kept in storage."""

    @abc.abstractmethod
    def get(self, source: str, key: str) -> str | None:
        """The stored cursor value, or None."""

    @abc.abstractmethod
    def set(self, source: str, key: str, value: str | None) -> None:
        """Store (or clear, with None) a cursor value; committed at once."""


class Source(abc.ABC):
    """A place client messages come from and drafts go to (Maildir, mailbox, case queue).

    ``name`` is unique across the config (``"maildir:local"``). ``poll`` yields new
    items; it may be called again after a crash and must tolerate items already
    seen (the pipeline deduplicates on ``(source, external_id)``). ``deliver`` must be
    idempotent on ``draft.idempotency_key``: look for an existing draft first.
    """

    name: str

    @abc.abstractmethod
    def poll(self, cursors: CursorStore) -> Iterator[InboundMessage | BadItem]:
        """Yield new client messages (or :class:`BadItem` for unreadable ones)."""

    @abc.abstractmethod
    def deliver(self, message: InboundMessage, draft: ReplyDraft) -> DeliveryReceipt:
        """Place the draft next to the original. Never sends. Raises DeliveryError."""

    def estimate(self) -> int | None:
        """How many items the next poll will yield, when the source can tell cheaply (for a
        progress bar); None when it cannot (delta queries, SOQL)."""
        return None

    def fetch(self, external_id: str) -> InboundMessage:
        """Read one item again by its external id (to resume a delivery or deliver an approved draft).

        Raises :class:`agent.errors.SourceError` when the item is gone or the source cannot re-read."""
        from agent.errors import SourceError

        raise SourceError(self.name, f"cannot re-read item {external_id!r}: fetch() not supported by this source")

    def apply_case_actions(self, message: InboundMessage, actions: dict[str, str]) -> list[str]:
        """Apply escalation case actions (field updates, queue moves); returns what was done.

        Sources without cases (mail) do nothing."""
        return []

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""


class ModelClient(abc.ABC):
    """A language model that returns :class:`DraftOutput` for a prompt (already redacted)."""

    provider: str
    model: str

    @abc.abstractmethod
    def complete(self, prompt: Prompt) -> tuple[DraftOutput, dict[str, int]]:
        """Return the structured output and usage ``{"prompt_tokens", "completion_tokens"}``.

        Raises :class:`agent.errors.DrafterError` when the endpoint fails after its retries."""

    def review(self, prompt: Prompt) -> tuple[ReviewOutput, dict[str, int]]:
        """The risk reviewer role (``agent/risk_reviewer.py``): the structured
        :class:`ReviewOutput` for a review prompt, and usage as :meth:`complete`.

        Raises :class:`agent.errors.DrafterError` like :meth:`complete`. A client without the
        role raises it at once (the item then goes to a person: a failed review is a risk)."""
        raise DrafterError(f"{type(self).__name__} has no risk reviewer role", transient=False)


@dataclass(frozen=True)
class Escalation:
    """What reviewers are told: ids, the subject, why (finding ids and severities, risk categories
    and scores), the rule."""

    review_task_id: int
    item_id: int
    correlation_id: str
    source: str
    group: str
    subject: str
    sender: str
    rule_id: str
    findings: tuple[tuple[str, str], ...]
    draft_preview: str
    model: str
    prompt_template_id: str
    link: str | None = None
    reminder: int = 0  # 0 = first notification; n = n-th SLA reminder
    open_minutes: int = 0  # age of the escalation when the notification was built
    risk: tuple[tuple[str, float], ...] = ()  # risk categories and scores (agent/risk.py), highest first
    risk_must_review: bool = False  # the risk stage said a person must see the item
    citations: tuple[tuple[str, str | None], ...] = ()  # (title, link) of each knowledge article the draft cites (issue 14)
    unknown_citations: tuple[str, ...] = ()  # cited snippet ids that were not retrieved for the draft
    citations_dropped: int = 0  # citations that were not snippet ids (agent.models.screen_citations): counted, never shown


@dataclass(frozen=True)
class Digest:
    """A reviewer group's daily list of open escalations (oldest first)."""

    group: str
    escalations: tuple[Escalation, ...]
    day: str  # ISO date (UTC) the digest is for


class Notifier(abc.ABC):
    """Tells a reviewer group about an escalation (console/log by default, Teams later)."""

    @abc.abstractmethod
    def notify(self, escalation: Escalation) -> str:
        """Deliver the notification; returns a reference. Raises NotifyError."""

    def notify_digest(self, digest: Digest) -> str:
        """Deliver a group's daily digest; returns a reference. Raises NotifyError.

        The default sends nothing and raises: a notifier that supports digests overrides it."""
        from agent.errors import NotifyError

        raise NotifyError(f"{type(self).__name__} does not send digests")
