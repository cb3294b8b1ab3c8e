"""Salesforce API calls per drafted case and per idle poll, measured through the real
simple-salesforce against the local fake org (tests/salesforce/sf_fake.py, HTTPS).

Scenario: a queue of N changed cases (default 200), each with one unanswered inbound email,
plus noise the query must leave out (another queue, answered cases). One poll, one draft per
case, then an idle poll, then a "fresh process" re-delivery of every draft (crash recovery,
no snapshot), then a client follow-up email on half of the cases WITHOUT touching the cases
(Email-to-Case does not promise to) and one more poll + drafting. Only requests to ``/services/data`` count against the org's API allocation;
OAuth token requests are reported separately.

    .venv/bin/python benchmarks/salesforce_calls.py [--cases 200] [--batch-size 200] [--pipeline]

``--batch-size`` is the fake's query page size (Salesforce returns at most 2,000 records per
page and fewer for wide rows; 200 shows paging). ``--pipeline`` runs the drafting through
the real pipeline (Presidio, template drafter, policy, routing) instead of calling
``deliver`` directly; the Salesforce call counts must come out the same.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "salesforce"))

import trustme  # noqa: E402
from sf_fake import FakeSalesforce  # noqa: E402
from sf_testkit import MemoryCursors, Seeder  # noqa: E402
from tenacity import wait_none  # noqa: E402

from agent.config import SalesforceSourceConfig, Settings  # noqa: E402
from agent.models import ReplyDraft  # noqa: E402
from agent.reply import idempotency_key, reply_subject  # noqa: E402
from connectors.salesforce.auth import SalesforceClient  # noqa: E402
from connectors.salesforce.source import SalesforceSource  # noqa: E402


def _source(fake: FakeSalesforce, env: dict[str, str]) -> SalesforceSource:
    cfg = SalesforceSourceConfig(name="acme", domain=fake.domain, queues=["Support_EN"], from_address="support@ours.example")
    return SalesforceSource(cfg, client=SalesforceClient(cfg, source_name="salesforce:acme", wait=wait_none(), env=env))


def _draft(msg) -> ReplyDraft:
    return ReplyDraft(
        idempotency_key=idempotency_key(msg.source, msg.external_id),
        subject=reply_subject(msg.subject),
        text="Dear customer,\n\nthank you, we are on it.\n\nSupport",
        html="<p>Dear customer,</p><p>thank you, we are on it.</p><p>Support</p>",
        to=[msg.sender],
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--batch-size", type=int, default=200)
    ap.add_argument("--pipeline", action="store_true", help="draft through the real pipeline (slower: Presidio)")
    args = ap.parse_args()

    ca = trustme.CA()
    tmp = Path(tempfile.mkdtemp(prefix="dg-sf-bench-"))
    ca.cert_pem.write_to_path(str(tmp / "ca.pem"))
    os.environ["REQUESTS_CA_BUNDLE"] = str(tmp / "ca.pem")
    os.environ.pop("CURL_CA_BUNDLE", None)

    with FakeSalesforce(ca, batch_size=args.batch_size) as fake:
        env = {"DRAFTGUARD_SF_CLIENT_ID": fake.app.client_id, "DRAFTGUARD_SF_CLIENT_SECRET": fake.app.client_secret}
        seed = Seeder(fake)
        for i in range(args.cases):
            case = seed.case(f"Question {i}")
            seed.email(case, f"Hello, could you confirm order {1000 + i}?")
        for i in range(20):  # noise: other queue, and cases already answered
            other = seed.case(f"Sales {i}", queue=seed.other_queue)
            seed.email(other)
            done = seed.case(f"Answered {i}")
            seed.email(done)
            seed.email(done, "Done.", incoming=False)

        cursors = MemoryCursors()
        src = _source(fake, env)
        c0 = fake.api_calls()
        if args.pipeline:
            from jobs.bootstrap import bootstrap

            os.environ.update(env)
            settings = Settings.model_validate(
                {
                    "organisation": {"name": "Ours Ltd", "own_addresses": ["support@ours.example"]},
                    "sources": {"salesforce": [{"name": "acme", "domain": fake.domain, "queues": ["Support_EN"], "from_address": "support@ours.example"}]},
                    "policy": {"pack": str(ROOT / "rules" / "policy_pack.toml")},
                    "storage": {"url": f"sqlite:///{tmp / 'dg.db'}"},
                    "base_dir": str(tmp),
                }
            )
            rt = bootstrap(settings)
            src = rt.source("salesforce:acme")
            summary = rt.pipeline.run_source(src)
            drafted = summary.counts["drafted"]
            rt.close()
        else:
            msgs = list(src.poll(cursors))
            drafted = sum(1 for m in msgs if src.deliver(m, _draft(m)).created)
        busy_calls = fake.api_calls() - c0
        pages = len(fake.calls("GET", "/query/"))
        creates = len(fake.calls("POST", "/sobjects/EmailMessage/"))

        if args.pipeline:
            rt = bootstrap(settings)
            src = rt.source("salesforce:acme")
            c1 = fake.api_calls()
            rt.pipeline.run_source(src)
            idle = fake.api_calls() - c1
            rt.close()
        else:
            c1 = fake.api_calls()
            assert list(src.poll(cursors)) == []
            idle = fake.api_calls() - c1

        # crash recovery: a fresh process re-delivers every draft (no snapshot): 1 lookup each, 0 creates
        recovery = None
        if not args.pipeline:
            fresh = _source(fake, env)
            c2 = fake.api_calls()
            again = [fresh.deliver(m, _draft(m)) for m in msgs]
            assert not any(r.created for r in again)
            recovery = (fake.api_calls() - c2) / len(msgs)

        drafts_in_org = sum(1 for r in fake.org.tables["EmailMessage"].values() if r["Status"] == "5")

        # follow-ups: a new inbound email on every second case; the cases themselves untouched
        followed = [c for i, c in enumerate(fake.org.tables["Case"].values()) if c["Subject"].startswith("Question ") and i % 2 == 0]
        for case in followed:
            seed.email(case, "Sorry, one more thing: the PO number is 4711.")
        c3 = fake.api_calls()
        if args.pipeline:
            rt = bootstrap(settings)
            summary = rt.pipeline.run_source(rt.source("salesforce:acme"))
            follow_drafted = summary.counts["drafted"]
            rt.close()
        else:
            follow_msgs = list(src.poll(cursors))
            follow_drafted = sum(1 for m in follow_msgs if src.deliver(m, _draft(m)).created)
        follow_calls = fake.api_calls() - c3
        print(f"cases in queue (changed, unanswered): {args.cases}   page size: {args.batch_size}   mode: {'pipeline' if args.pipeline else 'source'}")
        print(f"drafted: {drafted}   draft EmailMessages in org: {drafts_in_org}")
        print(f"busy poll + drafting: {busy_calls} API calls = {pages} query page(s) + {creates} creates")
        print(f"API calls per drafted case: {busy_calls / max(drafted, 1):.3f}  (goal <= 2 plus paging; paging adds {(pages - 1) / max(drafted, 1):.3f})")
        print(f"idle poll: {idle} API call(s)  (goal 1)")
        if recovery is not None:
            print(f"crash recovery re-delivery, fresh process: {recovery:.2f} API calls per case (lookup only, 0 duplicates)")
        print(
            f"follow-up emails on {len(followed)} untouched cases: {follow_drafted} drafted with {follow_calls} API calls "
            f"({follow_calls / max(follow_drafted, 1):.3f} per drafted follow-up)"
        )
        print(f"OAuth token requests (not API calls): {len(fake.token_grants)}")
        ok = (
            busy_calls <= 2 * max(drafted, 1) + (pages - 1)
            and idle == 1
            and drafted == args.cases
            and drafts_in_org == args.cases
            and follow_drafted == len(followed)
            and follow_calls <= 2 * max(follow_drafted, 1) + (pages - 1)
        )
        print("RESULT:", "goals met" if ok else "GOALS MISSED")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
