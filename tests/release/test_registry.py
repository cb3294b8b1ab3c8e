"""The registry: an old draft's exact prompt text is recoverable after the template file changed
(``main.py variants trace`` → ``variants registry show``)."""

from __future__ import annotations

import json
import shutil

import jinja2
from sqlalchemy import select
from typer.testing import CliRunner

import agent.prompts
import agent.release.variants
from agent.config import load_config
from jobs.bootstrap import bootstrap
from storage.models import Draft
from tests.e2e.helpers import write_config
from tests.servers.openai_server import OpenAIServer

from .conftest import RELEASE, SMALL, add_mail


def test_old_prompt_text_is_recoverable_after_the_template_changed(release_config, tmp_path, monkeypatch):
    root = tmp_path / "prompt_templates"
    shutil.copytree(agent.prompts.TEMPLATE_ROOT, root)
    monkeypatch.setattr(agent.prompts, "TEMPLATE_ROOT", root)
    monkeypatch.setattr(agent.release.variants, "TEMPLATE_ROOT", root)
    monkeypatch.setattr(agent.prompts, "_env", jinja2.Environment(loader=jinja2.FileSystemLoader(str(root)), undefined=jinja2.StrictUndefined, autoescape=False))
    _, box = release_config
    server = OpenAIServer().__enter__()  # the model drafts: the prompt template is what wrote the draft
    cfg = write_config(tmp_path, mailbox=box, base_url=server.base_url, extra=RELEASE)
    settings = load_config(cfg)
    template = root / f"{settings.model.prompt_template}.j2"
    original = template.read_text()
    rt = bootstrap(settings)
    try:
        add_mail(box, SMALL[0:1])
        for src in rt.sources:
            rt.pipeline.run_source(src)
        template.write_text(original + "\n{# revised: stricter wording #}\n")
        add_mail(box, SMALL[1:2])
        for src in rt.sources:
            rt.pipeline.run_source(src)
        with rt.session_factory() as s:
            drafts = s.execute(select(Draft.id, Draft.provider).order_by(Draft.id)).all()
    finally:
        rt.close()
        server.__exit__(None, None, None)
    assert [p for _, p in drafts] == ["openai", "openai"], drafts
    old_id, new_id = (d for d, _ in drafts)
    from main import app

    runner = CliRunner()

    def traced(draft_id: int) -> dict:
        out = runner.invoke(app, ["-c", str(cfg), "variants", "trace", str(draft_id), "--json"])
        assert out.exit_code == 0, out.output
        return json.loads(out.stdout)

    old_hash, new_hash = traced(old_id)["prompt_sha256"], traced(new_id)["prompt_sha256"]
    assert old_hash != new_hash
    shown = runner.invoke(app, ["-c", str(cfg), "variants", "registry", "show", old_hash[:12]])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.rstrip("\n") == original.rstrip("\n") or shown.stdout == original + "\n"
    assert "revised" not in shown.stdout
    new = runner.invoke(app, ["-c", str(cfg), "variants", "registry", "show", new_hash])
    assert "revised: stricter wording" in new.stdout
    missing = runner.invoke(app, ["-c", str(cfg), "variants", "registry", "show", "ffffff0000"])
    assert missing.exit_code == 2


def test_a_template_draft_is_traced_to_the_template_set_that_wrote_it(release_config):
    """Without a model the template drafter writes the draft: its provenance names the template
    set (not the model prompt it never used), and the registry holds that set's files."""
    cfg, box = release_config
    rt = bootstrap(load_config(cfg))
    try:
        add_mail(box, SMALL[0:1])
        for src in rt.sources:
            rt.pipeline.run_source(src)
        with rt.session_factory() as s:
            draft_id, model, prompt_hash = s.execute(select(Draft.id, Draft.model, Draft.prompt_hash)).one()
    finally:
        rt.close()
    from agent.template_drafter import template_set_hash
    from main import app

    assert model.startswith("templates/") and prompt_hash == template_set_hash(model.removeprefix("templates/"))
    runner = CliRunner()
    traced = json.loads(runner.invoke(app, ["-c", str(cfg), "variants", "trace", str(draft_id), "--json"]).stdout)
    assert traced["prompt_sha256"] == prompt_hash
    shown = runner.invoke(app, ["-c", str(cfg), "variants", "registry", "show", prompt_hash])
    assert shown.exit_code == 0 and shown.stdout.startswith("== _base.j2 =="), shown.output
