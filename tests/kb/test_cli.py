"""``main.py kb index`` / ``kb search`` through Typer's runner on the real app: counts, the
progress bar's result, snippet ids and JSON, and hostile article and query text shown literally."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

HOSTILE = (
    "# Fees [red]RED[/red] \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\n\n"
    "Custody fee notice \x1b[2J\x1b[31mred text\x1b[0m, right-to-left \u202eevil\u202c, "
    "zero width\u200bspace [bold]bold[/] and [/] stray closing tag. Custody is charged quarterly.\n"
)


def cli(cfg, *args: str):
    import main

    result = CliRunner().invoke(main.app, ["--config", str(cfg), *args], env={"DRAFTGUARD_STORAGE_URL": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def config(kb_db_url, articles, tmp_path):
    (articles / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\nurl = "{kb_db_url}"\n\n[knowledge]\nfolders = ["kb"]\nbase_url = "https://kb.example.com"\n')
    return cfg


def test_index_prints_counts_and_search_shows_snippets(config, articles):
    first = cli(config, "kb", "index")
    assert first.exit_code == 0, first.output
    assert "4 added, 0 updated, 0 removed, 0 unchanged, 0 failed" in first.stdout
    (articles / "lost-card.md").write_text("# Lost card\n\nCall the hotline.\n")
    (articles / "hours.html").unlink()
    second = cli(config, "kb", "index")
    assert "0 added, 1 updated, 1 removed, 2 unchanged, 0 failed" in second.stdout

    found = cli(config, "kb", "search", "How much is the custody fee?", "-k", "2")
    assert found.exit_code == 0
    assert "KB-fees-overview#1" in found.stdout and "Fees and charges" in found.stdout

    data = json.loads(cli(config, "kb", "search", "custody fee", "--json").stdout)
    assert {d["id"] for d in data} >= {"KB-fees-overview#1"}
    fees = next(d for d in data if d["id"] == "KB-fees-overview#1")
    assert fees["url"] == "https://help.example.com/fees" and fees["source_path"] == "fees/overview.md"
    assert set(fees) == {"id", "article_id", "title", "source_path", "url", "text", "score", "language"}


def test_hostile_article_text_is_shown_not_obeyed(config):
    assert cli(config, "kb", "index").exit_code == 0
    result = cli(config, "kb", "search", "custody charged quarterly notice", "-k", "5")
    assert result.exit_code == 0
    out = result.stdout
    assert "\x1b" not in out and "\u202e" not in out and "\u200b" not in out
    assert "\\x1b" in out and "\\u202e" in out  # controls made visible
    assert "[bold]bold[/]" in out and "[red]RED[/red]" in out  # markup printed as text, not applied
    raw = cli(config, "kb", "search", "custody charged quarterly notice", "--json", "-k", "5").stdout
    assert "\x1b" not in raw and "\u202e" not in raw
    texts = [d["text"] for d in json.loads(raw)]
    assert any("\u202eevil" in t and "\x1b[31m" in t for t in texts)  # the JSON value is the article's exact text


HOSTILE_QUERIES = [
    '"unbalanced quote custody', "custody NEAR(fee", "* OR -", "fee AND OR NOT", "'; DROP TABLE kb_chunks; --",
    "kb_chunks_fts MATCH 'x'", "\x1b[31m custody \u202e", "[red]custody[/]", "???", "a", "custody " * 500,
]


def test_hostile_queries_are_words_only(config, kb_db_url, articles):
    """Search syntax, SQL and terminal controls in a question are words or nothing: no error,
    no match on syntax, the tables intact; three through the command line, all through retrieve()."""
    from kb.config import KnowledgeConfig
    from kb.index import index_knowledge
    from kb.retrieve import retrieve
    from storage.db import open_database

    engine, sf = open_database(kb_db_url)
    try:
        index_knowledge(sf, KnowledgeConfig(folders=[articles]), articles.parent)
        for query in HOSTILE_QUERIES:
            found = retrieve(sf, query, k=3)
            if "custody" in query:
                assert found and found[0].article_id in {"fees-overview", "hostile"}, query
            elif query in ("???", "a", "* OR -"):
                assert found == [], query
        assert retrieve(sf, "custody fee", k=1)
    finally:
        engine.dispose()
    for query in HOSTILE_QUERIES[:3]:
        result = cli(config, "kb", "search", query, "--json")
        assert result.exit_code == 0, result.output
        assert isinstance(json.loads(result.stdout), list)


def test_usage_errors(tmp_path, kb_db_url):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[storage]\nurl = "{kb_db_url}"\n')
    result = cli(cfg, "kb", "index")
    assert result.exit_code == 2 and "no knowledge folders" in result.stderr
    cfg.write_text(f'[storage]\nurl = "{kb_db_url}"\n\n[knowledge]\nfolders = ["missing"]\n')
    result = cli(cfg, "kb", "index")
    assert result.exit_code == 2 and "knowledge.folders[0]" in result.stderr
    assert cli(cfg, "kb", "search", "x", "--language", "german").exit_code == 2


def test_failed_file_exits_1_and_names_it(config, articles):
    (articles / "broken.pdf").write_bytes(b"%PDF-1.4 not a pdf at all")
    result = cli(config, "kb", "index")
    assert result.exit_code == 1
    assert "1 failed" in result.stdout and "broken.pdf" in result.stdout
