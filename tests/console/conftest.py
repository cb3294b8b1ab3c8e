"""Fixtures of the console tests (helpers in console_testkit.py)."""

from __future__ import annotations

import pytest

from tests.console.console_testkit import make_app, settings_for


@pytest.fixture
def console_env(tmp_path):
    """``(settings, app, services)`` on a fresh Maildir and SQLite database."""
    settings = settings_for(tmp_path)
    app, services = make_app(settings)
    yield settings, app, services
    services.close()
