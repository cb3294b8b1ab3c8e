"""Adaptive Card 1.4 for an escalation (and for a group's daily digest).

What goes on the card is governed by :class:`agent.config.NotifyConfig`: by default
the subject, the client's domain, the finding rule ids and severities, the routing rule,
model and prompt version, and buttons; no message or draft body. ``include_draft_preview``
adds the first ``preview_chars`` of the draft; ``client_display`` = ``"address"`` shows
the sender's address, ``"none"`` hides the client entirely.

Adaptive Card 1.4 is the newest version Teams renders for cards posted by a Workflows
webhook or a Graph message (Teams docs: "Adaptive Cards overview", version support).
Only elements of schema 1.0-1.4 are used: TextBlock, FactSet, Container, Action.OpenUrl
(no TextBlock ``style``: that is 1.5).
``Action.OpenUrl`` needs an absolute URL: links that are not http(s) (a Maildir path)
are left off the buttons.

Client text is hostile: TextBlocks and FactSet titles/values render Markdown (Adaptive
Cards "Text features"), so a subject ``[Verify your account](https://…)`` would become a
link on the reviewers' card. Every client-derived string (subject, client label, draft
preview) goes through :func:`markdown_escape` and nothing else puts client text on a card.

Every card carries a stable reference (:func:`escalation_reference`,
:func:`digest_reference`): the ``id`` of its title TextBlock and a visible "Reference" line.
Delivery is at-least-once (a webhook that answers after the client timeout is posted
again), so a repeated card is recognisable by its reference (``docs/teams.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from agent.ports import Digest, Escalation

CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_DIGEST_ROWS = 50  # a longer list makes an unreadable card; the rest is counted

_SEVERITY_COLOR = {"critical": "Attention", "high": "Attention", "medium": "Warning", "low": "Default", "info": "Default"}


@dataclass(frozen=True)
class CardOptions:
    """What the card may show. See :class:`agent.config.NotifyConfig` for the meaning."""

    include_draft_preview: bool = False
    preview_chars: int = 400
    client_display: str = "domain"  # "domain" | "address" | "none"
    draft_url_template: str = ""

    @classmethod
    def from_config(cls, notify_cfg) -> CardOptions:
        """Options from an :class:`agent.config.NotifyConfig`."""
        return cls(
            include_draft_preview=notify_cfg.include_draft_preview,
            preview_chars=notify_cfg.preview_chars,
            client_display=notify_cfg.client_display,
            draft_url_template=notify_cfg.draft_url_template,
        )


def _is_web_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def client_label(sender: str, mode: str) -> str | None:
    """The client as the card may show it: ``"contoso.com"`` (domain), the address, or None."""
    if mode == "none" or not sender:
        return None
    if mode == "address":
        return sender
    addr = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    return addr.rpartition("@")[2].lower() or None


def draft_url(escalation: Escalation, options: CardOptions) -> str | None:
    """The "Open draft" URL from ``draft_url_template`` (None when unset or not http(s))."""
    if not options.draft_url_template:
        return None
    url = options.draft_url_template.format(
        review_task_id=escalation.review_task_id, item_id=escalation.item_id, correlation_id=escalation.correlation_id
    )
    return url if _is_web_url(url) else None


# CommonMark lets a backslash escape any ASCII punctuation (spec 0.31, "Backslash escapes").
# Escaped everywhere: what opens inline markup (emphasis, code, links and images, autolinks
# and raw HTML, GFM strikethrough) or an entity (&#91; is "["), and the backslash itself.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~&#])")
# Escaped at the start of a line only: list bullets and setext underlines ("-", "+", "="),
# and the "." or ")" of a numbered list item. Block quotes and headings are covered above.
_MD_LINE_START = re.compile(r"^([ \t]*)([-+=])", re.MULTILINE)
_MD_ORDERED = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)


def markdown_escape(text: str) -> str:
    """``text`` with every Markdown construct neutralised by backslash escapes, so a card shows
    it literally: ``"[Verify](https://x)"`` → ``"\\[Verify\\](https://x)"``.

    The one place where client text is made safe for a card. Rendered by a CommonMark
    renderer, the result shows exactly ``text`` (tests/teams/test_teams_card.py checks this
    with markdown-it-py). Bare URLs stay visible as written: Teams may make them clickable,
    but the reader sees the real target, not a disguised link text."""
    out = _MD_INLINE.sub(r"\\\1", text or "")
    out = _MD_ORDERED.sub(r"\1\\\2", out)
    return _MD_LINE_START.sub(r"\1\\\2", out)


def _text(text: str, **kw) -> dict:
    """A TextBlock for text *we* wrote (titles, labels). Client text goes through :func:`_client_text`."""
    block = {"type": "TextBlock", "text": text, "wrap": True}
    block.update(kw)
    return block


def _client_text(text: str, **kw) -> dict:
    """A TextBlock showing client-derived text literally (Markdown escaped)."""
    return _text(markdown_escape(text) or "-", **kw)


def risk_line(escalation: Escalation) -> str:
    """The card's one risk line: ``fraud_report 0.93, complaint 0.61`` (the risk stage's
    categories and scores, most pressing first), ``must review (no category)`` when only the
    must-review flag is set, "" without an assessment. The card shows it through
    :func:`markdown_escape` (ids such as ``data_subject_request`` hold underscores)."""
    line = ", ".join(f"{c} {s:.2f}" for c, s in escalation.risk)
    if line:
        return line
    return "must review (no category)" if escalation.risk_must_review else ""


def escalation_reference(escalation: Escalation) -> str:
    """The card's stable reference: ``dg-review-<task id>``, ``dg-review-<task id>-reminder-<n>``.

    The same escalation (or the same reminder) always gets the same reference, so a card
    posted twice by an at-least-once retry is recognisable as a duplicate."""
    ref = f"dg-review-{escalation.review_task_id}"
    return f"{ref}-reminder-{escalation.reminder}" if escalation.reminder else ref


def digest_reference(digest: Digest) -> str:
    """The digest card's stable reference: ``dg-digest-<group>-<day>`` (group name in [a-z0-9-])."""
    group = re.sub(r"[^a-z0-9]+", "-", digest.group.lower()).strip("-") or "group"
    return f"dg-digest-{group}-{digest.day}"


