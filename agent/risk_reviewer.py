"""The model reviewer role of the risk stage (issue 11): a second, differently instructed model call.

What it sees: the *redacted* inbound message (sender display name, subject, latest text) and the
draft as the model wrote it (placeholders, not restored). What it does not see: the drafter's
system prompt, the thread, CRM fields, anything the drafter was told. Its prompt is its own
versioned template (``agent/prompt_templates/risk_review/v2.j2``, sha256 recorded; it lists the
categories of :mod:`rules.risk.taxonomy` word for word, so the template's fixed text is all ours and
the outbound check never mistakes it for client data - a test keeps the two in step); the message
and the draft sit between boundary lines derived from a hash of their own text, so the text cannot
close its own block.

It answers :class:`agent.models.ReviewOutput` (``{"categories": [{"id", "confidence",
"evidence"}]}``) through the same model client as the drafter (:meth:`agent.ports.ModelClient.review`),
so the outbound check (``agent/outbound_guard.py``) inspects the request, and through the drafter's
circuit breaker (an endpoint failure counts against it; while it is open no request is made).

Any failure - circuit open, endpoint error, refusal by the outbound check, an answer that is not the
schema - gives a :class:`rules.risk.assess.ReviewerResult` with ``failed=True``: the combination rule
then makes the item must-review (a person sees it). ``error`` names the kind of failure only, never
text from the answer (a pydantic error would quote it).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

import jinja2
import pybreaker

from agent.errors import DrafterError
from agent.models import Prompt
from agent.outbound_guard import OutboundBlocked
from agent.ports import ModelClient
from agent.prompts import TEMPLATE_ROOT, template_hash
from rules.risk.assess import ReviewerFinding, ReviewerResult

REVIEW_TEMPLATE = "risk_review/v2"
MARKER = "[draftguard:risk_review"  # first characters of every review system prompt (tests/servers/openai_server.py)
MAX_FINDINGS = 30  # answer entries read; more is not a plausible answer and is cut (the rest ignored)
MAX_QUOTE_CHARS = 300  # a reviewer quote is kept up to this length

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_ROOT)),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)


@dataclass(frozen=True)
class ReviewCall:
    """How one review went, for the risk record and the audit chain (no text): the template id
    and sha256, the sha256 of the rendered system prompt (it includes the taxonomy), the model,
    whether a request was attempted, the latency in ms and token counts."""

    template_id: str
    template_sha256: str
    system_sha256: str
    model: str
    requested: bool
    latency_ms: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_dict(self) -> dict:
        """JSON-ready (ids, hashes and counts only)."""
        return dict(self.__dict__)


def boundary(*texts: str) -> str:
    """The marker line around the message and the draft: ``=====REVIEW-`` + 16 letters (a-p) from
    the sha256 of the texts it encloses, so the texts cannot contain it (it depends on themselves).
    Letters only: a run of digits would look like an account number to the outbound check."""
    h = hashlib.sha256("\x00".join(texts).encode("utf-8", "replace")).hexdigest()[:16]
    return "=====REVIEW-" + "".join(chr(ord("a") + int(c, 16)) for c in h) + "====="


class RiskReviewer:
    """The reviewer role over ``model`` guarded by ``breaker`` (the drafter's circuit breaker).

    ``organisation`` is named in the prompt; ``template_id`` is the prompt template (default
    :data:`REVIEW_TEMPLATE`). Raises :class:`agent.errors.ConfigError` for an unknown template."""

    def __init__(self, model: ModelClient, breaker: pybreaker.CircuitBreaker, *, organisation: str, template_id: str = REVIEW_TEMPLATE):
        self.model = model
        self.breaker = breaker
        self.organisation = organisation
        self.template_id = template_id
        self.template_sha256 = template_hash(template_id)  # ConfigError (key model.prompt_template wording) if missing

    def render(self, *, subject: str, sender_name: str, message: str, draft: str) -> Prompt:
        """The review prompt for already redacted texts (the caller redacts; nothing here does)."""
        tmpl = _env.get_template(f"{self.template_id}.j2")
        values = {
            "organisation": self.organisation,
            "boundary": boundary(subject, sender_name, message, draft),
            "subject": subject,
            "sender_name": sender_name,
            "message": message,
            "draft": draft,
        }
        ctx = tmpl.new_context(values)
        system = "".join(tmpl.blocks["system"](ctx)).strip()
        user = "".join(tmpl.blocks["user"](ctx)).strip()
        return Prompt(template_id=self.template_id, template_hash=self.template_sha256, system=system, user=user)

    def _call_record(self, prompt: Prompt | None) -> dict:
        return dict(
            template_id=self.template_id,
            template_sha256=self.template_sha256,
            system_sha256=hashlib.sha256(prompt.system.encode()).hexdigest() if prompt else "",
            model=getattr(self.model, "model", ""),
        )

    def unavailable(self, why: str) -> tuple[ReviewerResult, ReviewCall]:
        """A failed review without a request (the endpoint just failed this item's drafter call):
        the item is must-review, the circuit breaker counts the endpoint's failure once per item,
        and no second timeout is spent on an endpoint that is down."""
        version = f"{self.template_id}@{self.template_sha256[:12]}"
        return ReviewerResult(failed=True, error=why, prompt_version=version), ReviewCall(**self._call_record(None), requested=False)

    def review(self, *, subject: str, sender_name: str, message: str, draft: str) -> tuple[ReviewerResult, ReviewCall]:
        """Ask the model; never raises for the model's faults (see the module docstring).

        Returns the :class:`~rules.risk.assess.ReviewerResult` for the combination rule and the
        :class:`ReviewCall` record."""
        prompt = self.render(subject=subject, sender_name=sender_name, message=message, draft=draft)
        call = self._call_record(prompt)
        version = f"{self.template_id}@{self.template_sha256[:12]}"
        started = time.perf_counter()
        try:
            output, usage = self.breaker.call(self.model.review, prompt)
        except pybreaker.CircuitBreakerError:
            return ReviewerResult(failed=True, error="model unavailable: circuit open", prompt_version=version), ReviewCall(**call, requested=False)
        except OutboundBlocked:
            failed = ReviewerResult(failed=True, error="outbound check refused the review request", prompt_version=version)
            return failed, ReviewCall(**call, requested=False)
        except DrafterError as exc:
            kind = "endpoint failed" if exc.transient else "answer unusable"
            cause = type(exc.__cause__).__name__ if exc.__cause__ is not None else type(exc).__name__
            ms = int((time.perf_counter() - started) * 1000)
            return ReviewerResult(failed=True, error=f"{kind} ({cause})", prompt_version=version), ReviewCall(**call, requested=True, latency_ms=ms)
        ms = int((time.perf_counter() - started) * 1000)
        if any(not math.isfinite(c.confidence) for c in output.categories):  # NaN/inf: not an answer
            return ReviewerResult(failed=True, error="answer unusable (confidence not a number)", prompt_version=version), ReviewCall(
                **call, requested=True, latency_ms=ms
            )
        findings = tuple(
            ReviewerFinding(category=c.id.strip(), confidence=float(c.confidence), evidence=c.evidence[:MAX_QUOTE_CHARS])
            for c in output.categories[:MAX_FINDINGS]
        )
        result = ReviewerResult(findings=findings, prompt_version=version)
        return result, ReviewCall(
            **call,
            requested=True,
            latency_ms=ms,
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
        )
