"""Helpers of the release tests: example mail copied in batches, configs with [release], and for the
shadow-scoring tests (test_shadow_*.py) a SQLite database and the shadow item the pipeline records."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.formatting import text_to_html
from agent.models import InboundMessage
from storage.db import open_database
from storage.models import Draft, Item
from tests.e2e.helpers import ROOT, write_config

EXAMPLES = sorted((ROOT / "examples" / "mailbox" / "new").iterdir()) + sorted((ROOT / "examples" / "mailbox" / "cur").iterdir())
#: short example mails that get a draft (skipped ones such as auto-replies get none): fast to analyse
SMALL = [f for f in EXAMPLES if f.name.startswith(("1709712000.M47P1", "1709740800.M55P1", "1712824200.M64P1", "1333455839.M76P1", "1710257400.M61P1", "1614793500.M73P1"))]
ESCALATING = ("1592658720.M62P1", "1712746800.M63P1")  # legal threat, investment advice (examples/MANIFEST)


def add_mail(box: Path, files: list[Path]) -> None:
    """Copy ``files`` into the Maildir ``box`` (``new/``)."""
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, box / "new" / f.name.split(":")[0])


RELEASE = """
[release]
salt = "test-salt"
default = "base"
state_refresh_seconds = 0

[[release.variants]]
name = "base"

[[release.variants]]
name = "alt"
share = 0.0
drafter = "template"
"""


@pytest.fixture
def release_config(tmp_path):
    """(config path, mailbox) with the variants ``base`` (default) and ``alt`` (no share)."""
    box = tmp_path / "box"
    add_mail(box, [])
    return write_config(tmp_path, mailbox=box, extra=RELEASE), box


@pytest.fixture
def db(tmp_path) -> Iterator:
    """A session factory of a fresh SQLite database (``tmp_path/dg.db``), disposed afterwards.
    (tests/outlook/conftest.py's own ``db``, star-imported by test_shadow_outlook.py, is the same.)"""
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    yield sf
    engine.dispose()


def record_shadow_item(db, msg: InboundMessage, text: str) -> int:
    """Record ``msg`` as the pipeline records a shadow item (state ``shadow``, thread key from the
    message), with a template draft whose body is ``text`` (plain and as HTML); returns the item id."""
    with db() as s:
        item = Item(source=msg.source, external_id=msg.external_id, thread_key=msg.thread_key, correlation_id=str(uuid.uuid4()),
                    state="shadow", received_at=msg.received_at)
        s.add(item)
        s.flush()
        s.add(Draft(item_id=item.id, provider="template", model="t", prompt_template_id="reply/v1", prompt_hash="0" * 64,
                    intent="information_request", confidence=0.9, body_text=text, body_html=text_to_html(text), body_sha256="0" * 64))
        s.commit()
        return item.id


@pytest.fixture
def shadow_item() -> Callable[..., int]:
    """:func:`record_shadow_item` as a fixture: ``shadow_item(db, msg, text) -> item id``."""
    return record_shadow_item
