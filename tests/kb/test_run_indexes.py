"""``main.py run`` keeps the knowledge index in step (kb/refresh.py): the pass before polling
grounds the first draft, a broken article is reported and the run goes on, the service's
``kb-index`` job picks up a changed or removed article, ``config check`` names a missing folder."""

from __future__ import annotations

import email
import email.policy
import logging
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select
from typer.testing import CliRunner

from agent.config import Settings
from kb.config import KnowledgeConfig
from kb.refresh import changed, refresh_knowledge, summary_line
from storage.db import open_database
from storage.models import Draft, Item
from tests.e2e.helpers import mailbox_of, write_config

ARTICLES = {
    "fees/custody-fee.md": "---\ntitle: Custody fee\nlanguage: en\n---\n# Custody fee\n\n## What it costs\n\n"
                           "Our custody fee is 0.25% a year of the value of your investments, charged every quarter.\n",
    "service/opening-hours.md": "---\ntitle: Opening hours\nlanguage: en\n---\n# Opening hours\n\n## Phone lines\n\n"
                                "Our phone lines are open Monday to Friday, 8am to 6pm.\n",
    "service/lost-card.html": "<html lang=\"en\"><head><title>Lost card</title></head><body><h1>Lost card</h1>"
                              "<p>Freeze the card in the app and call the fraud line straight away.</p></body></html>",
}
QUESTION = (
    b"From: Ann Lee <ann.lee@example.org>\nTo: help@northwind.example\nSubject: Custody fee\n"
    b"Message-ID: <q1@example.org>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n"
    b"Hello, how much is your custody fee?\n\nThank you\nAnn Lee\n"
)
def write_articles(folder: Path) -> None:
    for rel, text in ARTICLES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


BROKEN = "---\ntitle: [unclosed\nSECRET-BODY-WORDS\n---\n# Broken\n\nSECRET-BODY-WORDS in the text.\n"


