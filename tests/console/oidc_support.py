"""Helpers for the console tests of the OIDC sign-in, audit pages and dashboard: a Settings built
from config.example.toml with a ``[console]`` section, and the console app on a temporary SQLite
database (migrated by ``storage.db.open_database``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from agent.config import Settings
from console.services import ConsoleServices

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:8080"  # the console's public URL in these tests (loopback: cookies not Secure)
SECRET = "t" * 48


def settings_with(tmp_path: Path, console: dict, storage_url: str | None = None, **extra) -> Settings:
    """config.example.toml with ``[console]`` = ``console`` (public_url defaults to :data:`BASE`),
    storage on SQLite in ``tmp_path`` and the Maildir paths inside ``tmp_path``."""
    data = tomllib.loads((ROOT / "config.example.toml").read_text())
    data["base_dir"] = str(ROOT)
    data["storage"] = {"url": storage_url or f"sqlite:///{tmp_path / 'console.db'}"}
    for src in data.get("sources", {}).get("maildir", []):
        src["path"] = str(tmp_path / "mailbox")
        src["drafts_path"] = str(tmp_path / "Drafts")
    data["console"] = {"public_url": BASE, **console}
    data.update(extra)
    return Settings.model_validate(data)


def open_services(settings: Settings, deliver=None) -> tuple[ConsoleServices, object]:
    """Services on the settings' database; ``deliver`` defaults to one that refuses (these tests
    do not approve)."""
    from storage.db import open_database

    engine, sf = open_database(settings.storage_url())

    def refuse(item_id: int, actor: str) -> str:  # pragma: no cover - not called by these tests
        raise AssertionError("no delivery in this test")

    return ConsoleServices(settings, sf, deliver or refuse, engine.dispose), engine


def make_app(settings: Settings, services: ConsoleServices, **kw):
    from console.app import create_app

    return create_app(settings, services=services, secret_key=SECRET, **kw)
