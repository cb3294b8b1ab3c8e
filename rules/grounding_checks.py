"""The pack's ``[grounding]`` checks (issue 14): unsupported claims, citations, readability,
disclosures in the draft's language.

Pack section (all keys optional; a pack without the section gets the shipped pack's)::

    [grounding]
    products = ['...']          # regexes (case-sensitive) naming the firm's products
    commitments = ['...']       # regexes of promises; a (?P<key>...) group names the deed ("waive")
    readability_min_words = 40  # shorter drafts are not judged on LIX (it is noisy on a few sentences)
    [grounding.unsupported_claim]   {id, severity, message}
    [grounding.unknown_citation]    {id, severity, message}
    [grounding.readability]         {id, severity, message}
    [grounding.disclosure_language] {id, severity, message}

* ``grounding.unsupported_claim``: an amount, fee, percentage, date, deadline, product name or
  commitment in the draft that neither the client's texts, the CRM fields nor the cited snippets
  hold (:func:`rules.claims.unsupported_claims`); one finding per claim, span = the claim.
* ``grounding.unknown_citation``: the draft cites a snippet id that was not retrieved for it (one
  finding each), or citations that are not snippet ids at all (one finding, with their count).
* ``grounding.readability``: the draft's LIX (:mod:`rules.readability`) is above the source's
  target, or a ``concise`` draft is longer than its word cap.
* ``grounding.disclosure_language``: a disclosure the pack requires has no text in the draft's
  language, so the draft carries it in the pack's language (a person must see it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.drafting_config import DraftStyle
from agent.models import Finding, Severity
from rules.claims import unsupported_claims
from rules.readability import lix, word_count


@dataclass(frozen=True)
class GroundingFacts:
    """What the grounding checks read besides the draft: ``support`` ((text, language) pairs: the
    client's texts, the CRM field values, the *cited and retrieved* snippets), ``retrieved`` (the
    snippet ids given to the drafter), ``cited`` (the well-formed ids the draft cites),
    ``cited_dropped`` (how many citations were not well-formed snippet ids), ``style`` (tone and
    readability target; None: not checked), ``untranslated_disclosures`` (pack disclosure rule ids
    appended in the pack's language because the draft's has no text), ``published`` (the texts of
    the cited snippets: the firm's own articles; a name or number the draft quotes from them is not
    client data, so the pack's ``pii_leak`` rule skips values found there)."""

    support: tuple[tuple[str, str | None], ...] = ()
    retrieved: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()
    cited_dropped: int = 0
    style: DraftStyle | None = None
    untranslated_disclosures: tuple[str, ...] = ()
    published: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class GroundingRules:
    """The loaded ``[grounding]`` section (see the module docstring)."""

    unsupported_claim: Rule
    unknown_citation: Rule
    readability: Rule
    disclosure_language: Rule
    products: tuple[re.Pattern[str], ...] = ()
    commitments: tuple[re.Pattern[str], ...] = ()
    readability_min_words: int = 40
    excerpt_max: int = field(default=120)

    @property
    def rule_ids(self) -> list[str]:
        return [self.unsupported_claim.id, self.unknown_citation.id, self.readability.id, self.disclosure_language.id]

    def _finding(self, rule: Rule, text: str, start: int, end: int, message: str, target: str = "draft") -> Finding:
        return Finding(rule_id=rule.id, severity=rule.severity, target=target, start=start, end=end, excerpt=text[start:end][: self.excerpt_max], message=message)

    def check(self, draft_text: str, draft_language: str | None, facts: GroundingFacts) -> list[Finding]:
        """Findings of the four checks on the restored draft, in that order, each left to right.
        Never raises on any text."""
        out: list[Finding] = []
        for c in unsupported_claims(draft_text, draft_language, list(facts.support), products=self.products, commitments=self.commitments):
            r = self.unsupported_claim
            out.append(self._finding(r, draft_text, c.start, c.end, f"{r.message} ({c.kind})"))
        retrieved = set(facts.retrieved)
        for cid in dict.fromkeys(facts.cited):
            if cid not in retrieved:
                r = self.unknown_citation
                out.append(self._finding(r, draft_text, 0, 0, f"{r.message} ({cid[:100]})"))
        if facts.cited_dropped:  # not even a snippet id: one finding, none of its text
            r = self.unknown_citation
            out.append(self._finding(r, draft_text, 0, 0, f"{r.message} ({facts.cited_dropped} not in the snippet id format)"))
        if facts.style is not None and draft_text.strip():
            words = word_count(draft_text)
            r = self.readability
            if words >= self.readability_min_words:
                score = lix(draft_text)
                if score > facts.style.lix_max:
                    out.append(self._finding(r, draft_text, 0, 0, f"{r.message} (LIX {score:.0f} above the target {facts.style.lix_max:g})"))
            if facts.style.tone == "concise" and words > facts.style.concise_max_words:
                out.append(self._finding(r, draft_text, 0, 0, f"{r.message} ({words} words in a concise draft; at most {facts.style.concise_max_words})"))
        for rule_id in facts.untranslated_disclosures:
            r = self.disclosure_language
            out.append(self._finding(r, draft_text, 0, 0, f"{r.message} ({rule_id}, draft in {draft_language or 'an unknown language'})"))
        return out
