"""Train the shipped risk classifier (rules/risk/model/) from evaluation/data/risk/cases.jsonl.

Run from the repository root (needs the ``train`` extra: ``pip install -e .[train]``, i.e.
scikit-learn)::

    .venv/bin/python training/train_risk_classifier.py [--out rules/risk/model]

Procedure (never reads the ``test`` split):

1. Every case's subject, display name and body go through :func:`rules.risk.normalise.normalise`
   and :func:`rules.risk.classifier.featurise`, exactly as at run time, and are scored as at run
   time (highest over the whole text and its chunks). For training only, a BIPIA attacked e-mail
   whose clean e-mail is in the same pool is replaced by its inserted attack text
   (:func:`bipia_attack_texts`); evaluation always uses the whole message.
2. Model selection: for each setting in :data:`GRID` (hash buckets, character n-gram range, word
   n-grams, regularisation ``C``) one ``LogisticRegression`` (liblinear, L2, balanced class
   weights) per head is fitted on ``train`` and scored on ``dev`` by the mean average precision
   over the heads that have a positive case in dev. The best setting wins (ties: the first).
3. Thresholds: 5-fold out-of-fold scores over train+dev with the chosen setting. Per head, the
   lowest threshold whose false-positive rate on ordinary mail (cases with no category) stays at
   or under :data:`MAX_FPR` for that head (default :data:`DEFAULT_MAX_FPR`),
   and never under :data:`MIN_THRESHOLD`. Dev alone has 0-8 positives for most categories, too
   few to place a threshold.
4. The shipped model is refitted on train+dev with the chosen setting and written as
   ``risk_classifier.npz`` (W, b; no pickle) + ``risk_classifier.json`` (meta, sha256 of the npz).

The dev figures of step 2 are stored in the meta file and copied into docs/risk_classifier_card.md.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.risk.classifier import FORMAT, FeatureConfig, chunks, classifier_text, featurise  # noqa: E402
from rules.risk.normalise import normalise  # noqa: E402
from rules.risk.taxonomy import IDS  # noqa: E402

DATA = ROOT / "evaluation" / "data" / "risk" / "cases.jsonl"
HEADS = IDS  # an "any" head was tried: on dev it added 6/81 false escalations and no recall
# 2**16 buckets keeps the shipped file near 1.5 MB; 2**17 measured no better on dev (within noise).
GRID = {
    "buckets": [1 << 16],
    "char_ngrams": [(3, 5), (4, 6)],
    "word_ngrams": [True, False],
    "C": [32.0, 64.0, 128.0],
}
# prompt_injection had a cap of 1 %: with the 2026.12.2 lexicon carrying the generic injection
# wording, the head now uses the default cap (its 1 % threshold over train+dev flagged plain short
# questions such as "Hello, when is the annual statement sent?").
MAX_FPR: dict[str, float] = {}
DEFAULT_MAX_FPR = 0.005
MIN_THRESHOLD = 0.2
SEED = 20261203
VERSION = "2026.12.1"


def load_cases(splits: set[str]) -> list[dict]:
    """Cases of the given splits (never ``test`` here)."""
    assert "test" not in splits, "the test split is never used for training or tuning"
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["split"] in splits]


def case_text(case: dict) -> str:
    """The classifier's input for a labelled case (same path as rules/risk/assess.py)."""
    return classifier_text([normalise(case["subject"] or ""), normalise(case["from_name"] or ""), normalise(case["body"] or "")])


def bipia_attack_texts(cases: list[dict]) -> dict[str, str]:
    """For BIPIA attacked cases whose clean e-mail is in ``cases`` (train/dev): case id → the
    inserted attack text alone (difflib insertions into the clean body).

    BIPIA attacks are the same e-mails as the clean ones with a sentence inserted; trained on the
    whole attacked e-mail, a model learns the e-mail itself as an attack and flags the clean one.
    Training on the inserted text instead (the clean e-mail stays a negative) teaches the attack."""
    import difflib
    import re

    clean = {c["id"].rsplit("-", 1)[1]: c["body"] for c in cases if c["id"].startswith("bipia-clean-")}
    out = {}
    for c in cases:
        m = re.match(r"bipia-attack-.*-(\d{2})-(?:start|middle|end)$", c["id"])
        if not m or m.group(1) not in clean:
            continue
        base, body = clean[m.group(1)], c["body"]
        ops = difflib.SequenceMatcher(None, base, body, autojunk=False).get_opcodes()
        inserted = " ".join(body[j1:j2] for op, _i1, _i2, j1, j2 in ops if op in ("insert", "replace")).strip()
        if len(inserted) >= 15:
            out[c["id"]] = inserted
    return out


