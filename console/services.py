"""What the console's routes use: the settings, the database and the delivery of an approved
draft. :func:`open_services` builds them from the config; tests pass their own
:class:`ConsoleServices`.

Delivery is the CLI's (:func:`jobs.review.runtime_deliver` over ``jobs.bootstrap.bootstrap``):
the pipeline and sources are built on the first approval only, once per process. The client's
message is fetched from its source (``Source.fetch``) when an item page is shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from agent.config import Settings
from agent.models import InboundMessage

log = logging.getLogger("draftguard.console")


@dataclass
class ConsoleServices:
    """``session_factory``: the database; ``deliver(item_id, actor) -> state``: delivers the
    item's latest saved draft through its source (``drafted`` on success);
    ``fetch(source_name, external_id) -> InboundMessage``: the client's message from its source
    (the database keeps no message bodies), None when not available; ``close()``: frees them
    (the sources built for ``fetch``, the delivery runtime, the database engine)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    deliver: Callable[[int, str], str]
    fetch: Callable[[str, str], InboundMessage] | None = None
    close: Callable[[], None] = field(default=lambda: None)


def open_services(settings: Settings) -> ConsoleServices:
    """Open the database (migrated to head) and prepare delivery; the runtime (pipeline,
    sources) is bootstrapped lazily on the first approval. Raises StorageError when the
    database cannot be opened."""
    from jobs.review import runtime_deliver
    from storage.db import open_database

    engine, session_factory = open_database(settings.storage_url(), events_source=settings.events.source_prefix())
    lock = threading.Lock()
    runtime: dict = {}

    def deliver(item_id: int, actor: str) -> str:
        with lock:
            if "rt" not in runtime:
                from jobs.bootstrap import bootstrap

                runtime["rt"] = bootstrap(settings)
            rt = runtime["rt"]
        return runtime_deliver(rt)(item_id, actor)

    def fetch(source_name: str, external_id: str) -> InboundMessage:
        with lock:
            if "sources" not in runtime:
                from jobs.bootstrap import build_sources

                runtime["sources"] = {src.name: src for src in build_sources(settings, session_factory)}
            sources = runtime["sources"]
        if source_name not in sources:
            raise KeyError(f"source {source_name!r} is not configured")
        return sources[source_name].fetch(external_id)

    def close() -> None:
        with lock:
            rt, sources = runtime.pop("rt", None), runtime.pop("sources", {})
        try:
            for src in sources.values():  # the fetch sources (Outlook / Salesforce sessions, Maildir)
                try:
                    src.close()
                except Exception as exc:  # one source's failure must not keep the others open
                    log.warning("console: closing source %s failed: %s", src.name, type(exc).__name__)
            if rt is not None:
                rt.close()
        finally:
            engine.dispose()

    return ConsoleServices(settings, session_factory, deliver, fetch, close)
