"""Drafting: the model when one is configured, else (or when it fails) the template drafter.

The decision to fall back, and why, is part of the :class:`DraftResult` and so of
the draft row and the audit chain.
"""

from __future__ import annotations

import time

from agent.errors import DrafterError
from agent.models import INTENTS, DraftResult, Prompt, RedactedContext
from agent.ports import ModelClient
from agent.template_drafter import TemplateDrafter


class Drafter:
    """Chooses the model or the template drafter for each item.

    ``model`` may be None (no endpoint configured)."""

    def __init__(self, model: ModelClient | None, templates: TemplateDrafter):
        self.model = model
        self.templates = templates

    def draft(self, prompt: Prompt, ctx: RedactedContext, *, avoid_model: str | None = None) -> DraftResult:
        """Draft a reply for the redacted context. Never raises DrafterError: falls back instead.

        ``avoid_model`` (a reason) keeps the item away from the model, e.g. an inbound
        prompt injection: the template drafter writes the draft and the reason is recorded."""
        reason = avoid_model or "no model endpoint configured"
        if self.model is not None and avoid_model is None:
            started = time.perf_counter()
            try:
                output, usage = self.model.complete(prompt)
                latency = int((time.perf_counter() - started) * 1000)
                if output.intent not in INTENTS:
                    output = output.model_copy(update={"intent": "other", "reasons": [*output.reasons, f"unknown intent {output.intent!r}"]})
                output = output.model_copy(update={"confidence": min(1.0, max(0.0, output.confidence))})
                return DraftResult(
                    output=output,
                    provider=self.model.provider,
                    model=self.model.model,
                    prompt_template_id=prompt.template_id,
                    prompt_hash=prompt.template_hash,
                    prompt_tokens=usage.get("prompt_tokens", 0),
                    completion_tokens=usage.get("completion_tokens", 0),
                    latency_ms=latency,
                )
            except DrafterError as exc:
                reason = f"model failed: {exc}"[:500]
        started = time.perf_counter()
        output = self.templates.draft(ctx)
        return DraftResult(
            output=output,
            provider=self.templates.provider,
            model=self.templates.model,
            prompt_template_id=f"draft_templates/{self.templates.version}",
            prompt_hash=self.templates.templates_hash,
            latency_ms=int((time.perf_counter() - started) * 1000),
            fallback_used=True,
            fallback_reason=reason,
        )