def training_texts(cases: list[dict]) -> list[str]:
    """The text each case is trained on: :func:`case_text`, or the inserted attack alone for
    BIPIA attacked cases whose clean e-mail is among ``cases`` (:func:`bipia_attack_texts`)."""
    attacks = bipia_attack_texts(cases)
    return [fold_text(attacks[c["id"]]) if c["id"] in attacks else case_text(c) for c in cases]


def fold_text(text: str) -> str:
    """Folded text of a bare string (as one body field)."""
    return classifier_text([normalise(text)])


def labels(cases: list[dict]) -> np.ndarray:
    """[cases, heads] 0/1 matrix (heads: the category ids)."""
    y = np.zeros((len(cases), len(HEADS)), dtype=np.int8)
    for i, c in enumerate(cases):
        for cat in c["categories"]:
            y[i, HEADS.index(cat)] = 1
    return y


def matrix(texts: list[str], cfg: FeatureConfig):
    """CSR matrix of :func:`featurise` vectors."""
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for t in texts:
        idx, vals = featurise(t, cfg)
        indices.append(idx)
        data.append(vals)
        indptr.append(indptr[-1] + len(idx))
    return csr_matrix(
        (np.concatenate(data) if data else np.zeros(0), np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64), indptr),
        shape=(len(texts), cfg.buckets),
        dtype=np.float32,
    )


