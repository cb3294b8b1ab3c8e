"""The shipped risk classifier: hashed character and word n-grams with one linear head per category.

The model is two files in ``rules/risk/model/``: ``risk_classifier.json`` (format, version,
feature settings, heads, per-head thresholds, training provenance and the sha256 of the weights
file) and ``risk_classifier.npz`` (``W``: float32 ``[buckets, heads]``, ``b``: float32 ``[heads]``;
read with ``allow_pickle=False``). Both are written by ``training/train_risk_classifier.py``
(scikit-learn ``LogisticRegression`` on the train split, hyper-parameters chosen on dev; see
``docs/risk_classifier_card.md``). Inference here needs only numpy: deterministic, CPU-only,
offline, loaded once per process (:func:`default_classifier`).

Features (:func:`featurise`, shared with the training script so both see the same vectors): the
folded text (:mod:`rules.risk.normalise`), whitespace collapsed, at most :data:`MAX_CHARS`
characters (the first and last halves when longer); character n-grams of
``char_ngrams`` lengths padded with a space, and word uni- and bi-grams (``\\w+`` tokens) when
``word_ngrams`` is set, hashed into ``buckets`` buckets (a 64-bit polynomial hash with a final
mix for characters, CRC-32 for words, both fixed and independent of ``PYTHONHASHSEED``);
sublinear counts ``1 + ln(count)``, L2-normalised. A head's score is ``sigmoid(x·W + b)``, the
highest over the whole text and its chunks of about 400 characters (:func:`chunks`).

Heads: the 13 category ids of :mod:`rules.risk.taxonomy` plus ``any`` (the item must reach a
person, whatever the category). Each head has its own threshold in the meta file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rules.risk.errors import RiskModelError

MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_META_PATH = MODEL_DIR / "risk_classifier.json"
FORMAT = "draftguard-risk-classifier/1"
MAX_CHARS = 30_000
ANY = "any"

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class FeatureConfig:
    """Feature settings (stored in the meta file): ``buckets`` (a power of two), ``char_ngrams``
    (inclusive min, max length), ``word_ngrams`` (include word uni- and bi-grams)."""

    buckets: int = 1 << 17
    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: bool = True

    def as_dict(self) -> dict:
        """JSON form for the meta file."""
        return {"buckets": self.buckets, "char_ngrams": list(self.char_ngrams), "word_ngrams": self.word_ngrams}


def _clip(text: str) -> str:
    text = _WS.sub(" ", text).strip()
    if len(text) > MAX_CHARS:
        half = MAX_CHARS // 2
        text = text[:half] + " " + text[-half:]
    return text


def featurise(text: str, cfg: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Sparse feature vector of a folded text: (bucket indices int64 sorted, values float32), L2 norm 1.

    An empty text gives empty arrays."""
    text = _clip(text)
    parts: list[np.ndarray] = []
    if text:
        padded = " " + text + " "
        cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        lo, hi = cfg.char_ngrams
        h = np.zeros(len(cp), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for n in range(1, hi + 1):
                if n > len(cp):
                    break
                h = h[: len(cp) - n + 1] * _PRIME + cp[n - 1 :]
                if n >= lo:
                    m = h ^ np.uint64(n * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF)
                    m = (m ^ (m >> np.uint64(33))) * _MIX1
                    m = (m ^ (m >> np.uint64(33))) * _MIX2
                    m ^= m >> np.uint64(33)
                    parts.append((m % np.uint64(cfg.buckets)).astype(np.int64))
        if cfg.word_ngrams:
            toks = _TOKEN.findall(text)
            grams = [f"w:{t}" for t in toks] + [f"b:{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]
            if grams:
                parts.append(np.fromiter((zlib.crc32(g.encode("utf-8")) % cfg.buckets for g in grams), dtype=np.int64))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx, counts = np.unique(np.concatenate(parts), return_counts=True)
    vals = (1.0 + np.log(counts)).astype(np.float32)
    vals /= np.float32(np.sqrt(np.dot(vals, vals)))
    return idx, vals


_SENT = re.compile(r"(?<=[.!?])\s+|\n+")
CHUNK_CHARS = 400
MAX_CHUNKS = 64


def chunks(text: str) -> list[str]:
    """The text cut at sentence ends and line breaks into chunks of about :data:`CHUNK_CHARS`
    characters (consecutive sentences joined; at most :data:`MAX_CHUNKS`, the rest in the last)."""
    text = _clip(text) if len(text) > MAX_CHARS else text
    out: list[str] = []
    cur = ""
    for sent in _SENT.split(text):
        sent = sent.strip()
        if not sent:
            continue
        if cur and len(cur) + len(sent) + 1 > CHUNK_CHARS and len(out) < MAX_CHUNKS - 1:
            out.append(cur)
            cur = sent
        else:
            cur = f"{cur} {sent}" if cur else sent
    if cur:
        out.append(cur)
    return out


@dataclass(frozen=True)
class RiskClassifier:
    """A loaded classifier: ``heads`` (category ids and ``any``), ``thresholds`` per head,
    ``version``, ``sha256`` of the weights file, ``features`` and the weights."""

    version: str
    heads: tuple[str, ...]
    thresholds: dict[str, float]
    features: FeatureConfig
    sha256: str
    W: np.ndarray
    b: np.ndarray
    meta_path: str

    def _logits(self, text: str) -> np.ndarray:
        idx, vals = featurise(text, self.features)
        z = self.b.astype(np.float64).copy()
        if len(idx):
            z += vals.astype(np.float64) @ self.W[idx].astype(np.float64)
        return z

    def scores(self, text: str) -> dict[str, float]:
        """Head → probability (0..1) for a folded text: the highest of the whole text's score and
        each chunk's (:func:`chunks`), so that a short injected passage in a long, ordinary mail
        is not diluted by the rest."""
        z = self._logits(text)
        parts = chunks(text)
        if len(parts) > 1:
            for part in parts:
                z = np.maximum(z, self._logits(part))
        p = 1.0 / (1.0 + np.exp(-z))
        return {h: float(p[k]) for k, h in enumerate(self.heads)}

    def raised(self, scores: dict[str, float]) -> set[str]:
        """The heads whose score reaches their threshold."""
        return {h for h, s in scores.items() if s >= self.thresholds[h]}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_classifier(meta_path: str | Path = DEFAULT_META_PATH) -> RiskClassifier:
    """Load a classifier from its meta file (the weights file beside it).

    Raises :class:`RiskModelError` naming the file when either file is missing or unreadable, the
    format is unknown, the weights' sha256 differs from the meta file's, or the shapes disagree."""
    meta_path = Path(meta_path)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RiskModelError(str(meta_path), f"cannot read the classifier meta file: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise RiskModelError(str(meta_path), f"unknown format {meta.get('format') if isinstance(meta, dict) else None!r}; expected {FORMAT!r}")
    try:
        weights = meta_path.parent / meta["weights_file"]
        expected = meta["weights_sha256"]
        heads = tuple(meta["heads"])
        thresholds = {h: float(meta["thresholds"][h]) for h in heads}
        f = meta["features"]
        cfg = FeatureConfig(buckets=int(f["buckets"]), char_ngrams=(int(f["char_ngrams"][0]), int(f["char_ngrams"][1])), word_ngrams=bool(f["word_ngrams"]))
        version = str(meta["version"])
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise RiskModelError(str(meta_path), f"meta file lacks or has a bad field: {e}") from None
    if not weights.is_file():
        raise RiskModelError(str(weights), "classifier weights file is missing")
    actual = _sha256(weights)
    if actual != expected:
        raise RiskModelError(str(weights), f"sha256 {actual} does not match the meta file's {expected}; the file is corrupt or was replaced")
    try:
        with np.load(weights, allow_pickle=False) as npz:
            W = np.ascontiguousarray(npz["W"], dtype=np.float32)
            b = np.ascontiguousarray(npz["b"], dtype=np.float32)
    except (OSError, ValueError, KeyError) as e:
        raise RiskModelError(str(weights), f"cannot read the weights: {e}") from None
    if W.shape != (cfg.buckets, len(heads)) or b.shape != (len(heads),):
        raise RiskModelError(str(weights), f"weights shape {W.shape}/{b.shape} does not fit {cfg.buckets} buckets x {len(heads)} heads")
    W.setflags(write=False)
    b.setflags(write=False)
    return RiskClassifier(version, heads, thresholds, cfg, actual, W, b, str(meta_path))


@functools.lru_cache(maxsize=4)
def default_classifier(meta_path: str = str(DEFAULT_META_PATH)) -> RiskClassifier:
    """The classifier at ``meta_path`` (default the shipped one), loaded once per process."""
    return load_classifier(meta_path)


def classifier_text(fields) -> str:
    """The classifier's input for one message: the folded visible, hidden and decoded text of each
    normalised field (:class:`rules.risk.normalise.NormalisedText`; subject, display name, body),
    joined by newlines."""
    return "\n".join(nt.all_folded() for nt in fields)
