"""The risk stage of the pipeline (issue 11): every analysed item gets a risk assessment before routing.

It reads the inbound text every inbound check reads (:func:`agent.header_guard.inbound_check_text`:
the From / Reply-To display names, the subject, the client's latest text, plus the HTML part for
hidden text) twice:

* the *decision* (lexicon, classifier, normaliser; :func:`rules.risk.assess.assess`) is taken on
  the clear text, in memory: nothing of it leaves the process or is stored. The classifier was
  trained on clear text; on redacted text placeholders alone move it (three of the 80 example
  messages, "Hello" from ``<PERSON_1>``, scored data_subject_request 0.21-0.27 redacted against
  0.02-0.04 clear, above its 0.2 threshold);
* the *evidence* that is stored and shown (:meth:`RiskResult.evidence`) comes from the lexicon run
  again over the *redacted* texts (:func:`risk_input`): spans and excerpts of redacted text, so
  they hold placeholders, never personal values. A rule that matched the clear text but not the
  redacted one (its match held a personal value) is listed by rule id without an excerpt;
  hidden-text and decoded-payload matches likewise. The model reviewer reads only the redacted
  texts and the draft with its placeholders.

In the redacted texts a display name is only ever a placeholder (:func:`redact_display_name`).

A latest text cut at ``limits.max_prompt_chars`` was not scanned whole: the item is must-review
(reason ``scan:truncated``).

Signals and their combination: :func:`rules.risk.assess.assess` (lexicon, classifier, normaliser,
the model reviewer of :mod:`agent.risk_reviewer` when a model is configured, and the drafter's
intent). The drafter's intent only ever adds a category, and only when the model wrote the draft
(the template drafter's intent is a keyword guess) and only ``complaint`` / ``legal``: the intent
``investment_advice`` does not tell personalised advice from general education, so it raises
nothing; the risk signals decide.

Routing (:func:`enforce`): whatever the routing rules decide, a must-review item is never placed
or skipped: a ``draft`` or ``skip`` decision becomes an escalation (rule id
:data:`ENFORCED_RULE`) to the group of its most pressing category (:data:`GROUP_PRIORITY`), or
``risk.fallback_group``. A ``hold`` stays a hold (nothing is placed; reviewers see it). This
covers a skip the drafter's intent asked for (``no_reply_needed``): every risk signal raises a
category or a must-review reason, so no intent skips an item a signal raised.

Skips before drafting (:meth:`RiskStage.check_skip`, issue 11): a skip rule
(:func:`rules.skip.skip_reason`: auto-reply, bulk, bounce, no-reply headers, all of them
client-written and forgeable) or a routing rule on pre-draft facts would end an item before
the risk stage runs. Such a skip stands only when the local signals (lexicon, classifier,
normaliser on the clear text, in memory: :func:`local_assessment`, no model call, a few ms)
raise no category but ``prompt_injection`` (:attr:`SkipCheck.allowed`: an injection in mail that
no model reads and nobody answers acts on nothing; a scan cut at ``max_prompt_chars`` does not
refuse a skip either, so text past that point of a skipped message is not read). Otherwise the
skip is refused (a reason of the item's decision, and ``skip_refused`` in its ``routed`` audit
event: the rule, ids and scores, no text; :mod:`agent.skip_guard`) and the item is analysed like
any other, so it reaches a person through :func:`enforce`: a forged ``Auto-Submitted:
auto-replied`` cannot silence a fraud report, and a real auto-reply still costs no model call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from agent.drafting import CIRCUIT_OPEN
from agent.models import (
    Action,
    DraftResult,
    InboundMessage,
    ItemContext,
    PlaceholderMap,
    RedactedContext,
    RoutingDecision,
)
from agent.risk_reviewer import ReviewCall, RiskReviewer
from rules.risk.assess import ReviewerResult, RiskAssessment, assess
from rules.risk.lexicon import LexiconHit, default_lexicon
from rules.risk.normalise import normalise
from rules.risk.taxonomy import IDS, group_of
from rules.routing import risk_facts

ENFORCED_RULE = "risk_must_review"  # rule id of a decision the risk stage overrode
# fallback reasons (agent/drafting.py) that say the endpoint is down for this item: the reviewer is
# then failed without a request (see agent.risk_reviewer.RiskReviewer.unavailable)
ENDPOINT_DOWN_REASONS = (CIRCUIT_OPEN, "model failed: model endpoint")
GROUP_PRIORITY = ("security", "compliance", "vulnerable-customers", "client-services")  # most pressing first
DRAFTER_INTENTS = ("complaint", "legal")  # model intents that add a category (see the module docstring)
EXCERPT_MAX_CHARS = 200  # evidence excerpt kept per span
SKIP_HARMLESS = frozenset({"prompt_injection"})  # categories that never refuse a skip (SkipCheck.allowed)
PERSON_PLACEHOLDER = "<PERSON>"  # a display name the redaction did not map (never sent or stored in clear)


@dataclass(frozen=True)
class RiskInput:
    """The redacted texts one assessment read: ``subject``, ``from_name`` (the display names, one
    per paragraph), ``body`` (latest text); ``html`` the raw HTML part (hidden text only);
    ``truncated`` when the latest text was cut to the prompt limit."""

    subject: str
    from_name: str
    body: str
    html: str | None = None
    truncated: bool = False

    def field(self, name: str) -> str:
        """The text of field ``name`` (``subject``, ``from_name``, ``body``); "" for another name."""
        return {"subject": self.subject, "from_name": self.from_name, "body": self.body}.get(name, "")


def _placeholder_for(value: str, placeholders: PlaceholderMap) -> str | None:
    want = " ".join(value.split()).casefold()
    for ph, v in placeholders.mapping.items():
        if " ".join(v.split()).casefold() == want:
            return ph
    return None


def redact_display_name(name: str, placeholders: PlaceholderMap) -> str:
    """``name`` (a From / Reply-To display name) as the stored evidence and the model reviewer see
    it: its placeholder when the redaction mapped it (the sender's name always is), else
    :data:`PERSON_PLACEHOLDER`. A display name is personal data or client-chosen text; the model
    reviewer never gets it in clear (the decision reads it in clear, in memory)."""
    name = " ".join(name.split())
    if not name:
        return ""
    return _placeholder_for(name, placeholders) or PERSON_PLACEHOLDER


def risk_input(msg: InboundMessage, ctx: ItemContext, redacted: RedactedContext, *, max_chars: int) -> RiskInput:
    """The :class:`RiskInput` of one message (see the module docstring); ``max_chars`` is
    ``limits.max_prompt_chars``."""
    names = dict.fromkeys(a.name.strip() for a in [msg.sender, *msg.reply_to] if a.name and a.name.strip())
    shown = [redact_display_name(n, redacted.placeholders) for n in names]
    return RiskInput(
        subject=redacted.subject,
        from_name="\n\n".join(dict.fromkeys(s for s in shown if s)),
        body=redacted.latest_text,
        html=msg.html_body,
        truncated=len(ctx.latest_text) >= max_chars,
    )


def display_names(msg: InboundMessage) -> str:
    """The From / Reply-To display names the assessment reads, one per paragraph (clear text)."""
    return "\n\n".join(dict.fromkeys(a.name.strip() for a in [msg.sender, *msg.reply_to] if a.name and a.name.strip()))


def local_assessment(msg: InboundMessage, latest_text: str, *, max_chars: int) -> RiskAssessment:
    """The assessment of the local signals alone (lexicon, classifier, normaliser; no model
    reviewer, no drafter intent) on the clear text: display names, subject, ``latest_text``
    (:attr:`agent.models.ItemContext.latest_text`) and the HTML part. Nothing is stored or sent.
    A ``latest_text`` of ``max_chars`` or more was cut, so the item is must-review
    (``scan:truncated``), as in :meth:`RiskStage.run`. Raises only for invalid shipped risk files."""
    a = assess(msg.subject, display_names(msg), latest_text, html=msg.html_body)
    return _truncated(a) if len(latest_text) >= max_chars else a


def _truncated(a: RiskAssessment) -> RiskAssessment:
    if "scan:truncated" in a.reasons:
        return a
    return RiskAssessment(
        categories=a.categories,
        score=a.score,
        must_review=True,
        reasons=(*a.reasons, "scan:truncated"),
        signal_scores=a.signal_scores,
        flags=a.flags,
        versions=a.versions,
    )


@dataclass(frozen=True)
class SkipCheck:
    """A skip decided before drafting, checked against the local risk signals: ``rule`` is the
    skip's rule (``skip:auto_reply``, a routing rule id), ``assessment`` the
    :func:`local_assessment`; ``allowed`` says whether the skip may stand."""

    rule: str
    assessment: RiskAssessment

    @property
    def allowed(self) -> bool:
        """False when a category other than ``prompt_injection`` is raised, or the classifier's
        ``any`` head fired. An injection signal alone never refuses a skip: a skipped item reaches
        no model and gets no draft, so an injection in it has nothing to act on, while bounces
        carry encoded copies of the returned mail and raise it routinely (5 of the 6 bounces of
        examples/mailbox)."""
        a = self.assessment
        return not (set(a.categories) - SKIP_HARMLESS) and "classifier:any" not in a.reasons

    def audit(self) -> dict:
        """One ``skip_refused`` entry of the ``routed`` audit event: the rule, category ids and
        scores, reasons; no text."""
        a = self.assessment
        return {"rule": self.rule, "categories": {c: round(h.score, 4) for c, h in sorted(a.categories.items())}, "score": a.score, "reasons": list(a.reasons)}

    def line(self) -> str:
        """One line for logs and dry runs (ids and numbers only)."""
        ranked = ranked_categories({c: h.score for c, h in self.assessment.categories.items()})
        return f"skip {self.rule} refused: {summary_line(ranked, self.assessment.must_review, self.assessment.reasons)}"


def drafter_signal(draft: DraftResult) -> str | None:
    """The drafter intent the assessment may use (see the module docstring), else None."""
    if draft.fallback_used or draft.provider == "template":
        return None
    return draft.output.intent if draft.output.intent in DRAFTER_INTENTS else None


def _rank(cat: str, score: float) -> tuple[int, float, int]:
    g = group_of(cat)
    return (GROUP_PRIORITY.index(g) if g in GROUP_PRIORITY else len(GROUP_PRIORITY), -score, IDS.index(cat))


def ranked_categories(scores: Mapping[str, float]) -> list[tuple[str, float]]:
    """``scores`` (category id → score) as (category, score) pairs, the most pressing first: by
    the group's place in :data:`GROUP_PRIORITY`, then the higher score, then taxonomy order.
    Raises KeyError for an unknown category id."""
    return sorted(((c, float(s)) for c, s in scores.items()), key=lambda cs: _rank(*cs))


def shown_hits(inp: RiskInput) -> tuple[LexiconHit, ...]:
    """The lexicon's matches in the redacted texts of ``inp`` (spans of those texts): the
    evidence that may be stored and shown."""
    lex = default_lexicon()
    return tuple(h for name in ("subject", "from_name", "body") for h in lex.scan(normalise(inp.field(name)), name))


@dataclass(frozen=True)
class RiskResult:
    """One item's risk assessment (taken on the clear text), the redacted texts (``input``) and
    the lexicon's matches in them (``shown``), and the reviewer's answer and call (None without a
    reviewer). Everything the pipeline stores, routes on and shows."""

    assessment: RiskAssessment
    input: RiskInput
    shown: tuple[LexiconHit, ...] = ()
    reviewer: ReviewerResult | None = None
    call: ReviewCall | None = None

    @property
    def must_review(self) -> bool:
        return self.assessment.must_review

    def facts(self) -> dict:
        """The routing facts ``risk_categories``, ``risk_score``, ``risk_must_review``."""
        a = self.assessment
        return risk_facts(a.categories, a.score, a.must_review)

    def ranked(self) -> list[tuple[str, float]]:
        """(category, score), the most pressing first (:data:`GROUP_PRIORITY`, then score)."""
        return ranked_categories({c: h.score for c, h in self.assessment.categories.items()})

    def categories(self) -> list[dict]:
        """``[{"id", "score", "signals", "group"}]``, the most pressing first (ids and numbers only)."""
        hits = self.assessment.categories
        return [{"id": c, "score": round(s, 4), "signals": list(hits[c].signals), "group": group_of(c)} for c, s in self.ranked()]

    def evidence(self) -> list[dict]:
        """Every piece of evidence: ``category``, ``signal``, ``ref`` (rule id, classifier head,
        normaliser flag, ``reviewer`` or the intent), ``field`` and ``part``. A lexicon rule's
        matches in the visible redacted text have ``start``/``end`` (a span of the redacted
        field) and ``excerpt`` (that span's text, at most :data:`EXCERPT_MAX_CHARS`); a rule whose
        match is not in the redacted text (it held a personal value, or it was hidden or encoded
        text) is listed once without them. The reviewer's quote is its ``excerpt``.
        Client-derived text: show it escaped."""
        out = []
        for cat, _ in self.ranked():
            listed: set[tuple[str, str, str]] = set()
            for e in self.assessment.categories[cat].evidence:
                row = {"category": cat, "signal": e.signal, "ref": e.ref, "field": e.field, "part": e.part}
                if e.signal == "lexicon":
                    key = (e.ref, e.field, e.part)
                    if key in listed:
                        continue
                    listed.add(key)
                    spans = [h for h in self.shown if h.rule_id == e.ref and h.field == e.field and h.part == "text"] if e.part == "text" else []
                    for h in spans:
                        excerpt = self.input.field(h.field)[h.start : h.end][:EXCERPT_MAX_CHARS]
                        out.append({**row, "start": h.start, "end": h.end, "excerpt": excerpt})
                    if spans:
                        continue
                elif e.signal == "reviewer":
                    row["excerpt"] = e.quote
                out.append(row)
        return out

    def reviewer_record(self) -> dict | None:
        """The reviewer's call and outcome (ids, hashes, counts, the kind of failure): no text."""
        if self.reviewer is None:
            return None
        r = self.reviewer
        return {
            **(self.call.as_dict() if self.call else {}),
            "failed": r.failed,
            "error": r.error,
            "answered": sorted({f.category for f in r.findings if f.category in IDS}),
            "unknown_categories": sum(1 for f in r.findings if f.category not in IDS),
        }

    def detail(self) -> dict:
        """What the risk record keeps besides categories and evidence (no text)."""
        a = self.assessment
        return {
            "reasons": list(a.reasons),
            "signal_scores": a.signal_scores,
            "flags": {k: list(v) for k, v in a.flags.items() if v},
            "versions": dict(a.versions),
            "reviewer": self.reviewer_record(),
        }

    def audit(self) -> dict:
        """The ``risk_assessed`` audit data: ids, scores, signals, versions; never text."""
        rec = self.reviewer_record()
        data = self.assessment.audit()
        data["reviewer"] = None if rec is None else {k: rec[k] for k in ("template_id", "template_sha256", "model", "requested", "failed", "answered")}
        return data

    def summary(self) -> str:
        """One line: ``fraud_report 0.93, complaint 0.61 (must review)``; ``none`` for ordinary mail.
        Ids and numbers only."""
        return summary_line([(c, s) for c, s in self.ranked()], self.must_review, self.assessment.reasons)


def summary_line(ranked: Iterable[tuple[str, float]], must_review: bool, reasons: Iterable[str] = ()) -> str:
    """``fraud_report 0.93, complaint 0.61 (must review)``; without a category but must-review,
    the reasons (``must review: reviewer:failed``); ``none`` for ordinary mail."""
    cats = ", ".join(f"{c} {s:.2f}" for c, s in ranked)
    if cats:
        return cats + (" (must review)" if must_review else "")
    if must_review:
        return "must review: " + (", ".join(reasons) or "unspecified")
    return "none"


def enforce(decision: RoutingDecision, ranked: list[tuple[str, float]], must_review: bool, *, groups: set[str], fallback_group: str) -> RoutingDecision:
    """``decision``, unless the item is must-review and the decision would place (``draft``) or
    ``skip`` it: then an escalation under :data:`ENFORCED_RULE` to the group of the first category
    in ``ranked`` when that group is declared (``groups``; any group when none is declared), else
    ``fallback_group``. The rule that was overridden is kept in the reasons."""
    if not must_review or decision.action not in (Action.draft, Action.skip):
        return decision
    group = fallback_group
    if ranked:
        g = group_of(ranked[0][0])
        if not groups or g in groups:
            group = g
    cats = ", ".join(c for c, _ in ranked) or "no category"
    return RoutingDecision(
        rule_id=ENFORCED_RULE,
        action=Action.escalate,
        group=group,
        reasons=[f"risk stage: a person must see this item ({cats}); rule {decision.rule_id} would have chosen {decision.action.value}", *decision.reasons],
    )


@dataclass
class RiskStage:
    """The stage as the pipeline runs it: the reviewer (None: no model, or ``risk.reviewer`` off),
    the declared reviewer groups, the fallback group and ``limits.max_prompt_chars``."""

    reviewer: RiskReviewer | None
    groups: set[str] = field(default_factory=set)
    fallback_group: str = "client-services"
    max_chars: int = 12_000

    @classmethod
    def from_settings(cls, settings, drafter) -> RiskStage:
        """The stage for :class:`agent.config.Settings` and the pipeline's
        :class:`agent.drafting.Drafter` (its model client and circuit breaker). Raises ConfigError
        for an unknown ``risk.review_prompt``."""
        reviewer = None
        if settings.risk.reviewer and drafter.model is not None:
            reviewer = RiskReviewer(drafter.model, drafter.breaker, organisation=settings.organisation.name, template_id=settings.risk.review_prompt)
        return cls(
            reviewer=reviewer,
            groups={g.name for g in settings.reviewer_groups},
            fallback_group=settings.risk.fallback_group or settings.routing.default_group,
            max_chars=settings.limits.max_prompt_chars,
        )

    def run(self, msg: InboundMessage, ctx: ItemContext, redacted: RedactedContext, draft: DraftResult) -> RiskResult:
        """Assess one item after drafting (the reviewer reads the draft as the model wrote it, with
        placeholders). Call it inside the item's outbound scope: the review request is checked
        like the drafter's. When the drafter's own request just found the endpoint down (or the
        circuit open), the review fails without a request. Raises only for invalid shipped risk files
        (:class:`rules.risk.errors.RiskLexiconError` / ``RiskModelError``)."""
        inp = risk_input(msg, ctx, redacted, max_chars=self.max_chars)
        reviewer, call = None, None
        if self.reviewer is not None:
            if draft.fallback_used and (draft.fallback_reason or "").startswith(ENDPOINT_DOWN_REASONS):
                reviewer, call = self.reviewer.unavailable("model unavailable: the drafter's request failed")
            else:
                reviewer, call = self.reviewer.review(subject=inp.subject, sender_name=inp.from_name, message=inp.body, draft=draft.output.reply)
        a = assess(msg.subject, display_names(msg), ctx.latest_text, html=msg.html_body, reviewer=reviewer, drafter_intent=drafter_signal(draft))
        if inp.truncated:
            a = _truncated(a)
        return RiskResult(a, inp, shown_hits(inp), reviewer, call)

    def check_skip(self, msg: InboundMessage, latest_text: str, rule: str) -> SkipCheck:
        """Whether a skip decided before drafting (``rule``) may stand: see the module docstring.
        No model call; raises only for invalid shipped risk files."""
        return SkipCheck(rule, local_assessment(msg, latest_text, max_chars=self.max_chars))

    def enforce(self, decision: RoutingDecision, result: RiskResult) -> RoutingDecision:
        """:func:`enforce` with this stage's groups."""
        return enforce(decision, result.ranked(), result.must_review, groups=self.groups, fallback_group=self.fallback_group)
