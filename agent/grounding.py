"""Grounding (issue 14): knowledge snippets and CRM context for a draft, and what it cited.

The analyse stage asks a :class:`Grounder` for

* the top ``[drafting] snippets`` knowledge snippets for the client's latest text, with a query
  built from the **redacted** text (placeholders removed: no personal value reaches the index
  query) in the client's language (:func:`query_for`); the snippets are firm content;
* for Maildir/Outlook mail, the CRM context of a known contact (:class:`CrmLookup`, e.g.
  :class:`connectors.salesforce.crm.SalesforceContactLookup`): the contact's account and open
  cases, allow-listed fields only, added to ``InboundMessage.crm_fields`` *before* redaction so
  they are pseudonymised like every other client value.

After drafting, :func:`grounding_record` keeps what the reviewer and the auditor need: the
snippets retrieved (ids, titles, links, scores), the citations the draft made and which of them
point to no retrieved snippet, the token budget and what it cut, the style. It is stored on the
draft row (``drafts.grounding``) and shown in the Teams card, ``review show`` and ``draft --dry-run``.

Nothing here touches storage: the retriever and the CRM lookup are callables the composition root
(:mod:`jobs.bootstrap`) builds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from agent.drafting_config import DraftingConfig, DraftStyle
from agent.models import CitationScreen, InboundMessage, KnowledgeSnippet, is_citation_id, screen_citations
from agent.sender_trust import CRM_WITHHELD, crm_withheld_reason

log = logging.getLogger(__name__)

PLACEHOLDER_RE = re.compile(r"<[A-Z][A-Z_]*_\d+>")
QUERY_MAX_CHARS = 400
#: the articles' language a client gets when none in their own language answers
FALLBACK_LANGUAGE = "en"
#: snippets retrieved per snippet wanted when the client's language is known (the filter's pool)
POOL_FACTOR = 4
#: Retrieve(query, language, k) → snippets, best first. Raises nothing a caller must handle:
#: :meth:`Grounder.snippets` turns any error into "no snippets" and records it.
Retrieve = Callable[[str, str | None, int], list[KnowledgeSnippet]]


class CrmLookup(Protocol):
    """The CRM context of a mail sender: ``context_for(email)`` → allow-listed fields as
    ``{"Account.Name": "Globex", "Case 00001001.Status": "New"}`` (empty for an unknown
    address). Raises SourceError when the CRM cannot be asked."""

    def context_for(self, email: str) -> dict[str, str]: ...


def query_for(subject: str, latest_text: str) -> str:
    """The retrieval query from **redacted** text: subject and latest text, placeholders
    (``<PERSON_1>``) removed, whitespace collapsed, at most :data:`QUERY_MAX_CHARS` characters."""
    text = PLACEHOLDER_RE.sub(" ", f"{subject}\n{latest_text}")
    return " ".join(text.split())[:QUERY_MAX_CHARS]


def from_kb(s: object) -> KnowledgeSnippet:
    """A :class:`KnowledgeSnippet` from the knowledge base's ``Snippet`` (any object with its fields)."""
    return KnowledgeSnippet(
        id=str(s.id), article_id=str(s.article_id), title=str(s.title), source_path=str(getattr(s, "source_path", "") or ""),
        url=getattr(s, "url", None), text=str(s.text), score=float(getattr(s, "score", 0.0) or 0.0), language=getattr(s, "language", None),
    )


def relevance(query: str, snippet: KnowledgeSnippet, language: str | None) -> float:
    """0..1: the share of the snippet's article *title* content words (spaCy's stop words left
    out, Snowball stems of ``language``, :mod:`kb.terms`) that the query holds. A title names what
    an article answers, and unlike a share of the query's words it is not diluted by a mail's
    greeting and sign-off; unlike the retrieval score (bm25 on SQLite, ts_rank on PostgreSQL) it
    means the same on every backend, so one ``[drafting] template_answer_min_score`` holds."""
    from kb.terms import stems, words

    lang = (language or snippet.language or "en")[:2]
    from agent.pii.nlp import (
        spacy_stop_words,  # spaCy's lists, read without importing the language packages (cached)
    )

    stop = spacy_stop_words(lang) | spacy_stop_words("en")
    title = [w for w in words(snippet.title) if w not in stop and not w.isdigit()]
    if not title:
        return 0.0
    want = set(stems(" ".join(title), lang))
    have = set(stems(query, lang))
    return len(want & have) / len(want)


def kb_retriever(db_handle: object) -> Retrieve:
    """A :data:`Retrieve` over the knowledge base (``kb.retrieve.retrieve``) in ``db_handle``."""

    def retrieve(query: str, language: str | None, k: int) -> list[KnowledgeSnippet]:
        from kb.retrieve import retrieve as kb_retrieve

        return [from_kb(s) for s in kb_retrieve(db_handle, query, k=k, language=language)]

    return retrieve


