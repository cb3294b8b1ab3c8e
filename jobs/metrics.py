"""Every Prometheus metric draftguard exports, defined in this one module.

Two kinds:

* process counters/histograms (reset when the process restarts, as Prometheus expects):
  model latency and tokens, drafts by provider, escalations by rule, source API calls
  and throttling, notifications and job runs. The model ones are fed by
  :class:`DraftTail`, which reads new rows of the ``drafts`` table, so the pipeline need
  not call anything; source API calls are counted by :func:`instrument_session` (a
  ``requests`` response hook: O365 and simple-salesforce both use ``requests``).
* database gauges computed at scrape time by :class:`StoreCollector` (items by state,
  stored drafts by provider, open escalations by group and rule, queue ages in seconds),
  so they are right after a restart and whichever process answers.

Metric names follow the Prometheus naming guide (base units: seconds; counters get the
``_total`` suffix from prometheus_client).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import requests
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

MODEL_LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0)

DRAFTS = Counter("draftguard_drafts", "Drafts produced, by provider (openai, template, ...)", ["provider"])
ESCALATIONS = Counter("draftguard_escalations", "Escalations created, by routing rule", ["rule"])
MODEL_LATENCY = Histogram(
    "draftguard_model_latency_seconds",
    "Drafting latency per draft (model call or template), seconds",
    ["provider", "model"],
    buckets=MODEL_LATENCY_BUCKETS,
)
MODEL_TOKENS = Counter("draftguard_model_tokens", "Model tokens used, by kind (prompt/completion)", ["provider", "model", "kind"])
SOURCE_API_CALLS = Counter("draftguard_source_api_calls", "HTTP calls to outside systems, by status class", ["source", "status"])
SOURCE_THROTTLED = Counter("draftguard_source_throttled", "HTTP 429 (throttled) answers from outside systems", ["source"])
NOTIFICATIONS = Counter("draftguard_notifications", "Reviewer notifications, by transport, kind and result", ["transport", "kind", "result"])
JOB_RUNS = Counter("draftguard_job_runs", "Scheduled job runs, by job and result (ok/error)", ["job", "result"])
JOB_DURATION = Histogram("draftguard_job_duration_seconds", "Scheduled job run time, seconds", ["job"])
ITEMS_PROCESSED = Counter("draftguard_items_processed", "Items that reached a terminal state in this process", ["source", "state"])


def count_source_call(source: str, status: int | None) -> None:
    """Count one HTTP call to ``source``; ``status`` None means no answer (connection error)."""
    label = "error" if status is None else f"{status // 100}xx"
    SOURCE_API_CALLS.labels(source=source, status=label).inc()
    if status == 429:
        SOURCE_THROTTLED.labels(source=source).inc()


def instrument_session(session: requests.Session, source: str) -> requests.Session:
    """Add a response hook to a ``requests.Session`` that counts calls and 429s for ``source``.

    Idempotent per session. Works for any library that exposes its session
    (O365 ``account.con.session``, simple-salesforce ``sf.session``)."""
    marker = f"_draftguard_metrics_{source}"
    if getattr(session, marker, False):
        return session

    def _hook(response: requests.Response, *args, **kwargs) -> requests.Response:
        count_source_call(source, response.status_code)
        return response

    session.hooks.setdefault("response", []).append(_hook)
    setattr(session, marker, True)
    return session


class DraftTail:
    """Feeds the draft/model/escalation counters from new ``drafts`` and ``review_tasks`` rows.

    Starts at the current maximum id so a restart does not recount history. Thread-safe.
    """

    def __init__(self, session_factory: sessionmaker[Session]):
        from storage.models import Draft, ReviewTask

        self._factory = session_factory
        self._lock = threading.Lock()
        with session_factory() as s:
            self._last_id = s.execute(select(func.coalesce(func.max(Draft.id), 0))).scalar_one()
            self._last_task = s.execute(select(func.coalesce(func.max(ReviewTask.id), 0))).scalar_one()

    def refresh(self) -> int:
        """Observe drafts and escalations created since the last call; returns the new draft count."""
        from storage.models import Draft, ReviewTask

        with self._lock, self._factory() as s:
            rows = s.execute(
                select(Draft.id, Draft.provider, Draft.model, Draft.latency_ms, Draft.prompt_tokens, Draft.completion_tokens)
                .where(Draft.id > self._last_id)
                .order_by(Draft.id)
            ).all()
            for did, provider, model, latency_ms, pt, ct in rows:
                DRAFTS.labels(provider=provider).inc()
                MODEL_LATENCY.labels(provider=provider, model=model).observe((latency_ms or 0) / 1000.0)
                if pt:
                    MODEL_TOKENS.labels(provider=provider, model=model, kind="prompt").inc(pt)
                if ct:
                    MODEL_TOKENS.labels(provider=provider, model=model, kind="completion").inc(ct)
                self._last_id = did
            tasks = s.execute(select(ReviewTask.id, ReviewTask.rule_id).where(ReviewTask.id > self._last_task).order_by(ReviewTask.id)).all()
            for tid, rule in tasks:
                ESCALATIONS.labels(rule=rule).inc()
                self._last_task = tid
            return len(rows)


class StoreCollector(Collector):
    """Gauges read from the database at scrape time.

    * ``draftguard_items{state}``: items by state.
    * ``draftguard_drafts_stored{provider}``: drafts in the store by provider.
    * ``draftguard_open_escalations{group,rule}``: open review tasks.
    * ``draftguard_queue_age_seconds{queue}``: age of the oldest entry in ``new_items``
      (state new/processing), ``open_reviews`` and ``pending_notifications``; 0 when empty.
    """

    def __init__(self, session_factory: sessionmaker[Session], now: Callable[[], datetime] | None = None):
        self._factory = session_factory
        self._now = now or (lambda: datetime.now(UTC))

    def collect(self) -> Iterable[GaugeMetricFamily]:
        from storage.models import Draft, Item, ItemState, ReviewTask

        items = GaugeMetricFamily("draftguard_items", "Items in the store by state", labels=["state"])
        drafts = GaugeMetricFamily("draftguard_drafts_stored", "Drafts in the store by provider", labels=["provider"])
        open_esc = GaugeMetricFamily("draftguard_open_escalations", "Open review tasks by group and rule", labels=["group", "rule"])
        ages = GaugeMetricFamily("draftguard_queue_age_seconds", "Age of the oldest queued entry, seconds", labels=["queue"])
        up = GaugeMetricFamily("draftguard_store_up", "1 when the store answered the scrape")
        try:
            with self._factory() as s:
                for state, n in s.execute(select(Item.state, func.count()).group_by(Item.state)):
                    items.add_metric([state], n)
                for provider, n in s.execute(select(Draft.provider, func.count()).group_by(Draft.provider)):
                    drafts.add_metric([provider], n)
                for group, rule, n in s.execute(
                    select(ReviewTask.group, ReviewTask.rule_id, func.count()).where(ReviewTask.status == "open").group_by(ReviewTask.group, ReviewTask.rule_id)
                ):
                    open_esc.add_metric([group, rule], n)
                now = self._now()
                oldest = {
                    "new_items": s.execute(select(func.min(Item.created_at)).where(Item.state.in_([ItemState.NEW, ItemState.PROCESSING]))).scalar(),
                    "open_reviews": s.execute(select(func.min(ReviewTask.created_at)).where(ReviewTask.status == "open")).scalar(),
                    "pending_notifications": s.execute(
                        select(func.min(ReviewTask.created_at)).where(ReviewTask.status == "open", ReviewTask.notified_at.is_(None))
                    ).scalar(),
                }
                for queue, ts in oldest.items():
                    if ts is not None and ts.tzinfo is None:  # SQLite returns naive UTC
                        ts = ts.replace(tzinfo=UTC)
                    ages.add_metric([queue], max(0.0, (now - ts).total_seconds()) if ts else 0.0)
            up.add_metric([], 1)
        except Exception as exc:  # a scrape must not crash the exporter
            log.warning("metrics: store query failed: %s", type(exc).__name__)
            up.add_metric([], 0)
        yield from (items, drafts, open_esc, ages, up)


_store_collectors: dict[int, StoreCollector] = {}


def register_store_collector(session_factory: sessionmaker[Session], registry: CollectorRegistry = REGISTRY) -> StoreCollector:
    """Register one :class:`StoreCollector` on ``registry`` (replacing an earlier one)."""
    old = _store_collectors.pop(id(registry), None)
    if old is not None:
        try:
            registry.unregister(old)
        except KeyError:
            pass
    collector = StoreCollector(session_factory)
    registry.register(collector)
    _store_collectors[id(registry)] = collector
    return collector
