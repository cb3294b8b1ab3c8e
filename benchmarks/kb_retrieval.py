"""Knowledge base retrieval quality and speed (issue 14), on SQLite and PostgreSQL.

Indexes ``examples/knowledge`` into a fresh database of each kind (SQLite in a temporary
folder; PostgreSQL: a database ``dg_kb_bench_<random>`` created (by tests/conftest.py's helper) on the server at
``DRAFTGUARD_TEST_POSTGRES_URL``'s host, default 127.0.0.1:5432, and dropped afterwards;
skipped with a line when the server cannot be reached), then answers the known questions of
``evaluation/kb_questions.jsonl`` (:mod:`evaluation.kb`) and prints per split (dev, test, all):
questions, recall@1, recall@3, MRR@10, and the test split's threshold from
``evaluation/thresholds.toml`` ``[kb]``; then indexing time (first pass, and the second pass that
finds everything unchanged) and per-question retrieval latency (median and p95, wall time on a
shared machine). ``--misses`` lists the dev questions missed (never tune on the test split).

Run: ``.venv/bin/python benchmarks/kb_retrieval.py [--backend sqlite|postgresql|both] [--misses]``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

@contextlib.contextmanager
def _database(backend: str):
    """Yield a fresh database URL of ``backend`` (None, after a printed line, when PostgreSQL is
    unreachable). PostgreSQL: tests/conftest.py's ``new_pg_database`` (the tests' helper, one home)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/kb.db"
        return
    import pytest
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_ADMIN_URL, new_pg_database

    try:
        with new_pg_database("dg_kb_bench") as url:
            yield url
    except pytest.skip.Exception as exc:  # no server: the helper skips (outside pytest: this exception)
        server = make_url(PG_ADMIN_URL)
        reason = str(exc.msg).replace(PG_ADMIN_URL, f"{server.host}:{server.port}").strip().splitlines()[0]
        print(f"postgresql: skipped, {reason}")
        yield None


def run(backend: str, show_misses: bool) -> None:
    from evaluation.kb import KNOWLEDGE, evaluate, load_questions, threshold
    from kb.config import KnowledgeConfig
    from kb.index import index_knowledge
    from kb.retrieve import retrieve
    from storage.db import open_database

    questions = load_questions()
    with _database(backend) as url:
        if url is None:
            return
        engine, sf = open_database(url)
        try:
            cfg = KnowledgeConfig(folders=[KNOWLEDGE])
            t0 = time.perf_counter()
            first = index_knowledge(sf, cfg, ROOT)
            t1 = time.perf_counter()
            second = index_knowledge(sf, cfg, ROOT)
            t2 = time.perf_counter()
            print(f"\n{backend}: {first.counts()['added']} articles indexed in {t1 - t0:.2f} s "
                  f"(second pass {t2 - t1:.2f} s: {second.counts()['unchanged']} unchanged); failed {len(first.errors)}")
            print(f"{'split':6} {'n':>4} {'recall@1':>9} {'recall@3':>9} {'MRR@10':>7}")
            results = {}
            for split in ("dev", "test", None):
                r = evaluate(sf, questions, split=split)
                results[split] = r
                print(f"{split or 'all':6} {r.n:4d} {r.recall_at_1:9.3f} {r.recall_at_3:9.3f} {r.mrr:7.3f}")
            floor = threshold()
            verdict = "meets" if results["test"].recall_at_3 >= floor else "BELOW"
            print(f"test recall@3 {results['test'].recall_at_3:.3f} {verdict} the target {floor} (evaluation/thresholds.toml [kb])")
            times = []
            for q in questions:
                s = time.perf_counter()
                retrieve(sf, q.question, k=3)
                times.append((time.perf_counter() - s) * 1000)
            times.sort()
            print(f"retrieval latency per question (k=3): median {statistics.median(times):.1f} ms, "
                  f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms over {len(times)} questions")
            if show_misses:
                by_id = {q.id: q for q in questions}
                for qid in results["dev"].misses:
                    q = by_id[qid]
                    got = [s.article_id for s in retrieve(sf, q.question, k=3)]
                    print(f"  dev miss {qid}: expected {list(q.expected)}, got {got}")
        finally:
            engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--misses", action="store_true", help="List the dev split's misses.")
    args = ap.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.misses)


if __name__ == "__main__":
    main()
