"""The composition root: turns a :class:`Settings` into storage, sources and a pipeline.

Nothing else constructs adapters. Tests call the same functions with their own
settings (local endpoints) or pass fakes into :class:`agent.pipeline.Pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.config import Settings
from agent.drafting import Drafter
from agent.errors import ConfigError
from agent.pipeline import Pipeline
from agent.ports import Notifier, Source
from agent.redaction import Redactor
from agent.template_drafter import TemplateDrafter
from rules.policy import load_policy_pack
from rules.routing import Router
from storage.db import open_database
from storage.repository import SqlCursorStore


@dataclass
class Runtime:
    """Everything a run needs, built once per process."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    pipeline: Pipeline
    sources: list[Source]

    def source(self, name: str) -> Source:
        """The configured source called ``name``: its full name (``"maildir:local"``) or the
        ``name`` written in the config (``"local"``) when only one source of any kind has it.

        KeyError names the known ones (or the sources an ambiguous name could mean)."""
        for s in self.sources:
            if s.name == name:
                return s
        matches = [s for s in self.sources if s.name.split(":", 1)[-1] == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise KeyError(f"source name {name!r} is ambiguous: say {' or '.join(repr(s.name) for s in matches)}")
        raise KeyError(f"no source {name!r} in the config (known: {', '.join(s.name for s in self.sources) or 'none'})")

    def close(self) -> None:
        close_runner = getattr(self.pipeline.runner, "close", None)  # the distributed runner's broker connection
        if close_runner is not None:
            close_runner()
        for s in self.sources:
            s.close()
        self.engine.dispose()


def build_sources(settings: Settings, session_factory: sessionmaker[Session]) -> list[Source]:
    """One :class:`Source` per configured source, in config order."""
    sources: list[Source] = []
    from connectors.maildir.source import MaildirSource
    from storage.maildir_index import SqlMaildirSeenIndex

    seen = SqlMaildirSeenIndex(session_factory)  # files each Maildir source has read (maildir_seen)
    for cfg in settings.sources.maildir:
        sources.append(MaildirSource(cfg, settings, seen=seen))
    if settings.sources.salesforce:
        from connectors.salesforce.source import SalesforceSource

        for sf_cfg in settings.sources.salesforce:
            sources.append(SalesforceSource(sf_cfg))
    if settings.sources.outlook:
        from connectors.outlook import build_outlook_sources

        sources.extend(build_outlook_sources(settings, session_factory))
    return sources


def build_notifier(settings: Settings) -> Notifier:
    """The reviewer notifier the config asks for (``notify.transport``; console by default).

    Raises ConfigError when a Teams secret variable is unset."""
    from jobs.notifications import notifier_from_config

    return notifier_from_config(settings)


def build_pipeline(settings: Settings, session_factory: sessionmaker[Session], notifier: Notifier | None = None, *, grounder=None) -> Pipeline:
    """The pipeline with the model client (or none), the policy pack and the routing rules.
    ``grounder`` (:class:`agent.grounding.Grounder`) replaces :func:`build_grounder`'s (a dry run
    reads the knowledge base of the configured database while writing nothing).

    Raises ConfigError / PolicyPackError for a bad routing expression or pack."""
    model = None
    if settings.model.base_url:
        from connectors.limits import backend_for
        from connectors.llm_openai import OpenAIModelClient

        model = OpenAIModelClient(settings.model, limits=backend_for(settings.limits))
    org = settings.organisation
    drafter = Drafter(
        model,
        TemplateDrafter(organisation=org.name, signature=org.signature, answer_min_score=settings.drafting.template_answer_min_score),
        breaker_failures=settings.model.breaker_failures,
        breaker_cooldown_seconds=settings.model.breaker_cooldown_seconds,
    )
    policy = load_policy_pack(settings.policy_pack_path())
    from jobs.variants import build_variants

    return Pipeline(
        settings,
        session_factory,
        redactor_factory=lambda: Redactor(settings.redaction, settings.organisation),
        drafter=drafter,
        policy=policy,
        router=Router(settings.routing),
        notifier=notifier or build_notifier(settings),
        cursors=SqlCursorStore(session_factory),
        variants=build_variants(settings, session_factory, drafter=drafter, policy=policy),  # [release] (jobs/variants.py)
        grounder=grounder or build_grounder(settings, session_factory),  # knowledge snippets, CRM context for mail, style (issue 14)
    )


def build_grounder(settings: Settings, session_factory: sessionmaker[Session]):
    """The analyse stage's :class:`agent.grounding.Grounder`: the knowledge base's retriever when
    ``[knowledge]`` has folders; the Salesforce contact lookup for mail when a Salesforce source
    is configured (``[drafting] crm_source``, else the first) and ``crm_context`` is on. Raises
    ConfigError for a ``crm_source`` the config does not list."""
    from agent.grounding import Grounder, kb_retriever

    drafting = settings.drafting
    crm = None
    if drafting.crm_context and settings.sources.salesforce:
        from connectors.salesforce.crm import SalesforceContactLookup

        by_name = {c.name: c for c in settings.sources.salesforce}
        name = drafting.crm_source or settings.sources.salesforce[0].name
        if name not in by_name:
            raise ConfigError(f"no Salesforce source {name!r} (known: {', '.join(by_name)})", key="drafting.crm_source")
        crm = SalesforceContactLookup(by_name[name], drafting)
    return Grounder(drafting, retrieve=kb_retriever(session_factory) if settings.knowledge.folders else None, crm=crm)


def distributed_runner(settings: Settings, pipeline: Pipeline):
    """The scheduler's runner of the distributed mode (agent/runners/distributed.py) on the
    Celery queue of ``[distributed]`` (connected when a run first has items)."""
    from agent.runners.distributed import DistributedRunner
    from jobs.celery_app import item_queue

    return DistributedRunner(
        pipeline.flow,
        pipeline.recorder,
        cursors=pipeline.cursors,
        drafter=pipeline.drafter,
        queue=lambda: item_queue(settings),
        max_in_flight=settings.distributed.max_in_flight,
    )


def bootstrap(settings: Settings, notifier: Notifier | None = None) -> Runtime:
    """Turn tracing on when ``[tracing]`` says so (``jobs/tracing.py``; once per process) and
    show the item ids on the CLI's log lines, then open (and migrate) the database, build the
    sources and the pipeline. Raises ConfigError for a tracing exporter without an endpoint."""
    from jobs.observability import install_log_correlation
    from jobs.tracing import configure_tracing

    if settings.distributed.enabled:  # PostgreSQL, Redis limits, a broker: refused before anything opens
        from jobs.worker import check_distributed

        check_distributed(settings)
    configure_tracing(settings.tracing)
    install_log_correlation()
    engine, session_factory = open_database(settings.storage_url(), events_source=settings.events.source_prefix())
    try:
        pipeline = build_pipeline(settings, session_factory, notifier)
        if settings.distributed.enabled:  # this process schedules: items go to the workers as task ids
            pipeline.runner = distributed_runner(settings, pipeline)
        sources = build_sources(settings, session_factory)
    except Exception:
        engine.dispose()
        raise
    return Runtime(settings, engine, session_factory, pipeline, sources)
