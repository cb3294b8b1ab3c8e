"""The redaction stage as it was when issue 10 was filed, timed on today's benchmark bodies.

Issue 10 ("Cost") asks for the increase of the redaction stage's p95 per 2 KB message over the
stage as it was when the issue was filed. That stage is commit ``3a65b53`` (the last commit before
the first issue-10 change, 60705c9): Presidio's predefined recognisers with the full
``en_core_web_sm`` pipeline (parser and lemmatizer included) on every text, the whole message
analysed once as seed text and again when it is replaced.

This script takes the same frozen bodies as :mod:`benchmarks.redaction_stage`
(``frozen_messages()``: both stages see byte-identical input), then times that old stage in a subprocess whose
``sys.path`` starts with a checkout of the old commit: each message's fastest of ``--repeat`` runs
of ``Redactor.pseudonymise`` (process CPU time, ``time.process_time``), the same call, seeds and
sender as the benchmark. It prints CPU p50 / p95 / max / mean in milliseconds.

Run (the old tree needs no install of its own: it runs with this tree's virtual environment)::

    git worktree add /tmp/draftguard-3a65b53 3a65b53
    .venv/bin/python benchmarks/redaction_baseline.py /tmp/draftguard-3a65b53 [--messages 100] [--repeat 2]

Raises ``SystemExit`` with a message when the path is not a checkout of a draftguard tree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASELINE_COMMIT = "3a65b53"

# Runs inside the old tree: reads {"bodies": [[lang, body], ...], "repeat": n} on stdin.
_CHILD = r"""
import json, statistics, sys, time
job = json.load(sys.stdin)
from agent.config import OrganisationConfig, RedactionConfig
from agent.models import ItemContext
from agent.redaction import Redactor

redactor = Redactor(RedactionConfig(), OrganisationConfig(name="Northwind Advisory", domains=["northwind.example"]))
known = [("PERSON", "Maria Gonzalez"), ("EMAIL_ADDRESS", "maria.gonzalez@client.example")]

def run(k, body):
    ctx = ItemContext(subject=f"Question about my account {k}", sender_name="Maria Gonzalez",
                      sender_email="maria.gonzalez@client.example", latest_text=body, language="en")
    redactor.pseudonymise(ctx, seed_texts=[ctx.subject, body], known=known)

run(-1, "Warm-up\n" + job["bodies"][0][1])
cpu = []
for k, (_lang, body) in enumerate(job["bodies"]):
    best = float("inf")
    for _ in range(job["repeat"]):
        c = time.process_time()
        run(k, body)
        best = min(best, (time.process_time() - c) * 1000)
    cpu.append(best)
xs = sorted(cpu)
p95 = xs[min(len(xs) - 1, int(round(0.95 * len(xs))) - 1)]
print(json.dumps({"p50": statistics.median(cpu), "p95": p95, "max": xs[-1], "mean": statistics.mean(cpu)}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree", type=Path, help=f"a checkout of commit {BASELINE_COMMIT}")
    ap.add_argument("--messages", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    if not (args.tree / "agent" / "redaction.py").is_file():
        raise SystemExit(f"{args.tree}: not a draftguard checkout (no agent/redaction.py); see the docstring")

    from benchmarks.redaction_stage import frozen_messages

    job = {"bodies": frozen_messages(args.messages), "repeat": max(1, args.repeat)}
    proc = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(args.tree.resolve())!r}); " + _CHILD],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=args.tree,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"the old stage failed in {args.tree}:\n{proc.stderr[-2000:]}")
    fig = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"redaction stage at {BASELINE_COMMIT} (when issue 10 was filed): {len(job['bodies'])} messages, "
        f"fastest of {job['repeat']} runs each"
    )
    print(f"cpu   p50 {fig['p50']:.1f} ms   p95 {fig['p95']:.1f} ms   max {fig['max']:.1f} ms   mean {fig['mean']:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