@dataclass
class Grounder:
    """Retrieval and CRM context for the analyse stage. ``retrieve`` None: no knowledge base;
    ``crm`` None: no CRM context for mail; ``crm_sources`` are the source kinds whose messages
    already carry CRM fields (``salesforce``) and are not looked up again."""

    config: DraftingConfig = field(default_factory=DraftingConfig)
    retrieve: Retrieve | None = None
    crm: CrmLookup | None = None
    crm_sources: tuple[str, ...] = ("salesforce",)

    def style(self, source_name: str | None) -> DraftStyle:
        """The tone and readability target of ``source_name``."""
        return self.config.style_for(source_name)

    def snippets(self, subject: str, latest_text: str, language: str | None) -> tuple[list[KnowledgeSnippet], str | None]:
        """``(snippets best first, error)`` for the redacted ``subject``/``latest_text``.

        ``language`` is the client's (ISO 639-1; None or ``"und"``: unknown, any article). The
        knowledge base ranks with the client's language boosted (``kb.retrieve.LANGUAGE_BOOST``)
        from a pool of :data:`POOL_FACTOR` times the snippets wanted; then the language is a
        filter: the articles in the client's language when any answers, else those in
        :data:`FALLBACK_LANGUAGE` (the firm's articles without a language count as English), never
        one in a third language. A client writing Dutch when only English articles answer gets
        the English ones (better than none: the drafter writes Dutch and cites them); a Dutch
        client is not given the German article that shares the word "bank". A retrieval error
        gives no snippets and its text (the draft is written ungrounded, and says why)."""
        if self.retrieve is None or self.config.snippets == 0:
            return [], None
        query = query_for(subject, latest_text)
        if not query:
            return [], None
        lang = language.lower()[:2] if language and language != "und" else None
        try:
            found = self.retrieve(query, lang, self.config.snippets * (POOL_FACTOR if lang else 1))
        except Exception as exc:  # noqa: BLE001 - grounding is an enrichment: the item goes on without it
            log.warning("knowledge retrieval failed: %s", type(exc).__name__)
            return [], f"retrieval failed: {type(exc).__name__}"
        if lang:
            in_lang = [s for s in found if (s.language or FALLBACK_LANGUAGE)[:2].lower() == lang]
            found = in_lang or [s for s in found if (s.language or FALLBACK_LANGUAGE)[:2].lower() == FALLBACK_LANGUAGE]
        found = found[: self.config.snippets]  # best first, as retrieved
        return [s.model_copy(update={"relevance": round(relevance(query, s, lang or s.language), 4)}) for s in found], None

    def with_crm(self, msg: InboundMessage) -> tuple[InboundMessage, str | None]:
        """``(msg with the sender's CRM context in crm_fields, error)``. Only for mail without CRM
        fields from a source not in ``crm_sources``; a lookup error leaves the message as it was.

        When the From address cannot be trusted to pick the record
        (:func:`agent.sender_trust.crm_withheld_reason`: a different Reply-To, DMARC failed, SPF
        and DKIM failed) nothing is looked up, CRM fields the message came with are dropped, and
        the error is ``"CRM context withheld: <reason code>"`` (no address)."""
        reason = crm_withheld_reason(msg)
        if reason and (msg.crm_fields or (self.crm is not None and self.config.crm_context)):
            log.info("CRM context withheld: %s", reason)
            return msg.model_copy(update={"crm_fields": {}}), CRM_WITHHELD + reason
        if self.crm is None or not self.config.crm_context or msg.crm_fields:
            return msg, None
        if msg.source.partition(":")[0] in self.crm_sources:
            return msg, None
        try:
            fields = self.crm.context_for(msg.sender.email)
        except Exception as exc:  # noqa: BLE001 - the CRM is context: the item goes on without it
            log.warning("CRM context lookup failed: %s", type(exc).__name__)
            return msg, f"CRM lookup failed: {type(exc).__name__}"
        return (msg.model_copy(update={"crm_fields": fields}) if fields else msg), None


MASK = "[…]"  # what stands in a snippet sent to the model where the outbound check would find a value


def masked_for_model(snippets: Sequence[KnowledgeSnippet], scan: Callable[[str], list]) -> list[KnowledgeSnippet]:
    """The snippets as the model may see them: every span the outbound check finds (``scan(text)``
    → hits with ``start``/``end``: the firm's phone numbers, postal addresses, e-mail addresses,
    long digit runs, and any of the item's own values) replaced by :data:`MASK`. Articles are firm
    content, but the request must pass the outbound check whole; the model points to the cited
    article instead, whose link the reviewer and the client see. The template drafter, which
    sends nothing, quotes the unmasked text."""
    out = []
    for s in snippets:
        hits = sorted(scan(s.text), key=lambda h: h.start)
        if not hits:
            out.append(s)
            continue
        text, last, parts = s.text, 0, []
        for h in hits:
            parts += [text[last : h.start], MASK]
            last = h.end
        parts.append(text[last:])
        out.append(s.model_copy(update={"text": "".join(parts)}))
    return out


