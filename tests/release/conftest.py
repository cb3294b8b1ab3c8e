"""Helpers of the release tests: example mail copied in batches, configs with [release]."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
