"""Typed data shapes that flow between pipeline stages (pydantic v2).

Connectors produce :class:`InboundMessage`; the pipeline turns it into a
:class:`RedactedContext`, a :class:`DraftResult`, :class:`Finding` objects and a
:class:`RoutingDecision`; connectors consume :class:`ReplyDraft` to deliver.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from agent.drafting_config import DraftStyle
from agent.headers import clean_address, clean_msgid, clean_msgids, clean_text


class Address(BaseModel):
    """A mailbox address. ``email`` is lower-cased by connectors; ``name`` may be empty."""

    model_config = ConfigDict(frozen=True)
    name: str = ""
    email: str

    @field_validator("name", mode="before")
    @classmethod
    def _clean_name(cls, v: object) -> object:
        """Header-derived: controls, zero-width and bidi characters removed (agent/headers.py)."""
        return clean_text(v) if isinstance(v, str) else v

    @field_validator("email", mode="before")
    @classmethod
    def _clean_email(cls, v: object) -> object:
        return clean_address(v) if isinstance(v, str) else v

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    def formatted(self) -> str:
        """RFC 5322 display form (``"Ann Lee" <ann@x.com>``), via the stdlib formatter."""
        from email.utils import formataddr

        return formataddr((self.name, self.email))


class AttachmentInfo(BaseModel):
    """An attachment, listed but never read: file name, MIME type and size in bytes."""

    filename: str = ""
    content_type: str = "application/octet-stream"
    size_bytes: int = 0

    @field_validator("filename", mode="before")
    @classmethod
    def _clean_filename(cls, v: object) -> object:
        return clean_text(v) if isinstance(v, str) else v


class ThreadMessage(BaseModel):
    """An earlier message in the same conversation, already reduced to its new text."""

    sender: Address | None = None
    sent_at: datetime | None = None
    text: str = ""
    from_us: bool = False


class InboundMessage(BaseModel):
    """One client message as a source sees it, before any processing.

    ``source`` is the configured source name (``"maildir:local"``), ``external_id`` the
    id that is unique within that source (Maildir key, Graph message id, Salesforce
    EmailMessage id). ``headers`` keeps only the headers the skip rules read, names
    lower-cased. ``text_body`` is the text/plain part, or the HTML part turned to text
    when the mail is HTML-only. ``crm_fields`` holds allow-listed case fields
    (Salesforce) that may go into a prompt.
    """

    source: str
    external_id: str
    internet_message_id: str | None = None
    conversation_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    subject: str = ""
    sender: Address
    reply_to: list[Address] = Field(default_factory=list)
    to: list[Address] = Field(default_factory=list)
    cc: list[Address] = Field(default_factory=list)
    received_at: datetime | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    content_type: str = "text/plain"
    text_body: str = ""
    html_body: str | None = None
    attachments: list[AttachmentInfo] = Field(default_factory=list)
    thread: list[ThreadMessage] = Field(default_factory=list)
    crm_fields: dict[str, str] = Field(default_factory=dict)
    link: str | None = None
    size_bytes: int = 0

    # Every header-derived value is normalised when a connector builds the message, whatever
    # the source (agent/headers.py): no controls, NUL, zero-width or bidi characters.
    @field_validator("subject", mode="before")
    @classmethod
    def _clean_subject(cls, v: object) -> object:
        return clean_text(v) if isinstance(v, str) else v

    @field_validator("internet_message_id", "in_reply_to", mode="before")
    @classmethod
    def _clean_id(cls, v: object) -> object:
        return clean_msgid(v) if isinstance(v, str) else v

    @field_validator("references", mode="before")
    @classmethod
    def _clean_references(cls, v: object) -> object:
        if isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
            return clean_msgids(v)
        return v

    @field_validator("headers", mode="before")
    @classmethod
    def _clean_headers(cls, v: object) -> object:
        if isinstance(v, dict) and all(isinstance(x, str) for x in v.values()):
            return {k: clean_text(x) for k, x in v.items()}
        return v

    @property
    def thread_key(self) -> str:
        """Conversation key: Graph ``conversationId``, else the root of ``References``, else our id."""
        if self.conversation_id:
            return self.conversation_id
        if self.references:
            return self.references[0]
        return self.in_reply_to or self.internet_message_id or self.external_id


class SkipReason(BaseModel):
    """Why an item is not drafted: ``rule`` is a stable id (``"auto_reply"``), ``detail`` the evidence."""

    rule: str
    detail: str


class ItemContext(BaseModel):
    """What the drafter may know about an item, in clear text (never leaves the process).

    ``latest_text`` is the client's new text with quoted history and signature removed;
    ``cut_chars`` counts the characters of the message body that were removed for it (quoted
    history, signature, and whatever exceeded the context's ``max_chars``), so a preview can say
    that text the model does not see exists; ``shortened`` is True when ``max_chars`` cut it.
    """

    subject: str
    sender_name: str
    sender_email: str
    latest_text: str
    thread: list[ThreadMessage] = Field(default_factory=list)
    crm_fields: dict[str, str] = Field(default_factory=dict)
    language: str = "en"
    cut_chars: int = 0
    shortened: bool = False


class PlaceholderMap(BaseModel):
    """Placeholder → original value for one item (``{"<PERSON_1>": "John Miller"}``).

    Stable within an item: the same value always gets the same placeholder. ``detectors``
    names, per placeholder, the recogniser that found the value (``"PyapAddressRecognizer"``,
    ``"Seed"`` for a value known from the headers or CRM): safe to show, never the value.
    """

    mapping: dict[str, str] = Field(default_factory=dict)
    detectors: dict[str, str] = Field(default_factory=dict)

    def entity_counts(self) -> dict[str, int]:
        """Count of placeholders per PII entity type (``{"PERSON": 2}``): safe to log and audit."""
        counts: dict[str, int] = {}
        for ph in self.mapping:
            entity = ph.strip("<>").rsplit("_", 1)[0]
            counts[entity] = counts.get(entity, 0) + 1
        return counts


class KnowledgeSnippet(BaseModel):
    """A knowledge-base passage a draft may be grounded on (firm content, not client data), as
    :func:`kb.retrieve.retrieve` returns it: ``id`` (``"KB-fees-overview#2"``, what a draft
    cites), the article's id, title, file and link (None without one), the passage ``text``, the
    retrieval ``score`` (higher = better, comparable within one retrieval only), the article's
    language (ISO 639-1 or None) and ``relevance`` (0..1, the share of the question's content
    words the snippet holds: :func:`agent.grounding.relevance`; what the template drafter's
    threshold reads)."""

    model_config = ConfigDict(frozen=True)
    id: str
    article_id: str
    title: str
    source_path: str = ""
    url: str | None = None
    text: str
    score: float = 0.0
    language: str | None = None
    relevance: float = 0.0


class RedactedContext(BaseModel):
    """The :class:`ItemContext` with every PII entity replaced by a placeholder.

    ``snippets``: the knowledge snippets retrieved for the client's latest text (best first; empty
    without a knowledge base); ``style``: the tone and readability target of the item's source."""

    subject: str
    sender_name: str
    latest_text: str
    thread: list[str] = Field(default_factory=list)
    crm_fields: dict[str, str] = Field(default_factory=dict)
    language: str = "en"
    placeholders: PlaceholderMap = Field(default_factory=PlaceholderMap)
    snippets: list[KnowledgeSnippet] = Field(default_factory=list)
    style: DraftStyle = Field(default_factory=DraftStyle)


