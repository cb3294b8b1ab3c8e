"""Writing drafts through the real simple-salesforce: the EmailMessage / CaseComment shapes,
idempotency (look before write, crash between write and our database, ambiguous 503),
field and validation errors that name object, field and message."""

from __future__ import annotations

import pytest
from sf_fake import Fault

from agent.errors import DeliveryError
from agent.models import Address, InboundMessage, ReplyDraft
from connectors.salesforce.errors import SalesforceFieldError, SalesforceQueryError
from connectors.salesforce.source import html_marker


def _draft(key="dg-0123456789abcdef0123456789abcdef", **kw) -> ReplyDraft:
    base = dict(
        idempotency_key=key,
        subject="Re: Invoice question",
        text="Dear Hank,\n\nyour invoice is attached.\n\nSupport",
        html="<p>Dear Hank,</p><p>your invoice is attached.</p><p>Support</p>",
        to=[Address(name="Hank Scorpio", email="hank@globex.example")],
        cc=[Address(email="accounts@globex.example")],
    )
    base.update(kw)
    return ReplyDraft(**base)


@pytest.fixture
def polled(fake, seed, make_source, cursors):
    """A source that has polled one case with one unanswered email, and that message."""

    def _poll(**cfg) -> tuple[object, InboundMessage]:
        case = seed.case()
        seed.email(case)
        src = make_source(**cfg)
        (msg,) = list(src.poll(cursors))
        return src, msg

    return _poll


def _emails(fake, **match):
    return [r for r in fake.org.tables["EmailMessage"].values() if all(r.get(k) == v for k, v in match.items())]


def test_draft_email_message_fields(fake, polled):
    src, msg = polled()
    before = fake.api_calls()
    receipt = src.deliver(msg, _draft())
    assert receipt.created and receipt.target == "salesforce:acme:EmailMessage"
    assert fake.api_calls() - before == 1  # the poll's snapshot served as the look-before-write
    rec = fake.org.tables["EmailMessage"][receipt.ref]
    assert rec["ParentId"] == msg.conversation_id
    assert rec["Status"] == "5" and rec["Incoming"] is False
    assert rec["ReplyToEmailMessageId"] == msg.external_id
    assert rec["Subject"] == "Re: Invoice question"
    assert rec["TextBody"].startswith("Dear Hank,") and "draftguard" not in rec["TextBody"]
    assert rec["HtmlBody"].endswith(html_marker("dg-0123456789abcdef0123456789abcdef"))
    assert rec["ToAddress"] == "hank@globex.example" and rec["CcAddress"] == "accounts@globex.example"
    assert rec["FromAddress"] == "support@ours.example"
    assert rec["Headers"] is None  # Headers describes incoming mail only; never set on a draft


def test_second_deliver_in_same_process_does_not_write(fake, polled):
    src, msg = polled()
    first = src.deliver(msg, _draft())
    calls = fake.api_calls()
    second = src.deliver(msg, _draft())
    assert (second.ref, second.created) == (first.ref, False)
    assert fake.api_calls() == calls
    assert len(_emails(fake, Status="5")) == 1


def test_crash_after_write_then_retry_in_fresh_process_finds_the_draft(fake, polled, make_source, cursors):
    src, msg = polled()
    lost = src.deliver(msg, _draft())  # written in Salesforce; we "crash" before our DB commit
    src.close()
    fresh = make_source()  # a new process: no snapshot, must look it up
    receipt = fresh.deliver(msg, _draft())
    assert (receipt.ref, receipt.created) == (lost.ref, False)
    assert len(_emails(fake, Status="5")) == 1
    assert any("Status = '5'" in q and "ParentId = " in q for q in fake.queries)
    # The next poll (the case changed) sees our draft and does not count it as an answer.
    fake.org.tick()
    fake.org.touch("Case", msg.conversation_id)
    (again,) = list(fresh.poll(cursors))
    assert again.external_id == msg.external_id
    calls = fake.api_calls()
    assert fresh.deliver(again, _draft()).created is False
    assert fake.api_calls() == calls


def test_ambiguous_503_after_the_write_is_retried_without_duplicate(fake, polled):
    src, msg = polled()
    fake.faults.append(Fault("POST", r"/sobjects/EmailMessage/$", status=503, apply_first=True))
    receipt = src.deliver(msg, _draft())
    assert receipt.created is False  # the retry looked first and found the record
    assert len(_emails(fake, Status="5")) == 1
    assert len(fake.calls("POST", "/sobjects/EmailMessage/")) == 1


