"""The analyse stage (4-10): context → redact → prompt → draft → restore → disclosures → policy →
risk → route, in memory, without touching storage.

It is three parts so a runner can put each on the right thread (agent/runners/):

* :meth:`Analyser.prepare` (CPU: context, Presidio redaction, prompt) → :class:`Prepared`;
* :meth:`Analyser.draft` (model-bound: the drafter's request and the risk reviewer's, inside
  the item's outbound scope) → :class:`Drafted`;
* :meth:`Analyser.conclude` (CPU: restore, disclosures, the draft's PII check with Presidio,
  policy, routing) → :class:`Analysis`.

:meth:`Analyser.analyse` runs the three in a row (``main.py draft --dry-run``, tests).

Presidio and spaCy are called under one lock (:attr:`Analyser.nlp_lock`): their pipelines are
loaded per language on first use and are not documented as safe for concurrent calls, and the
GIL lets only one thread run their Python anyway, so serialising them costs no throughput.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from agent import attachments_only as attachments
from agent import tracing
from agent.config import Settings
from agent.context import build_context
from agent.disclosure import add_required_disclosures, added_findings
from agent.drafting import Drafter
from agent.formatting import text_to_html
from agent.grounding import Grounder, grounding_record, masked_for_model, snippet_hosts
from agent.header_guard import header_text, inbound_check_text, restore_for_draft
from agent.language import detect_language
from agent.model_answer import without_model_chatter
from agent.models import InboundMessage
from agent.outbound_guard import OutboundGuard, outbound_decision, outbound_findings
from agent.ports import Source
from agent.prompts import render_within_budget
from agent.redaction import Redactor
from agent.release.variants import Variant, VariantSet, conversation_key
from agent.reply import greeting_name
from agent.risk import RiskStage
from agent.stages.addressing import reply_draft
from agent.stages.types import Analysis, Drafted, Prepared
from rules.draft_safety import DraftCheckFacts
from rules.grounding_checks import GroundingFacts
from rules.policy import PolicyPack
from rules.routing import Router, routing_facts

NER_ENTITIES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME"})  # found by spaCy, not patterns


class Analyser:
    """The analyse stage for one configuration. ``redactor`` returns the (lazily built) Presidio
    redactor; it raises RedactionError when the analyzer cannot run (fail closed: nothing goes to
    a model). Safe to call from several threads at once."""

    def __init__(
        self,
        settings: Settings,
        *,
        redactor: Callable[[], Redactor],
        drafter: Drafter,
        policy: PolicyPack,
        router: Router,
        risk: RiskStage,
        outbound: OutboundGuard,
        variants: VariantSet | None = None,
        grounder: Grounder | None = None,
    ) -> None:
        self.settings = settings
        #: the variants of [release] (agent/release/variants.py); the base drafter and pack without one
        self.variants = variants or VariantSet(settings, drafter=drafter, policy=policy)
        self._redactor = redactor
        self.drafter = drafter
        self.policy = policy
        self.router = router
        self.risk = risk
        self.outbound = outbound
        self.nlp_lock = threading.RLock()
        #: knowledge snippets, CRM context for mail, style (agent/grounding.py); no knowledge base without one
        self.grounder = grounder or Grounder(settings.drafting)

    # ------------------------------------------------------------------ parts
    def prepare(self, msg: InboundMessage, source: Source | None = None, *, variant: Variant | None = None) -> Prepared:
        """Context, redaction (header names and addresses seeded, fail closed), prompt, and the
        inbound checks that keep the model away (prompt injection, attachments only).

        The item's variant is chosen here, once, before anything is drafted (``variant`` given:
        that one), and carried on :class:`Prepared` to the drafter, the pack and the recorder.
        Raises RedactionError when the analyzer cannot run."""
        org = self.settings.organisation
        variant = variant or self.variants.choose(conversation_key(msg))  # THE place a variant is chosen
        drafting = self.settings.drafting
        with tracing.stage("context") as s:
            msg, crm_error = self.grounder.with_crm(msg)  # a known contact's account and open cases, redacted below like all client data
            ctx = build_context(msg, max_chars=self.settings.limits.max_prompt_chars, max_thread=drafting.thread_messages)
            s.set(language=ctx.language)
        with tracing.stage("redact") as s:
            known = self.header_pii(msg)
            with self.nlp_lock:
                redactor = self._redactor()
                redacted = redactor.pseudonymise(
                    ctx, seed_texts=[msg.subject, msg.text_body, *(t.text for t in msg.thread), *msg.crm_fields.values()], known=known
                )
            s.set(entities=len(redacted.placeholders.mapping))
        with tracing.stage("prompt") as s:
            # Grounding: snippets for the *redacted* text in the client's language, the source's style.
            snippets, kb_error = self.grounder.snippets(redacted.subject, redacted.latest_text, ctx.language)
            for_model = masked_for_model(snippets, lambda t: self.outbound.scan(t, redacted.placeholders))  # the request passes the outbound check whole
            redacted = redacted.model_copy(update={"snippets": for_model, "style": self.grounder.style(source.name if source else msg.source)})
            link_domains = sorted({*org.domains, *org.link_allow_domains, *snippet_hosts(snippets)})  # the cited articles' links are ours
            model_name = str(variant.model_config.get("model") or self.settings.model.name)
            prompt, budget = render_within_budget(
                variant.prompt_template,
                redacted,
                organisation=org.name,
                signature=org.signature,
                link_domains=link_domains,
                model=model_name,
                budget=drafting.token_budget(model_name),
                reserve=drafting.reply_reserve_tokens,
            )
            s.set(template_id=prompt.template_id, prompt_sha256=prompt.template_hash, prompt_tokens=budget.used)
            inbound_text = inbound_check_text(msg, ctx.latest_text)  # display names and subject are client text too
            injection = variant.policy.check_inbound(inbound_text)
            avoid = f"inbound prompt injection ({injection[0].rule_id}): model not called" if injection else None
            if avoid is None and attachments.attachments_only(msg):
                avoid = f"{attachments.REASON}: model not called"
        errors = [e for e in (crm_error, kb_error) if e]
        return Prepared(msg, source.name if source else None, ctx, redacted, prompt, inbound_text, link_domains, avoid, variant, budget.as_record(), errors, snippets)

    def draft(self, p: Prepared) -> Drafted:
        """The draft (model or template) and the risk assessment, inside the item's outbound
        scope (every model request of the item is checked against its placeholders)."""
        with self.outbound.scope(p.redacted.placeholders) as outbound:  # every model request of this item is checked
            with tracing.stage("draft") as s:
                drafter_ctx = p.redacted.model_copy(update={"snippets": p.snippets}) if p.snippets else p.redacted  # the template drafter quotes the articles unmasked (nothing is sent)
                draft = (p.variant.drafter if p.variant else self.drafter).draft(p.prompt, drafter_ctx, avoid_model=p.avoid_model)
                draft, chatter = without_model_chatter(draft)  # "Here is a draft email:" and the like
                s.set(provider=draft.provider, model=draft.model, fallback=draft.fallback_used, prompt_tokens=draft.prompt_tokens, completion_tokens=draft.completion_tokens)
            # The risk stage (its model reviewer reads the redacted message and this draft, with placeholders).
            with tracing.stage("risk") as s:
                risk = self.risk.run(p.msg, p.context, p.redacted, draft)
                s.set(risk_categories=[c for c, _ in risk.ranked()], risk_score=round(float(risk.assessment.score), 4))
        return Drafted(p, draft, chatter, risk, outbound)

    def conclude(self, d: Drafted, source: Source | None = None) -> Analysis:
        """Restore, disclosures, the draft's PII check, policy findings, routing (a must-review
        item is never placed or skipped) and the addressed reply."""
        p, draft, risk, outbound = d.prepared, d.draft, d.risk, d.outbound
        msg, ctx, redacted = p.msg, p.context, p.redacted
        org = self.settings.organisation
        policy = p.variant.policy if p.variant else self.policy  # the variant's pack
        with tracing.stage("restore") as s:
            header_safe = restore_for_draft(
                draft.output.reply, redacted.placeholders, header=header_text(msg), language=detect_language(draft.output.reply) or ctx.language
            )
            unknown = header_safe.unknown
            draft_language = detect_language(header_safe.text) or "und"  # of the draft as written
            disclosure = add_required_disclosures(header_safe.text, pack=policy, inbound_text=p.inbound_text, language=draft_language)
            restored = disclosure.text
            s.set(language=draft_language)
        with tracing.stage("policy") as s:
            with self.nlp_lock:
                draft_pii = [(x.entity, x.start, x.end, x.value) for x in self._redactor().analyze(restored)]
            if draft_language not in (self.settings.redaction.language, "und"):
                # The NER model knows one language; on other text it tags ordinary words as names.
                # Pattern-based entities (addresses, numbers) are still checked.
                draft_pii = [x for x in draft_pii if x[0] not in NER_ENTITIES]
            findings = policy.check(
                draft_text=restored,
                inbound_text=p.inbound_text,
                draft_language=None if draft_language == "und" else draft_language,
                inbound_language=None if ctx.language == "und" else ctx.language,
                inbound_pii_values=set(redacted.placeholders.mapping.values()) | {msg.sender.email, msg.sender.name},
                draft_pii=draft_pii,
                allowed_link_domains=set(p.link_domains),
                org_values={org.name, *org.allow_names, *org.own_addresses, org.signature, *(s.url for s in redacted.snippets if s.url)},  # the cited articles' links are ours
                model_chatter=d.chatter,
                draft_facts=DraftCheckFacts.of(msg, self.settings),  # client contacts, firm allow-list, all client text
                grounding=self.grounding_facts(p, draft.output.citations, disclosure.untranslated, dropped=draft.output.citation_screen.dropped),
            ) + outbound_findings(outbound) + added_findings(disclosure)
            s.set(findings=len(findings), rule_ids=sorted({f.rule_id for f in findings}))
        with tracing.stage("route") as s:
            facts = routing_facts(msg, draft, findings, language=draft_language, inbound_language=ctx.language, risk=risk.facts())
            # A must-review item is never placed or skipped, whatever the rules (or the drafter's intent) say.
            default_group = self.settings.routing.default_group
            decision = outbound_decision(outbound, self.risk.enforce(self.router.decide(facts), risk), default_group)
            decision = attachments.route_to_person(msg, decision, group=default_group)
            s.set(action=decision.action.value, rule_id=decision.rule_id, group=decision.group)
        reply = reply_draft(self.settings, msg, source, restored, text_to_html(restored), language=draft_language)
        grounding = grounding_record(
            snippets=redacted.snippets, cited=draft.output.citation_screen, budget=p.budget, style=redacted.style,
            crm_fields=sorted(msg.crm_fields), errors=p.grounding_errors,
        )
        return Analysis(ctx, redacted, p.prompt, draft, restored, unknown, draft_language, findings, facts, decision, reply, outbound, risk, disclosure, p.variant, grounding)

    def analyse(self, msg: InboundMessage, source: Source | None = None) -> Analysis:
        """:meth:`prepare`, :meth:`draft` and :meth:`conclude` in a row, without touching storage.

        Raises RedactionError when the analyzer cannot run (nothing goes to a model)."""
        return self.conclude(self.draft(self.prepare(msg, source)), source)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def grounding_facts(p: Prepared, cited: list[str], untranslated: tuple[str, ...], *, dropped: int = 0) -> GroundingFacts:
        """What the pack's ``grounding`` checks read: the support texts (the client's latest text,
        subject and display names; every earlier message of the thread; the CRM field values; the
        snippets the draft cites that were retrieved), the retrieved and cited ids (well-formed:
        :func:`agent.models.screen_citations`), how many citations were dropped, the style."""
        retrieved = {s.id: s for s in (p.snippets or p.redacted.snippets)}
        support: list[tuple[str, str | None]] = [(p.inbound_text, p.context.language)]
        support += [(t.text, None) for t in p.msg.thread if t.text]
        support += [(v, None) for v in p.msg.crm_fields.values() if v]
        quoted = [retrieved[c] for c in dict.fromkeys(cited) if c in retrieved]
        support += [(s.text, s.language) for s in quoted]
        return GroundingFacts(
            support=tuple(support), retrieved=tuple(retrieved), cited=tuple(cited), cited_dropped=dropped, style=p.redacted.style, untranslated_disclosures=untranslated,
            published=tuple(s.text for s in quoted),
        )

    def header_pii(self, msg: InboundMessage) -> list[tuple[str, str]]:
        """(entity, value) pairs for every client named in the headers (From, Reply-To, To, Cc,
        thread senders): the address, the display name as written and as greeted ("Okafor,
        Chidi" and "Chidi Okafor"), and each name part, so a bare "Chidi" is replaced too.
        People at our own domains are left out (their names are not client data)."""
        own_domains = {d.lower() for d in self.settings.organisation.domains}
        people = [msg.sender, *msg.reply_to, *msg.to, *msg.cc, *(t.sender for t in msg.thread if t.sender)]
        known: list[tuple[str, str]] = []
        for a in people:
            if a.domain in own_domains:
                continue
            known.append(("EMAIL_ADDRESS", a.email))
            if a.name and "@" not in a.name:
                known += [("PERSON", a.name), ("PERSON", greeting_name(a.name))]
                known += [("PERSON", part) for part in re.findall(r"[^\W\d_][\w'-]{2,}", a.name) if part[0].isupper()]
        return known
