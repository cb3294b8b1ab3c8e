"""Retrieval quality of the knowledge base on known questions (issue 14).

``evaluation/kb_questions.jsonl``: one question a line, written like client mail, with the
article ids that answer it (``expected``; a question in German, French, Spanish, Italian or
Dutch lists the article in its language and the English one: either grounds a correct draft).
Split by hash: a question is in ``test`` when the first byte of sha256(its id) is odd, else in
``dev``; tune on dev only, the test split is measured for the gate
(``evaluation/thresholds.toml`` ``[kb]``, ``tests/kb/test_kb_eval.py``,
``benchmarks/kb_retrieval.py``).

Figures: recall@k = share of questions with an expected article among the snippets of a
``retrieve(..., k=3)`` call (the first one for k = 1);
MRR = mean of 1/rank of the first snippet from an expected article within the first
:data:`MRR_DEPTH` snippets (0 when none).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evaluation" / "kb_questions.jsonl"
KNOWLEDGE = ROOT / "examples" / "knowledge"
THRESHOLDS = ROOT / "evaluation" / "thresholds.toml"
MRR_DEPTH = 10


@dataclass(frozen=True)
class Question:
    """One known question: ``id``, ``language`` (ISO 639-1), ``question``, ``expected`` article ids."""

    id: str
    language: str
    question: str
    expected: tuple[str, ...]

    @property
    def split(self) -> str:
        """``"test"`` or ``"dev"`` by the hash of the id."""
        return "test" if hashlib.sha256(self.id.encode()).digest()[0] % 2 else "dev"


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """The questions of ``path``. Raises ValueError naming the line of a malformed one."""
    out: list[Question] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Question(d["id"], d["language"], d["question"], tuple(d["expected"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a question line ({exc})") from None
    return out


@dataclass(frozen=True)
class Result:
    """Figures of one split: ``n`` questions, ``recall_at_3``, ``recall_at_1``, ``mrr``, and
    ``misses`` (question ids without an expected article in the first 3)."""

    n: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    misses: tuple[str, ...]


def evaluate(db, questions: list[Question], *, split: str | None = None) -> Result:
    """Run :func:`kb.retrieve.retrieve` (no language given: identified from the question) for
    every question of ``split`` (None = all) against ``db`` (a session factory, engine or
    session of an indexed database) and score it."""
    from kb.retrieve import retrieve

    chosen = [q for q in questions if split is None or q.split == split]
    hits1 = hits3 = 0
    rr = 0.0
    misses: list[str] = []
    for q in chosen:
        top3 = [s.article_id for s in retrieve(db, q.question, k=3)]  # what a draft gets
        hits1 += bool(top3) and top3[0] in q.expected
        if any(a in q.expected for a in top3):
            hits3 += 1
        else:
            misses.append(q.id)
        ranked = [s.article_id for s in retrieve(db, q.question, k=MRR_DEPTH)]
        first = next((i for i, a in enumerate(ranked, 1) if a in q.expected), None)
        rr += 1.0 / first if first else 0.0
    n = len(chosen) or 1
    return Result(len(chosen), hits1 / n, hits3 / n, rr / n, tuple(misses))


def threshold(name: str = "recall_at_3_min") -> float:
    """``[kb] name`` of evaluation/thresholds.toml."""
    import tomllib

    return float(tomllib.loads(THRESHOLDS.read_text(encoding="utf-8"))["kb"][name])