def escalation_card(escalation: Escalation, options: CardOptions | None = None) -> dict:
    """The Adaptive Card (a JSON-ready dict, version 1.4) for one escalation or SLA reminder."""
    options = options or CardOptions()
    e = escalation
    if e.reminder:
        title = f"Reminder {e.reminder}: escalation open for {e.open_minutes} min ({e.group})"
    else:
        title = f"Review needed: escalation to {e.group}"
    ref = escalation_reference(e)
    facts = [{"title": "Subject", "value": markdown_escape(e.subject) or "(no subject)"}]
    client = client_label(e.sender, options.client_display)
    if client:
        facts.append({"title": "Client", "value": markdown_escape(client)})
    risk = risk_line(e)
    if risk:
        facts.append({"title": "Risk", "value": markdown_escape(risk)})
    facts += [
        {"title": "Source", "value": e.source},
        {"title": "Routing rule", "value": e.rule_id},
        {"title": "Model", "value": e.model or "-"},
        {"title": "Prompt", "value": e.prompt_template_id or "-"},
        {"title": "Item", "value": f"{e.item_id} (review task #{e.review_task_id})"},
    ]
    body: list[dict] = [
        _text(title, size="Medium", weight="Bolder", id=ref),
        {"type": "FactSet", "facts": facts},
        _text("Findings", weight="Bolder", spacing="Medium"),
    ]
    if e.findings:
        for rule_id, severity in e.findings:
            body.append(_text(f"- {rule_id} ({severity})", color=_SEVERITY_COLOR.get(str(severity).lower(), "Default"), spacing="None"))
    else:
        body.append(_text("(no policy findings: escalated by the routing rule)", isSubtle=True, spacing="None"))
    if e.citations or e.unknown_citations or e.citations_dropped:  # the knowledge articles the draft relies on (issue 14): titles and links, escaped
        body.append(_text("Sources cited", weight="Bolder", spacing="Medium"))
        for title, url in e.citations:
            body.append(_client_text(f"- {title}" + (f" — {url}" if url else ""), spacing="None"))
        for cid in e.unknown_citations:
            body.append(_client_text(f"- not retrieved for this draft: {cid}", color="Attention", spacing="None"))
        if e.citations_dropped:
            body.append(_text(f"- {e.citations_dropped} citation(s) not in the snippet id format (not shown)", color="Attention", spacing="None"))
    if options.include_draft_preview and e.draft_preview:
        preview = e.draft_preview[: options.preview_chars]
        if len(e.draft_preview) > options.preview_chars:
            preview = preview.rstrip() + " …"
        body.append({"type": "Container", "style": "emphasis", "spacing": "Medium", "items": [_text("Draft preview", weight="Bolder"), _client_text(preview)]})
    body.append(_text(f"Act with: main.py review show|approve|reject|assign {e.item_id}", isSubtle=True, spacing="Medium"))
    body.append(_text(f"Reference {ref} · correlation id {e.correlation_id}", isSubtle=True, size="Small", spacing="None"))
    actions = []
    if _is_web_url(e.link):
        actions.append({"type": "Action.OpenUrl", "title": "Open original", "url": e.link})
    durl = draft_url(e, options)
    if durl:
        actions.append({"type": "Action.OpenUrl", "title": "Open draft", "url": durl})
    card: dict = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION, "body": body}
    if actions:
        card["actions"] = actions
    card["fallbackText"] = f"{title}: {e.subject or '(no subject)'}"
    return card


def digest_card(digest: Digest, options: CardOptions | None = None, now: datetime | None = None) -> dict:
    """The Adaptive Card (1.4) listing a group's open escalations, oldest first."""
    options = options or CardOptions()
    now = now or datetime.now(UTC)
    n = len(digest.escalations)
    ref = digest_reference(digest)
    body: list[dict] = [
        _text(f"Daily digest {digest.day}: {n} open escalation{'s' if n != 1 else ''} for {digest.group}", size="Medium", weight="Bolder", id=ref)
    ]
    for e in digest.escalations[:MAX_DIGEST_ROWS]:
        findings = ", ".join(rule for rule, _sev in e.findings) or "-"
        subject = markdown_escape(e.subject) or "(no subject)"
        line = f"item {e.item_id} · {subject} · open {e.open_minutes} min · rule {e.rule_id} · {findings}"
        row: dict = {"type": "Container", "spacing": "Small", "items": [_text(line)]}
        if _is_web_url(e.link):
            row["selectAction"] = {"type": "Action.OpenUrl", "url": e.link, "title": "Open original"}
        body.append(row)
    if n > MAX_DIGEST_ROWS:
        body.append(_text(f"… and {n - MAX_DIGEST_ROWS} more (main.py review list)", isSubtle=True))
    if n == 0:
        body.append(_text("Nothing open.", isSubtle=True))
    body.append(_text(f"Reference {ref}", isSubtle=True, size="Small"))
    return {
        "$schema": CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
        "fallbackText": f"Daily digest {digest.day}: {n} open escalations for {digest.group}",
    }


def webhook_payload(card: dict) -> dict:
    """The Workflows webhook body: a ``message`` with the card as its one attachment."""
    return {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}