class Prompt(BaseModel):
    """A rendered prompt: template id (``"reply/v1"``), sha256 of the template source, messages."""

    template_id: str
    template_hash: str
    system: str
    user: str


#: a knowledge snippet's citation id as :func:`kb.retrieve.snippet_id` makes it and the prompt
#: shows it: ``KB-<article id>#<chunk number>`` (article id: ``kb.loaders`` front matter id or
#: ``kb.index.slugify``: lower-case letters, digits, hyphens)
CITATION_ID_RE = re.compile(r"KB-[a-z0-9][a-z0-9-]*#[0-9]{1,6}")
#: the most citations of one draft kept (the first ones, in the model's order)
MAX_CITATIONS = 10
#: the longest citation id kept (characters): "KB-", an article id of at most 200 characters
#: (``kb.loaders`` front matter ids, ``kb.index.slugify``), "#" and a chunk number of at most 6 digits
MAX_CITATION_CHARS = 3 + 200 + 1 + 6


@dataclass(frozen=True)
class CitationScreen:
    """A model's citations screened: ``kept`` (well-formed ids, stripped, duplicates dropped, at
    most :data:`MAX_CITATIONS`), ``dropped`` (how many others: not in :data:`CITATION_ID_RE`'s
    format, longer than :data:`MAX_CITATION_CHARS`, beyond the limit) and ``dropped_sha256`` (hex
    sha256 of the dropped strings as a JSON list; None when none). The dropped text itself is
    never kept: it is model output that may carry client data or an injection."""

    kept: tuple[str, ...] = ()
    dropped: int = 0
    dropped_sha256: str | None = None


def is_citation_id(value: object) -> bool:
    """True for a string in the snippet id format of at most :data:`MAX_CITATION_CHARS` characters."""
    return isinstance(value, str) and len(value) <= MAX_CITATION_CHARS and CITATION_ID_RE.fullmatch(value) is not None


