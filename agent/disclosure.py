"""Required disclosures: the drafting step adds the sentences the policy pack requires (issue 11).

The policy pack owns the disclosure sentences and when each is required (``[[disclosures]]`` in
``rules/policy_pack.toml``: a topic pattern in the client's text or in the draft). Neither
drafter is trusted to write them: after the draft is cleaned (:mod:`agent.model_answer`) and
restored (:func:`agent.header_guard.restore_for_draft`), :func:`add_required_disclosures` appends
every required sentence the draft lacks, in the pack's verbatim text, as the last paragraph of
the draft (after the sign-off, where a mail disclaimer stands). The same step serves the model
and the template drafter. The policy check runs afterwards as before, so a draft that still
lacks a disclosure (see below) keeps its ``disclosures.*`` finding.

Nothing is hidden by the addition:

* it is recorded: :func:`added_findings` gives one ``disclosure_added`` finding (severity info,
  span of the added sentences, no excerpt) per pack rule, stored with the draft's findings; the
  audit chain gets the rule ids only (``drafted`` event, ``disclosures_added``);
* it is withheld when the draft itself reads as advice or a promise of returns (any
  ``prohibited.*`` rule of the pack matches the draft): "This email does not constitute
  investment advice" under "you should buy X" is the classic disguise of advice, so such a
  draft reaches the reviewer exactly as written, with its ``prohibited.*`` finding *and* the
  missing-disclosure finding;
* appending never changes the rest of the draft, so every other finding's span and every
  routing reason (risk categories, escalations) stays as it was. A request for personalised
  advice is still escalated by the risk stage (:mod:`agent.risk`), whatever the draft says.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.models import Finding, Severity
from rules.policy import PolicyPack

ADDED_RULE = "disclosure_added"  # finding rule id: the system appended a pack disclosure


@dataclass(frozen=True)
class DisclosureStep:
    """The draft after the step. ``text``: the draft, with the added sentences at its end;
    ``added``: the pack rule ids whose sentence was appended (in pack order); ``start``: the
    offset in ``text`` where the added paragraph begins (``len(text)`` when nothing was added);
    ``withheld``: why required sentences were not added (None when nothing was withheld);
    ``untranslated``: the added rule ids the pack has no text for in the draft's language (added
    in English; the policy check's ``grounding.disclosure_language`` finding sends the draft to a
    person)."""

    text: str
    added: tuple[str, ...] = ()
    start: int = 0
    withheld: str | None = None
    untranslated: tuple[str, ...] = ()


def add_required_disclosures(draft_text: str, *, pack: PolicyPack, inbound_text: str, language: str | None = None) -> DisclosureStep:
    """Append the pack's required disclosure sentences that ``draft_text`` lacks, in ``language``
    (the draft's, ISO 639-1; None or ``"und"``: the pack's English text) when the pack has that
    translation, else in English, listed in ``untranslated`` (issue 14).

    ``inbound_text`` is what every inbound check reads (:func:`agent.header_guard.inbound_check_text`).
    A sentence is required when :meth:`rules.policy.PolicyPack.missing_disclosures` says so (the
    same test the ``disclosures`` rules apply). Nothing is added to a draft that a ``prohibited``
    rule matches (see the module docstring). Never raises on any text."""
    missing = pack.missing_disclosures(draft_text=draft_text, inbound_text=inbound_text)
    if not missing:
        return DisclosureStep(draft_text, start=len(draft_text))
    prohibited = sorted({f.rule_id for rule in pack.prohibited for f in rule.find(draft_text)})
    if prohibited:
        why = f"draft matches {', '.join(prohibited)}: no disclosure added to advice or a promise"
        return DisclosureStep(draft_text, start=len(draft_text), withheld=why)
    body = draft_text.rstrip()
    start = len(body) + 2 if body else 0
    lang = None if language in (None, "", "und") else language
    texts = [rule.text_for(lang) for rule in missing]
    paragraph = " ".join(t for t, _ in texts)
    untranslated = tuple(rule.id for rule, (_, ok) in zip(missing, texts, strict=True) if lang and not ok)
    text = f"{body}\n\n{paragraph}" if body else paragraph
    return DisclosureStep(text, tuple(rule.id for rule in missing), start, untranslated=untranslated)


def added_findings(step: DisclosureStep) -> list[Finding]:
    """One info finding per added disclosure: rule id :data:`ADDED_RULE`, the span of the added
    paragraph, the pack rule id in the message; no excerpt (the text is the pack's, not news)."""
    return [
        Finding(
            rule_id=ADDED_RULE,
            severity=Severity.info,
            target="draft",
            start=step.start,
            end=len(step.text),
            message=f"added by draftguard: the disclosure the pack requires ({rule_id}) was missing from the draft",
        )
        for rule_id in step.added
    ]
