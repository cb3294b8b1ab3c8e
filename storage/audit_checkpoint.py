"""Audit checkpoints: the chain's head, signed, in a file kept outside the database.

Someone with write access to the database can cut the chain short or wipe it and leave a
consistent-looking head. A checkpoint anchors it elsewhere: ``main.py audit checkpoint``
writes the current head (seq, hash, time) to ``[audit] checkpoint_dir`` (or ``--out``), and
``main.py audit verify`` checks the chain against the latest checkpoint there: a chain shorter
than the checkpoint or differing from it at the checkpoint's seq fails, naming the file.

File format (JSON, one object)::

    {"format": "draftguard-audit-checkpoint/1", "seq": 812, "hash": "<64 hex>",
     "created_at": "2026-12-03T09:00:00.000000+00:00", "database": "postgresql+psycopg://dg:***@db/dg",
     "key_check": "<64 hex>", "mac": "<64 hex>"}

``mac`` = HMAC-SHA256 (RFC 2104) under ``DRAFTGUARD_AUDIT_KEY`` over the canonical JSON
(sorted keys, no spaces) of every other field; ``key_check`` tells a wrong key from an edited
file. Without a key the file is unsigned (``mac`` null, ``key_check`` "none"): it still
anchors the chain, but anyone who can write the folder could replace it.

File names sort by seq, then time: ``audit-checkpoint-<seq, 15 digits>-<UTC time>.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.errors import DraftguardError
from storage.audit import AUDIT_KEY_ENV, UNKEYED, Checkpoint, VerifyResult, audit_key, key_check_value, verify
from storage.models import AuditHead

FORMAT = "draftguard-audit-checkpoint/1"
PATTERN = "audit-checkpoint-*.json"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class CheckpointError(DraftguardError):
    """A checkpoint cannot be used. ``kind`` is ``"key"`` (``DRAFTGUARD_AUDIT_KEY`` wrong or
    missing), ``"input"`` (no such file, no checkpoint folder) or ``"checkpoint"`` (unreadable,
    malformed, or its signature does not match: the file was edited). The message names the file."""

    def __init__(self, kind: str, message: str):
        self.kind = kind
        super().__init__(message)


def _signed_part(doc: dict) -> bytes:
    body = {k: doc[k] for k in ("format", "seq", "hash", "created_at", "database", "key_check")}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _mac(key: bytes, doc: dict) -> str:
    return hmac.new(key, _signed_part(doc), hashlib.sha256).hexdigest()


def current(session: Session, database: str) -> dict:
    """The checkpoint document for the chain's head as ``session`` sees it, signed when the key
    is set. ``database`` is recorded for people (give it with the password hidden)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    key = audit_key()
    doc = {
        "format": FORMAT,
        "seq": head.seq,
        "hash": head.hash,
        "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "database": database,
        "key_check": key_check_value(key),
    }
    doc["mac"] = _mac(key, doc) if key else None
    return doc


def file_name(doc: dict) -> str:
    """``audit-checkpoint-<seq>-<time>.json`` (sorts by seq, then time)."""
    stamp = datetime.fromisoformat(doc["created_at"]).strftime("%Y%m%dT%H%M%S%fZ")
    return f"audit-checkpoint-{doc['seq']:015d}-{stamp}.json"


def write(doc: dict, path: Path) -> Path:
    """Write ``doc`` atomically to ``path``: a file, or an existing folder (it gets
    :func:`file_name`). Never overwrites an existing file. Raises CheckpointError (``input``)."""
    target = path / file_name(doc) if path.is_dir() else path
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.link(tmp, target)  # fails if the target exists: an earlier checkpoint is never replaced
    except FileExistsError:
        raise CheckpointError("input", f"{target}: a file already exists there (checkpoints are never replaced)") from None
    except OSError as exc:
        raise CheckpointError("input", f"{target}: cannot write the checkpoint: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def find(folder: Path | None, explicit: Path | None = None) -> Checkpoint | None:
    """The checkpoint to verify against: ``explicit`` (a file) when given, else the latest in
    ``folder`` (None when there is no folder or no file in it yet). Raises as :func:`load`."""
    if explicit is not None:
        return load(explicit)
    path = latest(folder) if folder is not None else None
    return load(path) if path is not None else None


def make(session: Session, database: str, target: Path, *, previous: Checkpoint | None) -> tuple[VerifyResult, Path | None]:
    """Verify the chain (against ``previous``, the latest checkpoint) and, only when it is
    intact, write a checkpoint of the head read in the same transaction to ``target`` (a file,
    or a folder that is created). Returns the verify result and the file written (None when
    the chain is broken). Raises CheckpointError when the file cannot be written."""
    result = verify(session, checkpoint=previous)
    if not result.ok:
        return result, None
    doc = current(session, database)
    if target.suffix != ".json":
        target.mkdir(parents=True, exist_ok=True)
    return result, write(doc, target)


def latest(folder: Path) -> Path | None:
    """The newest checkpoint file in ``folder`` (highest seq, then latest time), or None."""
    if not folder.is_dir():
        return None
    files = sorted(folder.glob(PATTERN))
    return files[-1] if files else None


def load(path: Path) -> Checkpoint:
    """Read and authenticate a checkpoint file with the current ``DRAFTGUARD_AUDIT_KEY``.

    Raises CheckpointError: ``input`` (missing file), ``checkpoint`` (not a checkpoint, or
    its signature does not match: edited), ``key`` (signed with another key, signed but no key
    set, or unsigned while a key is set)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckpointError("input", f"checkpoint {path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError("checkpoint", f"checkpoint {path}: unreadable ({type(exc).__name__})") from exc
    if not (
        isinstance(doc, dict)
        and doc.get("format") == FORMAT
        and isinstance(doc.get("seq"), int) and doc["seq"] >= 0
        and isinstance(doc.get("hash"), str) and _HEX64.match(doc["hash"])
        and isinstance(doc.get("created_at"), str)
        and isinstance(doc.get("key_check"), str)
        and "database" in doc
    ):
        raise CheckpointError("checkpoint", f"checkpoint {path}: not a {FORMAT} file (or edited)")
    key = audit_key()
    signed = doc["key_check"] != UNKEYED
    if signed and key is None:
        raise CheckpointError("key", f"checkpoint {path.name} was signed with {AUDIT_KEY_ENV}, which is not set: set the same key")
    if not signed and key is not None:
        raise CheckpointError("checkpoint", f"checkpoint {path.name} is not signed although {AUDIT_KEY_ENV} is set (replaced?)")
    if key is not None:
        if doc["key_check"] != key_check_value(key):
            raise CheckpointError("key", f"wrong {AUDIT_KEY_ENV}: checkpoint {path.name} was signed with a different key")
        if not isinstance(doc.get("mac"), str) or not hmac.compare_digest(doc["mac"], _mac(key, doc)):
            raise CheckpointError("checkpoint", f"checkpoint {path.name}: its signature does not match its contents (edited)")
    return Checkpoint(seq=doc["seq"], hash=doc["hash"], created_at=doc["created_at"], key_check=doc["key_check"], name=str(path))
