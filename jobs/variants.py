"""Variants at run time and for operators: the database-backed variant set, promote, rollback,
the automatic stop and the per-variant report (issue 15, docs/release.md).

* :func:`build_variants` — the composition root's :class:`agent.release.variants.VariantSet`
  (drafters for model overrides share the endpoint's rate limits; the default and the stopped
  variants come from ``variant_events``).
* :func:`promote` / :func:`rollback` / :func:`stop` / :func:`resume` — one ``variant_events``
  row and one audit event (``variant_promoted`` …, actor = who did it) in one transaction.
  A variant is promoted only when its latest gate result for its current definition passed.
* :func:`report` — per variant: drafts, escalation, fallback and findings rates, risk categories
  per 100 items, model latency and tokens, acceptance and edit similarity of placed drafts,
  similarity of shadow drafts; rates with Wilson intervals, means with bootstrap intervals
  (:mod:`jobs.release_stats`).
* :func:`auto_stop` — stops a non-default variant whose escalation, fallback or findings rate
  exceeds the default's by more than ``[release.auto_stop]``'s margin once both have
  ``min_items`` drafts; audited ``variant_stopped`` (actor ``draftguard``) and logged. Run by
  the outcome job and by ``variants report``/``variants check``.
"""

from __future__ import annotations

import getpass
import logging
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.config import ModelConfig, Settings
from agent.drafting import Drafter
from agent.errors import ConfigError
from agent.release.variants import VariantSet, definition_fingerprint
from jobs.release_stats import mean_ci, per_100, wilson
from rules.policy import PolicyPack
from storage import release as store
from storage.models import (
    Decision,
    Delivery,
    Draft,
    DraftProvenance,
    FindingRow,
    RiskAssessmentRow,
    ShadowOutcome,
)
from storage.repository import UnitOfWork

log = logging.getLogger("draftguard.release")

ACCEPTED = ("sent", "edited_sent")
DECIDED = ("sent", "edited_sent", "deleted")


class ReleaseError(ValueError):
    """An operator's release action that cannot be done (the message says why)."""


def who(by: str | None = None) -> str:
    """The actor of a release action: ``by`` when given, else the OS user."""
    if by:
        return by.strip()[:200]
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "unknown"


# ---------------------------------------------------------------------------- state
def read_state(session_factory: sessionmaker[Session], settings: Settings) -> store.ReleaseState:
    """The variant set's state from ``variant_events`` over the config's default."""
    with session_factory() as s:
        return store.release_state(s, settings.release.default_name(), settings.release.names())


def build_variants(settings: Settings, session_factory: sessionmaker[Session], *, drafter: Drafter, policy: PolicyPack) -> VariantSet:
    """The variant set of a process: drafters for model overrides on the ``[model]`` endpoint with
    its shared rate limits, the default and stopped variants read from the database."""

    def make_drafter(cfg: ModelConfig) -> Drafter:
        from connectors.limits import backend_for
        from connectors.llm_openai import OpenAIModelClient

        return Drafter(
            OpenAIModelClient(cfg, limits=backend_for(settings.limits)),
            drafter.templates,
            breaker_failures=cfg.breaker_failures,
            breaker_cooldown_seconds=cfg.breaker_cooldown_seconds,
        )

    def reader() -> tuple[str, frozenset[str]]:
        st = read_state(session_factory, settings)
        return st.default, frozenset(st.stopped)

    return VariantSet(settings, drafter=drafter, policy=policy, make_drafter=make_drafter, state_reader=reader)


# ---------------------------------------------------------------------------- actions
def _known(settings: Settings, name: str) -> None:
    if name not in settings.release.names():
        raise ReleaseError(f"no variant {name!r} in [release] (known: {', '.join(settings.release.names())})")


def _audit(uow: UnitOfWork, event: str, data: dict, actor: str) -> None:
    uow.audit(event, None, data, actor=actor)


