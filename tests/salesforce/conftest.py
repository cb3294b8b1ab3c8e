"""Fixtures for the Salesforce connector tests: a trustme CA, the fake org over HTTPS, a config
pointing at it, secrets in a private environment mapping, an in-memory cursor store."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tenacity import wait_none

sys.path.insert(0, str(Path(__file__).parent))

from sf_fake import FakeSalesforce  # noqa: E402
from sf_testkit import MemoryCursors, Seeder  # noqa: E402

from agent.config import SalesforceSourceConfig  # noqa: E402
from connectors.salesforce.auth import SalesforceClient  # noqa: E402
from connectors.salesforce.source import SalesforceSource  # noqa: E402


@pytest.fixture
def fake(ca, ca_trusted):
    with FakeSalesforce(ca) as server:
        yield server


@pytest.fixture
def rsa_key(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = tmp_path / "server.key"
    path.write_bytes(pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return path, public


@pytest.fixture
def env(fake):
    return {"DRAFTGUARD_SF_CLIENT_ID": fake.app.client_id, "DRAFTGUARD_SF_CLIENT_SECRET": fake.app.client_secret}


@pytest.fixture
def make_cfg(fake):
    def _make(**kw) -> SalesforceSourceConfig:
        base = dict(name="acme", domain=fake.domain, queues=["Support_EN"], case_fields_allow_list=["CaseNumber", "Subject", "Status", "Priority", "Product__c"], from_address="support@ours.example")
        base.update(kw)
        return SalesforceSourceConfig(**base)

    return _make


@pytest.fixture
def make_source(make_cfg, env):
    def _make(cfg=None, **kw) -> SalesforceSource:
        cfg = cfg or make_cfg(**kw)
        client = SalesforceClient(cfg, source_name=f"salesforce:{cfg.name}", wait=wait_none(), env=env)
        return SalesforceSource(cfg, client=client)

    return _make


@pytest.fixture
def cursors() -> MemoryCursors:
    return MemoryCursors()


@pytest.fixture
def seed(fake) -> Seeder:
    return Seeder(fake)


@pytest.fixture
def t0(fake) -> datetime:
    return fake.org.now
