"""Storage of the release machinery (issue 15, migration 0009; docs/release.md).

* the variant set's history (:class:`storage.models.VariantEvent`) and the state replayed from
  it (:func:`release_state`: the default, the defaults before it, the stopped variants);
* the evaluation gate's results per variant (:class:`storage.models.VariantGateResult`);
* the registry (:class:`storage.models.RegistryEntry`): the full text of every prompt template,
  policy pack and model configuration that drafted, by sha256, with first and last use;
* each draft's provenance (:class:`storage.models.DraftProvenance`): variant, shadow, hashes.

Functions take an open :class:`sqlalchemy.orm.Session`; the caller commits (one transaction
with the change and its audit event).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import DraftProvenance, RegistryEntry, VariantEvent, VariantGateResult, utcnow

KINDS = ("prompt_template", "policy_pack", "model_config")

#: PostgreSQL advisory lock key of variant-set changes (signed 64-bit sha256 prefix of its name).
RELEASE_LOCK_KEY = int.from_bytes(hashlib.sha256(b"draftguard:release").digest()[:8], "big", signed=True)


@dataclass
class ReleaseState:
    """The variant set's state replayed from its history. ``stack``: the defaults, oldest first
    (the last is the default now; a rollback pops it); ``stopped``: variants getting no traffic."""

    stack: list[str]
    stopped: set[str] = field(default_factory=set)

    @property
    def default(self) -> str:
        """The default variant now."""
        return self.stack[-1]

    @property
    def previous(self) -> str | None:
        """The default a rollback returns to, None when there is none."""
        return self.stack[-2] if len(self.stack) > 1 else None


def release_state(session: Session, config_default: str, known: Sequence[str]) -> ReleaseState:
    """Replay ``variant_events`` over the config's default, the config (``known``) applied at
    every step: ``promote`` pushes a known variant (not when it is already on top);
    ``rollback`` returns to the target stored in its event (``detail["to"]``: the stack is cut
    back to that variant's last level) and, when that target is gone from the config or the
    event predates it, pops the variant it rolled back (``variant``) if that is on top;
    ``stop``/``resume`` mark. So a variant removed from the config never stays the default,
    and a rollback recorded as "B → A" lands on A whatever was promoted and removed since."""
    known_set = set(known)
    state = ReleaseState([config_default])
    rows = session.execute(select(VariantEvent.action, VariantEvent.variant, VariantEvent.detail).order_by(VariantEvent.id))
    for action, variant, detail in rows:
        stack = state.stack
        if action == "promote":
            if variant in known_set and stack[-1] != variant:
                stack.append(variant)
        elif action == "rollback" and len(stack) > 1:
            target = (detail or {}).get("to") if isinstance(detail, dict) else None
            if target in stack:
                del stack[len(stack) - stack[::-1].index(target) :]
            elif stack[-1] == variant:
                stack.pop()
        elif action == "stop":
            state.stopped.add(variant)
        elif action == "resume":
            state.stopped.discard(variant)
    state.stopped &= known_set
    return state


def lock_release(session: Session) -> None:
    """Serialise changes of the variant set: call first in the transaction that reads
    :func:`release_state` and appends an event; held until that transaction ends.

    PostgreSQL: ``pg_advisory_xact_lock`` on :data:`RELEASE_LOCK_KEY` (a second changer waits).
    SQLite: the engines of :func:`storage.db.make_engine` begin every transaction with
    ``BEGIN IMMEDIATE`` (the database's write lock); this makes sure it has begun. Other
    dialects: nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": RELEASE_LOCK_KEY})
    else:
        session.connection()


def add_event(session: Session, action: str, variant: str, *, previous_default: str | None, actor: str, reason: str | None = None, detail: dict | None = None) -> VariantEvent:
    """Append one history row (flushed)."""
    row = VariantEvent(action=action, variant=variant, previous_default=previous_default, actor=actor[:200], reason=reason, detail=detail)
    session.add(row)
    session.flush()
    return row


def history(session: Session, limit: int = 50) -> list[VariantEvent]:
    """The latest ``limit`` history rows, newest first."""
    return list(session.execute(select(VariantEvent).order_by(VariantEvent.id.desc()).limit(limit)).scalars())


def add_gate_result(session: Session, **values) -> VariantGateResult:
    """Record one gate run (keys: the columns of :class:`VariantGateResult`); flushed."""
    row = VariantGateResult(**values)
    session.add(row)
    session.flush()
    return row


def latest_gate(session: Session, variant: str, fingerprint: str | None = None) -> VariantGateResult | None:
    """The latest gate result of ``variant`` (of that exact definition when ``fingerprint``)."""
    q = select(VariantGateResult).where(VariantGateResult.variant == variant)
    if fingerprint is not None:
        q = q.where(VariantGateResult.fingerprint == fingerprint)
    return session.execute(q.order_by(VariantGateResult.id.desc()).limit(1)).scalar_one_or_none()


def touch_registry(session: Session, kind: str, sha256: str, ref: str, content: str, now: datetime | None = None) -> None:
    """Keep ``content`` under (``kind``, ``sha256``): insert it on first use, else count the use
    and move ``last_used_at``. One statement (INSERT … ON CONFLICT), so concurrent writers on
    PostgreSQL never collide."""
    if kind not in KINDS:
        raise ValueError(f"registry kind must be one of {KINDS}, not {kind!r}")
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    values = {"kind": kind, "sha256": sha256, "ref": ref[:300], "content": content, "uses": 1, "first_used_at": now, "last_used_at": now}
    if dialect in ("postgresql", "sqlite"):
        ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(RegistryEntry).values(**values)
        session.execute(
            ins.on_conflict_do_update(
                index_elements=["kind", "sha256"], set_={"uses": RegistryEntry.uses + 1, "last_used_at": now}
            )
        )
        return
    existing = session.get(RegistryEntry, (kind, sha256))  # other dialects: read, then write
    if existing is None:
        session.add(RegistryEntry(**values))
    else:
        session.execute(
            update(RegistryEntry).where(RegistryEntry.kind == kind, RegistryEntry.sha256 == sha256).values(uses=RegistryEntry.uses + 1, last_used_at=now)
        )


def registry_lookup(session: Session, sha256_prefix: str) -> list[RegistryEntry]:
    """Registry entries whose sha256 starts with ``sha256_prefix`` (at least 6 hex digits)."""
    p = sha256_prefix.strip().lower()
    if len(p) < 6 or any(c not in "0123456789abcdef" for c in p):
        raise ValueError(f"{sha256_prefix!r}: give at least 6 hex digits of a sha256")
    return list(session.execute(select(RegistryEntry).where(RegistryEntry.sha256.like(f"{p}%")).order_by(RegistryEntry.kind)).scalars())


def registry_entries(session: Session) -> list[RegistryEntry]:
    """Every registry entry, most recently used first."""
    return list(session.execute(select(RegistryEntry).order_by(RegistryEntry.last_used_at.desc())).scalars())


def add_provenance(session: Session, **values) -> DraftProvenance:
    """Record which variant wrote a draft (keys: the columns of :class:`DraftProvenance`)."""
    row = DraftProvenance(**values)
    session.add(row)
    return row


def provenance(session: Session, draft_id: int) -> DraftProvenance | None:
    """The provenance of draft ``draft_id``, None for a draft written before issue 15."""
    return session.get(DraftProvenance, draft_id)


def record_variant_use(session: Session, item, draft_row, analysis, *, shadow: bool) -> dict:
    """Write a draft's provenance (variant, shadow, the hashes) and keep its prompt template,
    policy pack and model configuration in the registry; returns the keys for the ``drafted``
    audit event (``variant``, ``shadow``, ``pack_sha256``, ``model_config_sha256``). An analysis
    without a variant (built by hand in a test) records nothing and returns ``{}``.

    The prompt is the one that wrote the draft (``draft_row.prompt_hash``): the model's prompt
    template (``Prompt.template_hash``), or for a template draft the template drafter's set
    (:func:`agent.template_drafter.template_set_text`). The variant keeps every prompt text it read, so an edit of the file after rendering does not change
    what is stored; a text it never saw is not stored (the draft keeps its hash)."""
    v = getattr(analysis, "variant", None)
    if v is None:
        return {}
    now = utcnow()
    prompt_sha = draft_row.prompt_hash  # what wrote this draft: the model's prompt, or the template set
    if prompt_sha == analysis.prompt.template_hash:
        text = v.prompt_text(prompt_sha)
        if text is not None:
            touch_registry(session, "prompt_template", prompt_sha, analysis.prompt.template_id, text[1], now)
    elif draft_row.provider == "template" and draft_row.model.startswith("templates/"):
        from agent.template_drafter import template_set_hash, template_set_text

        version = draft_row.model.removeprefix("templates/")
        if template_set_hash(version) == prompt_sha:  # the files still hold what drafted (else only the hash is kept)
            touch_registry(session, "prompt_template", prompt_sha, f"draft_templates/{version}", template_set_text(version), now)
    touch_registry(session, "policy_pack", v.policy.sha256, f"{v.policy.name} {v.policy.version}", v.pack_text(), now)
    touch_registry(session, "model_config", v.model_sha256, f"{v.name}: {v.model_config.get('model') or v.model_config.get('template_drafter')}", v.model_json, now)
    add_provenance(
        session,
        draft_id=draft_row.id,
        item_id=item.id,
        variant=v.name,
        variant_salt=v.salt,
        shadow=shadow,
        prompt_sha256=prompt_sha,
        pack_sha256=v.policy.sha256,
        model_sha256=v.model_sha256,
        created_at=now,
    )
    return {"variant": v.name, "shadow": shadow, "pack_sha256": v.policy.sha256, "model_config_sha256": v.model_sha256}
