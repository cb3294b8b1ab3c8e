"""``[distributed]``: the broker URL's sources and checks, and what the mode refuses (SQLite, the
memory limits backend, no broker) at start and in ``config check``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from agent.config import DistributedConfig, Settings
from agent.errors import ConfigError
from jobs.worker import check_distributed
from tests.e2e.helpers import ROOT, write_config

PG = "postgresql+psycopg://postgres@db.example:5432/dg"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    for var in ("DRAFTGUARD_TASK_BROKER_URL", "DRAFTGUARD_BROKER_URL", "DRAFTGUARD_STORAGE_URL"):
        monkeypatch.delenv(var, raising=False)


def test_a_password_in_the_file_is_refused_and_the_environment_overrides(monkeypatch):
    with pytest.raises(ValueError, match="holds a password: put the URL in the environment variable DRAFTGUARD_TASK_BROKER_URL"):
        DistributedConfig(broker_url="amqp://user:s3cret@broker:5672//")
    with pytest.raises(ValueError, match="must be an amqp:// or redis:// URL"):
        DistributedConfig(broker_url="http://broker")
    d = DistributedConfig(broker_url="amqp://broker:5672//")
    assert d.resolved_broker_url() == "amqp://broker:5672//"
    assert d.resolved_result_backend() == "rpc://"  # RabbitMQ: replies on the scheduler's queue
    monkeypatch.setenv("DRAFTGUARD_BROKER_URL", "amqp://u:p@events:5672//")
    assert d.resolved_broker_url() == "amqp://u:p@events:5672//"
    monkeypatch.setenv("DRAFTGUARD_TASK_BROKER_URL", "redis://:p@cache:6379/3")
    assert d.resolved_broker_url() == "redis://:p@cache:6379/3"
    assert d.resolved_result_backend() == "redis://:p@cache:6379/3"  # Redis: results in the broker's Redis


def test_no_broker_anywhere_is_a_config_error_naming_the_key():
    with pytest.raises(ConfigError, match=r"distributed.broker_url: no task broker: set DRAFTGUARD_TASK_BROKER_URL or DRAFTGUARD_BROKER_URL"):
        DistributedConfig().resolved_broker_url()


def _settings(url: str, backend: str = "redis", broker: str = "amqp://broker//") -> Settings:
    return Settings.model_validate(
        {"storage": {"url": url}, "limits": {"backend": backend}, "distributed": {"enabled": True, "broker_url": broker}}
    )


def test_the_mode_needs_postgresql_redis_limits_and_a_broker():
    check_distributed(_settings(PG))  # all there: no error
    with pytest.raises(ConfigError, match=r"storage.url: \[distributed\] enabled needs PostgreSQL.*SQLite \(sqlite\)"):
        check_distributed(_settings("sqlite:///var/dg.db"))
    with pytest.raises(ConfigError, match=r'limits.backend: \[distributed\] enabled needs \[limits\] backend = "redis"'):
        check_distributed(_settings(PG, backend="memory"))
    with pytest.raises(ConfigError, match="no task broker"):
        check_distributed(_settings(PG, broker=""))
    check_distributed(Settings())  # the mode off: nothing asked


def _cli(cfg, *args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--config", str(cfg), *args], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_sqlite_in_distributed_mode_is_refused_by_config_check_run_and_worker(tmp_path):
    cfg = write_config(tmp_path, extra='\n[distributed]\nenabled = true\nbroker_url = "amqp://127.0.0.1:5672//"\n')
    cfg.write_text(cfg.read_text().replace('# backend = "memory"', 'backend = "redis"', 1))
    for args in (("config", "check"), ("run", "--once"), ("worker",)):
        r = _cli(cfg, *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert "[distributed] enabled needs PostgreSQL" in r.stderr, (args, r.stderr)
    assert not (tmp_path / "dg.db").exists()  # refused before the database was created


def test_worker_without_the_mode_is_a_usage_error(tmp_path):
    r = _cli(write_config(tmp_path), "worker")
    assert r.returncode == 2 and "needs [distributed] enabled = true" in r.stderr