def fit(X, y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
    """One liblinear logistic regression per head → (W [buckets, heads], b [heads])."""
    from sklearn.linear_model import LogisticRegression

    W = np.zeros((X.shape[1], y.shape[1]), dtype=np.float32)
    b = np.zeros(y.shape[1], dtype=np.float32)
    for k in range(y.shape[1]):
        if y[:, k].min() == y[:, k].max():  # no positive (or no negative) case: never raises
            b[k] = -20.0 if y[0, k] == 0 else 20.0
            continue
        lr = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", random_state=SEED, max_iter=1000)
        lr.fit(X, y[:, k])
        W[:, k] = lr.coef_[0]
        b[k] = lr.intercept_[0]
    return W, b


def predict(texts: list[str], cfg: FeatureConfig, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[cases, heads] probabilities, scored as at run time: the highest logit over the whole
    text and its chunks (:func:`rules.risk.classifier.chunks`)."""
    rows, starts = [], []
    for t in texts:
        starts.append(len(rows))
        parts = chunks(t)
        rows += [t] + (parts if len(parts) > 1 else [])
    z = np.asarray(matrix(rows, cfg) @ W.astype(np.float64)) + b.astype(np.float64)
    z = np.maximum.reduceat(z, starts, axis=0)
    return 1.0 / (1.0 + np.exp(-z))


def mean_ap(y: np.ndarray, p: np.ndarray) -> tuple[float, dict[str, float]]:
    """Mean average precision over the heads with a positive case, and per head."""
    from sklearn.metrics import average_precision_score

    per = {HEADS[k]: float(average_precision_score(y[:, k], p[:, k])) for k in range(y.shape[1]) if y[:, k].any()}
    return float(np.mean(list(per.values()))), per


def choose_thresholds(y: np.ndarray, p: np.ndarray, ordinary: np.ndarray) -> dict[str, float]:
    """Per head: the lowest threshold with false-positive rate on ordinary cases <= the head's cap."""
    out = {}
    neg = p[ordinary]
    for k, head in enumerate(HEADS):
        cap = MAX_FPR.get(head, DEFAULT_MAX_FPR)
        allowed = int(np.floor(cap * len(neg)))
        s = np.sort(neg[:, k])[::-1]
        # threshold just above the (allowed+1)-th highest ordinary score
        t = float(s[allowed]) + 1e-6 if allowed < len(s) else 0.0
        out[head] = round(max(t, MIN_THRESHOLD), 6)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "rules" / "risk" / "model"))
    ap.add_argument(
        "--train-only",
        action="store_true",
        help="thresholds and final fit on train alone (a model for measuring the combined signals on dev; not shipped)",
    )
    args = ap.parse_args()
    t0 = time.time()
    train, dev = load_cases({"train"}), load_cases({"dev"})
    t_text = training_texts(train)  # BIPIA attacks as their inserted text (see bipia_attack_texts)
    d_text = [case_text(c) for c in dev]  # dev as at run time
    y_tr, y_dev = labels(train), labels(dev)
    best = None
    results = []
    for buckets, ngr, words in itertools.product(GRID["buckets"], GRID["char_ngrams"], GRID["word_ngrams"]):
        cfg = FeatureConfig(buckets=buckets, char_ngrams=ngr, word_ngrams=words)
        Xtr = matrix(t_text, cfg)
        for C in GRID["C"]:
            W, b = fit(Xtr, y_tr, C)
            score, per = mean_ap(y_dev, predict(d_text, cfg, W, b))
            results.append({"features": cfg.as_dict(), "C": C, "dev_mean_ap": round(score, 4)})
            print(f"buckets={buckets} char={ngr} words={words} C={C}: dev mean AP {score:.4f}", flush=True)
            if best is None or score > best[0] + 1e-9:
                best = (score, cfg, C, per)
    score, cfg, C, per_dev = best
    print(f"chosen: {cfg.as_dict()} C={C} (dev mean AP {score:.4f})")

    # thresholds from 5-fold out-of-fold scores over train+dev
    cases = train if args.train_only else train + dev
    texts = training_texts(cases)
    raw = [case_text(c) for c in cases]
    y = y_tr if args.train_only else np.vstack([y_tr, y_dev])
    X = matrix(texts, cfg)
    rng = np.random.default_rng(SEED)
    fold = rng.permutation(len(cases)) % 5
    oof = np.zeros(y.shape, dtype=np.float64)
    for f in range(5):
        tr, te = fold != f, fold == f
        W, b = fit(X[tr], y[tr], C)
        oof[te] = predict([raw[i] for i in np.flatnonzero(te)], cfg, W, b)
    ordinary = y.sum(axis=1) == 0
    thresholds = choose_thresholds(y, oof, ordinary)
    oof_raised = oof >= np.array([thresholds[h] for h in HEADS])
    oof_stats = {}
    for k, h in enumerate(HEADS):
        pos = y[:, k] == 1
        oof_stats[h] = {
            "positives": int(pos.sum()),
            "recall": round(float(oof_raised[pos, k].mean()), 4) if pos.any() else None,
            "fpr_ordinary": round(float(oof_raised[ordinary, k].mean()), 4),
        }
    # dev figures of the selected train-only model at these thresholds
    W_tr, b_tr = fit(matrix(t_text, cfg), y_tr, C)
    p_dev = predict(d_text, cfg, W_tr, b_tr)
    dev_raised = p_dev >= np.array([thresholds[h] for h in HEADS])
    dev_ord = y_dev.sum(axis=1) == 0
    dev_stats = {
        h: {
            "positives": int(y_dev[:, k].sum()),
            "average_precision": round(per_dev[h], 4) if h in per_dev else None,
            "recall": round(float(dev_raised[y_dev[:, k] == 1, k].mean()), 4) if y_dev[:, k].any() else None,
            "fpr_ordinary": round(float(dev_raised[dev_ord, k].mean()), 4),
        }
        for k, h in enumerate(HEADS)
    }

    W, b = fit(X, y, C)  # shipped model: train + dev
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    npz = out / "risk_classifier.npz"
    np.savez_compressed(npz, W=W.astype(np.float32), b=b.astype(np.float32))
    import sklearn

    meta = {
        "format": FORMAT,
        "version": VERSION,
        "heads": list(HEADS),
        "thresholds": thresholds,
        "features": cfg.as_dict(),
        "weights_file": npz.name,
        "weights_sha256": hashlib.sha256(npz.read_bytes()).hexdigest(),
        "training": {
            "script": "training/train_risk_classifier.py",
            "data": "evaluation/data/risk/cases.jsonl",
            "data_sha256": hashlib.sha256(DATA.read_bytes()).hexdigest(),
            "splits_used": {"train": len(train), "dev": len(dev)},
            "model": "one-vs-rest LogisticRegression (liblinear, L2, class_weight=balanced) per head",
            "C": C,
            "selection": "best dev mean average precision over the grid (model fitted on train)",
            "grid": {k: [list(v) if isinstance(v, tuple) else v for v in vals] for k, vals in GRID.items()},
            "grid_results": results,
            "thresholds_from": "5-fold out-of-fold scores over train+dev; per-head FPR cap on ordinary mail",
            "max_fpr": {**{h: DEFAULT_MAX_FPR for h in HEADS}, **MAX_FPR},
            "min_threshold": MIN_THRESHOLD,
            "shipped_model_fitted_on": "train" if args.train_only else "train+dev",
            "dev": dev_stats,
            "out_of_fold_train_dev": oof_stats,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "seed": SEED,
        },
    }
    (out / "risk_classifier.json").write_text(json.dumps(meta, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {npz} ({npz.stat().st_size} bytes) and risk_classifier.json in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
