"""Count the Microsoft Graph and Entra requests the Outlook connector makes, through the real pipeline.

Usage (from the repository root)::

    .venv/bin/python benchmarks/outlook_requests.py [--messages 200] [--page-size 50]

Runs the local Graph and Entra fakes of ``tests/outlook/graph_fake.py`` (HTTPS with a
``trustme`` CA, the real ``O365``/``msal`` clients), a SQLite database in a temporary folder,
the template drafter, and ``jobs.bootstrap`` + ``agent.pipeline`` exactly as ``main.py run``
does. Every HTTP request to either server counts: delta pages, Sent Items, thread queries,
the look-before-create query, createReply, PATCH, token and OpenID discovery calls.

Scenarios (goals from issue 3):

1. a mailbox with N new messages, each starting a conversation: requests per drafted
   message (goal: at most 3, paging and token calls included);
2. N new client messages that each answer an earlier conversation: (a) after our earlier
   drafts were sent, (b) while they still sit unedited in Drafts, so each is replaced
   (one AI draft per conversation costs one DELETE): requests per drafted message;
3. an idle poll of an unchanged mailbox, in the same process and in a fresh process (token
   cached in the database): requests per poll (goal: 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trustme  # noqa: E402

from agent.config import load_config  # noqa: E402
from jobs.bootstrap import bootstrap  # noqa: E402
from tests.outlook.graph_fake import FakeEntra, FakeGraph  # noqa: E402
from tests.outlook.pipeline_kit import write_outlook_config  # noqa: E402

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SECRET = "bench-secret"
MAILBOX = "support@contoso.example"
TOPICS = ["opening hours", "the invoice address", "a meeting next week", "the brochure", "parking at the office",
          "the newsletter settings", "a copy of the terms", "the delivery date", "the contact person", "the portal login"]


def body(i: int) -> str:
    return (f"<html><body><p>Hello,</p><p>could you tell me more about {TOPICS[i % len(TOPICS)]} (request {i})?</p>"
            "<p>Thank you,<br>Jane</p></body></html>")


class Meter:
    """Counts requests to both fakes between ``start()`` and ``stop()``."""

    def __init__(self, graph: FakeGraph, entra: FakeEntra):
        self.graph, self.entra = graph, entra

    def start(self) -> None:
        self.g0, self.e0 = len(self.graph.log), len(self.entra.requests)

    def stop(self) -> tuple[int, Counter]:
        kinds: Counter = Counter()
        for r in self.graph.log[self.g0:]:
            p = r.path
            if p.endswith("/delta"):
                kinds["graph: delta page"] += 1
            elif "/SentItems/" in p:
                kinds["graph: Sent Items (answered?)"] += 1
            elif p.endswith("/createReply") or p.endswith("/createReplyAll"):
                kinds["graph: createReply"] += 1
            elif r.method == "DELETE":
                kinds["graph: delete replaced draft"] += 1
            elif r.method == "GET" and p.endswith("/messages") and "conversationId" in r.query.get("$filter", ""):
                kinds["graph: thread query"] += 1
            elif r.method == "GET" and "singleValueExtendedProperties" in r.query.get("$filter", ""):
                kinds["graph: look before create"] += 1
            else:
                kinds[f"graph: {r.method} other"] += 1
        for _m, p, _form in self.entra.requests[self.e0:]:
            kinds["entra: token" if p.endswith("/token") else "entra: discovery"] += 1
        return sum(kinds.values()), kinds


def run_once(cfg: Path) -> Counter:
    rt = bootstrap(load_config(cfg))
    try:
        return rt.pipeline.run_source(rt.source("outlook:m365")).counts
    finally:
        rt.close()


def report(title: str, total: int, kinds: Counter, drafted: int | None, seconds: float) -> None:
    print(f"\n== {title}")
    for k, n in sorted(kinds.items()):
        print(f"   {k:<34} {n:>5}")
    print(f"   {'total requests':<34} {total:>5}   ({seconds:.1f} s)")
    if drafted:
        print(f"   drafted {drafted}: {total / drafted:.3f} requests per drafted message")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--page-size", type=int, default=50)
    args = ap.parse_args()
    n = args.messages
    ca = trustme.CA()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        bundle = tmpdir / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)
        os.environ.pop("CURL_CA_BUNDLE", None)
        os.environ["DRAFTGUARD_GRAPH_CLIENT_SECRET"] = SECRET
        with FakeEntra(ca) as entra, FakeGraph(ca, entra) as graph:
            entra.register(CLIENT_ID, SECRET, TENANT)
            graph.add_mailbox(MAILBOX)
            meter = Meter(graph, entra)
            cfg = write_outlook_config(tmpdir, graph_base=graph.base, authority_base=entra.base, tenant=TENANT,
                                       client_id=CLIENT_ID, mailboxes=[MAILBOX], extra=f"page_size = {args.page_size}")
            print(f"Outlook connector request count, {n} messages, delta page size {args.page_size}")

            # 1. N new conversations, first run of a fresh install (token and discovery included)
            roots = [graph.deliver(MAILBOX, subject=f"Question {i}", html=body(i), sender=(f"Client {i}", f"client{i}@example.org"))
                     for i in range(n)]
            meter.start()
            t = time.perf_counter()
            counts = run_once(cfg)
            total, kinds = meter.stop()
            report(f"1. mailbox with {n} new messages (new conversations), fresh process", total, kinds,
                   counts.get("drafted", 0), time.perf_counter() - t)
            if counts.get("drafted", 0) != n:
                print(f"   note: outcomes {dict(counts)}")

            # 2a. the drafts were sent by people; then each client answers: N replies in known threads
            for d in graph.drafts(MAILBOX):
                graph.send_draft(MAILBOX, d["id"])
            for i, r in enumerate(roots):
                graph.deliver(MAILBOX, subject=f"RE: Question {i}", html=body(i + 1), sender=(f"Client {i}", f"client{i}@example.org"),
                              reply_to_message=r["id"])
            meter.start()
            t = time.perf_counter()
            counts = run_once(cfg)
            total, kinds = meter.stop()
            report(f"2a. {n} client replies in existing conversations (our earlier drafts were sent), fresh process",
                   total, kinds, counts.get("drafted", 0), time.perf_counter() - t)
            if counts.get("drafted", 0) != n:
                print(f"   note: outcomes {dict(counts)}")

            # 2b. nobody touched those drafts; the clients write again: each older draft is replaced
            for i, r in enumerate(roots):
                graph.deliver(MAILBOX, subject=f"RE: Question {i}", html=body(i + 2), sender=(f"Client {i}", f"client{i}@example.org"),
                              reply_to_message=r["id"])
            meter.start()
            t = time.perf_counter()
            counts = run_once(cfg)
            total, kinds = meter.stop()
            report(f"2b. {n} more client replies while our previous drafts sit unedited (each replaced), fresh process",
                   total, kinds, counts.get("drafted", 0), time.perf_counter() - t)
            if counts.get("drafted", 0) != n:
                print(f"   note: outcomes {dict(counts)}")

            # 3. idle polls
            rt = bootstrap(load_config(cfg))
            try:
                src = rt.source("outlook:m365")
                rt.pipeline.run_source(src)  # warm: token in memory
                meter.start()
                rt.pipeline.run_source(src)
                total, kinds = meter.stop()
                report("3a. idle poll of an unchanged mailbox, long-running process (scheduler)", total, kinds, None, 0.0)
            finally:
                rt.close()
            meter.start()
            run_once(cfg)
            total, kinds = meter.stop()
            report("3b. idle poll of an unchanged mailbox, fresh process (main.py run --once)", total, kinds, None, 0.0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
