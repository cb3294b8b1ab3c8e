"""Combine the risk signals into one :class:`RiskAssessment` per inbound message (issue 11).

Inputs are the message's subject, sender display name and body (all client text; already
redacted text is fine, spans then index the redacted text), optionally its HTML part, the result
of the model reviewer (:class:`ReviewerResult`, produced elsewhere, or None when no model is
configured) and the drafter's intent (which can only add risk).

Signals and when each raises a category:

``lexicon``
    ``rules/risk_lexicon.toml`` over every field (visible, hidden and decoded text); a category's
    lexicon score (``1 - prod(1 - weight)`` over its matched rules) >= :data:`LEXICON_THRESHOLD`.
``classifier``
    the shipped classifier (``rules/risk/model/``) over the folded text of all fields; a category
    head >= its threshold in the meta file. A model file with an ``any`` head (none is shipped:
    on dev it only added false escalations) makes the item must-review when that head fires,
    even without a category (reason ``classifier:any``).
``normaliser``
    a suspicious normalisation flag (:data:`rules.risk.normalise.SUSPICIOUS_FLAGS`: hidden HTML
    text, Unicode tag characters, bidi overrides, invisible characters inside words, mixed-script
    words, encoded text) raises ``prompt_injection`` with score :data:`NORMALISER_SCORE`.
``reviewer``
    a reviewer finding with confidence >= :data:`REVIEWER_THRESHOLD`.
``drafter``
    the drafter's intent ``complaint``, ``legal`` or ``investment_advice`` raises the matching
    category (score :data:`DRAFTER_SCORE`); any other intent (``no_reply_needed``, ``thanks``)
    changes nothing: the drafter never lowers a risk.

Combination rule (documented in docs/risk_taxonomy.md and README):

1. A category is raised when *any* signal raises it; its score is the highest score among the
   signals that raised it, and every signal's evidence is kept.
2. ``must_review`` is True when any category is raised (every category must reach a person), or
   when the signals disagree in a way that cannot be resolved towards "ordinary": the
   classifier's ``any`` head fires without a category, the reviewer failed or answered with an
   unknown category, or the scan was truncated. The signals never vote an item down: one signal
   saying "risky" outweighs any number saying "ordinary".
3. ``score`` is the highest category score (or the ``any`` head's score when it alone fired;
   0.0 for ordinary mail).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rules.risk.classifier import ANY, RiskClassifier, classifier_text, default_classifier
from rules.risk.lexicon import Lexicon, default_lexicon
from rules.risk.normalise import NormalisedText, normalise
from rules.risk.taxonomy import IDS

LEXICON_THRESHOLD = 0.5
REVIEWER_THRESHOLD = 0.5
NORMALISER_SCORE = 0.9
DRAFTER_SCORE = 0.6
DRAFTER_INTENTS = {"complaint": "complaint", "legal": "legal_threat", "investment_advice": "investment_advice"}
SIGNALS = ("lexicon", "classifier", "normaliser", "reviewer", "drafter")


@dataclass(frozen=True)
class Evidence:
    """Why a signal raised a category.

    ``signal`` is one of :data:`SIGNALS`; ``ref`` the rule id (lexicon), head (classifier), flag
    (normaliser), ``reviewer`` or the intent (drafter). ``field`` (``subject``, ``from_name``,
    ``body``) and ``part`` (``text``, ``hidden``, ``payload:N``) with ``start``/``end`` locate
    lexicon matches (a span of the field as given when ``part == "text"``); ``quote`` is the
    reviewer's quoted evidence. Client text: show it escaped, never log it."""

    signal: str
    ref: str
    field: str = ""
    part: str = ""
    start: int = -1
    end: int = -1
    quote: str = ""


@dataclass(frozen=True)
class RiskHit:
    """One raised category: ``score`` (0..1), the ``signals`` that raised it, their ``evidence``."""

    score: float
    signals: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ReviewerFinding:
    """One category the model reviewer reported: ``category`` id, ``confidence`` 0..1, quoted ``evidence``."""

    category: str
    confidence: float
    evidence: str = ""


@dataclass(frozen=True)
class ReviewerResult:
    """The model reviewer's answer (built by the reviewer role elsewhere).

    ``failed`` is True when the call failed or its answer could not be parsed (``error`` says
    why); a failed review makes the item must-review."""

    findings: tuple[ReviewerFinding, ...] = ()
    failed: bool = False
    error: str = ""
    prompt_version: str = ""


@dataclass(frozen=True)
class RiskAssessment:
    """The risk of one inbound message.

    ``categories``: raised category id → :class:`RiskHit`; ``score``: 0..1; ``must_review``;
    ``reasons``: why must_review is set without a category or how signals disagreed
    (``classifier:any``, ``reviewer:failed``, ``reviewer:unknown_category``, ``scan:truncated``,
    ``disagree:<signal>-only``); ``signal_scores``: per signal, category → score (including
    scores under threshold, for display); ``flags``: normalisation flags per field;
    ``versions``: lexicon version, classifier version and weights sha256."""

    categories: dict[str, RiskHit]
    score: float
    must_review: bool
    reasons: tuple[str, ...] = ()
    signal_scores: dict[str, dict[str, float]] = field(default_factory=dict)
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)

    def audit(self) -> dict:
        """Ids and scores only (no client text): for the audit chain and logs."""
        return {
            "categories": {c: round(h.score, 4) for c, h in sorted(self.categories.items())},
            "signals": {c: list(h.signals) for c, h in sorted(self.categories.items())},
            "rules": sorted({e.ref for h in self.categories.values() for e in h.evidence if e.signal == "lexicon"}),
            "score": round(self.score, 4),
            "must_review": self.must_review,
            "reasons": list(self.reasons),
            "flags": {k: list(v) for k, v in self.flags.items() if v},
            "versions": dict(self.versions),
        }


