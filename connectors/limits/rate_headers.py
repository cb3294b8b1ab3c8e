"""How long a model endpoint asks every caller to wait, read from one response's headers.

Sources of the headers:

* ``Retry-After`` (RFC 9110 §10.2.3, parsed by :func:`connectors.retry_after.parse_retry_after`)
  and ``retry-after-ms`` (milliseconds; sent by OpenAI and Azure OpenAI, and read first by the
  ``openai`` client itself, ``openai._base_client._parse_retry_after_header``);
* OpenAI's rate-limit headers (https://platform.openai.com/docs/guides/rate-limits, "Rate limits
  in headers"): ``x-ratelimit-remaining-requests`` / ``-tokens`` (what is left) and
  ``x-ratelimit-reset-requests`` / ``-tokens``, the time until that budget is back to full, as a
  Go-style duration (``"1s"``, ``"6m0s"``, ``"20ms"``, ``"1m30.5s"``) or, from Azure OpenAI, plain
  seconds (``"7"``). Negative values (Azure sends ``-1`` when a figure is unknown) are ignored.

Rules (:func:`pause_seconds`):

* a 429 waits ``retry-after-ms``, else ``Retry-After``, else the reset of the budget that is at 0
  (both when both are, the longer), else the longer of the two resets, else
  :data:`DEFAULT_429_PAUSE_SECONDS`;
* any other answer waits only when it says a budget is at 0 (``x-ratelimit-remaining-* = 0``):
  until that budget's reset. Otherwise no pause (``None``).

Headers come from the configured endpoint but are still treated as untrusted input: anything
unparsable gives no value, and callers cap what they wait (``[limits] max_wait_seconds``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from connectors.retry_after import parse_retry_after

#: Pause after a 429 that names no time at all: one second, then the client's own backoff.
DEFAULT_429_PAUSE_SECONDS = 1.0

_PART = re.compile(r"(\d{1,9}(?:\.\d{1,9})?)(ms|h|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_PLAIN = re.compile(r"\d{1,9}(?:\.\d{1,9})?")


def parse_reset(value: str | None) -> float | None:
    """Seconds from an ``x-ratelimit-reset-*`` value (``"6m0s"`` → 360.0, ``"20ms"`` → 0.02,
    ``"7"`` → 7.0), or ``None`` when absent, negative or malformed."""
    if value is None:
        return None
    text = value.strip().lower()
    if not text:
        return None
    if _PLAIN.fullmatch(text):
        return float(text)
    total, pos = 0.0, 0
    for m in _PART.finditer(text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    return total if pos == len(text) and math.isfinite(total) else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict with other casing
        for k, v in headers.items():
            if k.lower() == name:
                return v
    return value


def _exhausted(headers: Mapping[str, str], kind: str) -> bool:
    value = _header(headers, f"x-ratelimit-remaining-{kind}")
    try:
        return value is not None and float(value.strip()) == 0
    except ValueError:
        return False


def pause_seconds(status: int, headers: Mapping[str, str]) -> float | None:
    """Seconds every caller of the endpoint should wait after an answer with ``status`` and
    ``headers`` (case-insensitive mapping, e.g. ``httpx.Headers``), or ``None`` for no pause.
    See the module docstring for the rules."""
    resets = {k: parse_reset(_header(headers, f"x-ratelimit-reset-{k}")) for k in ("requests", "tokens")}
    at_zero = [resets[k] for k in resets if resets[k] is not None and _exhausted(headers, k)]
    if status != 429:
        return max(at_zero) if at_zero else None
    ms = _header(headers, "retry-after-ms")
    if ms is not None and _PLAIN.fullmatch(ms.strip()):
        return float(ms.strip()) / 1000.0
    retry_after = parse_retry_after(_header(headers, "retry-after"))
    if retry_after is not None:
        return retry_after
    if at_zero:
        return max(at_zero)
    known = [v for v in resets.values() if v is not None]
    return max(known) if known else DEFAULT_429_PAUSE_SECONDS