def test_dropped_connection_is_retried(fake, polled):
    src, msg = polled()
    fake.faults.append(Fault("POST", r"/sobjects/EmailMessage/$", drop=True))
    receipt = src.deliver(msg, _draft())
    assert receipt.created is True
    assert len(_emails(fake, Status="5")) == 1
    assert len(fake.calls("POST", "/sobjects/EmailMessage/")) == 2


def test_persistent_503_is_a_transient_delivery_error(fake, polled):
    src, msg = polled(retry_attempts=3)
    fake.faults.append(Fault("POST", r"/sobjects/EmailMessage/$", status=503, times=10))
    with pytest.raises(DeliveryError) as err:
        src.deliver(msg, _draft())
    assert err.value.transient is True
    assert "503" in str(err.value) and "SERVER_UNAVAILABLE" in str(err.value)
    assert len(fake.calls("POST", "/sobjects/EmailMessage/")) == 3


def test_validation_rule_names_object_field_and_message(fake, polled):
    src, msg = polled()
    fake.org.validation_rules.append(
        lambda obj, rec: ("ToAddress", "Drafts to external domains need a case contact")
        if obj == "EmailMessage" and "globex" in (rec.get("ToAddress") or "")
        else None
    )
    with pytest.raises(SalesforceFieldError) as err:
        src.deliver(msg, _draft())
    e = err.value
    assert e.transient is False
    assert (e.sobject, e.fields, e.code) == ("EmailMessage", ["ToAddress"], "FIELD_CUSTOM_VALIDATION_EXCEPTION")
    assert "EmailMessage" in str(e) and "ToAddress" in str(e) and "need a case contact" in str(e)
    assert len(fake.calls("POST", "/sobjects/EmailMessage/")) == 1  # not retried


def test_unknown_field_names_the_field(fake, polled):
    src, msg = polled()
    src.cfg = src.cfg.model_copy(update={"from_address": None})
    fake.org.readonly_fields.add(("EmailMessage", "ReplyToEmailMessageId"))
    with pytest.raises(SalesforceFieldError) as err:
        src.deliver(msg, _draft())
    assert err.value.fields == ["ReplyToEmailMessageId"] and err.value.code == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_idempotency_field(fake, seed, make_source, cursors):
    src = make_source(idempotency_field="Draftguard_Key__c")
    case = seed.case()
    seed.email(case)
    (msg,) = list(src.poll(cursors))
    r1 = src.deliver(msg, _draft(key="dg-aaaa"))
    assert fake.org.tables["EmailMessage"][r1.ref]["Draftguard_Key__c"] == "dg-aaaa"
    fresh = make_source(idempotency_field="Draftguard_Key__c")
    r2 = fresh.deliver(msg, _draft(key="dg-aaaa"))
    assert (r2.ref, r2.created) == (r1.ref, False)
    assert "Draftguard_Key__c != null" in fake.queries[-1]  # the indexed field, not the bodies


def test_idempotency_field_that_does_not_exist_stops_the_poll_naming_it(fake, seed, make_source, cursors):
    case = seed.case()
    seed.email(case)
    src = make_source(idempotency_field="Missing_Key__c")
    with pytest.raises(SalesforceQueryError) as err:
        list(src.poll(cursors))
    e = err.value
    assert (e.sobject, e.fields, e.code, e.transient) == ("EmailMessage", ["Missing_Key__c"], "INVALID_FIELD", False)
    assert str(e).startswith("salesforce:acme: query on EmailMessage field Missing_Key__c: INVALID_FIELD: No such column")


def test_case_comment_mode(fake, seed, make_source, cursors):
    src = make_source(reply_mode="case_comment")
    case = seed.case()
    seed.email(case)
    (msg,) = list(src.poll(cursors))
    r = src.deliver(msg, _draft())
    rec = fake.org.tables["CaseComment"][r.ref]
    assert r.target == "salesforce:acme:CaseComment"
    assert rec["IsPublished"] is False and rec["ParentId"] == case["Id"]
    assert rec["CommentBody"].startswith("Dear Hank,") and rec["CommentBody"].endswith("[draftguard:dg-0123456789abcdef0123456789abcdef]")
    # crash + fresh process: found by reading the internal comments (textarea cannot be filtered)
    fresh = make_source(reply_mode="case_comment")
    again = fresh.deliver(msg, _draft())
    assert (again.ref, again.created) == (r.ref, False)
    assert len(fake.org.tables["CaseComment"]) == 1
    # the internal comment never shows up in the thread of a later item
    fake.org.tick()
    seed.email(case, "One more thing")
    (later,) = list(fresh.poll(cursors))
    assert all("draftguard" not in t.text and "your invoice is attached" not in t.text for t in later.thread)


