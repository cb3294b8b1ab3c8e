"""Drafting: the model when one is configured, else (or when it fails) the template drafter.

The decision to fall back, and why, is part of the :class:`DraftResult` and so of
the draft row and the audit chain.

A circuit breaker (``pybreaker``) guards the model call: after ``breaker_failures``
consecutive transient failures (endpoint unreachable, timeouts, 408/409/429/5xx after the
client's own retries) the circuit opens and every item goes straight to the template
drafter, without a request and without the client's retry delay. After
``breaker_cooldown_seconds`` the next item is a half-open probe: if the model answers, the
circuit closes; if not, it stays open for another cooldown. Answers the model gave but
that are unusable (refusal, bad JSON) are not endpoint failures and do not count. This is
Nygard's Circuit Breaker ("Release It!", ch. 5), as implemented by pybreaker.

The outbound check (:mod:`agent.outbound_guard`) runs inside the model client, on the exact
request. When it refuses (:class:`agent.outbound_guard.OutboundBlocked`), that request is not sent:
the template drafter writes the draft and ``fallback_reason`` is the refusal (``outbound_pii_blocked:
… (PHONE_NUMBER 1); this request was not sent``): types and counts only. A refusal is not an endpoint
failure (pybreaker counts an excluded error as a success, so it can close a half-open circuit
without reaching the endpoint; the next real failure opens it again).
"""

from __future__ import annotations

import threading
import time

import pybreaker

from agent.breaker import ConcurrentBreaker
from agent.errors import DrafterError
from agent.models import INTENTS, DraftResult, Prompt, RedactedContext
from agent.outbound_guard import OutboundBlocked
from agent.ports import ModelClient
from agent.template_drafter import TemplateDrafter

DEFAULT_BREAKER_FAILURES = 3  # consecutive transient failures that open the circuit (ModelConfig default)
DEFAULT_BREAKER_COOLDOWN_SECONDS = 60.0  # open time before a half-open probe (ModelConfig default)
CIRCUIT_OPEN = "model unavailable: circuit open"  # start of fallback_reason for drafts made while open


def _not_an_endpoint_failure(exc: BaseException) -> bool:
    """pybreaker ``exclude`` predicate: only a transient DrafterError counts against the circuit."""
    return not (isinstance(exc, DrafterError) and exc.transient)


class Drafter:
    """Chooses the model or the template drafter for each item.

    ``model`` may be None (no endpoint configured). ``breaker_failures`` (≥ 1) consecutive
    transient model failures open the circuit for ``breaker_cooldown_seconds`` (≥ 0);
    ``circuit_open_drafts`` counts the drafts the template drafter wrote because the circuit
    was open (the model was not asked)."""

    def __init__(
        self,
        model: ModelClient | None,
        templates: TemplateDrafter,
        *,
        breaker_failures: int = DEFAULT_BREAKER_FAILURES,
        breaker_cooldown_seconds: float = DEFAULT_BREAKER_COOLDOWN_SECONDS,
    ):
        if breaker_failures < 1 or breaker_cooldown_seconds < 0:
            raise ValueError("breaker_failures must be >= 1 and breaker_cooldown_seconds >= 0")
        self.model = model
        self.templates = templates
        self.breaker = ConcurrentBreaker(  # pybreaker's states, without its lock around the request
            fail_max=breaker_failures,
            reset_timeout=breaker_cooldown_seconds,
            exclude=[_not_an_endpoint_failure],
            throw_new_error_on_trip=False,  # the item that trips it records the model's own error
            name="model",
        )
        self._lock = threading.Lock()
        self.circuit_open_drafts = 0

    @property
    def circuit_open(self) -> bool:
        """True while the breaker is open (the next item may still be the half-open probe)."""
        return self.breaker.current_state == pybreaker.STATE_OPEN

    def draft(self, prompt: Prompt, ctx: RedactedContext, *, avoid_model: str | None = None) -> DraftResult:
        """Draft a reply for the redacted context. Never raises DrafterError: falls back instead.

        ``avoid_model`` (a reason) keeps the item away from the model, e.g. an inbound
        prompt injection: the template drafter writes the draft and the reason is recorded.
        While the circuit is open the template drafter writes it too; ``fallback_reason``
        then starts with :data:`CIRCUIT_OPEN`; when the outbound check refused the request, with
        :data:`agent.outbound_guard.BLOCKED_RULE`."""
        reason = avoid_model or "no model endpoint configured"
        if self.model is not None and avoid_model is None:
            started = time.perf_counter()
            try:
                output, usage = self.breaker.call(self.model.complete, prompt)
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
            except pybreaker.CircuitBreakerError:
                with self._lock:
                    self.circuit_open_drafts += 1
                b = self.breaker
                reason = f"{CIRCUIT_OPEN} after {b.fail_max} consecutive failures; next try after {b.reset_timeout:g} s"
            except OutboundBlocked as exc:  # the outbound check refused: this request was not sent
                reason = str(exc)[:500]
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
