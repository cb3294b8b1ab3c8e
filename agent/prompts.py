"""Versioned prompt templates (Jinja2) under ``agent/prompt_templates/<name>/<version>.j2``.

A template id is ``"reply/v1"``; its hash is the sha256 of the template file's
bytes, recorded with every draft so an auditor can tell exactly which prompt
produced it. Templates render only the redacted context: no raw personal data.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jinja2

from agent.errors import ConfigError
from agent.models import INTENTS, KnowledgeSnippet, Prompt, RedactedContext
from agent.token_budget import BudgetReport, fit_prompt

TEMPLATE_ROOT = Path(__file__).parent / "prompt_templates"
_ID_RE = re.compile(r"^[a-z0-9_-]+/v\d+$")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_ROOT)),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)


def template_hash(template_id: str) -> str:
    """sha256 hex of the template file. Raises ConfigError for an unknown id."""
    return hashlib.sha256(_template_path(template_id).read_bytes()).hexdigest()


def _template_path(template_id: str) -> Path:
    if not _ID_RE.match(template_id):
        raise ConfigError(f"prompt template id {template_id!r} must look like 'reply/v1'", key="model.prompt_template")
    p = TEMPLATE_ROOT / f"{template_id}.j2"
    if not p.is_file():
        raise ConfigError(f"no prompt template {template_id!r} (expected {p})", key="model.prompt_template")
    return p


#: The prompt's tone instruction per ``[drafting] tone`` (reply/v2 on; v1 has none).
TONE_INSTRUCTIONS = {
    "formal": "formal and courteous; full sentences; no contractions, no exclamation marks.",
    "friendly": "warm and friendly, yet professional; plain words; at most one exclamation mark.",
    "concise": "concise: answer in as few sentences as the facts allow, no filler; at most about 120 words in all.",
}


def reply_template_id(settings) -> str:
    """The reply prompt template id for a draft (``"reply/v2"``): the one place the drafter's prompt
    is chosen (``[model] prompt_template``), so a release variant can choose it here too."""
    return settings.model.prompt_template


def render_prompt(
    template_id: str,
    ctx: RedactedContext,
    *,
    organisation: str,
    signature: str,
    link_domains: list[str],
    thread: list[str] | None = None,
    snippets: list[KnowledgeSnippet] | None = None,
    latest_text: str | None = None,
    thread_cut: int = 0,
) -> Prompt:
    """Render the system and user messages of ``template_id`` for a redacted context.

    ``thread`` / ``snippets`` / ``latest_text`` replace the context's own (the token budget's cut,
    :func:`render_within_budget`); ``thread_cut`` is how many older messages were left out."""
    _template_path(template_id)
    tmpl = _env.get_template(f"{template_id}.j2")
    style = ctx.style
    values = {
        "organisation": organisation,
        "signature": signature,
        "link_domains": link_domains,
        "intents": INTENTS,
        "subject": ctx.subject,
        "sender_name": ctx.sender_name,
        "crm_fields": ctx.crm_fields,
        "thread": ctx.thread if thread is None else thread,
        "thread_cut": thread_cut,
        "snippets": ctx.snippets if snippets is None else snippets,
        "latest_text": ctx.latest_text if latest_text is None else latest_text,
        "language": ctx.language,
        "tone": style.tone,
        "tone_instruction": TONE_INSTRUCTIONS[style.tone],
        "lix_max": style.lix_max,
    }
    tctx = tmpl.new_context(values)
    system = "".join(tmpl.blocks["system"](tctx)).strip()
    user = "".join(tmpl.blocks["user"](tctx)).strip()
    return Prompt(template_id=template_id, template_hash=template_hash(template_id), system=system, user=user)


def render_within_budget(
    template_id: str,
    ctx: RedactedContext,
    *,
    organisation: str,
    signature: str,
    link_domains: list[str],
    model: str,
    budget: int,
    reserve: int,
) -> tuple[Prompt, BudgetReport]:
    """:func:`render_prompt` cut to ``budget - reserve`` tokens of ``model``'s encoding
    (:func:`agent.token_budget.fit_prompt`: thread oldest first, snippets lowest-ranked first, the
    latest text last). Returns the prompt and what was cut."""

    def render(thread: list[str], snippets: list, latest: str) -> Prompt:
        return render_prompt(
            template_id, ctx, organisation=organisation, signature=signature, link_domains=link_domains,
            thread=thread, snippets=snippets, latest_text=latest, thread_cut=len(ctx.thread) - len(thread),
        )

    return fit_prompt(render, thread=ctx.thread, snippets=ctx.snippets, latest_text=ctx.latest_text, model=model, budget=budget, reserve=reserve)
