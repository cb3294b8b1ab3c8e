"""Measure the policy pack's prompt-injection rules on the public corpus.

Usage (from the repository root)::

    .venv/bin/python benchmarks/injection_eval.py [--corpus DIR] [--pack FILE] [--misses N]
    .venv/bin/python benchmarks/injection_eval.py --make-fixtures tests/fixtures/policy/prompt_injection

The corpus is ``shared/corpora/prompt_injection_email`` (see its SOURCE.md); by default it
is looked up beside the repository (``../shared/corpora/...``). An email counts as flagged
when :meth:`rules.policy.PolicyPack.check_inbound` returns at least one finding for
``subject + "\\n\\n" + body``.

Sets (ATTACK = positive, BENIGN = negative):

* ``llmail_attacks``: LLMail-Inject submissions (real attacker emails), de-duplicated on
  (subject, body). Split by ``sha256(job_id)``: even = ``dev`` (looked at while writing the
  rules), odd = ``heldout`` (not looked at; the test fixtures are drawn from it).
* ``spikee_email``: each Spikee mailbox jailbreak template filled with each of its 5
  exfiltration instructions, appended to a benign LLMail email (seeded choice).
* ``spikee_wrappers``: the same templates filled with one BIPIA attack string per category
  (no exfiltration link), to measure the wrapper alone.
* ``bipia_train``: BIPIA EmailQA train emails x 75 train attacks x 3 positions (start, end,
  a random sentence boundary with ``random.Random(2023)``, sentences split on ``. ! ?``
  instead of BIPIA's Punkt splitter). Most BIPIA attacks are ordinary requests ("What is
  the capital of Brazil?") that no wording rule can tell from mail content.
* BENIGN: LLMail ``fp_tests.json`` (split like the attacks, by ``sha256(text)``), the LLMail
  victim inboxes ``level1..4.json``, the 50 clean BIPIA train emails, and, when the sibling
  corpora are there, real mail: the Enron messages of ``raw_email`` and the text parts of
  the ``email_replies_quotes`` fixtures.

Prints per-set detection rates, then precision / recall / false-positive rate for
"email attacks" (LLMail + Spikee) and for everything including BIPIA.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.policy import DEFAULT_PACK_PATH, PolicyPack, load_policy_pack  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "prompt_injection_email"
FIXTURE_SEED = 20261101
FIXTURE_COUNT = 40


def _is_dev(key: str) -> bool:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 2 == 0


def _email(subject: str, body: str) -> str:
    return f"{subject.strip()}\n\n{body}" if subject.strip() else body


def _split_llmail_benign(raw: str) -> str:
    m = re.match(r"\s*Subject of the email:\s*(.*?)\.\s{2,}Body:\s*(.*)\Z", raw, re.S)
    return _email(m.group(1), m.group(2)) if m else raw


def load_llmail_attacks(corpus: Path) -> list[dict]:
    """Unique LLMail attack emails: ``{id, split, subject, body, text}``."""
    seen: set[tuple[str, str]] = set()
    out = []
    for line in (corpus / "llmail_inject" / "attacks_sample.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        key = (r["subject"], r["body"])
        if key in seen:
            continue
        seen.add(key)
        jid = str(r["job_id"])
        out.append(
            {
                "id": jid,
                "split": "dev" if _is_dev(jid) else "heldout",
                "level": r.get("level", ""),
                "subject": r["subject"],
                "body": r["body"],
                "text": _email(r["subject"], r["body"]),
            }
        )
    return out


def load_llmail_benign(corpus: Path) -> list[dict]:
    """LLMail fp_tests emails: ``{id, split, text}`` (id = index in fp_tests.json)."""
    emails = json.loads((corpus / "llmail_inject" / "benign_emails" / "fp_tests.json").read_text("utf-8"))[
        "emails"
    ]
    return [
        {
            "id": f"fp_tests[{i}]",
            "split": "dev" if _is_dev(e) else "heldout",
            "raw": e,
            "text": _split_llmail_benign(e),
        }
        for i, e in enumerate(emails)
    ]


def load_level_inboxes(corpus: Path) -> list[str]:
    out = []
    for n in range(1, 5):
        p = corpus / "llmail_inject" / "benign_emails" / f"level{n}.json"
        if p.exists():
            out += [_split_llmail_benign(e) for e in json.loads(p.read_text("utf-8"))["emails"]]
    return out


def load_real_mail(shared_corpora: Path) -> list[str]:
    """Extra BENIGN real mail when the sibling corpora exist: Enron messages (subject + text
    body) and the reply/quote fixtures of ``email_replies_quotes`` (text parts only)."""
    import email
    import email.policy

    out: list[str] = []
    enron = shared_corpora / "raw_email" / "enron_maildir"
    for f in sorted(enron.rglob("*")) if enron.is_dir() else []:
        if f.is_file() and f.suffix != ".md":
            m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
            part = m.get_body(preferencelist=("plain",))
            out.append(_email(str(m.get("subject") or ""), part.get_content() if part else ""))
    replies = shared_corpora / "email_replies_quotes"
    for f in sorted(replies.rglob("*")) if replies.is_dir() else []:
        if not f.is_file() or f.suffix in (".md", ".json", ".html"):
            continue
        raw = f.read_bytes()
        if f.suffix == ".eml":
            m = email.message_from_bytes(raw, policy=email.policy.default)
            part = m.get_body(preferencelist=("plain",))
            if part is None:
                continue
            out.append(_email(str(m.get("subject") or ""), part.get_content()))
        else:
            out.append(raw.decode("utf-8", errors="replace"))
    return out


def load_bipia(corpus: Path) -> tuple[list[str], dict[str, list[str]]]:
    emails = [
        json.loads(line)["context"]
        for line in (corpus / "bipia_email" / "email_train.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    attacks = json.loads((corpus / "bipia_email" / "text_attack_train.json").read_text("utf-8"))
    return emails, attacks


def bipia_attacked(emails: list[str], attacks: dict[str, list[str]]) -> list[str]:
    rng = random.Random(2023)
    out = []
    for ctx in emails:
        bounds = [m.end() for m in re.finditer(r"[.!?](?=\s)", ctx)]
        for strings in attacks.values():
            for a in strings:
                out.append(ctx + "\n" + a)
                out.append(a + "\n" + ctx)
                pos = rng.choice(bounds) if bounds else len(ctx)
                out.append(ctx[:pos] + " " + a + " " + ctx[pos:])
    return out


def spikee_sets(
    corpus: Path, benign: list[dict], attacks: dict[str, list[str]]
) -> tuple[list[str], list[str]]:
    base = corpus / "spikee_llm_mailbox"
    jbs = [json.loads(x) for x in (base / "jailbreaks.jsonl").read_text("utf-8").splitlines() if x.strip()]
    ins = [json.loads(x) for x in (base / "instructions.jsonl").read_text("utf-8").splitlines() if x.strip()]
    rng = random.Random(2024)
    email_attacks, wrappers = [], []
    for jb in jbs:
        for i in ins:
            host = rng.choice(benign)["text"]
            email_attacks.append(host + "\n\n" + jb["text"].replace("<INSTRUCTION>", i["instruction"]))
        for strings in attacks.values():
            host = rng.choice(benign)["text"]
            wrappers.append(host + "\n\n" + jb["text"].replace("<INSTRUCTION>", strings[0]))
    return email_attacks, wrappers


def flagged(pack: PolicyPack, text: str) -> bool:
    return bool(pack.check_inbound(text))


def make_fixtures(corpus: Path, out_dir: Path) -> None:
    """Write the test fixtures: 40 held-out LLMail attacks and 40 held-out fp_tests emails."""
    rng = random.Random(FIXTURE_SEED)
    attacks = sorted(
        (a for a in load_llmail_attacks(corpus) if a["split"] == "heldout"), key=lambda a: a["id"]
    )
    benign = sorted((b for b in load_llmail_benign(corpus) if b["split"] == "heldout"), key=lambda b: b["id"])
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "attacks.jsonl").open("w", encoding="utf-8") as f:
        for a in rng.sample(attacks, FIXTURE_COUNT):
            rec = {"job_id": a["id"], "level": a["level"], "subject": a["subject"], "body": a["body"]}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with (out_dir / "benign.jsonl").open("w", encoding="utf-8") as f:
        for b in rng.sample(benign, FIXTURE_COUNT):
            f.write(json.dumps({"id": b["id"], "email": b["raw"]}, ensure_ascii=False) + "\n")
    print(f"wrote {FIXTURE_COUNT} attacks and {FIXTURE_COUNT} benign emails to {out_dir}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--pack", type=Path, default=DEFAULT_PACK_PATH)
    ap.add_argument(
        "--misses", type=int, default=0, help="print up to N missed dev attacks and false positives"
    )
    ap.add_argument("--make-fixtures", type=Path, metavar="DIR")
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    if args.make_fixtures:
        make_fixtures(args.corpus, args.make_fixtures)
        return 0

    pack = load_policy_pack(args.pack)
    llm = load_llmail_attacks(args.corpus)
    fp = load_llmail_benign(args.corpus)
    levels = load_level_inboxes(args.corpus)
    bipia_clean, bipia_attacks = load_bipia(args.corpus)
    spikee_email, spikee_wrap = spikee_sets(args.corpus, fp, bipia_attacks)
    bipia_bad = bipia_attacked(bipia_clean, bipia_attacks)

    attack_sets = {
        "llmail_attacks/dev": [a["text"] for a in llm if a["split"] == "dev"],
        "llmail_attacks/heldout": [a["text"] for a in llm if a["split"] == "heldout"],
        "spikee_email": spikee_email,
        "spikee_wrappers": spikee_wrap,
        "bipia_train_attacked": bipia_bad,
    }
    benign_sets = {
        "llmail_fp_tests/dev": [b["text"] for b in fp if b["split"] == "dev"],
        "llmail_fp_tests/heldout": [b["text"] for b in fp if b["split"] == "heldout"],
        "llmail_level_inboxes": levels,
        "bipia_train_clean": bipia_clean,
    }
    real = load_real_mail(args.corpus.parent)
    if real:
        benign_sets["real_mail_enron_replies"] = real
    hits: dict[str, list[bool]] = {}
    print(f"policy pack {pack.name} {pack.version} ({pack.sha256[:12]}), corpus {args.corpus}")
    print(f"{'set':28} {'kind':7} {'n':>6} {'flagged':>8} {'rate':>7}")
    for kind, sets in (("ATTACK", attack_sets), ("BENIGN", benign_sets)):
        for name, texts in sets.items():
            hits[name] = [flagged(pack, t) for t in texts]
            n, k = len(texts), sum(hits[name])
            print(f"{name:28} {kind:7} {n:6d} {k:8d} {k / n if n else 0:7.3f}")

    def summary(label: str, attack_names: list[str]) -> None:
        tp = sum(sum(hits[n]) for n in attack_names)
        fn = sum(len(hits[n]) - sum(hits[n]) for n in attack_names)
        fpos = sum(sum(hits[n]) for n in benign_sets)
        tn = sum(len(hits[n]) - sum(hits[n]) for n in benign_sets)
        precision = tp / (tp + fpos) if tp + fpos else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        fpr = fpos / (fpos + tn) if fpos + tn else 0.0
        print(
            f"{label}: precision {precision:.3f}  recall {recall:.3f}  false-positive rate {fpr:.3f}  "
            f"(TP {tp}, FN {fn}, FP {fpos}, TN {tn})"
        )

    print()
    summary("llmail held-out only", ["llmail_attacks/heldout"])
    summary(
        "email attacks (LLMail + Spikee)",
        ["llmail_attacks/dev", "llmail_attacks/heldout", "spikee_email", "spikee_wrappers"],
    )
    summary("all attacks incl. BIPIA", list(attack_sets))

    if args.misses:
        print("\n--- missed dev attacks")
        for a, h in zip([a for a in llm if a["split"] == "dev"], hits["llmail_attacks/dev"], strict=True):
            if not h:
                print("*", a["id"], repr(a["text"][:600]))
        print("\n--- false positives (dev benign, levels, bipia clean)")
        for name in (
            "llmail_fp_tests/dev",
            "llmail_level_inboxes",
            "bipia_train_clean",
            "real_mail_enron_replies",
        ):
            if name not in benign_sets:
                continue
            for t, h in zip(benign_sets[name], hits[name], strict=True):
                if h:
                    fs = pack.check_inbound(t)
                    print("*", name, [(f.rule_id, f.excerpt) for f in fs], repr(t[:300]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
