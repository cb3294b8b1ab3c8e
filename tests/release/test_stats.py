"""The variant report's intervals against published values (jobs/release_stats.py)."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.release_stats import BOOTSTRAP_MAX_N, mean_ci, wilson


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [  # R. G. Newcombe, Statistics in Medicine 17 (1998) 857-872, Table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombes_table(k, n, low, high):
    ci = wilson(k, n)
    assert ci["low"] == pytest.approx(low, abs=1e-4) and ci["high"] == pytest.approx(high, abs=1e-4)


def test_wilson_refuses_impossible_counts():
    with pytest.raises(ValueError, match="within 0..n"):
        wilson(5, 4)


def test_mean_interval_switches_to_the_normal_interval_without_changing_its_width():
    rng = np.random.default_rng(1)
    values = rng.uniform(0.0, 1.0, size=BOOTSTRAP_MAX_N + 1).tolist()  # similarity-like values
    boot = mean_ci(values[:BOOTSTRAP_MAX_N])  # the last size that is bootstrapped
    normal = mean_ci(values)  # one more: the normal interval
    width_boot, width_normal = boot["high"] - boot["low"], normal["high"] - normal["low"]
    assert width_normal == pytest.approx(width_boot, rel=0.1)
    assert normal["low"] < normal["mean"] < normal["high"] and normal["n"] == BOOTSTRAP_MAX_N + 1


def test_a_very_large_sample_is_summarised_in_constant_memory():
    values = np.random.default_rng(2).normal(0.7, 0.1, size=400_000).tolist()  # a bootstrap would need 6.4 GB
    ci = mean_ci(values)
    assert ci["low"] < 0.7 < ci["high"] and ci["high"] - ci["low"] < 0.002


def test_tiny_samples_have_no_bounds():
    assert mean_ci([]) == {"n": 0, "mean": None, "low": None, "high": None}
    assert mean_ci([0.4])["low"] is None
