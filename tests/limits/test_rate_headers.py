"""What one answer's headers ask every caller to wait (connectors/limits/rate_headers.py), and the
token estimate charged before a request leaves."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from connectors.limits.model_rate import COMPLETION_ALLOWANCE_TOKENS, estimate_tokens, used_tokens
from connectors.limits.rate_headers import DEFAULT_429_PAUSE_SECONDS, parse_reset, pause_seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1m30.5s", 90.5), ("1h2m3s", 3723.0), ("7", 7.0), ("0.25", 0.25)],
)
def test_reset_durations(value, seconds):
    assert parse_reset(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [None, "", "-1", "soon", "1x", "s", "1s2", "ms1", "1e9"])
def test_unusable_resets(value):
    assert parse_reset(value) is None


def test_429_prefers_retry_after_ms_then_retry_after_then_resets():
    h = httpx.Headers
    assert pause_seconds(429, h({"retry-after-ms": "1500", "retry-after": "9"})) == 1.5
    assert pause_seconds(429, h({"retry-after": "9", "x-ratelimit-reset-requests": "30s"})) == 9.0
    when = datetime.now(UTC) + timedelta(seconds=120)
    assert 100 < pause_seconds(429, h({"retry-after": format_datetime(when, usegmt=True)})) <= 120
    # the budget at 0 decides, not the longer reset of the other one
    assert pause_seconds(429, h({"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s",
                                 "x-ratelimit-remaining-tokens": "5000", "x-ratelimit-reset-tokens": "40s"})) == 2.0
    assert pause_seconds(429, h({"x-ratelimit-reset-requests": "2s", "x-ratelimit-reset-tokens": "40s"})) == 40.0
    assert pause_seconds(429, h({})) == DEFAULT_429_PAUSE_SECONDS


def test_other_answers_pause_only_for_a_budget_at_zero():
    h = httpx.Headers
    assert pause_seconds(200, h({"x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "1m0s"})) == 60.0
    assert pause_seconds(200, h({"x-ratelimit-remaining-tokens": "10", "x-ratelimit-reset-tokens": "1m0s"})) is None
    assert pause_seconds(200, h({"x-ratelimit-remaining-tokens": "-1", "x-ratelimit-reset-tokens": "0"})) is None  # Azure: unknown
    assert pause_seconds(503, h({"retry-after": "30"})) is None  # the client's own retry handles it


def test_estimate_counts_messages_schema_and_the_completion():
    body = {"model": "m", "messages": [{"role": "system", "content": "a" * 400}, {"role": "user", "content": "b" * 800}],
            "response_format": {"type": "json_schema"}}
    schema_chars = len(json.dumps(body["response_format"]))
    expected = -(-(1200 + schema_chars) // 4) + 4 * 3 + COMPLETION_ALLOWANCE_TOKENS
    assert estimate_tokens(json.dumps(body).encode()) == expected
    body["max_tokens"] = 50
    assert estimate_tokens(json.dumps(body).encode()) == expected - COMPLETION_ALLOWANCE_TOKENS + 50
    # non-ASCII text counts characters, not the JSON escapes of the body
    umlauts = {"messages": [{"role": "user", "content": "ä" * 400}]}
    assert estimate_tokens(json.dumps(umlauts).encode()) == 100 + 4 * 2 + COMPLETION_ALLOWANCE_TOKENS


def test_used_tokens_reads_usage():
    assert used_tokens(b'{"usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}}') == 12
    assert used_tokens(b'{"usage": {"prompt_tokens": 5, "completion_tokens": 7}}') == 12
    assert used_tokens(b'{"choices": []}') is None  # no usage reported: nothing to settle
    assert used_tokens(b"not json") is None
