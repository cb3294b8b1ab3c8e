"""One ``Retry-After`` parser (connectors/retry_after.py) for every HTTP client of draftguard:
delta-seconds and HTTP-date (RFC 9110 §10.2.3, the three date forms of §5.6.7), checked with
header values as servers send them, and used by the Graph and Teams retry policies."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

NOW = datetime(2015, 10, 21, 7, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),  # RFC 9110 §10.2.3 example
        ("0", 0.0),
        (" 30 ", 30.0),
        ("1.5", 1.5),  # not RFC syntax, but seen from proxies; read as seconds
        ("Wed, 21 Oct 2015 07:28:00 GMT", 480.0),  # IMF-fixdate (RFC 9110 §5.6.7)
        ("Wednesday, 21-Oct-15 07:28:00 GMT", 480.0),  # obsolete RFC 850 form
        ("Wed Oct 21 07:28:00 2015", 480.0),  # obsolete asctime form (UTC by definition)
        ("Fri, 31 Dec 1999 23:59:59 GMT", 0.0),  # RFC 9110 example, in the past: no wait
    ],
)
def test_real_header_values(value, seconds):
    from connectors.retry_after import parse_retry_after

    assert parse_retry_after(value, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "NaN", "nan", "inf", "Infinity", "1e9", "120 seconds", "0x10"])
def test_unusable_values_give_none(value):
    from connectors.retry_after import parse_retry_after

    assert parse_retry_after(value, now=NOW) is None


def test_until_is_an_aware_utc_time():
    from connectors.retry_after import retry_after_until

    assert retry_after_until("90", now=NOW) == NOW + timedelta(seconds=90)
    assert retry_after_until("Wed, 21 Oct 2015 07:28:00 GMT", now=NOW) == NOW + timedelta(minutes=8)
    assert retry_after_until("garbage", now=NOW) is None


def test_every_retry_policy_uses_the_one_parser():
    import connectors.outlook.retry as graph_retry
    import connectors.retry_after as shared
    import connectors.teams.retry as teams_retry

    assert teams_retry.parse_retry_after is shared.parse_retry_after
    assert graph_retry.parse_retry_after is shared.parse_retry_after
    for mod in (graph_retry, teams_retry):
        assert "parsedate_to_datetime" not in vars(mod), f"{mod.__name__} still parses dates itself"


def test_graph_policy_never_sleeps_nan():
    """A ``Retry-After: NaN`` must not become ``time.sleep(nan)`` (ValueError) in the Graph policy."""
    import requests

    from connectors.outlook.retry import RetryPolicy

    resp = requests.Response()
    resp.status_code = 429
    resp.headers["Retry-After"] = "NaN"
    err = requests.HTTPError("429", response=resp)
    slept: list[float] = []
    calls = iter([err, err, "ok"])

    def once():
        v = next(calls)
        if isinstance(v, Exception):
            raise v
        return v

    assert RetryPolicy(max_attempts=3, base_seconds=0.25, sleep=slept.append).call("get", once) == "ok"
    assert all(math.isfinite(s) for s in slept) and slept == [0.25, 0.5]
