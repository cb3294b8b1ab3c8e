"""SQLAlchemy 2 ORM models: the whole persistent state of draftguard.

Times are timezone-aware UTC. Personal data lives only in ``drafts`` (bodies,
placeholder maps: purged by retention) and ``findings.excerpt``; the
``audit_events`` table holds ids, hashes, counts and versions only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base; naming convention keeps Alembic constraint names stable."""

    from sqlalchemy import MetaData

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ItemState:
    """Item states. Terminal ones are never reprocessed by a poll."""

    NEW = "new"
    PROCESSING = "processing"
    ROUTED = "routed"  # decided "draft", delivery not yet confirmed: resumed with the saved draft
    SKIPPED = "skipped"
    DRAFTED = "drafted"
    ESCALATED = "escalated"
    HELD = "held"
    QUARANTINED = "quarantined"
    REJECTED = "rejected"
    SHADOW = "shadow"  # a shadow source's item: analysed and decided, nothing placed, nobody notified (docs/release.md)
    TERMINAL = frozenset({SKIPPED, DRAFTED, ESCALATED, HELD, QUARANTINED, REJECTED, SHADOW})


class Item(Base):
    """One inbound message/case, unique on (source, external_id)."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_items_source_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    external_id: Mapped[str] = mapped_column(String(500))
    internet_message_id: Mapped[str | None] = mapped_column(String(998))
    thread_key: Mapped[str | None] = mapped_column(String(998), index=True)
    correlation_id: Mapped[str] = mapped_column(String(36), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=ItemState.NEW, index=True)
    skip_rule: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Cursor(Base):
    """A per-source cursor: a delta link, a watermark."""

    __tablename__ = "cursors"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class SourceState(Base):
    """Per-source state the pipeline keeps: the pause after the source refused work for a while
    (:class:`agent.errors.SourceThrottledError`). While ``paused_until`` (aware UTC) lies in the
    future no run calls the source; ``pause_reason`` is the connector's own words (no personal
    data: an error code and message such as ``REQUEST_LIMIT_EXCEEDED``)."""

    __tablename__ = "source_state"
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    paused_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pause_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Draft(Base):
    """A draft with its provenance. ``body_*`` and ``placeholder_map`` are purged by retention."""

    __tablename__ = "drafts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    provider: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(200))
    prompt_template_id: Mapped[str] = mapped_column(String(100))
    prompt_hash: Mapped[str] = mapped_column(String(64))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    fallback_used: Mapped[bool] = mapped_column(Boolean, default=False)
    fallback_reason: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(50))
    confidence: Mapped[float] = mapped_column(Float)
    language: Mapped[str | None] = mapped_column(String(10))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64))
    placeholder_map: Mapped[dict | None] = mapped_column(JSON)
    grounding: Mapped[dict | None] = mapped_column(JSON)  # snippets, citations, token budget, style (agent/grounding.py; migration 0010)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FindingRow(Base):
    """A policy finding on a draft or on the inbound text."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    rule_id: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(10))
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    excerpt: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, default="")
    pack_version: Mapped[str] = mapped_column(String(50))


class RiskAssessmentRow(Base):
    """The risk assessment of an item (``agent/risk.py``, issue 11); one per analysis (an item
    analysed again after a quarantine release gets a second row; the latest counts).

    ``categories``: ``[{"id", "score", "signals", "group"}]``, highest score first; ``evidence``:
    per category, rule ids and spans of the *redacted* inbound text with their excerpt, or the
    model reviewer's quote (client-derived text: shown escaped, purged by retention with the
    draft bodies); ``detail``: reasons, per-signal scores, normalisation flags, versions and the
    reviewer call (ids, hashes, counts: no text)."""

    __tablename__ = "risk_assessments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    score: Mapped[float] = mapped_column(Float)
    must_review: Mapped[bool] = mapped_column(Boolean)
    categories: Mapped[list] = mapped_column(JSON)
    evidence: Mapped[list | None] = mapped_column(JSON)
    detail: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Decision(Base):
    """The routing decision for an item and the rule that made it."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    action: Mapped[str] = mapped_column(String(20))
    rule_id: Mapped[str] = mapped_column(String(100))
    group: Mapped[str | None] = mapped_column(String(100))
    reasons: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Delivery(Base):
    """A draft placed in a target; unique on the idempotency key."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    target: Mapped[str] = mapped_column(String(200))
    target_ref: Mapped[str] = mapped_column(String(1000))
    created: Mapped[bool] = mapped_column(Boolean, default=True)
    outcome: Mapped[str | None] = mapped_column(String(30))
    outcome_similarity: Mapped[float | None] = mapped_column(Float)
    outcome_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewTask(Base):
    """An escalation waiting for a reviewer group."""

    __tablename__ = "review_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    group: Mapped[str] = mapped_column(String(100))
    rule_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notify_attempts: Mapped[int] = mapped_column(Integer, default=0)
    notify_error: Mapped[str | None] = mapped_column(Text)
    notification_ref: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # migration 0002 (jobs.notifications): outbox retry time, SLA reminders, card snapshot
    notify_next_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminder_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalation: Mapped[dict | None] = mapped_column(JSON)


