"""Variant assignment: stable per conversation, close to the configured shares, fixed slices."""

from __future__ import annotations

from collections import Counter

import pytest

from agent.config import Settings
from agent.drafting import Drafter
from agent.release.assign import bucket, pick
from agent.release.config import ReleaseConfig
from agent.release.variants import VariantSet
from agent.template_drafter import TemplateDrafter
from rules.policy import load_policy_pack

SHARES = [("base", 0.0), ("canary", 0.1), ("reply-b", 0.25)]


def _variant_set(reader=None) -> VariantSet:
    release = ReleaseConfig.model_validate(
        {"salt": "s1", "default": "base", "variants": [{"name": n, "share": s} for n, s in SHARES], "state_refresh_seconds": 0}
    )
    settings = Settings(release=release)
    drafter = Drafter(None, TemplateDrafter(organisation="Firm", signature="Firm"))
    return VariantSet(settings, drafter=drafter, policy=load_policy_pack(settings.policy_pack_path()), state_reader=reader)


def test_assignment_is_stable_and_close_to_the_shares_on_10000_conversations():
    vs = _variant_set()
    keys = [f"maildir:local\x00<thread-{i}@client.example>" for i in range(10_000)]
    first = [vs.choose(k).name for k in keys]
    again = [vs.choose(k).name for k in reversed(keys)][::-1]
    assert first == again  # a thread never flips
    counts = Counter(first)
    assert abs(counts["canary"] / 10_000 - 0.10) <= 0.015, counts
    assert abs(counts["reply-b"] / 10_000 - 0.25) <= 0.015, counts
    assert abs(counts["base"] / 10_000 - 0.65) <= 0.015, counts


def test_a_stopped_variant_sends_its_conversations_to_the_default_and_no_other_moves():
    keys = [f"k{i}" for i in range(3000)]
    before = {k: pick(bucket(k, "s1"), SHARES, "base") for k in keys}
    after = {k: pick(bucket(k, "s1"), SHARES, "base", {"canary"}) for k in keys}
    moved = {k for k in keys if before[k] != after[k]}
    assert moved and all(before[k] == "canary" and after[k] == "base" for k in moved)
    assert all(after[k] == before[k] for k in keys if before[k] == "reply-b")


def test_the_database_state_decides_default_and_stops():
    state = {"v": ("base", frozenset())}
    vs = _variant_set(lambda: state["v"])
    keys = [f"c{i}" for i in range(2000)]
    assert "canary" in {vs.choose(k).name for k in keys}
    state["v"] = ("reply-b", frozenset({"canary"}))
    names = Counter(vs.choose(k).name for k in keys)
    assert names["canary"] == 0 and names["base"] == 0 and names["reply-b"] == 2000


def test_a_different_salt_deals_again():
    keys = [f"c{i}" for i in range(2000)]
    a = [pick(bucket(k, "s1"), SHARES, "base") for k in keys]
    b = [pick(bucket(k, "s2"), SHARES, "base") for k in keys]
    assert a != b


def test_config_refuses_shares_above_one_and_unknown_default():
    with pytest.raises(ValueError, match="more than 1"):
        ReleaseConfig.model_validate({"variants": [{"name": "a", "share": 0.7}, {"name": "b", "share": 0.6}]})
    with pytest.raises(ValueError, match="not one of"):
        ReleaseConfig.model_validate({"default": "x", "variants": [{"name": "a"}]})