def promote(session_factory: sessionmaker[Session], settings: Settings, name: str, *, actor: str) -> store.ReleaseState:
    """Make ``name`` the default. ReleaseError when it is unknown, already the default, stopped,
    or has no passing gate result for its current definition (``main.py eval DATASET --variant
    NAME`` first). Audited ``variant_promoted`` with ``actor``."""
    _known(settings, name)
    fingerprint = definition_fingerprint(settings, name)
    with UnitOfWork(session_factory) as uow:
        store.lock_release(uow.session)  # one change of the variant set at a time: read and append under the lock
        st = store.release_state(uow.session, settings.release.default_name(), settings.release.names())
        if st.default == name:
            raise ReleaseError(f"{name!r} is already the default")
        if name in st.stopped:
            raise ReleaseError(f"{name!r} is stopped; `main.py variants resume {name}` first, after finding out why it was stopped")
        gate = store.latest_gate(uow.session, name, fingerprint)
        if gate is None:
            any_gate = store.latest_gate(uow.session, name)
            why = "its definition changed since its last gate run" if any_gate is not None else "it never ran the evaluation gate"
            raise ReleaseError(f"{name!r} cannot be promoted: {why}; run `main.py eval DATASET --variant {name}` first")
        if not gate.passed:
            raise ReleaseError(f"{name!r} cannot be promoted: it failed the evaluation gate ({gate.gate}, {gate.dataset}, {gate.created_at:%Y-%m-%d %H:%M})")
        store.add_event(uow.session, "promote", name, previous_default=st.default, actor=actor, detail={"gate_result_id": gate.id, "fingerprint": fingerprint})
        _audit(uow, "variant_promoted", {"variant": name, "previous_default": st.default, "gate_result_id": gate.id, "fingerprint": fingerprint}, actor)
        uow.commit()
    log.warning("variant %s promoted to default by %s (was %s)", name, actor, st.default)
    return read_state(session_factory, settings)


def rollback(session_factory: sessionmaker[Session], settings: Settings, *, actor: str) -> store.ReleaseState:
    """Return to the default before the current one (stored as the event's target, ``detail["to"]``,
    which the replay returns to). ReleaseError when there is none, or when it is stopped (resume
    it first). Serialised with every other change (:func:`storage.release.lock_release`).
    Audited ``variant_rolled_back``."""
    with UnitOfWork(session_factory) as uow:
        store.lock_release(uow.session)  # one change of the variant set at a time: read and append under the lock
        st = store.release_state(uow.session, settings.release.default_name(), settings.release.names())
        if st.previous is None:
            raise ReleaseError(f"nothing to roll back: {st.default!r} is the config's default and no promotion is in force")
        if st.previous in st.stopped:
            raise ReleaseError(
                f"cannot roll back to {st.previous!r}: it is stopped and would get all traffic; "
                f"`main.py variants resume {st.previous}` first, after finding out why it was stopped"
            )
        store.add_event(uow.session, "rollback", st.default, previous_default=st.default, actor=actor, detail={"to": st.previous})
        _audit(uow, "variant_rolled_back", {"from": st.default, "to": st.previous}, actor)
        uow.commit()
    log.warning("variant default rolled back from %s to %s by %s", st.default, st.previous, actor)
    return read_state(session_factory, settings)


def stop(session_factory: sessionmaker[Session], settings: Settings, name: str, *, actor: str, reason: str, detail: dict | None = None) -> None:
    """Stop ``name`` (it gets no traffic; its conversations go to the default). ReleaseError for
    the default or an unknown or already stopped variant. Audited ``variant_stopped``."""
    _known(settings, name)
    with UnitOfWork(session_factory) as uow:
        store.lock_release(uow.session)  # one change of the variant set at a time: read and append under the lock
        st = store.release_state(uow.session, settings.release.default_name(), settings.release.names())
        if name == st.default:
            raise ReleaseError(f"{name!r} is the default; promote another variant or roll back instead")
        if name in st.stopped:
            raise ReleaseError(f"{name!r} is already stopped")
        store.add_event(uow.session, "stop", name, previous_default=st.default, actor=actor, reason=reason, detail=detail)
        _audit(uow, "variant_stopped", {"variant": name, "reason": reason, **({"figures": detail} if detail else {})}, actor)
        uow.commit()
    log.warning("variant %s stopped by %s: %s", name, actor, reason)


def resume(session_factory: sessionmaker[Session], settings: Settings, name: str, *, actor: str) -> None:
    """Give a stopped variant its share again. Audited ``variant_resumed``."""
    _known(settings, name)
    with UnitOfWork(session_factory) as uow:
        store.lock_release(uow.session)  # one change of the variant set at a time: read and append under the lock
        st = store.release_state(uow.session, settings.release.default_name(), settings.release.names())
        if name not in st.stopped:
            raise ReleaseError(f"{name!r} is not stopped")
        store.add_event(uow.session, "resume", name, previous_default=st.default, actor=actor)
        _audit(uow, "variant_resumed", {"variant": name}, actor)
        uow.commit()


