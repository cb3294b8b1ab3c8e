"""The console's services free what they opened: the sources built to fetch clients' messages
(Outlook / Salesforce sessions, Maildir) are closed by ``close()``, even when one of them fails."""

from __future__ import annotations

import pytest

from connectors.maildir.source import MaildirSource
from console.services import open_services
from tests.console.console_testkit import add_message, eml, settings_for


@pytest.fixture
def closes(monkeypatch) -> list[str]:
    """The names of the Maildir sources closed (a spy around the real ``close``)."""
    seen: list[str] = []
    real = MaildirSource.close

    def spy(self):
        seen.append(self.name)
        return real(self)

    monkeypatch.setattr(MaildirSource, "close", spy)
    return seen


def test_close_closes_the_sources_fetch_built(tmp_path, closes):
    settings = settings_for(tmp_path)
    key = add_message(settings, eml("Refund", "Hello, please refund order 1234."))
    services = open_services(settings)
    assert services.fetch("maildir:local", key).subject == "Refund"
    assert closes == []
    services.close()
    assert closes == ["maildir:local"]
    services.close()  # a second close closes nothing twice
    assert closes == ["maildir:local"]


def test_a_failing_source_close_does_not_keep_the_others_open(tmp_path, monkeypatch, caplog):
    from agent.config import MaildirSourceConfig

    settings = settings_for(tmp_path)
    second = tmp_path / "box2"
    for sub in ("cur", "new", "tmp"):
        (second / sub).mkdir(parents=True)
    settings.sources.maildir.append(MaildirSourceConfig(name="second", path=second, drafts_path=tmp_path / "Drafts2", from_address="support@northwind.example"))
    closed: list[str] = []

    def close(self):
        closed.append(self.name)
        if self.name == "maildir:local":
            raise OSError("secret path /home/ann")

    monkeypatch.setattr(MaildirSource, "close", close)
    key = add_message(settings, eml("Refund", "Hello"))
    services = open_services(settings)
    services.fetch("maildir:local", key)
    services.close()
    assert closed == ["maildir:local", "maildir:second"]
    assert "OSError" in caplog.text and "/home/ann" not in caplog.text


def test_close_without_fetch_builds_nothing(tmp_path, closes):
    services = open_services(settings_for(tmp_path))
    services.close()
    assert closes == []
