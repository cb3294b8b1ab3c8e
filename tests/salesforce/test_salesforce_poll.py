"""Polling through the real simple-salesforce against the fake org: filters, unanswered emails,
context (allow-listed fields, thread, null child relationships), paging, watermark + overlap."""

from __future__ import annotations

import json
from datetime import timedelta

from sf_fake import sf_datetime

from agent.models import InboundMessage
from agent.ports import BadItem
from connectors.salesforce.source import WATERMARK_KEY


def _messages(items):
    return [i for i in items if isinstance(i, InboundMessage)]


def test_poll_yields_unanswered_inbound_email_with_case_context(fake, seed, make_source, cursors):
    case = seed.case("Invoice question")
    seed.email(case, "Hi, I paid last week.\n\nOn Mon, Ann wrote:\n> old stuff", at=fake.org.tick())
    seed.email(case, "Thanks, received.", incoming=False, at=fake.org.tick())
    fake.org.insert("CaseComment", {"ParentId": case["Id"], "CommentBody": "We are checking with billing.", "IsPublished": True})
    fake.org.insert("CaseComment", {"ParentId": case["Id"], "CommentBody": "Internal: customer is on credit hold", "IsPublished": False})
    fake.org.tick()
    latest = seed.email(
        case,
        "",
        html="<html><body><p>Where is my <b>invoice</b> for May?</p><ul><li>ref 4711</li></ul></body></html>",
        headers="Auto-Submitted: no\nX-Mailer: Outlook\nMessage-ID: <m3@globex.example>\n",
    )
    src = make_source()
    (msg,) = _messages(src.poll(cursors))

    assert msg.source == "salesforce:acme"
    assert msg.external_id == latest["Id"]
    assert msg.conversation_id == case["Id"]
    assert msg.sender.email == "hank@globex.example" and msg.sender.name == "Hank Scorpio"
    # HTML-only body converted to text (inscriptis), HTML kept
    assert "Where is my invoice for May?" in msg.text_body and "ref 4711" in msg.text_body
    assert msg.content_type == "text/html" and "<b>invoice</b>" in msg.html_body
    # allow-listed fields only, plus account and contact names; never the internal notes field
    assert msg.crm_fields == {
        "CaseNumber": case["CaseNumber"],
        "Subject": "Invoice question",
        "Status": "New",
        "Priority": "Medium",
        "Product__c": "Widget Pro",
        "Account.Name": "Globex Corporation",
        "Contact.Name": "Hank Scorpio",
    }
    assert "VIP" not in json.dumps(msg.model_dump(mode="json"))
    # thread: earlier emails (quote stripped) and the public comment, oldest first; no internal comment
    texts = [t.text for t in msg.thread]
    assert texts == ["Hi, I paid last week.", "Thanks, received.", "We are checking with billing."]
    assert [t.from_us for t in msg.thread] == [False, True, True]
    assert "credit hold" not in json.dumps(msg.model_dump(mode="json"))
    assert msg.headers == {"auto-submitted": "no"}
    assert msg.link == f"https://{fake.domain}/lightning/r/Case/{case['Id']}/view"
    assert msg.received_at is not None


def test_filters_queue_record_type_status_are_applied_by_salesforce(fake, seed, make_source, cursors):
    wanted = seed.case("in queue")
    seed.email(wanted)
    other_queue = seed.case("sales queue", queue=seed.other_queue)
    seed.email(other_queue)
    billing = seed.case("billing record type", record_type=seed.rt_billing)
    seed.email(billing)
    closed = seed.case("closed", status="Closed")
    seed.email(closed)
    src = make_source(record_types=["Support"], statuses=["New", "Working"])
    msgs = _messages(src.poll(cursors))
    assert [m.conversation_id for m in msgs] == [wanted["Id"]]
    (q,) = fake.queries
    assert "OwnerId IN (SELECT Id FROM Group WHERE Type = 'Queue' AND DeveloperName IN ('Support_EN'))" in q
    assert "RecordType.DeveloperName IN ('Support')" in q and "Status IN ('New','Working')" in q


