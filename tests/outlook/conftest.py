"""Fixtures for the Outlook connector: a trustme CA, local Entra + Graph over HTTPS, a SQLite
database for tokens and cursors, and a factory for sources pointing at the fakes."""

from __future__ import annotations

import pytest

from agent.config import OrganisationConfig, OutlookSourceConfig
from connectors.outlook.retry import RetryPolicy
from connectors.outlook.source import OutlookSource
from storage.db import open_database
from storage.repository import SqlCursorStore, SqlKeyValueStore
from tests.outlook.graph_fake import FakeEntra, FakeGraph

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
SECRET = "s3cr3t~value"
MAILBOX = "support@contoso.example"
OTHER = "sales@contoso.example"


@pytest.fixture
def ca_bundle(ca_trusted, monkeypatch):
    monkeypatch.setenv("DRAFTGUARD_GRAPH_CLIENT_SECRET", SECRET)
    return ca_trusted


@pytest.fixture
def entra(ca, ca_bundle):
    with FakeEntra(ca) as server:
        server.register(CLIENT_ID, SECRET, TENANT)
        yield server


@pytest.fixture
def graph(ca, entra):
    with FakeGraph(ca, entra) as server:
        server.add_mailbox(MAILBOX)
        server.add_mailbox(OTHER)
        yield server


@pytest.fixture
def db(tmp_path):
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    yield sf
    engine.dispose()


@pytest.fixture
def cursors(db):
    return SqlCursorStore(db)


@pytest.fixture
def make_cfg(entra, graph):
    def _make(**kw) -> OutlookSourceConfig:
        base = dict(
            name="m365",
            tenant_id=TENANT,
            client_id=CLIENT_ID,
            mailboxes=[MAILBOX],
            graph_url=graph.base,
            authority_url=entra.base,
            retry_max_wait_seconds=2,
            page_size=50,
        )
        base.update(kw)
        return OutlookSourceConfig(**base)

    return _make


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def make_source(db, make_cfg, sleeps):
    made: list[OutlookSource] = []

    def _make(cfg: OutlookSourceConfig | None = None, **kw) -> OutlookSource:
        cfg = cfg or make_cfg(**kw.pop("cfg", {}))
        src = OutlookSource(
            cfg,
            kv_factory=lambda ns: SqlKeyValueStore(db, ns),
            organisation=kw.pop("organisation", OrganisationConfig(name="Contoso", domains=["contoso.example"], signature="Kind regards,\nContoso Support")),
            retry_policy=RetryPolicy(max_attempts=cfg.retry_max_attempts, max_wait_seconds=cfg.retry_max_wait_seconds,
                                     base_seconds=0.01, sleep=sleeps.append),
            **kw,
        )
        made.append(src)
        return src

    yield _make
    for s in made:
        s.close()