class QuarantineEntry(Base):
    """An item that could not be processed, with the stage and error. Never dropped."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    error_type: Mapped[str] = mapped_column(String(100))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """One link of the audit chain. ``hash = sha256(prev_hash || canonical(event))``."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40))
    correlation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    event: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A single row holding the chain's last seq and hash (detects truncation; lock for appends).

    ``seal`` = HMAC of (seq, hash) under ``DRAFTGUARD_AUDIT_KEY`` (NULL without a key);
    ``key_check`` = which key wrote the chain (see :mod:`storage.audit`)."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    hash: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(64))
    key_check: Mapped[str | None] = mapped_column(String(64))


class KeyValue(Base):
    """Small named blobs owned by connectors (e.g. an msal token cache), keyed by namespace+key."""

    __tablename__ = "kv_store"
    namespace: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class MaildirSeen(Base):
    """One file a Maildir source has read (migration 0005; :mod:`storage.maildir_index`).

    ``key`` is the Maildir key (file name without the ``:2,`` info); ``identity_sha256`` the
    sha256 of its Message-ID with sender and text (``connectors.maildir.seen.message_identity``;
    NULL without a Message-ID or for unparseable files); ``external_id`` the item it belongs
    to: its own key, or that of the first file with the same identity in this source (an
    mbsync re-sync or a second delivery of one mail)."""

    __tablename__ = "maildir_seen"
    __table_args__ = (
        Index("ix_maildir_seen_identity", "source", "identity_sha256"),
        Index("ix_maildir_seen_external_id", "source", "external_id"),
    )
    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    identity_sha256: Mapped[str | None] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(500))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxEvent(Base):
    """One CloudEvent waiting for (or done with) the events relay (migration 0007;
    :mod:`storage.outbox`, docs/events.md).

    Written by :func:`storage.audit.append` in the transaction of the change it reports, so a
    rolled-back change leaves no row. ``id`` is the CloudEvent id (uuid4, the consumers'
    deduplication key); ``audit_seq`` the audit event it was made from (unique; the publish
    order); ``type``/``source``/``subject``/``time``/``data``/``correlation_id`` the event's
    attributes and payload (ids, hashes, rule ids, versions: no personal data).
    ``published_at`` is set after the broker confirmed the message; ``attempts`` counts publish
    tries, ``last_error`` the last failure (one line)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_unpublished", "audit_seq", sqlite_where=text("published_at IS NULL"), postgresql_where=text("published_at IS NULL")),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    audit_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(40))
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict] = mapped_column(JSON)
    correlation_id: Mapped[str] = mapped_column(String(36), index=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


# --------------------------------------------------------------------------- release (issue 15)
class VariantEvent(Base):
    """One change of the variant set's state (migration 0008, :mod:`storage.release`): ``promote``
    (``variant`` becomes the default), ``rollback`` (back to the default before), ``stop`` (the
    automatic stop or an operator; the variant gets no traffic), ``resume``. ``previous_default``
    is the default before the change; ``actor`` who did it (an OS user, ``--by``, or
    ``draftguard`` for the automatic stop); ``detail`` the figures behind an automatic stop."""

    __tablename__ = "variant_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(20))
    variant: Mapped[str] = mapped_column(String(63), index=True)
    previous_default: Mapped[str | None] = mapped_column(String(63))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VariantGateResult(Base):
    """One evaluation gate run against a variant (``main.py eval DATASET --variant NAME``).
    ``fingerprint`` is the sha256 of the variant's resolved definition (prompt text, pack text,
    model settings), so a pass of an earlier definition does not count for a changed one."""

    __tablename__ = "variant_gate_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant: Mapped[str] = mapped_column(String(63), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    dataset: Mapped[str] = mapped_column(String(500))
    split: Mapped[str] = mapped_column(String(20))
    gate: Mapped[str] = mapped_column(String(20))
    drafter: Mapped[str] = mapped_column(String(20))
    passed: Mapped[bool] = mapped_column(Boolean)
    figures: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RegistryEntry(Base):
    """What drafted: the full text of a prompt template, a policy pack or a model configuration,
    keyed by ``kind`` and the sha256 of ``content`` (for templates and packs: of the file's bytes,
    the hash the draft row and the audit chain record), with its first and last use."""

    __tablename__ = "registry_entries"
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    ref: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    first_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DraftProvenance(Base):
    """Which variant wrote a draft and the registry entries it used (one row per draft).
    ``shadow``: the item's source was in shadow mode (nothing placed)."""

    __tablename__ = "draft_provenance"
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    variant: Mapped[str] = mapped_column(String(63), index=True)
    variant_salt: Mapped[str] = mapped_column(String(100))
    shadow: Mapped[bool] = mapped_column(Boolean, default=False)
    prompt_sha256: Mapped[str] = mapped_column(String(64))
    pack_sha256: Mapped[str] = mapped_column(String(64))
    model_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ShadowOutcome(Base):
    """A shadow draft compared with what a person actually sent in the conversation
    (``jobs/shadow_outcomes.py``): ``outcome`` ``replied`` (``similarity`` 0..1, the same
    measure as placed drafts: ``connectors.outlook.outcomes.similarity``) or ``waiting``."""

    __tablename__ = "shadow_outcomes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    outcome: Mapped[str] = mapped_column(String(20))
    similarity: Mapped[float | None] = mapped_column(Float)
    sent_ref: Mapped[str | None] = mapped_column(String(998))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