def screen_citations(raw: Sequence[object]) -> CitationScreen:
    """Split ``raw`` (the model's ``citations``) into the ids shown and recorded and a count and
    hash of the rest (see :class:`CitationScreen`). Never raises."""
    kept: list[str] = []
    dropped: list[str] = []
    for value in raw:
        text = value.strip() if isinstance(value, str) else str(value)
        if text in kept:
            continue
        if is_citation_id(text) and len(kept) < MAX_CITATIONS:
            kept.append(text)
        elif text:
            dropped.append(text)
    digest = hashlib.sha256(json.dumps(dropped, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest() if dropped else None
    return CitationScreen(tuple(kept), len(dropped), digest)


class DraftOutput(BaseModel):
    """The structured answer the model must return (also the template drafter's output).

    ``intent`` is one of the intents in :data:`INTENTS`; ``confidence`` is 0..1. ``citations``:
    the ids of the knowledge snippets the reply relies on (issue 14; a prompt without snippets
    gets ``[]``; an answer that omits the key parses as ``[]``). A citation of a snippet that was
    not in the prompt is a policy finding (``grounding.unknown_citation``).

    The citations are screened on validation (:func:`screen_citations`): ``citations`` keeps the
    well-formed ids only (at most :data:`MAX_CITATIONS`); :attr:`citation_screen` holds them with
    the count and sha256 of the dropped rest. The schema the model is given is unchanged (a
    malformed citation drops that citation, not the draft).
    """

    model_config = ConfigDict(extra="forbid")
    reply: str
    intent: str
    confidence: float
    reasons: list[str]
    citations: list[str] = Field(default_factory=list)
    _screen: CitationScreen = PrivateAttr(default_factory=CitationScreen)

    @model_validator(mode="after")
    def _screen_citations(self) -> DraftOutput:
        try:
            earlier = self._screen
        except AttributeError:  # first validation: private attributes not set yet
            earlier = None
        if earlier is not None and tuple(self.citations) == earlier.kept:
            return self  # this instance validated again (e.g. by the openai client): keep the first screen's counts
        screen = screen_citations(self.citations)
        self.citations = list(screen.kept)
        self._screen = screen
        return self

    @property
    def citation_screen(self) -> CitationScreen:
        """The screened citations: kept ids, dropped count and the sha256 of the dropped ones."""
        return self._screen


INTENTS = (
    "information_request",
    "meeting",
    "refund",
    "complaint",
    "legal",
    "investment_advice",
    "account_change",
    "thanks",
    "no_reply_needed",
    "other",
)


class ReviewCategory(BaseModel):
    """One risk category the model reviewer reports: ``id`` (a :data:`rules.risk.taxonomy.IDS`
    id, free text here so an unknown one is seen and counted), ``confidence`` 0..1 and
    ``evidence``, a short quote of the message or the draft (redacted text: placeholders only)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    confidence: float
    evidence: str


class ReviewOutput(BaseModel):
    """The structured answer of the risk reviewer role (``agent/risk_reviewer.py``):
    ``{"categories": [{"id", "confidence", "evidence"}]}``; an empty list means "ordinary".
    Any other key makes the answer unusable (the item then goes to a person)."""

    model_config = ConfigDict(extra="forbid")
    categories: list[ReviewCategory]


class DraftResult(BaseModel):
    """A draft plus its provenance: provider (``"openai"`` / ``"template"``), model, tokens, latency in ms."""

    output: DraftOutput
    provider: str
    model: str
    prompt_template_id: str
    prompt_hash: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0
    fallback_used: bool = False
    fallback_reason: str | None = None


class Severity(enum.IntEnum):
    """Finding severity; integer order so routing rules can compare (``max_severity >= 3``)."""

    info = 0
    low = 1
    medium = 2
    high = 3
    critical = 4


class Finding(BaseModel):
    """One policy finding: rule id from the pack, severity, and the span it matched.

    ``target`` says which text the span indexes: ``"draft"`` or ``"inbound"``.
    ``start``/``end`` are character offsets; ``excerpt`` is kept in the database only,
    never in the audit chain.
    """

    rule_id: str
    severity: Severity
    target: str = "draft"
    start: int = 0
    end: int = 0
    excerpt: str = ""
    message: str = ""


class Action(enum.StrEnum):
    """Routing actions: place the draft, escalate to reviewers, skip, or hold for later."""

    draft = "draft"
    escalate = "escalate"
    skip = "skip"
    hold = "hold"


class RoutingDecision(BaseModel):
    """The first routing rule that matched: its id, the action and (for escalate) the reviewer group."""

    rule_id: str
    action: Action
    group: str | None = None
    case_actions: dict[str, str] = Field(default_factory=dict)
    reasons: list[str] = Field(default_factory=list)


class ReplyDraft(BaseModel):
    """A finished, restored reply ready for a connector to place (never to send).

    ``idempotency_key`` is stable for (source, external_id, draft version) so a
    connector can look for an existing draft before it writes.
    """

    idempotency_key: str
    subject: str
    text: str
    html: str
    to: list[Address]
    cc: list[Address] = Field(default_factory=list)


class DeliveryReceipt(BaseModel):
    """Where a draft landed: ``target`` (``"maildir:Drafts"``), ``ref`` (file name, Graph id), ``created``
    False when an existing draft with the same idempotency key was found instead."""

    target: str
    ref: str
    created: bool = True