def test_case_comment_too_long_is_refused_before_any_call(fake, seed, make_source, cursors):
    src = make_source(reply_mode="case_comment")
    case = seed.case()
    seed.email(case)
    (msg,) = list(src.poll(cursors))
    calls = fake.api_calls()
    with pytest.raises(DeliveryError) as err:
        src.deliver(msg, _draft(text="x" * 4000))
    assert "CommentBody" in str(err.value) and err.value.transient is False
    assert fake.api_calls() == calls


# --- one AI draft per case (issue 8.6) -------------------------------------------------------


def _follow_up(fake, seed, src, cursors, case, text="One more thing: the amount is wrong"):
    fake.org.tick()
    seed.email(case, text)
    (later,) = list(src.poll(cursors))
    return later


@pytest.mark.parametrize("fresh_process", [False, True], ids=["poll-snapshot", "fresh-process"])
def test_follow_up_replaces_our_unedited_draft(fake, seed, make_source, cursors, fresh_process):
    src = make_source()
    case = seed.case()
    seed.email(case)
    (first,) = list(src.poll(cursors))
    old = src.deliver(first, _draft(key="dg-first"))
    later = _follow_up(fake, seed, src, cursors, case)
    if fresh_process:
        src = make_source()
    new = src.deliver(later, _draft(key="dg-second"))
    drafts = _emails(fake, ParentId=case["Id"], Status="5")
    assert [d["Id"] for d in drafts] == [new.ref]
    assert old.ref in fake.org.deleted["EmailMessage"]
    assert drafts[0]["ReplyToEmailMessageId"] == later.external_id


def test_follow_up_keeps_a_draft_a_person_edited(fake, seed, make_source, cursors):
    src = make_source()
    case = seed.case()
    seed.email(case)
    (first,) = list(src.poll(cursors))
    old = src.deliver(first, _draft(key="dg-first"))
    fake.org.tick()
    fake.org.update("EmailMessage", old.ref, {"TextBody": "Dear Hank, I checked this myself."})
    later = _follow_up(fake, seed, src, cursors, case)
    new = src.deliver(later, _draft(key="dg-second"))
    assert {d["Id"] for d in _emails(fake, ParentId=case["Id"], Status="5")} == {old.ref, new.ref}
    assert not fake.org.deleted.get("EmailMessage")


def test_follow_up_replaces_our_internal_comment(fake, seed, make_source, cursors):
    src = make_source(reply_mode="case_comment")
    case = seed.case()
    seed.email(case)
    (first,) = list(src.poll(cursors))
    old = src.deliver(first, _draft(key="dg-first"))
    later = _follow_up(fake, seed, src, cursors, case)
    new = src.deliver(later, _draft(key="dg-second"))
    assert list(fake.org.tables["CaseComment"]) == [new.ref]
    assert old.ref in fake.org.deleted["CaseComment"]


def test_reply_to_each_keeps_one_draft_per_email(fake, seed, make_source, cursors):
    src = make_source(reply_to="each")
    case = seed.case()
    seed.email(case)
    (first,) = list(src.poll(cursors))
    src.deliver(first, _draft(key="dg-first"))
    fake.org.tick()
    seed.email(case, "One more thing: the amount is wrong")
    (later,) = [m for m in src.poll(cursors) if m.external_id != first.external_id]
    src.deliver(later, _draft(key="dg-second"))
    assert len(_emails(fake, ParentId=case["Id"], Status="5")) == 2


def test_superseded_draft_deleted_meanwhile_is_not_an_error(fake, seed, make_source, cursors):
    src = make_source()
    case = seed.case()
    seed.email(case)
    (first,) = list(src.poll(cursors))
    old = src.deliver(first, _draft(key="dg-first"))
    later = _follow_up(fake, seed, src, cursors, case)
    fake.org.delete("EmailMessage", old.ref)  # an agent removed it between our poll and delivery
    new = src.deliver(later, _draft(key="dg-second"))
    assert [d["Id"] for d in _emails(fake, ParentId=case["Id"], Status="5")] == [new.ref]