def snippet_hosts(snippets: Sequence[KnowledgeSnippet]) -> set[str]:
    """The host names of the snippets' links (the firm's own articles: allowed in a draft)."""
    from urllib.parse import urlsplit

    hosts = set()
    for s in snippets:
        if s.url:
            try:
                host = urlsplit(s.url).hostname
            except ValueError:
                host = None
            if host:
                hosts.add(host.lower())
    return hosts


def check_citations(cited: Sequence[str], retrieved: Sequence[KnowledgeSnippet]) -> tuple[list[str], list[str]]:
    """``(valid, unknown)``: the cited ids (order kept, duplicates dropped) that name a snippet
    given to the drafter, and those that do not."""
    ids = {s.id for s in retrieved}
    seen = list(dict.fromkeys(c.strip() for c in cited if c and c.strip()))
    return [c for c in seen if c in ids], [c for c in seen if c not in ids]


def grounding_record(
    *,
    snippets: Sequence[KnowledgeSnippet],
    cited: Sequence[str] | CitationScreen,
    budget: dict | None,
    style: DraftStyle,
    crm_fields: Sequence[str] = (),
    errors: Sequence[str] = (),
) -> dict:
    """The JSON-ready record stored on the draft (``drafts.grounding``) and shown to reviewers:
    ``snippets`` (id, title, url, score, language; no text), ``citations`` (valid cited ids, each
    with its title and link), ``unknown_citations`` (well-formed ids not retrieved),
    ``citations_dropped`` (``{"count", "sha256"}`` of the citations that were not well-formed
    ids: :func:`agent.models.screen_citations`; their text is not kept), ``budget``
    (:meth:`BudgetReport.as_record`), ``style``, ``crm_fields`` (field names only) and ``errors``.
    ``cited``: the draft's :attr:`~agent.models.DraftOutput.citation_screen`, or raw ids (screened here)."""
    screen = cited if isinstance(cited, CitationScreen) else screen_citations(cited)
    valid, unknown = check_citations(screen.kept, snippets)
    by_id = {s.id: s for s in snippets}
    return {
        "snippets": [{"id": s.id, "title": s.title, "url": s.url, "score": round(s.score, 4), "relevance": s.relevance, "language": s.language} for s in snippets],
        "citations": [{"id": c, "title": by_id[c].title, "url": by_id[c].url} for c in valid],
        "unknown_citations": unknown,
        "citations_dropped": {"count": screen.dropped, "sha256": screen.dropped_sha256},
        "budget": budget,
        "style": {"tone": style.tone, "lix_max": style.lix_max},
        "crm_fields": list(crm_fields),
        "errors": list(errors),
    }


def grounding_audit(record: dict | None) -> dict:
    """The audit chain's part of a grounding record (``drafted`` event): snippet ids retrieved and
    cited, unknown citations (well-formed ids only), ``citations_dropped`` (count) and
    ``citations_dropped_sha256`` of the citations that were not (their text never enters the chain),
    ``crm_withheld`` (the reason codes of :mod:`agent.sender_trust`, when CRM context was withheld),
    the budget's counts. Ids, codes, hashes and numbers only; {} without a record."""
    if not record:
        return {}
    budget = record.get("budget") or {}
    dropped = record.get("citations_dropped") or {}
    unknown = [u for u in record.get("unknown_citations") or [] if is_citation_id(u)]
    extra = len(record.get("unknown_citations") or []) - len(unknown)  # a record not screened (never: belt and braces)
    return {
        "snippets": [s["id"] for s in record.get("snippets") or []],
        "citations": [c["id"] for c in record.get("citations") or []],
        "unknown_citations": unknown,
        "citations_dropped": int(dropped.get("count") or 0) + extra,
        "citations_dropped_sha256": dropped.get("sha256"),
        "crm_withheld": [e.removeprefix(CRM_WITHHELD) for e in record.get("errors") or [] if e.startswith(CRM_WITHHELD)],
        "token_budget": {k: budget.get(k) for k in ("model", "budget", "used", "thread_total", "thread_cut", "latest_truncated")} | {"snippets_cut": len(budget.get("snippets_cut") or [])} if budget else None,
    }


def citation_lines(record: dict | None) -> list[str]:
    """One line per cited article for a reviewer (``"Fees overview — https://kb.example/fees (KB-fees#2)"``);
    empty without citations. Plain text: the caller escapes it for its medium."""
    if not record:
        return []
    out = []
    for c in record.get("citations") or []:
        out.append(f"{c.get('title') or c.get('id')}" + (f" — {c['url']}" if c.get("url") else "") + f" ({c.get('id')})")
    for u in record.get("unknown_citations") or []:
        if is_citation_id(u):
            out.append(f"NOT RETRIEVED: {u}")
    dropped = int((record.get("citations_dropped") or {}).get("count") or 0)
    if dropped:
        out.append(f"DROPPED: {dropped} citation(s) not in the snippet id format (text not kept)")
    return out