def test_answered_and_empty_cases_yield_nothing_and_null_children_are_fine(fake, seed, make_source, cursors):
    seed.case("no email, no comment at all")  # EmailMessages and CaseComments are null
    answered = seed.case("answered")
    seed.email(answered)
    seed.email(answered, "Here is your invoice.", incoming=False)
    replied = seed.case("inbound marked Replied")
    seed.email(replied, status="2")
    human_draft = seed.case("a person is already drafting")
    seed.email(human_draft)
    seed.email(human_draft, "draft by Maria", incoming=False, status="5")
    only_outgoing = seed.case("only our outbound")
    seed.email(only_outgoing, "Welcome!", incoming=False)
    src = make_source()
    assert list(src.poll(cursors)) == []
    assert fake.api_calls() == 1


def test_latest_unanswered_by_default_each_when_configured(fake, seed, make_source, cursors):
    case = seed.case()
    first = seed.email(case, "First question")
    second = seed.email(case, "Second question")
    (msg,) = _messages(make_source().poll(cursors))
    assert msg.external_id == second["Id"]
    assert [t.text for t in msg.thread] == ["First question"]
    every = _messages(make_source(name="each", reply_to="each").poll(cursors))
    assert [m.external_id for m in every] == [second["Id"], first["Id"]]


def test_unreadable_email_becomes_bad_item(fake, seed, make_source, cursors):
    case = seed.case()
    bad = seed.email(case, from_address="")
    (item,) = list(make_source().poll(cursors))
    assert isinstance(item, BadItem)
    assert item.external_id == bad["Id"] and "no FromAddress" in item.error


def test_paging_follows_next_records_url(fake, seed, make_source, cursors):
    fake.batch_size = 3
    cases = [seed.case(f"case {i}") for i in range(8)]
    for c in cases:
        seed.email(c)
    msgs = _messages(make_source().poll(cursors))
    assert sorted(m.conversation_id for m in msgs) == sorted(c["Id"] for c in cases)
    pages = fake.calls("GET", "/query/")
    assert len(pages) == 3  # 3 + 3 + 2 records
    assert pages[1][1].startswith("/services/data/v59.0/query/01gDg") and pages[1][1].endswith("-3")


def test_watermark_overlap_and_dedupe(fake, seed, make_source, cursors):
    src = make_source(overlap_seconds=300)
    a = seed.case("A")
    a_mail = seed.email(a)
    assert len(_messages(src.poll(cursors))) == 1
    state = json.loads(cursors.get("salesforce:acme", WATERMARK_KEY))
    # the change stamp is the newest of the case's and its inbound emails' SystemModstamp
    assert state["seen"] == {a["Id"]: a_mail["SystemModstamp"]}
    watermark = a_mail["SystemModstamp"]

    # Idle poll: one query, nothing handed on twice (same Id + SystemModstamp is skipped).
    before = fake.api_calls()
    assert list(src.poll(cursors)) == []
    assert fake.api_calls() - before == 1

    # A change committed late, stamped 2 minutes before the watermark: inside the overlap, found.
    late_stamp = fake.org.now - timedelta(minutes=2)
    b = seed.case("B late commit")
    seed.email(b, at=late_stamp, touch_case=False)
    fake.org.tables["Case"][b["Id"]]["SystemModstamp"] = sf_datetime(late_stamp)
    # One stamped 10 minutes before the watermark: outside the 5-minute window.
    old_stamp = fake.org.now - timedelta(minutes=10)
    c = seed.case("C too late")
    seed.email(c, at=old_stamp, touch_case=False)
    fake.org.tables["Case"][c["Id"]]["SystemModstamp"] = sf_datetime(old_stamp)

    msgs = _messages(src.poll(cursors))
    assert [m.conversation_id for m in msgs] == [b["Id"]]
    q = fake.queries[-1]
    assert "SystemModstamp >= " in q  # watermark minus overlap, ordered by SystemModstamp
    assert q.endswith("ORDER BY SystemModstamp ASC, Id ASC")
    # the watermark never moves backwards
    assert json.loads(cursors.get("salesforce:acme", WATERMARK_KEY))["watermark"].startswith(watermark[:19])

    # A later change on A (new SystemModstamp) is looked at again; its email is still unanswered.
    fake.org.tick()
    fake.org.touch("Case", a["Id"], Priority="High")
    again = _messages(src.poll(cursors))
    assert [m.conversation_id for m in again] == [a["Id"]]


