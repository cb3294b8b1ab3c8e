"""The model port on the ``openai`` client: any OpenAI-compatible endpoint
(OpenAI, Azure OpenAI's v1 API, Ollama, vLLM, llama.cpp server).

Structured output: ``client.chat.completions.parse(response_format=DraftOutput)``
sends a strict ``json_schema`` response format (OpenAI API reference, "Structured
Outputs"). The client retries 408/409/429/5xx itself ``max_retries`` times,
honouring ``retry-after``; after that we raise :class:`DrafterError` and the
pipeline falls back to the template drafter.

The outbound check (:mod:`agent.outbound_guard`): every request goes through :meth:`_chat`,
which hands the exact messages to :func:`agent.outbound_guard.guard_request` before the client
sends them (masked, or refused with :class:`agent.outbound_guard.OutboundBlocked`). The HTTP
client's request hook (:func:`agent.outbound_guard.verify_request_body`) refuses any request
body the guard did not pass, so a future call that skips :meth:`_chat` cannot leave unchecked.

The rate limit (:mod:`connectors.limits.model_rate`): the same HTTP client's hooks, after the
outbound check, hold each attempt (the client's own retries included) until the endpoint's
requests/tokens per minute allow it and any shared pause after a 429 has ended, and read every
answer's ``Retry-After`` / ``x-ratelimit-*`` headers and ``usage``. A wait longer than
``[limits] max_wait_seconds`` raises at once: :class:`DrafterError` (transient), nothing sent.

Tracing (docs/tracing.md): each call is a ``model`` span (purpose, model name, token counts,
error type) and each HTTP attempt on the wire, retries included, its child span from the
official httpx instrumentation (``opentelemetry-instrumentation-httpx``; method, URL without
query, status). No-op spans while tracing is off.
"""

from __future__ import annotations

import sys

import openai
from opentelemetry.instrumentation.httpx import HTTPX2ClientInstrumentor, HTTPXClientInstrumentor

from agent import tracing
from agent.config import ModelConfig
from agent.errors import DrafterError
from agent.models import DraftOutput, Prompt, ReviewOutput
from agent.outbound_guard import OutboundBlocked, guard_request, verify_request_body
from agent.ports import ModelClient
from connectors.limits import LimitError, LimitsBackend, backend_for


def _check_request(request) -> None:
    """httpx request hook: the body must be one :func:`guard_request` passed."""
    verify_request_body(request.url.path, request.content)


def _trace_attempts(http_client) -> None:
    """One client span per HTTP attempt on ``http_client`` (the official instrumentation for
    its library: the ``openai`` client is built on ``httpx2``, older releases on ``httpx``)."""
    httpx2 = sys.modules.get("httpx2")
    instrumentor = HTTPX2ClientInstrumentor if httpx2 is not None and isinstance(http_client, httpx2.Client) else HTTPXClientInstrumentor
    instrumentor.instrument_client(http_client, tracer_provider=tracing.provider())


class OpenAIModelClient(ModelClient):
    """:class:`agent.ports.ModelClient` for ``ModelConfig``; the API key comes from the env var it names.

    Local endpoints without keys get the placeholder key ``"not-needed"`` (the
    client refuses an empty one). ``limits`` holds the endpoint's shared rate limiter
    (default: the process-wide in-memory backend, :func:`connectors.limits.backend_for`)."""

    provider = "openai"

    def __init__(self, cfg: ModelConfig, *, limits: LimitsBackend | None = None):
        self.cfg = cfg
        self.model = cfg.name
        self.rate = (limits or backend_for(None)).model_limiter(cfg)
        http_client = openai.DefaultHttpxClient(
            event_hooks={"request": [_check_request, self.rate.on_request], "response": [self.rate.on_response]}
        )
        _trace_attempts(http_client)
        self._client = openai.OpenAI(
            api_key=cfg.api_key() or "not-needed",
            base_url=cfg.base_url,
            timeout=cfg.timeout_seconds,
            max_retries=cfg.max_retries,
            http_client=http_client,
        )

    def _chat(self, messages: list[dict], response_format: type):
        """The one place a request leaves: the outbound check, then ``chat.completions.parse``.
        Raises OutboundBlocked (nothing sent) or the client's own errors."""
        return self._client.chat.completions.parse(
            model=self.cfg.name,
            messages=guard_request(messages),
            response_format=response_format,
            temperature=self.cfg.temperature,
        )

    def complete(self, prompt: Prompt) -> tuple[DraftOutput, dict[str, int]]:
        """The structured draft for ``prompt`` and its token counts. Raises DrafterError
        (transient for endpoint faults) or OutboundBlocked (the outbound check refused)."""
        return self._structured(prompt, DraftOutput, "draft")

    def review(self, prompt: Prompt) -> tuple[ReviewOutput, dict[str, int]]:
        """The risk reviewer's structured answer (:class:`agent.models.ReviewOutput`) for a review
        prompt (``agent/risk_reviewer.py``), through the same outbound check and error mapping as
        :meth:`complete`. Raises DrafterError or OutboundBlocked."""
        return self._structured(prompt, ReviewOutput, "review")

    def _structured(self, prompt: Prompt, response_format: type, what: str):
        with tracing.span("model", purpose=what, provider=self.provider, model=self.cfg.name) as span:
            parsed, tokens = self._structured_call(prompt, response_format, what)
            span.set(**tokens)
            return parsed, tokens

    def _structured_call(self, prompt: Prompt, response_format: type, what: str):
        try:
            completion = self._chat([{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}], response_format)
        except OutboundBlocked:
            raise
        except LimitError as exc:  # the rate limiter would wait too long, or its store is down
            raise DrafterError(f"model rate limit: {exc}"[:500]) from exc
        except openai.APIStatusError as exc:
            raise DrafterError(f"model endpoint answered HTTP {exc.status_code}: {exc.message}"[:500]) from exc
        except openai.APIConnectionError as exc:
            raise DrafterError(f"model endpoint unreachable at {self.cfg.base_url}: {exc}") from exc
        except (openai.OpenAIError, ValueError) as exc:  # LengthFinishReasonError, bad JSON, schema mismatch
            raise DrafterError(f"model answer unusable: {type(exc).__name__}: {exc}"[:500], transient=False) from exc
        choice = completion.choices[0] if completion.choices else None
        parsed = choice.message.parsed if choice else None
        if parsed is None:
            refusal = choice.message.refusal if choice else "no choices"
            raise DrafterError(f"model returned no structured {what} (refusal: {refusal!r})", transient=False)
        usage = completion.usage
        tokens = {
            "prompt_tokens": usage.prompt_tokens if usage else 0,
            "completion_tokens": usage.completion_tokens if usage else 0,
        }
        return parsed, tokens

    def close(self) -> None:
        self._client.close()
