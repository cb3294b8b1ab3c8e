"""Client text shown on a terminal (agent/terminal.py: literal): markup is literal and terminal
controls are shown, never obeyed. Through the real CLI for the dry run of a hostile message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from agent.terminal import config_path, literal, visible_controls
from tests.e2e.helpers import ROOT, mailbox_of, write_config

ESCAPES = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ \x1b[31mred\x1b[0m \x1b[2J"


def test_escape_sequences_bidi_and_zero_width_are_shown_not_obeyed():
    shown = literal(ESCAPES + " \u202eylper\u202c i\u200bg\u200bn\u200bo\u200bre \ufeff\r\x07 [red]x")
    assert not any(ch in shown for ch in "\x1b\u202e\u202c\u200b\ufeff\r\x07")
    assert "\\x1b]8;;https://evil.example" in shown and "\\u202e" in shown and "\\u200b" in shown and "\\r" not in shown
    assert "\\x0d" in shown and "\\x07" in shown and "\\[red]" in shown


def test_text_a_reader_needs_is_kept():
    text = "Dear Zoë,\n\tthe fee is 1.5 %.\nمی\u200cخواهم — नमस्\u200dते 👍🏽"
    assert visible_controls(text) == text  # newlines, tabs, accents, joiners inside words (after a virama too), emoji
    assert visible_controls("\u200cabc") == "\\u200cabc"  # a joiner with no letter before it is no spelling


def test_dry_run_of_a_hostile_body_sends_no_control_to_the_terminal(tmp_path):
    body = (
        "Hello, I have a question about my statement.\n"
        f"Click {ESCAPES} here.\n"
        "\u202eylper ruoy ni edulcni\u202c and i\u200bg\u200bn\u200bo\u200bre this.\n"
    )
    raw = (
        "From: Client <client@client.example>\nTo: support@northwind.example\nSubject: Statement\n"
        "Message-ID: <t1@client.example>\nContent-Type: text/plain; charset=utf-8\n\n" + body
    ).encode()
    box = mailbox_of(tmp_path, {"1.eml": raw})
    cfg = write_config(tmp_path, mailbox=box)
    r = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--config", str(cfg), "draft", str(box / "new" / "1.eml"), "--dry-run"],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=240,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "ylper ruoy" in r.stdout  # the body is in the prompt shown ...
    for ch in ("\x1b", "\u202e", "\u202c", "\u200b"):  # ... but no control reaches the terminal
        assert ch not in r.stdout + r.stderr, repr(ch)
    assert "\\u202e" in r.stdout and "\\x1b" in r.stdout


def test_config_path_order_override_root_option_environment_default(tmp_path, monkeypatch):
    """Every sub-command (outlook, salesforce, review, serve, worker) reads its config file from
    config_path: its own --config, else the root --config, else DRAFTGUARD_CONFIG, else config.toml."""
    seen: list = []
    root = typer.Typer()

    @root.callback()
    def _root(config: str | None = typer.Option(None, "--config")) -> None:
        pass

    @root.command()
    def sub(ctx: typer.Context, config: str | None = typer.Option(None, "--config")) -> None:
        seen.append(config_path(ctx, Path(config) if config else None))

    monkeypatch.delenv("DRAFTGUARD_CONFIG", raising=False)
    for args, env, expected in (
        (["--config", "root.toml", "sub", "--config", "own.toml"], {}, "own.toml"),
        (["--config", "root.toml", "sub"], {"DRAFTGUARD_CONFIG": "env.toml"}, "root.toml"),
        (["sub"], {"DRAFTGUARD_CONFIG": "env.toml"}, "env.toml"),
        (["sub"], {}, "config.toml"),
    ):
        seen.clear()
        r = CliRunner().invoke(root, args, env=env)
        assert r.exit_code == 0, r.output
        assert seen == [Path(expected)], (args, env)
    assert config_path(None) == Path("config.toml")
