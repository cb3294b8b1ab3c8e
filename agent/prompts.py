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
from agent.models import INTENTS, Prompt, RedactedContext

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


def render_prompt(
    template_id: str,
    ctx: RedactedContext,
    *,
    organisation: str,
    signature: str,
    link_domains: list[str],
) -> Prompt:
    """Render the system and user messages of ``template_id`` for a redacted context."""
    _template_path(template_id)
    tmpl = _env.get_template(f"{template_id}.j2")
    values = {
        "organisation": organisation,
        "signature": signature,
        "link_domains": link_domains,
        "intents": INTENTS,
        "subject": ctx.subject,
        "sender_name": ctx.sender_name,
        "crm_fields": ctx.crm_fields,
        "thread": ctx.thread,
        "latest_text": ctx.latest_text,
        "language": ctx.language,
    }
    tctx = tmpl.new_context(values)
    system = "".join(tmpl.blocks["system"](tctx)).strip()
    user = "".join(tmpl.blocks["user"](tctx)).strip()
    return Prompt(template_id=template_id, template_hash=template_hash(template_id), system=system, user=user)
