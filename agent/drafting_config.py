"""The ``[drafting]`` config section (issue 14): tone, readability, token budget, grounding, CRM context.

Kept out of :mod:`agent.config` so the section's rules live next to their docs; ``Settings.drafting``
holds one :class:`DraftingConfig`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Tone = Literal["formal", "friendly", "concise"]

#: LIX (Björnsson's Läsbarhetsindex: words per sentence + percentage of words longer than six
#: letters) bands as usually quoted: < 30 very easy, 30-40 easy, 40-50 standard, 50-60
#: difficult, > 60 very difficult. LIX needs no syllable counts, so one target serves every
#: language the firm writes in (measured with ``textstat.lix``, see :mod:`rules.readability`).
DEFAULT_LIX_MAX = 55.0


class SourceStyle(BaseModel):
    """Per-source overrides of the house style (``[drafting.sources."maildir:local"]``): ``tone``
    and ``readability_lix_max``; unset keys keep the section's values."""

    model_config = ConfigDict(extra="forbid")
    tone: Tone | None = None
    readability_lix_max: float | None = Field(default=None, ge=10, le=100)


class DraftStyle(BaseModel):
    """The style one draft is written and checked against: ``tone`` (formal, friendly, concise),
    ``lix_max`` (the readability target: LIX at most this), ``concise_max_words`` (the word cap
    of a concise draft's body, greeting and sign-off included)."""

    model_config = ConfigDict(frozen=True)
    tone: Tone = "formal"
    lix_max: float = DEFAULT_LIX_MAX
    concise_max_words: int = 120


class DraftingConfig(BaseModel):
    """How drafts are written (issue 14).

    ``tone`` / ``readability_lix_max`` / ``concise_max_words``: the house style, honoured by both
    drafters (the prompt's instruction; the template drafter's tone variants) and checked by the
    policy pack (``grounding.readability``); ``sources`` overrides them per source name
    (``"maildir:local"``). ``thread_messages``: the newest earlier messages of a conversation
    that are redacted and offered to the prompt (the token budget may cut more). ``snippets``: knowledge snippets retrieved per item (when
    ``[knowledge]`` has folders). ``template_answer_min_score``: the least relevance (0..1, the share of
    the question's content words a snippet holds, :func:`agent.grounding.relevance`; the raw
    retrieval score is bm25 on SQLite and ts_rank on PostgreSQL, not comparable) at which the
    template drafter answers from that article instead of only acknowledging the question.
    ``token_budgets``: prompt tokens per model name (counted offline with the model's
    encoding, :mod:`agent.token_budget`); other models get ``default_token_budget``;
    ``reply_reserve_tokens`` is kept free for the answer. ``crm_context``: Maildir/Outlook mail
    from a known Salesforce contact gets the contact's account and open cases as context (when
    a Salesforce source is configured); ``crm_source`` names which one (default the first),
    ``crm_open_cases`` caps the cases, ``crm_account_fields`` are the account fields allowed
    into a prompt (the case fields are the source's ``case_fields_allow_list``)."""

    model_config = ConfigDict(extra="forbid")
    tone: Tone = "formal"
    readability_lix_max: float = Field(default=DEFAULT_LIX_MAX, ge=10, le=100)
    concise_max_words: int = Field(default=120, ge=20, le=2000)
    sources: dict[str, SourceStyle] = Field(default_factory=dict)
    thread_messages: int = Field(default=20, ge=0, le=1000)
    snippets: int = Field(default=3, ge=0, le=10)
    template_answer_min_score: float = Field(default=0.5, ge=0, le=1)
    token_budgets: dict[str, int] = Field(default_factory=lambda: {"gpt-4o-mini": 12000, "gpt-4o": 12000, "gpt-4.1-mini": 12000})
    default_token_budget: int = Field(default=6000, ge=500)
    reply_reserve_tokens: int = Field(default=1000, ge=100)
    crm_context: bool = True
    crm_source: str | None = None
    crm_open_cases: int = Field(default=5, ge=0, le=50)
    crm_account_fields: list[str] = Field(default_factory=lambda: ["Name"])

    def style_for(self, source_name: str | None) -> DraftStyle:
        """The :class:`DraftStyle` of ``source_name`` (``"maildir:local"``): its override, else the section's."""
        o = self.sources.get(source_name or "") or SourceStyle()
        return DraftStyle(
            tone=o.tone or self.tone,
            lix_max=o.readability_lix_max if o.readability_lix_max is not None else self.readability_lix_max,
            concise_max_words=self.concise_max_words,
        )

    def token_budget(self, model: str) -> int:
        """Prompt tokens allowed for ``model`` (``token_budgets`` or ``default_token_budget``)."""
        return self.token_budgets.get(model, self.default_token_budget)
