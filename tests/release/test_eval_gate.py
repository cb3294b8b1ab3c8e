"""``main.py eval DATASET --variant NAME`` runs the gate with that variant and records the result;
promotion follows it: a failed gate refuses the promotion, a passed one allows it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from agent.config import load_config
from evaluation.risk import DEFAULT_DATASET
from jobs.variants import ReleaseError, promote
from storage.db import open_database
from storage.models import VariantGateResult


def _cases(path, n_risky: int, n_plain: int) -> None:
    risky, plain = [], []
    for line in DEFAULT_DATASET.read_text().splitlines():
        c = json.loads(line)
        if c.get("split") != "test" or c.get("lang") != "en" or c.get("injection"):
            continue
        (risky if c["must_review"] else plain).append(c)
    path.write_text("\n".join(json.dumps(c) for c in risky[:n_risky] + plain[:n_plain]) + "\n")


def test_eval_variant_records_the_gate_and_promotion_follows_it(release_config, tmp_path):
    cfg, _box = release_config
    data = tmp_path / "cases.jsonl"
    _cases(data, 1, 1)
    runner = CliRunner()
    res = runner.invoke(__import__("main").app, ["-c", str(cfg), "eval", str(data), "--variant", "alt", "--json", "--gate", "regression"])
    assert res.exit_code in (0, 1), res.output
    figures = json.loads(res.stdout)
    assert figures["cases"] == 2
    settings = load_config(cfg)
    engine, sf = open_database(settings.storage_url())
    try:
        with sf() as s:
            (row,) = s.query(VariantGateResult).all()
            assert row.variant == "alt" and row.gate == "regression" and row.figures["cases"] == 2
            assert row.passed is (res.exit_code == 0)
        if row.passed:
            assert promote(sf, settings, "alt", actor="t").default == "alt"
        else:
            try:
                promote(sf, settings, "alt", actor="t")
            except ReleaseError as exc:
                assert "failed the evaluation gate" in str(exc)
            else:
                raise AssertionError("a variant that failed the gate was promoted")
    finally:
        engine.dispose()
    bad = runner.invoke(__import__("main").app, ["-c", str(cfg), "eval", str(data), "--variant", "nope"])
    assert bad.exit_code == 2 and "no variant 'nope'" in bad.output