def test_first_poll_starts_at_initial_lookback(fake, seed, make_source, cursors):
    old = seed.case("ancient")
    seed.email(old, at=fake.org.now - timedelta(hours=30), touch_case=False)
    fake.org.tables["Case"][old["Id"]]["SystemModstamp"] = sf_datetime(fake.org.now - timedelta(hours=30))
    recent = seed.case("recent")
    seed.email(recent)
    msgs = _messages(make_source(initial_lookback_hours=24).poll(cursors))
    assert [m.conversation_id for m in msgs] == [recent["Id"]]


def test_fetch_rereads_one_email_with_one_query(fake, seed, make_source, cursors):
    case = seed.case()
    seed.email(case, "earlier")
    mail = seed.email(case, "the question")
    src = make_source()
    msg = src.fetch(mail["Id"])
    assert msg.external_id == mail["Id"] and msg.text_body == "the question"
    assert [t.text for t in msg.thread] == ["earlier"]
    assert fake.api_calls() == 1
    assert "Id IN (SELECT ParentId FROM EmailMessage WHERE Id = " in fake.queries[-1]


def test_paged_child_relationship_is_completed_before_the_next_parent_page(fake, seed, make_source, cursors):
    fake.batch_size = 2
    fake.org.child_batch_size = 4
    long_case = seed.case("long thread")
    for i in range(8):
        seed.email(long_case, f"message {i}", incoming=i % 2 == 0)
    last = seed.email(long_case, "latest question")
    others = [seed.case(f"other {i}") for i in range(3)]
    for c in others:
        seed.email(c)
    msgs = {m.conversation_id: m for m in _messages(make_source().poll(cursors))}
    assert msgs[long_case["Id"]].external_id == last["Id"]
    assert [t.text for t in msgs[long_case["Id"]].thread] == [f"message {i}" for i in range(8)]
    assert set(msgs) == {long_case["Id"], *(c["Id"] for c in others)}
    # order of requests: parent page 1, its child continuation, then parent page 2, ...
    paths = [p for m, p in fake.requests if "/query/" in p][1:]
    locators = [p.rsplit("/", 1)[1].rsplit("-", 1)[0] for p in paths]
    child, parent = locators[0], locators[-1]
    assert child != parent and paths[0].endswith("-4")
    assert max(i for i, loc in enumerate(locators) if loc == child) < min(i for i, loc in enumerate(locators) if loc == parent)


def test_follow_up_email_on_an_unchanged_case_is_picked_up(fake, seed, make_source, cursors):
    """Email-to-Case does not promise to bump the case's SystemModstamp when a follow-up
    arrives (the fake does not bump it either): the new inbound email itself must be seen."""
    case = seed.case("Invoice question")
    first = seed.email(case, "Where is my invoice?")
    other = seed.case("Unrelated")
    seed.email(other, "Something else")
    src = make_source()
    assert first["Id"] in {m.external_id for m in _messages(src.poll(cursors))}
    case_stamp = fake.org.tables["Case"][case["Id"]]["SystemModstamp"]

    fake.org.tick(60)
    follow_up = seed.email(case, "Sorry, one more thing: the PO number is 4711.")
    assert fake.org.tables["Case"][case["Id"]]["SystemModstamp"] == case_stamp  # the case did not change
    before = fake.api_calls()
    (msg,) = _messages(src.poll(cursors))
    assert msg.external_id == follow_up["Id"] and msg.conversation_id == case["Id"]
    assert [t.text for t in msg.thread] == ["Where is my invoice?"]
    assert fake.api_calls() - before == 1  # still one query per poll

    # handed on once: the next (idle) poll is one call and yields nothing
    before = fake.api_calls()
    assert list(src.poll(cursors)) == []
    assert fake.api_calls() - before == 1

    # an outgoing email or a new comment does not make the case come back
    fake.org.tick()
    seed.email(case, "Thanks, noted.", incoming=False)
    assert list(src.poll(cursors)) == []


def test_follow_up_committed_late_inside_the_overlap_is_found(fake, seed, make_source, cursors):
    src = make_source(overlap_seconds=300)
    case = seed.case()
    seed.email(case, "first")
    other = seed.case("moves the watermark")
    fake.org.tick(600)
    seed.email(other, "later mail")
    assert len(_messages(src.poll(cursors))) == 2
    # an email on the first case, committed late with a stamp 2 minutes before the watermark
    late = seed.email(case, "late follow-up", at=fake.org.now - timedelta(minutes=2))
    (msg,) = _messages(src.poll(cursors))
    assert msg.external_id == late["Id"]
