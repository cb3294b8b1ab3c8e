"""The Celery application of the distributed mode: one task, ``process_item(item_id)``.

Configured from ``[distributed]`` (:func:`configure`) in both roles: the scheduler sends tasks
(:class:`CeleryItemQueue`, the adapter of :class:`agent.runners.distributed.ItemQueue`), the
workers (jobs/worker.py) run them. Settings, with their reason (Celery 5 docs, "Tasks" and
"Configuration"):

* ``task_acks_late``: the message is acknowledged after the task returns, so a worker killed
  mid-item leaves it in the broker and another worker gets it (RabbitMQ gives unacknowledged
  messages back when the connection drops; a Redis broker after
  ``redis_visibility_timeout_seconds``);
* ``task_reject_on_worker_lost``: the same when only a pool process dies;
* ``worker_prefetch_multiplier = 1``: a worker reserves no more tasks than it has threads, so a
  killed worker holds few and a new worker gets work at once;
* ``worker_cancel_long_running_tasks_on_connection_loss``: tasks of a worker that lost the broker
  are given back (the item lock in jobs/worker.py keeps a second run out meanwhile);
* JSON only (the task carries an id; no pickle);
* results (the item's outcome, a short string) go back to the scheduler through
  ``result_backend`` (``rpc://`` on RabbitMQ: a reply queue of the scheduler; Redis on Redis).

The trace context rides in the message headers (``traceparent``), see
:func:`jobs.worker.trace_headers`.
"""

from __future__ import annotations

import time

from celery import Celery
from celery.result import AsyncResult

from agent.config import Settings
from agent.runners.distributed import ItemQueue, TaskFailed

#: the task's registered name (stable: scheduler and workers of different releases must agree)
PROCESS_ITEM = "draftguard.process_item"

app = Celery("draftguard", set_as_current=False)


def configure(settings: Settings) -> Celery:
    """:data:`app` configured from ``settings.distributed`` (broker and result backend from
    :meth:`agent.config.DistributedConfig.resolved_broker_url`); returns it. Raises
    :class:`agent.errors.ConfigError` when no broker is configured."""
    d = settings.distributed
    app.conf.update(
        broker_url=d.resolved_broker_url(),
        result_backend=d.resolved_result_backend(),
        task_default_queue=d.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        result_expires=24 * 3600,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": d.redis_visibility_timeout_seconds},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        enable_utc=True,
    )
    return app


@app.task(name=PROCESS_ITEM, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def process_item(self, item_id: int) -> str:
    """Process item ``item_id`` on this worker (:func:`jobs.worker.handle`); returns its outcome
    (a state such as ``drafted``, or ``paused``)."""
    from jobs.worker import handle

    return handle(self, item_id)


class CeleryItemQueue(ItemQueue):
    """Sends ``process_item`` tasks and reads their answers (:class:`AsyncResult` handles).
    Use from one thread (the polling one): the result backend is per thread."""

    POLL_SECONDS = 0.05

    def __init__(self, celery: Celery = app) -> None:
        self.app = celery

    def send(self, item_id: int, headers: dict[str, str]) -> AsyncResult:
        return process_item.apply_async((item_id,), headers=headers)

    def answers(self, handles: list[object], wait_seconds: float) -> list[tuple[object, str | TaskFailed]]:
        deadline = time.monotonic() + wait_seconds
        while True:
            out: list[tuple[object, str | TaskFailed]] = []
            for h in handles:
                assert isinstance(h, AsyncResult)
                if not h.ready():
                    continue
                if h.successful():
                    out.append((h, str(h.result)))
                else:
                    out.append((h, TaskFailed(f"{type(h.result).__name__}: {h.result}")))
            if out or time.monotonic() >= deadline:
                return out
            time.sleep(self.POLL_SECONDS)


def item_queue(settings: Settings) -> CeleryItemQueue:
    """A queue on :data:`app` configured from ``settings`` (the scheduler's side)."""
    configure(settings)
    return CeleryItemQueue(app)
