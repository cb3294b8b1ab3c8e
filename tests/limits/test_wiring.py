"""The config decides where the limits live: ``[limits] backend`` reaches the model client built
by jobs/bootstrap.py and every Outlook connection; the example config still loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import ConfigError, LimitsConfig, load_config
from connectors.limits import backend_for
from connectors.limits.backend import RedisState
from connectors.limits.model_rate import MemoryState
from connectors.limits.slots import MemorySlots, RedisLeaseSlots
from jobs.bootstrap import build_pipeline
from storage.db import open_database
from tests.limits.helpers import namespace_fixture, redis_url_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, limits: str, model: str) -> Path:
    text = (ROOT / "config.example.toml").read_text()
    text = text.replace('[limits]\n', f'[limits]\n{limits}\n', 1)
    text = text.replace('base_url = ""\n', f'base_url = "http://127.0.0.1:9/v1"\n{model}\n', 1)
    path = tmp_path / "draftguard.toml"
    path.write_text(text.replace('sqlite:///var/', f'sqlite:///{tmp_path}/'))
    return path


def test_the_example_config_loads_with_the_memory_backend():
    settings = load_config(ROOT / "config.example.toml")
    assert settings.limits.backend == "memory" and settings.model.requests_per_minute is None
    assert isinstance(backend_for(settings.limits).slots, MemorySlots)


def test_redis_backend_reaches_the_model_client(tmp_path, redis_url, namespace, monkeypatch):
    monkeypatch.setenv("DRAFTGUARD_REDIS_URL", redis_url)
    settings = load_config(_config(tmp_path, f'backend = "redis"\nnamespace = "{namespace}"',
                                   "requests_per_minute = 7\ntokens_per_minute = 9000"))
    engine, sf = open_database(settings.storage_url())
    try:
        pipeline = build_pipeline(settings, sf)
        limiter = pipeline.drafter.model.rate
        assert isinstance(limiter.state, RedisState)
        assert limiter._rpm.amount == 7 and limiter._tpm.amount * limiter.token_unit <= 9000
        assert backend_for(settings.limits) is backend_for(settings.limits)  # one per process
        assert isinstance(backend_for(settings.limits).slots, RedisLeaseSlots)
        pipeline.drafter.model.close()
    finally:
        engine.dispose()


def test_memory_backend_is_shared_by_every_client_of_the_process(tmp_path):
    settings = load_config(_config(tmp_path, "", "requests_per_minute = 3"))
    engine, sf = open_database(settings.storage_url())
    try:
        a, b = build_pipeline(settings, sf), build_pipeline(settings, sf)
        assert a.drafter.model.rate is b.drafter.model.rate
        assert isinstance(a.drafter.model.rate.state, MemoryState)
    finally:
        engine.dispose()


def test_a_password_in_the_file_is_refused(tmp_path):
    path = _config(tmp_path, 'backend = "redis"\nredis_url = "redis://:secret@cache:6379/0"', "")
    with pytest.raises(ConfigError, match="limits.redis_url.*DRAFTGUARD_REDIS_URL") as info:
        load_config(path)
    assert "secret" not in str(info.value)


def test_redis_url_comes_from_the_environment_first(monkeypatch):
    cfg = LimitsConfig(backend="redis", redis_url="redis://cache:6379/1")
    assert cfg.resolved_redis_url() == "redis://cache:6379/1"
    monkeypatch.setenv("DRAFTGUARD_REDIS_URL", "redis://:pw@other:6379/2")
    assert cfg.resolved_redis_url() == "redis://:pw@other:6379/2"
    monkeypatch.delenv("DRAFTGUARD_REDIS_URL")
    assert LimitsConfig(backend="redis").resolved_redis_url() == "redis://127.0.0.1:6379/0"
