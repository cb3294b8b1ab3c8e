"""Fixtures for the Maildir connector tests: an empty inbox Maildir and a source config."""

from __future__ import annotations

from pathlib import Path

import pytest
from maildir_testkit import make_maildir

from agent.config import MaildirSourceConfig


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    return make_maildir(tmp_path / "Inbox")


@pytest.fixture
def source_config(tmp_path: Path, inbox: Path) -> MaildirSourceConfig:
    return MaildirSourceConfig(
        name="local",
        path=inbox,
        drafts_path=tmp_path / "Drafts",
        from_address="Northwind Support <support@northwind.example>",
    )
