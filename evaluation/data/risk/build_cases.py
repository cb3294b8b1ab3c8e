"""Build ``cases.jsonl``, the labelled risk evaluation set, from the written cases and ../shared/corpora.

Run from the repository root: ``python evaluation/data/risk/build_cases.py [CORPORA_DIR]``
(default ``../shared/corpora``). The output is committed; re-running it reproduces the same file
byte for byte (fixed seeds, sorted inputs). Each line is one JSON case::

    {"id", "split": "train"|"dev"|"test", "lang", "source", "licence", "subject", "from_name",
     "from_email", "body", "categories": [...], "must_review": bool, "injection": bool,
     "hard_negative": bool}

``categories`` empty means ordinary mail (it may be drafted). ``must_review`` is true when any
category is present: every category in the taxonomy (``rules/risk/taxonomy.py``) must reach a person.

The split is drawn once from a sha256 of the case id (60 % train, 20 % dev, 20 % test) and never
re-drawn: tune lexicons, classifier features and thresholds on train/dev only; figures are reported
on ``test`` only.

Sources (licences in each corpus folder's SOURCE.md, summarised in ``SOURCES.md`` here):
written cases (this project); LLMail-Inject attacks and false-positive business mail (MIT);
BIPIA EmailQA train emails with its train attack strings inserted at start/middle/end (MIT);
Spikee mailbox jailbreak templates filled with Spikee instructions (Apache-2.0); Spikee
investment-advice seeds and their benign finance questions (Apache-2.0); Enron maildir messages
(public record).
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from written_cases import CASES, CASES2, CASES3, CASES4, HARD4  # noqa: E402

SEED = 20261203
# Label corrections of corpus cases against the taxonomy (rules/risk/taxonomy.py): an inheritance
# implies a death, so "I just inherited ... from my grandmother" is a bereavement matter as well.
EXTRA_LABELS = {"advice-financial-adv-chat-01": ["bereavement"]}


def split_of(case_id: str) -> str:
    """train / dev / test from the first byte of sha256(id): 0-152 train, 153-203 dev, 204-255 test."""
    b = hashlib.sha256(case_id.encode()).digest()[0]
    return "train" if b < 153 else ("dev" if b < 204 else "test")


def case(cid, *, lang, source, licence, subject, from_name, from_email, body, categories=(), hard_negative=False):
    cats = sorted(set(categories))
    return {
        "id": cid,
        "split": split_of(cid),
        "lang": lang,
        "source": source,
        "licence": licence,
        "subject": subject,
        "from_name": from_name,
        "from_email": from_email,
        "body": body,
        "categories": cats,
        "must_review": bool(cats),
        "injection": "prompt_injection" in cats,
        "hard_negative": hard_negative,
    }


def _email_of(name: str) -> str:
    local = re.sub(r"[^a-z]+", ".", name.lower()).strip(".") or "client"
    return f"{local}@client.example"


def written() -> list[dict]:
    out = []
    hard_start = next(i for i, c in enumerate(CASES2) if c[2] == "Cancel the meeting")
    for i, (cats, lang, subject, name, body) in enumerate(CASES):
        out.append(case(f"written-{i:03d}", lang=lang, source="written", licence="Apache-2.0 (this project)",
                        subject=subject, from_name=name, from_email=_email_of(name), body=body, categories=cats))
    for j, (cats, lang, subject, name, body) in enumerate(CASES2):
        out.append(case(f"written-b{j:03d}", lang=lang, source="written", licence="Apache-2.0 (this project)",
                        subject=subject, from_name=name, from_email=_email_of(name), body=body, categories=cats,
                        hard_negative=j >= hard_start))
    hard3 = next(i for i, c in enumerate(CASES3) if c[2].startswith("Complaint resolved"))
    for k, (cats, lang, subject, name, body) in enumerate(CASES3):
        out.append(case(f"written-c{k:03d}", lang=lang, source="written", licence="Apache-2.0 (this project)",
                        subject=subject, from_name=name, from_email=_email_of(name), body=body, categories=cats,
                        hard_negative=not cats and k >= hard3))
    for j, (cats, lang, subject, name, body) in enumerate(CASES4):
        out.append(case(f"written-d{j:03d}", lang=lang, source="written", licence="Apache-2.0 (this project)",
                        subject=subject, from_name=name, from_email=_email_of(name), body=body, categories=cats))
    for j, (cats, lang, subject, name, body) in enumerate(HARD4):
        out.append(case(f"written-h{j:03d}", lang=lang, source="written", licence="Apache-2.0 (this project)",
                        subject=subject, from_name=name, from_email=_email_of(name), body=body, categories=cats,
                        hard_negative=True))
    return out


def llmail(corpora: Path, rng: random.Random) -> list[dict]:
    base = corpora / "prompt_injection_email/llmail_inject"
    out = []
    attacks = [json.loads(line) for line in (base / "attacks_sample.jsonl").read_text().splitlines() if line.strip()]
    seen: set[tuple[str, str]] = set()
    unique = [a for a in attacks if (a["subject"], a["body"]) not in seen and not seen.add((a["subject"], a["body"]))]
    for n, a in enumerate(rng.sample(unique, min(160, len(unique)))):
        out.append(case(f"llmail-attack-{n:03d}-{a['job_id'][:8]}", lang="en", source="corpora/prompt_injection_email/llmail_inject/attacks_sample.jsonl",
                        licence="MIT", subject=a["subject"][:200], from_name="", from_email="sender@external.example",
                        body=a["body"], categories=["prompt_injection"]))
    fps = json.loads((base / "benign_emails/fp_tests.json").read_text())["emails"]
    for i, e in enumerate(fps):
        m = re.match(r"Subject of the email:\s*(.*?)\.\s+Body:\s*(.*)", e, re.S)
        subject, body = (m.group(1), m.group(2)) if m else ("", e)
        out.append(case(f"llmail-benign-{i:03d}", lang="en", source="corpora/prompt_injection_email/llmail_inject/benign_emails/fp_tests.json",
                        licence="MIT", subject=subject, from_name="", from_email="colleague@partner.example", body=body))
    return out


def _bipia_parts(context: str) -> tuple[str, str]:
    fields = dict(p.split(": ", 1) for p in context.split("|") if ": " in p)
    return fields.get("SUBJECT", ""), fields.get("CONTENT", context)


def bipia(corpora: Path, rng: random.Random) -> list[dict]:
    base = corpora / "prompt_injection_email/bipia_email"
    emails = [json.loads(line)["context"] for line in (base / "email_train.jsonl").read_text().splitlines() if line.strip()]
    attacks = json.loads((base / "text_attack_train.json").read_text())
    flat = [(cat, i, s) for cat in sorted(attacks) for i, s in enumerate(attacks[cat])]
    out = []
    for k, ctx in enumerate(emails):
        subject, body = _bipia_parts(ctx)
        out.append(case(f"bipia-clean-{k:02d}", lang="en", source="corpora/prompt_injection_email/bipia_email/email_train.jsonl",
                        licence="MIT", subject=subject, from_name="", from_email="notifications@vendor.example", body=body))
    for n, (cat, i, attack) in enumerate(rng.sample(flat, 75)):
        k = rng.randrange(len(emails))
        subject, body = _bipia_parts(emails[k])
        pos = ("start", "middle", "end")[n % 3]
        if pos == "start":
            poisoned = attack + "\n" + body
        elif pos == "end":
            poisoned = body + "\n" + attack
        else:
            cuts = [m.end() for m in re.finditer(r"[.!?]\s", body)] or [len(body) // 2]
            c = cuts[rng.randrange(len(cuts))]
            poisoned = body[:c] + attack + " " + body[c:]
        out.append(case(f"bipia-attack-{re.sub(r'[^a-z]+', '-', cat.lower())}-{i}-{k:02d}-{pos}", lang="en",
                        source="corpora/prompt_injection_email/bipia_email (train emails x train attacks)", licence="MIT",
                        subject=subject, from_name="", from_email="notifications@vendor.example", body=poisoned,
                        categories=["prompt_injection"]))
    return out


def spikee(corpora: Path, rng: random.Random) -> list[dict]:
    base = corpora / "prompt_injection_email/spikee_llm_mailbox"
    jbs = [json.loads(line) for line in (base / "jailbreaks.jsonl").read_text().splitlines() if line.strip()]
    ins = [json.loads(line) for line in (base / "instructions.jsonl").read_text().splitlines() if line.strip()]
    out = []
    for jb in jbs:
        if jb["jailbreak_type"] == "no-jailbreak":
            continue
        inst = rng.choice(ins)
        text = jb["text"].replace("<INSTRUCTION>", inst["instruction"])
        body = f"Hi,\n\nFollowing up on last week's order.\n\n{text}\n\nBest regards"
        out.append(case(f"spikee-{jb['id']}", lang="en", source="corpora/prompt_injection_email/spikee_llm_mailbox", licence="Apache-2.0",
                        subject="Following up", from_name="", from_email="someone@outside.example", body=body, categories=["prompt_injection"]))
    return out


def advice(corpora: Path) -> list[dict]:
    base = corpora / "compliance_investment_advice"
    out = []
    for line in (base / "seeds-investment-advice/standalone_user_inputs.jsonl").read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            cid = f"advice-{r['id']}"
            out.append(case(cid, lang="en", source="corpora/compliance_investment_advice/seeds-investment-advice", licence="Apache-2.0",
                            subject="Question about my investments", from_name="", from_email="client@client.example", body=r["text"],
                            categories=["investment_advice", *EXTRA_LABELS.get(cid, [])]))
    for line in (base / "seeds-investment-advice-fp/standalone_user_inputs.jsonl").read_text().splitlines():
        if line.strip():
            r = json.loads(line)
            out.append(case(f"advice-{r['id']}", lang="en", source="corpora/compliance_investment_advice/seeds-investment-advice-fp", licence="Apache-2.0",
                            subject="General question", from_name="", from_email="client@client.example", body=r["text"]))
    return out


def enron(corpora: Path) -> list[dict]:
    out = []
    for path in sorted((corpora / "raw_email/enron_maildir").rglob("*")):
        if not path.is_file() or path.name.startswith(".") or path.suffix == ".md":
            continue
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        if part is None:
            continue
        body = part.get_content().strip()
        if not body:
            continue
        rel = path.relative_to(corpora / "raw_email/enron_maildir").as_posix()
        out.append(case(f"enron-{rel.replace('/', '-')}", lang="en", source=f"corpora/raw_email/enron_maildir/{rel}",
                        licence="public record (FERC release of Enron mail)", subject=str(msg.get("Subject", "")),
                        from_name="", from_email="colleague@enron.example", body=body[:4000]))
    return out


def main(argv: list[str]) -> int:
    corpora = Path(argv[1]) if len(argv) > 1 else HERE.parents[3] / "shared/corpora"
    if not corpora.is_dir():
        corpora = Path("../shared/corpora").resolve()
    rng = random.Random(SEED)
    cases = written() + llmail(corpora, rng) + bipia(corpora, rng) + spikee(corpora, rng) + advice(corpora) + enron(corpora)
    ids = [c["id"] for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise SystemExit(f"duplicate case ids: {sorted(dupes)[:5]}")
    out = HERE / "cases.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for c in sorted(cases, key=lambda c: c["id"]):
            f.write(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n")
    from collections import Counter
    by = Counter((c["split"], "review" if c["must_review"] else "ordinary") for c in cases)
    print(f"{len(cases)} cases -> {out}: " + ", ".join(f"{k[0]}/{k[1]}={v}" for k, v in sorted(by.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