def test_run_once_indexes_the_knowledge_folder_and_the_first_draft_cites_it(tmp_path):
    kb = tmp_path / "knowledge"
    write_articles(kb)
    (kb / "broken.md").write_text(BROKEN, encoding="utf-8")
    box = mailbox_of(tmp_path, {"1.eml": QUESTION})
    cfg = write_config(tmp_path, mailbox=box, knowledge=kb)
    import main  # in-process: the NLP models loaded once for this file's tests

    r = CliRunner().invoke(main.app, ["--config", str(cfg), "run", "--once"], env={"DRAFTGUARD_STORAGE_URL": None, "COLUMNS": "200"})
    assert r.exit_code == 0, r.stdout + r.stderr  # a broken article does not stop the run
    assert f"Knowledge base: {len(ARTICLES)} added, 0 updated, 0 removed, 0 unchanged, 1 failed" in r.stdout, r.stdout
    assert "knowledge article not indexed:" in r.stderr and "broken.md: front matter is not valid YAML" in r.stderr, r.stderr
    assert "SECRET-BODY-WORDS" not in r.stdout + r.stderr

    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}", create=False)
    try:
        with sf() as s:
            item = s.scalars(select(Item)).one()
            d = s.scalars(select(Draft).where(Draft.item_id == item.id)).one()
            grounding, body, model, state = d.grounding, d.body_text, d.model, item.state
    finally:
        engine.dispose()
    link = "https://help.northwind.example/kb/fees-custody-fee"
    assert model == "templates/v3" and state == "drafted"
    assert [(c["id"], c["url"]) for c in grounding["citations"]] == [("KB-fees-custody-fee#1", link)], grounding
    assert "0.25% a year" in body and f"Source: Custody fee ({link})" in body  # answered from the article, not acknowledged
    placed = [p for sub in ("new", "cur") for p in (tmp_path / "Drafts" / sub).glob("*")]
    msg = email.message_from_bytes(placed[0].read_bytes(), policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert len(placed) == 1 and "0.25% a year" in text and link in text


def test_an_unchanged_pass_reports_nothing_and_failures_are_logged_without_content(tmp_path, caplog):
    kb = tmp_path / "knowledge"
    write_articles(kb)
    (kb / "broken.md").write_text(BROKEN, encoding="utf-8")
    cfg = KnowledgeConfig(folders=[kb])
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    try:
        with caplog.at_level(logging.WARNING, logger="draftguard.kb"):
            first = refresh_knowledge(sf, cfg, tmp_path)
        assert changed(first) and first.counts()["added"] == len(ARTICLES)
        logged = [r.getMessage() for r in caplog.records]
        assert any("broken.md: front matter is not valid YAML" in m for m in logged), logged
        assert not any("SECRET-BODY-WORDS" in m for m in logged)
        (kb / "broken.md").unlink()
        second = refresh_knowledge(sf, cfg, tmp_path)
        assert summary_line(second) == f"Knowledge base: 0 added, 0 updated, 0 removed, {len(ARTICLES)} unchanged, 0 failed"
        assert not changed(second)  # nothing to say in the run summary
        assert refresh_knowledge(sf, KnowledgeConfig(), tmp_path) is None  # no folders: nothing read
    finally:
        engine.dispose()


def test_the_kb_index_job_picks_up_changed_and_removed_articles(tmp_path):
    from jobs import tasks
    from kb.retrieve import retrieve

    kb = tmp_path / "knowledge"
    write_articles(kb)
    engine, sf = open_database(f"sqlite:///{tmp_path / 'dg.db'}")
    settings = Settings(knowledge=KnowledgeConfig(folders=[kb]), base_dir=tmp_path)
    runtime = SimpleNamespace(settings=settings, session_factory=sf, pipeline=SimpleNamespace(notifier=None))
    tasks.set_runtime(tasks.ServiceRuntime(runtime))
    try:
        assert tasks.reindex_knowledge().counts()["added"] == len(ARTICLES)
        (kb / "fees" / "custody-fee.md").write_text(ARTICLES["fees/custody-fee.md"].replace("0.25%", "0.30%"), encoding="utf-8")
        (kb / "service" / "opening-hours.md").unlink()
        report = tasks.reindex_knowledge()
        assert (report.updated, report.removed, report.added) == ([f"{kb}/fees/custody-fee.md"], [f"{kb}/service/opening-hours.md"], [])
        assert "0.30%" in retrieve(sf, "custody fee", k=1, language="en")[0].text
        assert all(not s.id.startswith("KB-service-opening-hours") for s in retrieve(sf, "phone lines open Monday", k=5))
        kb.rename(tmp_path / "unmounted")
        assert tasks.reindex_knowledge() is None  # a folder gone: logged, the index left as it was
        assert retrieve(sf, "custody fee", k=1, language="en")
    finally:
        tasks.set_runtime(None)
        engine.dispose()


def test_the_scheduler_registers_kb_index_at_the_configured_interval(tmp_path):
    from jobs.scheduler import PIPELINE_EXECUTOR, job_specs

    on = {s.id: s for s in job_specs(Settings(knowledge=KnowledgeConfig(folders=[tmp_path], reindex_minutes=7)), [])}
    spec = on["kb-index"]
    assert spec.func == "jobs.tasks:reindex_knowledge" and spec.executor == PIPELINE_EXECUTOR  # never alongside a poll
    assert spec.trigger.interval.total_seconds() == 7 * 60 and not spec.run_at_start  # the start pass is run_forever's
    assert "kb-index" not in {s.id for s in job_specs(Settings(knowledge=KnowledgeConfig(folders=[tmp_path], reindex_minutes=0)), [])}
    assert "kb-index" not in {s.id for s in job_specs(Settings(), [])}
    assert KnowledgeConfig().reindex_minutes == 15


def test_config_check_names_a_missing_knowledge_folder(tmp_path):
    import main

    box = mailbox_of(tmp_path, {})
    cfg = write_config(tmp_path, mailbox=box, knowledge=tmp_path / "no-such-articles")
    r = CliRunner().invoke(main.app, ["--config", str(cfg), "config", "check"], env={"DRAFTGUARD_STORAGE_URL": None})
    assert r.exit_code == 2, r.output
    assert "knowledge.folders[0]" in r.output and "no-such-articles: no such folder of knowledge articles" in r.output
    (tmp_path / "no-such-articles").mkdir()
    ok = CliRunner().invoke(main.app, ["--config", str(cfg), "config", "check"], env={"DRAFTGUARD_STORAGE_URL": None})
    assert ok.exit_code == 0 and ": OK (" in ok.output, ok.output


def test_the_service_indexes_before_its_first_poll_and_stops_on_a_missing_folder(tmp_path, monkeypatch):
    """``run`` (the service, in-process, stop already requested so it returns once started): the
    pass runs after the lock and before the jobs, its line only when something changed; a folder
    that is missing at start is a config error (exit 2) naming the key."""
    import threading

    import jobs.observability
    from agent.config import load_config
    from jobs.scheduler import run_forever

    monkeypatch.setattr(jobs.observability, "configure_logging", lambda *a, **k: None)  # leave the test's logging alone
    kb = tmp_path / "knowledge"
    write_articles(kb)
    cfg = write_config(tmp_path, mailbox=mailbox_of(tmp_path, {}), knowledge=kb, extra="[observability]\nmetrics_port = 0\n")

    def service() -> tuple[int, list[str]]:
        lines: list[str] = []
        stop = threading.Event()
        stop.set()
        return run_forever(load_config(cfg), stop=stop, install_signals=False, echo=lines.append), lines

    code, lines = service()
    assert code == 0, lines
    kb_line = f"Knowledge base: {len(ARTICLES)} added, 0 updated, 0 removed, 0 unchanged, 0 failed"
    assert lines.index(kb_line) < next(i for i, m in enumerate(lines) if m.startswith("draftguard running:")), lines
    assert "kb-index" in next(m for m in lines if m.startswith("draftguard running:"))
    code, lines = service()
    assert code == 0 and not any(m.startswith("Knowledge base:") for m in lines), lines  # unchanged: nothing said
    kb.rename(tmp_path / "unmounted")
    code, lines = service()
    assert code == 2 and any("knowledge.folders[0]" in m and "no such folder of knowledge articles" in m for m in lines), lines
