"""The prompt's token budget (issue 14): counted offline with the model's encoding, thread history
cut oldest first, snippets lowest-ranked first, what was cut recorded on the draft."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from agent import token_budget
from agent.models import KnowledgeSnippet, RedactedContext, ThreadMessage
from agent.prompts import render_within_budget
from agent.token_budget import clear_encodings, count_tokens, encoding, encoding_name_for, prompt_tokens
from tests.unit.fakes import message


def test_counting_is_offline_and_matches_the_published_encodings(monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("the tokenizer tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    clear_encodings()
    assert encoding("o200k_base").encode("hello world") == [24912, 2375]  # o200k_base ids, as tiktoken publishes them
    assert encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert encoding_name_for("gpt-4o-mini") == "o200k_base" and encoding_name_for("gpt-4") == "cl100k_base"
    assert count_tokens("Grüße aus München", "gpt-4o-mini") == len(encoding("o200k_base").encode_ordinary("Grüße aus München"))


def test_threads_asking_together_build_the_encoding_once(monkeypatch):
    builds: list[str] = []
    real_build = token_budget._build_encoding

    def slow_build(name):  # a slow first build: every thread asks while it runs
        builds.append(name)
        time.sleep(0.3)
        return real_build(name)

    monkeypatch.setattr(token_budget, "_build_encoding", slow_build)
    clear_encodings()
    barrier = threading.Barrier(8)
    got: list = []
    errors: list[BaseException] = []

    def ask():
        barrier.wait()
        try:
            got.append(encoding("cl100k_base"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert builds == ["cl100k_base"]  # one build for eight threads
    assert len(got) == 8 and all(e is got[0] for e in got)
    assert got[0].encode("hello world") == [15339, 1917]
    assert encoding("cl100k_base") is got[0] and builds == ["cl100k_base"]  # later calls reuse it
    with pytest.raises(KeyError):
        encoding("no_such_encoding")


def _ctx(n: int) -> RedactedContext:
    thread = [f"Message {i}: <PERSON_1> asked again about the statement for account review number {i} and the March valuation." for i in range(n)]
    snippets = [KnowledgeSnippet(id=f"KB-a{i}#1", article_id=f"a{i}", title=f"Article {i}", text="Statements are published monthly. " * 30, score=10 - i) for i in range(3)]
    return RedactedContext(subject="Statement", sender_name="<PERSON_1>", latest_text="Where is my March statement? " * 5, thread=thread, snippets=snippets)


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4"])
def test_the_budget_holds_for_a_300_message_thread_and_the_cut_is_oldest_first(model):
    ctx = _ctx(300)
    prompt, report = render_within_budget("reply/v2", ctx, organisation="Northwind", signature="", link_domains=[], model=model, budget=3000, reserve=800)
    assert prompt_tokens(prompt, model) <= 3000 - 800 == report.budget - report.reserve
    assert report.used == prompt_tokens(prompt, model)
    assert report.thread_total == 300 and 0 < report.thread_kept < 300 and report.thread_cut == 300 - report.thread_kept
    kept_first = 300 - report.thread_kept
    assert f"Message {299}:" in prompt.user and f"Message {kept_first}:" in prompt.user  # the newest are kept
    assert f"Message {kept_first - 1}:" not in prompt.user  # everything older is cut
    assert f"{report.thread_cut} older message(s) left out" in prompt.user
    assert "[KB-a0#1]" in prompt.user  # the best snippet stays
    assert "Where is my March statement?" in prompt.user


def test_snippets_are_cut_lowest_ranked_first_and_the_latest_text_last():
    ctx = _ctx(0)
    prompt, report = render_within_budget("reply/v2", ctx, organisation="Northwind", signature="", link_domains=[], model="gpt-4o-mini", budget=1500, reserve=600)
    assert "KB-a2#1" in report.snippets_cut and "KB-a0#1" not in report.snippets_cut
    assert report.used <= 900 and not report.latest_truncated
    huge = ctx.model_copy(update={"latest_text": "Please explain every line of my statement. " * 400, "snippets": []})
    prompt, report = render_within_budget("reply/v2", huge, organisation="Northwind", signature="", link_domains=[], model="gpt-4o-mini", budget=1500, reserve=600)
    assert report.latest_truncated and report.used <= 900 and prompt.user.count("Please explain") < 400


def test_the_pipeline_records_the_budget_and_the_cut_of_a_300_message_thread(make_pipeline):
    thread = [ThreadMessage(text=f"Message {i} about the March statement.", from_us=i % 2 == 1) for i in range(300)]
    p = make_pipeline(drafting={"thread_messages": 300, "token_budgets": {"gpt-4o-mini": 1800}, "reply_reserve_tokens": 600})
    a = p.analyse(message(text="Where is my March statement? I asked before.", thread=thread))
    b = a.grounding["budget"]
    assert b["budget"] == 1800 and b["used"] <= 1200 and b["thread_total"] == 300 and b["thread_cut"] > 0
    assert prompt_tokens(a.prompt, "gpt-4o-mini") == b["used"]
    assert "Message 299 about" in a.prompt.user and "Message 0 about" not in a.prompt.user
