"""API limits (Sforce-Limit-Info, REQUEST_LIMIT_EXCEEDED pauses polling) and case actions
(field updates, owner queue, Chatter post) through the real simple-salesforce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.errors import DeliveryError, SourceThrottledError
from connectors.salesforce.errors import SalesforceFieldError, SalesforceLimitExceeded
from connectors.salesforce.limits import PAUSE_CURSOR_KEY, ApiUsage, parse_limit_info


def test_parse_limit_info():
    assert parse_limit_info("api-usage=18/5000") == ApiUsage(18, 5000)
    u = parse_limit_info("api-usage=25/5000; per-app-api-usage=17/250(appName=draftguard)")
    assert (u.used, u.total, u.app_used, u.app_total, u.app_name, u.remaining) == (25, 5000, 17, 250, "draftguard", 4975)
    assert parse_limit_info("per-app-api-usage=1/2(appName=x)") is None
    assert parse_limit_info(None) is None and parse_limit_info("") is None
    assert ApiUsage(6000, 5000).remaining == 0


def test_usage_header_is_tracked(fake, seed, make_source, cursors):
    seed.email(seed.case())
    src = make_source()
    list(src.poll(cursors))
    assert src.client.tracker.last == ApiUsage(fake.api_used, fake.api_limit)
    assert src.client.tracker.snapshot() == (1, 1)  # one API call, one token request


def _sensible_until(until, seconds):
    """``until`` is aware UTC and about ``seconds`` from now."""
    assert until.tzinfo is not None and until.utcoffset() == timedelta(0)
    left = until - datetime.now(UTC)
    assert timedelta(seconds=seconds - 60) < left <= timedelta(seconds=seconds)


def test_request_limit_exceeded_pauses_polling_and_says_so(fake, seed, make_source, cursors):
    seed.email(seed.case())
    src = make_source(limit_pause_seconds=3600)
    fake.api_limit = 0
    with pytest.raises(SourceThrottledError) as err:
        list(src.poll(cursors))
    assert isinstance(err.value, SalesforceLimitExceeded)
    _sensible_until(err.value.until, 3600)
    assert str(err.value).startswith("salesforce:acme: REQUEST_LIMIT_EXCEEDED (TotalRequests Limit exceeded.): paused until ")
    assert str(err.value).count("salesforce:acme") == 1
    until = datetime.fromisoformat(cursors.get("salesforce:acme", PAUSE_CURSOR_KEY))
    assert until == err.value.until

    # While paused: nothing is sent at all, and every poll says so (same end time), also
    # in a restarted process (the pause is a cursor).
    requests_before = len(fake.requests)
    fake.api_limit = 15000
    for source in (src, make_source()):
        with pytest.raises(SourceThrottledError) as again:
            list(source.poll(cursors))
        assert again.value.until == until
        assert "paused until" in str(again.value) and "REQUEST_LIMIT_EXCEEDED" in str(again.value)
    assert len(fake.requests) == requests_before

    # Once the pause has passed, polling resumes and the pause cursor is cleared.
    cursors.set("salesforce:acme", PAUSE_CURSOR_KEY, (datetime.now(UTC) - timedelta(seconds=1)).isoformat())
    assert len(list(src.poll(cursors))) == 1
    assert cursors.get("salesforce:acme", PAUSE_CURSOR_KEY) is None


def _draft():
    from agent.models import Address, ReplyDraft

    return ReplyDraft(idempotency_key="dg-1", subject="Re", text="t", html="<p>t</p>", to=[Address(email="hank@globex.example")])


def test_limit_hit_during_delivery_raises_throttled_and_pauses_the_source(fake, seed, make_source, cursors):
    case = seed.case()
    seed.email(case)
    src = make_source(limit_pause_seconds=900)
    (msg,) = list(src.poll(cursors))
    fake.api_limit = fake.api_used  # the next call is refused with 403 REQUEST_LIMIT_EXCEEDED
    with pytest.raises(SourceThrottledError) as err:
        src.deliver(msg, _draft())
    _sensible_until(err.value.until, 900)
    assert not [r for r in fake.org.tables["EmailMessage"].values() if r["Status"] == "5"]
    # the poll pauses too (stored in the cursors the source polled with), without a request
    assert datetime.fromisoformat(cursors.get("salesforce:acme", PAUSE_CURSOR_KEY)) == err.value.until
    sent = len(fake.requests)
    fake.api_limit = 15000
    with pytest.raises(SourceThrottledError):
        src.deliver(msg, _draft())
    with pytest.raises(SourceThrottledError):
        list(src.poll(cursors))
    assert len(fake.requests) == sent


@pytest.mark.parametrize("step", ["fetch", "case_actions"])
def test_limit_hit_in_fetch_or_case_actions_raises_throttled(fake, seed, make_source, cursors, step):
    case = seed.case()
    mail = seed.email(case)
    src = make_source(limit_pause_seconds=600)  # a fresh process: no poll yet, pause kept in memory
    fake.api_limit = fake.api_used
    with pytest.raises(SourceThrottledError) as err:
        if step == "fetch":
            src.fetch(mail["Id"])
        else:
            from agent.models import Address, InboundMessage

            msg = InboundMessage(
                source="salesforce:acme", external_id=mail["Id"], conversation_id=case["Id"], subject="s",
                sender=Address(email="hank@globex.example"), text_body="b",
            )
            src.apply_case_actions(msg, {"Priority": "High"})
    _sensible_until(err.value.until, 600)
    assert fake.org.tables["Case"][case["Id"]]["Priority"] == "Medium"
    # the first poll of this process takes the pause over into the cursor store, sends nothing
    sent = len(fake.requests)
    fake.api_limit = 15000
    with pytest.raises(SourceThrottledError) as polled:
        list(src.poll(cursors))
    assert polled.value.until == err.value.until
    assert datetime.fromisoformat(cursors.get("salesforce:acme", PAUSE_CURSOR_KEY)) == err.value.until
    assert len(fake.requests) == sent


def test_reserve_keeps_calls_for_others(fake, seed, make_source, cursors):
    seed.email(seed.case())
    src = make_source(reserve_api_calls=5)
    fake.api_limit = fake.api_used + 6
    assert len(list(src.poll(cursors))) == 1  # 1 call: used = limit - 5 afterwards
    before = len(fake.requests)
    with pytest.raises(SourceThrottledError, match=r"only 5 daily API calls left \(reserve_api_calls = 5\)") as err:
        list(src.poll(cursors))
    _sensible_until(err.value.until, 3600)
    assert len(fake.requests) == before
    assert cursors.get("salesforce:acme", PAUSE_CURSOR_KEY)


@pytest.fixture
def escalated(fake, seed, make_source, cursors):
    case = seed.case()
    seed.email(case)
    src = make_source()
    (msg,) = list(src.poll(cursors))
    return src, msg, case


def test_field_updates_and_owner_queue_in_one_patch(fake, seed, escalated):
    src, msg, case = escalated
    before = fake.api_calls()
    done = src.apply_case_actions(msg, {"Priority": "High", "owner_queue": "Escalations", "Needs_Review__c": "true", "Status": "Escalated"})
    rec = fake.org.tables["Case"][case["Id"]]
    assert (rec["Priority"], rec["OwnerId"], rec["Needs_Review__c"], rec["Status"]) == ("High", seed.escalations["Id"], True, "Escalated")
    assert done == ["Case.Priority=High", "Case.OwnerId=queue:Escalations", "Case.Needs_Review__c=true", "Case.Status=Escalated"]
    assert fake.api_calls() - before == 2  # queue lookup + one PATCH
    assert len(fake.calls("PATCH", f"/sobjects/Case/{case['Id']}")) == 1
    src.apply_case_actions(msg, {"owner_queue": "Escalations"})
    assert fake.api_calls() - before == 3  # queue Id cached


def test_chatter_post_is_made_once(fake, escalated):
    src, msg, case = escalated
    done = src.apply_case_actions(msg, {"chatter_post": "Escalated by draftguard: legal wording in the request."})
    posts = list(fake.org.tables["FeedItem"].values())
    assert len(posts) == 1 and posts[0]["ParentId"] == case["Id"] and posts[0]["Type"] == "TextPost"
    assert posts[0]["Body"].startswith("Escalated by draftguard")
    assert done == [f"FeedItem:{posts[0]['Id']}"]
    again = src.apply_case_actions(msg, {"chatter_post": "Escalated by draftguard: legal wording in the request."})
    assert len(fake.org.tables["FeedItem"]) == 1 and again == [f"FeedItem:{posts[0]['Id']} (existing)"]


def test_restricted_picklist_error_names_object_field_message(fake, escalated):
    src, msg, case = escalated
    with pytest.raises(SalesforceFieldError) as err:
        src.apply_case_actions(msg, {"Priority": "Urgentest"})
    e = err.value
    assert (e.sobject, e.fields, e.code, e.transient) == ("Case", ["Priority"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", False)
    assert case["Id"] in str(e) and "bad value for restricted picklist field: Urgentest" in str(e)


def test_validation_rule_without_field_still_names_object_and_message(fake, escalated):
    src, msg, case = escalated
    fake.org.validation_rules.append(lambda obj, rec: (None, "Escalated cases need a reason") if obj == "Case" and rec.get("Status") == "Escalated" else None)
    with pytest.raises(SalesforceFieldError) as err:
        src.apply_case_actions(msg, {"Status": "Escalated"})
    assert err.value.code == "FIELD_CUSTOM_VALIDATION_EXCEPTION" and err.value.fields == []
    assert str(err.value).endswith(f"Case {case['Id']}: FIELD_CUSTOM_VALIDATION_EXCEPTION: Escalated cases need a reason")


def test_unknown_queue_and_bad_field_name(fake, escalated):
    src, msg, _ = escalated
    with pytest.raises(DeliveryError, match="no queue with DeveloperName 'Nope'"):
        src.apply_case_actions(msg, {"owner_queue": "Nope"})
    with pytest.raises(DeliveryError, match="not a Salesforce field name"):
        src.apply_case_actions(msg, {"Priority = 'x' OR Id": "y"})
