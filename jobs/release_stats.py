"""Confidence intervals for the variant report and shadow quality (docs/release.md).

No statistics package is a dependency of draftguard, and these two are short, standard formulas:

* rates: the **Wilson score interval** (E. B. Wilson, "Probable inference, the law of
  succession, and statistical inference", JASA 22 (1927) 209-212; method 3 of R. G. Newcombe,
  "Two-sided confidence intervals for the single proportion", Statistics in Medicine 17 (1998)
  857-872), which stays inside [0, 1] and behaves at 0 and n events, unlike the Wald interval;
* means: the **percentile bootstrap** (B. Efron and R. J. Tibshirani, "An Introduction to the
  Bootstrap", Chapman & Hall 1993, ch. 13) with 2,000 resamples from a fixed seed, so a report
  is reproducible; it assumes nothing about the shape of latencies or similarities. Above
  :data:`BOOTSTRAP_MAX_N` values the normal interval ``mean ± z·s/√n`` is used instead: by the
  central limit theorem the bootstrap distribution of the mean is then normal to within its own
  resampling noise, and the resample matrix (``resamples × n`` floats) would grow without bound
  (2,000 × 100,000 values is 1.6 GB).

The 95 % normal quantile comes from :class:`statistics.NormalDist`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

CONFIDENCE = 0.95
Z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)  # 1.959963984540054
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 15
BOOTSTRAP_MAX_N = 5000  # resample matrix at most 2,000 x 5,000 floats (80 MB); larger samples: normal interval


def wilson(successes: int, n: int, z: float = Z) -> dict:
    """``{"n", "k", "rate", "low", "high"}`` for ``successes`` out of ``n`` with the Wilson score
    interval (95 % by default); rate and bounds None when ``n`` is 0. ValueError when
    ``successes`` is outside 0..n."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"successes must be within 0..n, got {successes} of {n}")
    if n == 0:
        return {"n": 0, "k": 0, "rate": None, "low": None, "high": None}
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return {"n": n, "k": successes, "rate": round(p, 4), "low": round(max(0.0, centre - half), 4), "high": round(min(1.0, centre + half), 4)}


def mean_ci(values: Sequence[float], *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> dict:
    """``{"n", "mean", "low", "high"}``: the mean and its 95 % percentile-bootstrap interval;
    bounds None with fewer than 2 values, everything None without values. More than
    :data:`BOOTSTRAP_MAX_N` values: the normal interval (module docstring), in constant memory."""
    n = len(values)
    if n == 0:
        return {"n": 0, "mean": None, "low": None, "high": None}
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if n < 2:
        return {"n": n, "mean": round(mean, 4), "low": None, "high": None}
    if n > BOOTSTRAP_MAX_N:
        half = Z * float(arr.std(ddof=1)) / math.sqrt(n)
        return {"n": n, "mean": round(mean, 4), "low": round(mean - half, 4), "high": round(mean + half, 4)}
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - CONFIDENCE) / 2, 1 - (1 - CONFIDENCE) / 2])
    return {"n": n, "mean": round(mean, 4), "low": round(float(lo), 4), "high": round(float(hi), 4)}


def per_100(count: int, n: int) -> float | None:
    """``count`` per 100 items (None when ``n`` is 0)."""
    return round(100.0 * count / n, 2) if n else None