def assess(
    subject: str,
    from_name: str,
    body: str,
    *,
    html: str | None = None,
    reviewer: ReviewerResult | None = None,
    drafter_intent: str | None = None,
    lexicon: Lexicon | None = None,
    classifier: RiskClassifier | None = None,
    use_classifier: bool = True,
) -> RiskAssessment:
    """Assess one message (see the module docstring for the rule).

    ``lexicon``/``classifier`` default to the shipped files (loaded once per process);
    ``use_classifier=False`` leaves the classifier out (evaluation of the lexicon alone).
    Raises :class:`rules.risk.errors.RiskLexiconError` / :class:`rules.risk.errors.RiskModelError`
    when a shipped file is invalid."""
    lex = lexicon or default_lexicon()
    fields: dict[str, NormalisedText] = {
        "subject": normalise(subject or ""),
        "from_name": normalise(from_name or ""),
        "body": normalise(body or "", html=html),
    }
    raised: dict[str, dict[str, float]] = {}  # category -> signal -> score
    evidence: dict[str, list[Evidence]] = {}
    signal_scores: dict[str, dict[str, float]] = {}
    reasons: list[str] = []

    def add(cat: str, signal: str, score: float, ev: list[Evidence]) -> None:
        raised.setdefault(cat, {})[signal] = max(score, raised.get(cat, {}).get(signal, 0.0))
        evidence.setdefault(cat, []).extend(ev)

    # 1. lexicon
    hits = [h for name, nt in fields.items() for h in lex.scan(nt, name)]
    lex_scores = lex.scores(hits)
    signal_scores["lexicon"] = {c: round(s, 4) for c, s in lex_scores.items()}
    for cat, s in lex_scores.items():
        if s >= LEXICON_THRESHOLD:
            add(cat, "lexicon", s, [Evidence("lexicon", h.rule_id, h.field, h.part, h.start, h.end) for h in hits if h.category == cat])

    # 2. classifier
    versions = {"lexicon": lex.version, "lexicon_sha256": lex.sha256}
    any_fired = False
    any_score = 0.0
    if use_classifier:
        clf = classifier or default_classifier()
        versions.update(classifier=clf.version, classifier_sha256=clf.sha256)
        scores = clf.scores(classifier_text(list(fields.values())))
        signal_scores["classifier"] = {h: round(s, 4) for h, s in scores.items()}
        for head in clf.raised(scores):
            if head == ANY:
                any_fired, any_score = True, scores[head]
            else:
                add(head, "classifier", scores[head], [Evidence("classifier", head)])

    # 3. normaliser
    flags = {name: tuple(sorted(nt.flags)) for name, nt in fields.items()}
    suspicious = sorted({(name, f) for name, nt in fields.items() for f in nt.suspicious})
    if suspicious:
        add("prompt_injection", "normaliser", NORMALISER_SCORE, [Evidence("normaliser", f, name) for name, f in suspicious])
    if any("truncated" in nt.flags for nt in fields.values()):
        reasons.append("scan:truncated")

    # 4. reviewer
    if reviewer is not None:
        if reviewer.failed:
            reasons.append("reviewer:failed")
        rs: dict[str, float] = {}
        for f in reviewer.findings:
            if f.category not in IDS:
                if "reviewer:unknown_category" not in reasons:
                    reasons.append("reviewer:unknown_category")
                continue
            conf = min(max(float(f.confidence), 0.0), 1.0)
            rs[f.category] = max(rs.get(f.category, 0.0), conf)
            if conf >= REVIEWER_THRESHOLD:
                add(f.category, "reviewer", conf, [Evidence("reviewer", "reviewer", quote=f.evidence)])
        signal_scores["reviewer"] = rs

    # 5. drafter intent: may add, never removes
    if drafter_intent in DRAFTER_INTENTS:
        add(DRAFTER_INTENTS[drafter_intent], "drafter", DRAFTER_SCORE, [Evidence("drafter", drafter_intent)])

    categories = {
        cat: RiskHit(score=max(by.values()), signals=tuple(s for s in SIGNALS if s in by), evidence=tuple(evidence[cat]))
        for cat, by in sorted(raised.items())
    }
    if any_fired and not categories:
        reasons.append("classifier:any")
    # disagreement between the two always-on signals is recorded (it never lowers risk)
    lex_says = any("lexicon" in h.signals for h in categories.values())
    clf_says = any_fired or any("classifier" in h.signals for h in categories.values())
    if use_classifier and lex_says != clf_says:
        reasons.append("disagree:lexicon-only" if lex_says else "disagree:classifier-only")
    must_review = bool(categories) or any(r.split(":")[0] in ("classifier", "reviewer", "scan") for r in reasons)
    score = max([h.score for h in categories.values()] + ([any_score] if any_fired else []) + [0.0])
    return RiskAssessment(
        categories=categories,
        score=round(score, 4),
        must_review=must_review,
        reasons=tuple(reasons),
        signal_scores=signal_scores,
        flags=flags,
        versions=versions,
    )
