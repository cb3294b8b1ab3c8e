"""Fixtures for the grounding tests (issue 14): a small knowledge base indexed by the real indexer
into a SQLite database of the test's own, and a pipeline built like the composition root builds it
(knowledge retriever, optional model endpoint, the shipped policy pack, the routing rules that
escalate high-severity findings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import Settings
from agent.drafting import Drafter
from agent.pipeline import Pipeline
from agent.template_drafter import TemplateDrafter
from jobs.bootstrap import build_grounder
from kb.config import KnowledgeConfig
from kb.index import index_knowledge
from rules.policy import load_policy_pack
from rules.routing import Router
from storage.db import open_database
from storage.repository import SqlCursorStore
from tests.unit.fakes import FakeNotifier

ARTICLES = {
    "en/transfer-fees.md": ("Transfer fees", "en", "Outgoing transfers",
                            "An outgoing transfer to another bank costs £25. We send it within 2 working days of your instruction."),
    "de/ueberweisungsgebuehren.md": ("Überweisungsgebühren", "de", "Überweisungen an andere Banken",
                                    "Eine Überweisung an eine andere Bank kostet 25 EUR. Wir führen sie innerhalb von 2 Werktagen aus."),
    "fr/frais-de-virement.md": ("Frais de virement", "fr", "Virements vers une autre banque",
                               "Un virement vers une autre banque coûte 25 EUR. Nous l'exécutons sous 2 jours ouvrés."),
    "es/comisiones-de-transferencia.md": ("Comisiones de transferencia", "es", "Transferencias a otro banco",
                                         "Una transferencia a otro banco cuesta 25 EUR. La realizamos en 2 días hábiles."),
    "en/contact-us.md": ("Contact us", "en", "Phone and post",
                         "Call client services on 0800 555 0100. Post: Northwind Advisory, 1 King Street, Leeds LS1 2AB."),
    "en/opening-hours.md": ("Opening hours", "en", "When we answer", "Our client services team answers calls on working days."),
}
ROUTING = {
    "rules": [
        {"id": "high-severity-finding", "when": "max_severity >= 3", "action": "escalate", "group": "compliance"},
        {"id": "language-mismatch", "when": '"language_mismatch" in finding_families', "action": "escalate", "group": "client-services"},
    ],
    "default_action": "draft",
}


def write_articles(folder: Path) -> None:
    """The articles of :data:`ARTICLES` as Markdown files with front matter under ``folder``."""
    for rel, (title, lang, heading, text) in ARTICLES.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"---\ntitle: {title}\nlanguage: {lang}\n---\n# {title}\n\n## {heading}\n\n{text}\n", encoding="utf-8")


@pytest.fixture
def knowledge(tmp_path):
    """(settings dict fragment, session factory) of a test database with the knowledge base indexed."""
    folder = tmp_path / "knowledge"
    write_articles(folder)
    cfg = {"folders": [str(folder)], "base_url": "https://help.northwind.example/kb"}
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    report = index_knowledge(sf, KnowledgeConfig(**cfg), tmp_path)
    assert report is not None
    yield cfg, sf
    engine.dispose()


@pytest.fixture
def make_pipeline(tmp_path, knowledge, redactor):
    """``build(base_url="", drafting=None, pack=None, crm=None, prompt="reply/v2") -> Pipeline``."""
    kcfg, sf = knowledge

    def build(base_url: str = "", drafting: dict | None = None, pack: Path | None = None, crm=None, prompt: str = "reply/v2") -> Pipeline:
        settings = Settings.model_validate(
            {
                "organisation": {"name": "Northwind Advisory", "domains": ["northwind.example"], "own_addresses": ["support@northwind.example"],
                                 "signature": "Northwind Client Services", "allow_names": ["Northwind Client Services"]},
                "model": {"base_url": base_url, "name": "gpt-4o-mini", "prompt_template": prompt, "max_retries": 0},
                "risk": {"reviewer": False},
                "routing": ROUTING,
                "knowledge": kcfg,
                "drafting": drafting or {},
                "limits": {"retry_initial_seconds": 0, "retry_max_seconds": 0},
                "base_dir": str(tmp_path),
            }
        )
        model = None
        if base_url:
            from connectors.llm_openai import OpenAIModelClient

            model = OpenAIModelClient(settings.model)
        grounder = build_grounder(settings, sf)
        if crm is not None:
            grounder.crm = crm
        return Pipeline(
            settings,
            sf,
            redactor_factory=lambda: redactor,
            drafter=Drafter(model, TemplateDrafter(organisation="Northwind Advisory", signature="Northwind Client Services",
                                                   answer_min_score=settings.drafting.template_answer_min_score)),
            policy=load_policy_pack(pack or settings.policy_pack_path()),
            router=Router(settings.routing),
            notifier=FakeNotifier(),
            cursors=SqlCursorStore(sf),
            grounder=grounder,
        )

    return build
