"""Helpers for end-to-end tests: a private copy of the example mailbox and a config pointing at it."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, *, base_url: str = "", mailbox: Path | None = None, storage_url: str | None = None, extra: str = "",
                 knowledge: Path | None = None) -> Path:
    """A copy of config.example.toml with the mailbox, drafts, database and model set for a test.

    ``knowledge``: the ``[knowledge]`` folder; None = no knowledge base (``folders = []``), so
    ``run`` does not index the 52 example articles in every test (kb/refresh.py)."""
    box = mailbox or tmp_path / "mailbox"
    if mailbox is None:
        shutil.copytree(ROOT / "examples" / "mailbox", box)
    text = (ROOT / "config.example.toml").read_text()
    data = tomllib.loads(text)  # validate the example parses before editing
    assert data["sources"]["maildir"][0]["path"] == "examples/mailbox"
    text = text.replace('path = "examples/mailbox"', f'path = "{box}"')
    text = text.replace('drafts_path = "var/Drafts"', f'drafts_path = "{tmp_path / "Drafts"}"')
    text = text.replace('url = "sqlite:///var/draftguard.db"', f'url = "{storage_url or "sqlite:///" + str(tmp_path / "dg.db")}"')
    text = text.replace('base_url = ""', f'base_url = "{base_url}"')
    assert 'folders = ["examples/knowledge"]' in text
    text = text.replace('folders = ["examples/knowledge"]', f'folders = ["{knowledge}"]' if knowledge else "folders = []")
    text = text.replace("max_retries = 2", "max_retries = 1")
    cfg = tmp_path / "config.toml"
    cfg.write_text(text + "\n" + extra)
    return cfg


FIXTURES = ROOT / "tests" / "fixtures" / "mail"
MARKUP_SUBJECT = "[/] [bold]x[/bold] [red]"


def mailbox_of(tmp_path: Path, messages: dict[str, bytes]) -> Path:
    """A new Maildir ``tmp_path/box`` holding ``messages`` (file name → RFC 5322 bytes) in ``new/``."""
    box = tmp_path / "box"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    for name, raw in messages.items():
        (box / "new" / name).write_bytes(raw)
    return box


def with_subject(fixture: str, subject: str) -> bytes:
    """The fixture ``tests/fixtures/mail/<fixture>`` with its Subject header replaced by ``subject``."""
    lines = (FIXTURES / fixture).read_bytes().split(b"\n")
    return b"\n".join(b"Subject: " + subject.encode() if line.startswith(b"Subject:") else line for line in lines)