def record_gate(session_factory: sessionmaker[Session], settings: Settings, name: str, *, passed: bool, dataset: str, split: str, gate: str, drafter: str, figures: dict, actor: str) -> int:
    """Record one evaluation gate run of variant ``name`` (its current definition's fingerprint),
    audited ``variant_gate``; returns the result id."""
    _known(settings, name)
    fingerprint = definition_fingerprint(settings, name)
    with UnitOfWork(session_factory) as uow:
        row = store.add_gate_result(
            uow.session, variant=name, fingerprint=fingerprint, dataset=dataset[:500], split=split, gate=gate, drafter=drafter, passed=passed, figures=figures, actor=actor
        )
        _audit(uow, "variant_gate", {"variant": name, "passed": passed, "gate": gate, "dataset": dataset[:200], "split": split, "drafter": drafter, "fingerprint": fingerprint, "gate_result_id": row.id}, actor)
        uow.commit()
        return row.id


# ---------------------------------------------------------------------------- report
def _rows(session: Session, since: datetime | None):
    q = select(
        DraftProvenance.draft_id, DraftProvenance.variant, DraftProvenance.shadow,
        Draft.fallback_used, Draft.latency_ms, Draft.prompt_tokens, Draft.completion_tokens,
    ).join(Draft, Draft.id == DraftProvenance.draft_id)
    if since is not None:
        q = q.where(DraftProvenance.created_at >= since)
    return session.execute(q).all()


def variant_figures(session_factory: sessionmaker[Session], since: datetime | None = None) -> dict[str, dict]:
    """Per variant name: the figures of :func:`report` (without state), from the drafts recorded
    since ``since`` (all without)."""
    with session_factory() as s:
        rows = _rows(s, since)
        ids = [r[0] for r in rows]
        first_decision: dict[int, str] = {}
        findings: Counter[int] = Counter()
        risks: dict[int, list[str]] = {}
        deliveries: dict[int, tuple[str | None, float | None]] = {}
        shadow: dict[int, tuple[str, float | None]] = {}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for draft_id, action in s.execute(select(Decision.draft_id, Decision.action).where(Decision.draft_id.in_(chunk)).order_by(Decision.id)):
                first_decision.setdefault(draft_id, action)
            for draft_id, severity in s.execute(select(FindingRow.draft_id, FindingRow.severity).where(FindingRow.draft_id.in_(chunk))):
                if severity != "info":
                    findings[draft_id] += 1
            for draft_id, cats in s.execute(select(RiskAssessmentRow.draft_id, RiskAssessmentRow.categories).where(RiskAssessmentRow.draft_id.in_(chunk))):
                risks[draft_id] = [c.get("id") for c in (cats or []) if isinstance(c, dict)]
            for draft_id, outcome, sim in s.execute(select(Delivery.draft_id, Delivery.outcome, Delivery.outcome_similarity).where(Delivery.draft_id.in_(chunk))):
                deliveries[draft_id] = (outcome, sim)
            for draft_id, outcome, sim in s.execute(select(ShadowOutcome.draft_id, ShadowOutcome.outcome, ShadowOutcome.similarity).where(ShadowOutcome.draft_id.in_(chunk))):
                shadow[draft_id] = (outcome, sim)
    by: dict[str, list] = defaultdict(list)
    for r in rows:
        by[r[1]].append(r)
    out: dict[str, dict] = {}
    for name, rs in by.items():
        n = len(rs)
        d_ids = [r[0] for r in rs]
        escalated = sum(1 for i in d_ids if first_decision.get(i) == "escalate")
        fallback = sum(1 for r in rs if r[3])
        with_findings = sum(1 for i in d_ids if findings[i])
        cats = Counter(c for i in d_ids for c in risks.get(i, []))
        model_rows = [r for r in rs if not r[3]]
        placed = [deliveries[i] for i in d_ids if i in deliveries]
        decided = [o for o, _ in placed if o in DECIDED]
        accepted = sum(1 for o in decided if o in ACCEPTED)
        shadow_sims = [sim for i in d_ids if i in shadow and shadow[i][1] is not None for sim in [shadow[i][1]]]
        out[name] = {
            "drafts": n,
            "shadow_drafts": sum(1 for r in rs if r[2]),
            "escalation_rate": wilson(escalated, n),
            "fallback_rate": wilson(fallback, n),
            "findings_rate": wilson(with_findings, n),
            "findings_per_100": per_100(sum(findings[i] for i in d_ids), n),
            "risk_categories_per_100": per_100(sum(cats.values()), n),
            "risk_categories": {c: per_100(k, n) for c, k in sorted(cats.items())},
            "model_latency_ms": mean_ci([float(r[4]) for r in model_rows]),
            "tokens": mean_ci([float(r[5] + r[6]) for r in model_rows]),
            "acceptance_rate": wilson(accepted, len(decided)),
            "edit_similarity": mean_ci([sim for o, sim in placed if o in ACCEPTED and sim is not None]),
            "shadow_similarity": mean_ci(shadow_sims),
        }
    return out


