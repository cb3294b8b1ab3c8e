"""In-memory fakes of the ports, for unit tests of the pipeline only."""

from __future__ import annotations

from agent.errors import DeliveryError, DrafterError, NotifyError
from agent.models import (
    Address,
    DeliveryReceipt,
    DraftOutput,
    InboundMessage,
    Prompt,
    ReplyDraft,
    ReviewOutput,
)
from agent.ports import BadItem, CursorStore, Escalation, ModelClient, Notifier, Source


def message(external_id: str = "m1", *, text: str = "Hello, could you send me the statement for March?", sender=("Ann Lee", "ann.lee@client.example"), subject="Statement", headers=None, **kw) -> InboundMessage:
    return InboundMessage(
        source="fake:box",
        external_id=external_id,
        internet_message_id=f"<{external_id}@client.example>",
        subject=subject,
        sender=Address(name=sender[0], email=sender[1]),
        to=[Address(email="support@northwind.example")],
        text_body=text,
        headers=headers or {},
        **kw,
    )


class FakeSource(Source):
    """Yields the given entries; ``deliver`` stores drafts by idempotency key (look before write)."""

    def __init__(self, entries, *, fail_deliver: list[Exception] | None = None, crash_after_write: bool = False):
        self.name = "fake:box"
        self.entries = list(entries)
        self.drafts: dict[str, ReplyDraft] = {}
        self.writes = 0
        self.fail_deliver = list(fail_deliver or [])
        self.crash_after_write = crash_after_write
        self.case_actions: list[dict] = []

    def poll(self, cursors: CursorStore):
        yield from self.entries

    def fetch(self, external_id: str) -> InboundMessage:
        for e in self.entries:
            if not isinstance(e, BadItem) and e.external_id == external_id:
                return e
        raise KeyError(external_id)

    def deliver(self, message: InboundMessage, draft: ReplyDraft) -> DeliveryReceipt:
        if self.fail_deliver:
            raise self.fail_deliver.pop(0)
        if draft.idempotency_key in self.drafts:
            return DeliveryReceipt(target="fake:Drafts", ref=draft.idempotency_key, created=False)
        self.drafts[draft.idempotency_key] = draft
        self.writes += 1
        if self.crash_after_write:
            self.crash_after_write = False
            raise SystemExit("simulated crash between the write and our commit")
        return DeliveryReceipt(target="fake:Drafts", ref=draft.idempotency_key)

    def apply_case_actions(self, message, actions):
        self.case_actions.append(actions)
        return list(actions)


class FakeModel(ModelClient):
    """Returns a fixed DraftOutput (``reply`` may use placeholders) or raises what it is given."""

    provider = "fake"
    model = "fake-1"

    def __init__(self, reply: str = "Dear <PERSON_1>,\n\nWe will send it.\n\nKind regards,\nNorthwind Client Services", *, intent="information_request", confidence=0.9, error: Exception | None = None):
        self.reply, self.intent, self.confidence, self.error = reply, intent, confidence, error
        self.prompts: list[Prompt] = []
        self.review_prompts: list[Prompt] = []
        self.review_answer = ReviewOutput(categories=[])
        self.review_error: Exception | None = None

    def complete(self, prompt: Prompt):
        self.prompts.append(prompt)
        if self.error:
            raise self.error
        return DraftOutput(reply=self.reply, intent=self.intent, confidence=self.confidence, reasons=["fake"]), {"prompt_tokens": 10, "completion_tokens": 5}

    def review(self, prompt: Prompt):
        """The risk reviewer role: ``review_answer`` (a ReviewOutput, default: no category), or
        ``review_error`` / ``error`` raised (an endpoint that is down fails both roles)."""
        self.review_prompts.append(prompt)
        if self.review_error or self.error:
            raise self.review_error or self.error
        return self.review_answer, {"prompt_tokens": 8, "completion_tokens": 4}


class FakeNotifier(Notifier):
    def __init__(self, fail: bool = False):
        self.sent: list[Escalation] = []
        self.fail = fail

    def notify(self, escalation: Escalation) -> str:
        if self.fail:
            raise NotifyError("webhook down")
        self.sent.append(escalation)
        return f"note-{escalation.review_task_id}"


__all__ = ["FakeSource", "FakeModel", "FakeNotifier", "message", "DrafterError", "DeliveryError"]
