"""Mail that is only attachments: a real client message with no text to answer (issue 11).

A client who sends a signed form, a statement or a screenshot without a word is not "bad
input": the item is never quarantined for it. It goes through the pipeline like any other
(skip rules, risk assessment of the subject and display names, the audit trail), but:

* no model is asked to answer an empty message: the template drafter writes a holding reply
  (``fallback_reason`` :data:`REASON`), which a reviewer may send, change or replace;
* the item always reaches a person: :func:`route_to_person` turns a decision that would place,
  skip or hold the draft into an escalation under rule id :data:`RULE` with the reason
  :data:`REASON`; an escalation already chosen (say, security for a fraud word in the subject)
  keeps its rule and group and gains the reason.

A message with neither text nor attachments is still quarantined as an empty body
(:meth:`agent.pipeline.Pipeline.validate`).
"""

from __future__ import annotations

from agent.models import Action, InboundMessage, RoutingDecision

RULE = "attachments_only"
REASON = "attachments only, no text"


def attachments_only(msg: InboundMessage) -> bool:
    """True when ``msg`` has no text (empty or whitespace) and at least one attachment."""
    return not msg.text_body.strip() and bool(msg.attachments)


def route_to_person(msg: InboundMessage, decision: RoutingDecision, *, group: str) -> RoutingDecision:
    """``decision`` for a message with text; for an attachments-only message an escalation (see
    the module docstring) to ``decision``'s group, else ``group`` (the default reviewer group)."""
    if not attachments_only(msg):
        return decision
    why = f"{REASON} ({len(msg.attachments)} attachment{'s' if len(msg.attachments) != 1 else ''})"
    if decision.action == Action.escalate:
        return decision.model_copy(update={"reasons": [*decision.reasons, why]})
    return RoutingDecision(
        rule_id=RULE,
        action=Action.escalate,
        group=decision.group or group,
        reasons=[why, f"rule {decision.rule_id} would have chosen {decision.action.value}", *decision.reasons],
    )