def report(session_factory: sessionmaker[Session], settings: Settings, *, since_days: float | None = None) -> dict:
    """The comparison ``main.py variants report`` prints: ``default``, ``previous`` (rollback
    target), ``salt``, ``variants`` (one dict each, config order: ``name``, ``share`` configured,
    ``effective_share``, ``status`` default/active/stopped/no traffic, ``gate`` (latest result
    of its current definition), and the figures of :func:`variant_figures`, with ``delta`` of
    each rate against the default), and ``history`` (latest first)."""
    since = datetime.now(UTC) - timedelta(days=since_days) if since_days else None
    st = read_state(session_factory, settings)
    figures = variant_figures(session_factory, since)
    names = settings.release.names()
    shares = {v.name: v.share for v in settings.release.variants}
    covered = sum(shares.get(n, 0.0) for n in names if n != st.default and n not in st.stopped)
    base = figures.get(st.default, {})
    variants = []
    with session_factory() as s:
        for name in names:
            try:
                fp = definition_fingerprint(settings, name)
            except (ConfigError, KeyError):
                fp = None
            gate = store.latest_gate(s, name, fp) if fp else None
            f = figures.get(name, {"drafts": 0})
            effective = 1.0 - covered if name == st.default else (0.0 if name in st.stopped else shares.get(name, 0.0))
            status = "default" if name == st.default else "stopped" if name in st.stopped else ("active" if effective > 0 else "no traffic")
            delta = {}
            if name != st.default:
                for k in ("escalation_rate", "fallback_rate", "findings_rate"):
                    a, b = (f.get(k) or {}).get("rate"), (base.get(k) or {}).get("rate")
                    delta[k] = round(a - b, 4) if a is not None and b is not None else None
            variants.append(
                {
                    "name": name,
                    "share": shares.get(name, 0.0),
                    "effective_share": round(effective, 4),
                    "status": status,
                    "gate": None if gate is None else {"passed": gate.passed, "gate": gate.gate, "dataset": gate.dataset, "split": gate.split, "at": gate.created_at.isoformat()},
                    **f,
                    "delta_vs_default": delta,
                }
            )
        hist = [
            {"at": e.created_at.isoformat(), "action": e.action, "variant": e.variant, "previous_default": e.previous_default, "actor": e.actor, "reason": e.reason}
            for e in store.history(s)
        ]
    for name in figures:
        if name not in names:  # drafts of a variant since removed from the config
            variants.append({"name": name, "share": 0.0, "effective_share": 0.0, "status": "removed", "gate": None, **figures[name], "delta_vs_default": {}})
    return {"default": st.default, "previous": st.previous, "salt": settings.release.salt, "since_days": since_days, "variants": variants, "history": hist}


def auto_stop(session_factory: sessionmaker[Session], settings: Settings) -> list[dict]:
    """Stop every active non-default variant whose escalation, fallback or findings rate exceeds
    the default's by more than its ``[release.auto_stop]`` margin, once the variant and the
    default each have ``min_items`` drafts. Returns ``[{"variant", "reason", "figures"}]`` of
    the variants stopped now (each audited ``variant_stopped`` by ``draftguard`` and logged)."""
    cfg = settings.release.auto_stop
    if not cfg.enabled or len(settings.release.names()) < 2:
        return []
    st = read_state(session_factory, settings)
    figures = variant_figures(session_factory)
    base = figures.get(st.default)
    if base is None or base["drafts"] < cfg.min_items:
        return []
    checks = (("escalation_rate", cfg.escalation_margin), ("fallback_rate", cfg.fallback_margin), ("findings_rate", cfg.findings_margin))
    stopped: list[dict] = []
    for name in settings.release.names():
        f = figures.get(name)
        if name == st.default or name in st.stopped or f is None or f["drafts"] < cfg.min_items:
            continue
        for key, margin in checks:
            if margin is None:
                continue
            a, b = f[key]["rate"], base[key]["rate"]
            if a is not None and b is not None and a - b > margin:
                reason = f"{key.replace('_', ' ')} {a:.3f} exceeds the default {st.default!r}'s {b:.3f} by more than {margin:g} ({f['drafts']} vs {base['drafts']} drafts)"
                detail = {"metric": key, "variant_rate": a, "default_rate": b, "margin": margin, "drafts": f["drafts"], "default_drafts": base["drafts"], "default": st.default}
                try:
                    stop(session_factory, settings, name, actor="draftguard", reason=reason, detail=detail)
                except ReleaseError:
                    break  # stopped meanwhile by another process
                stopped.append({"variant": name, "reason": reason, "figures": detail})
                break
    return stopped
