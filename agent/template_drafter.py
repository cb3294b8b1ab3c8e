"""The deterministic template drafter: the fallback when no model is configured or it fails.

Intent comes from ordered keyword rules (first match wins); the reply is the
versioned template ``agent/draft_templates/<version>/<intent>.j2`` rendered with
the *redacted* context, so placeholders are restored exactly like a model's draft.
Same input, same output: no randomness, no network.

Header text is client text (issue 9.1): the templates never restate the subject, and they
greet by name only when the context has a plausible personal name (``ItemContext.sender_name``
is empty otherwise, see :func:`agent.reply.greeting_name`); the subject is read only to
classify the intent.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jinja2

from agent.models import DraftOutput, RedactedContext

TEMPLATES_VERSION = "v2"
TEMPLATE_ROOT = Path(__file__).parent / "draft_templates"

# (intent, pattern, confidence). Ordered: the riskiest intents first, so a legal
# threat inside a refund request is classified as legal.
INTENT_RULES: list[tuple[str, re.Pattern[str], float]] = [
    (i, re.compile(p, re.IGNORECASE), c)
    for i, p, c in [
        ("legal", r"\b(lawyer|attorney|solicitor|legal action|sue|lawsuit|court|litigation|ombudsman|regulator"
         r"|anwalt|rechtsanwalt|rechtliche schritte|gericht|klage|avocat|poursuites?|tribunal|action en justice"
         r"|abogad[oa]s?|demanda|acciones legales|tribunales|avvocat[oi]|vie legali|azione legale|tribunale"
         r"|advocaat|rechtszaak|juridische stappen|rechter)\b", 0.6),
        ("complaint", r"\b(complain\w*|unacceptable|disappointed|dissatisfied|outraged|appalling|poor service|escalate"
         r"|beschwerde|unzufrieden|inakzeptabel|enttäuscht|réclamation|plainte|inacceptable|mécontent\w*|déçu\w*"
         r"|queja|reclamación|inaceptable|insatisfech[oa]|decepcionad[oa]|reclamo|lamentela|inaccettabile"
         r"|insoddisfatt[oa]|delus[oa]|klacht|onacceptabel|ontevreden|teleurgesteld)\b", 0.6),
        ("refund", r"\b(refund\w*|reimburs\w*|money back|chargeback|compensat\w*|rückerstattung|erstattung|remboursement\w*|rembourser"
         r"|reembols\w*|devolución|rimbors\w*|terugbetaling|geld terug)\b", 0.6),
        ("investment_advice", r"\b(invest\w*|portfolio|stocks?|shares|bonds?|fund|pension|should i (buy|sell)|aktien|anlage\w*|fonds|placement\w*|actions"
         r"|inversi\w+|invertir|acciones|fondos?|azioni|fondi|belegg\w*|aandelen|obligaties|pensioen)\b", 0.5),
        ("meeting", r"\b(meet|meeting|call me|schedule|calendar|availability|available on|appointment|termin|treffen|rendez-vous|réunion"
         r"|reunión|cita|riunione|appuntamento|afspraak|vergadering)\b", 0.6),
        ("account_change", r"\b(change (of )?(my )?address|update my (details|address)|close my account|new bank details"
         r"|adressänderung|neue bankverbindung|konto (auflösen|schließen)|changement d'adresse|clôturer mon compte"
         r"|cambio de (domicilio|dirección)|actualizar mi (dirección|domicilio|datos)|cerrar mi cuenta"
         r"|cambio (di|d') ?indirizzo|aggiornare i miei dati|chiudere il mio conto|adreswijziging|nieuw adres|mijn rekening opzeggen)\b", 0.5),
        ("thanks", r"^\W*(many )?(thanks|thank you|vielen dank|danke|merci|muchas gracias|gracias|grazie|dank u|bedankt)\b[^?]{0,80}$", 0.7),
        ("information_request", r"\?|\b(could you|can you|please (send|let me know|advise|confirm)|könnten sie|bitte senden|pourriez-vous|merci de"
         r"|podría|podrían|potrebbe|potreste|kunt u|zou u)\b", 0.5),
    ]
]

class TemplateDrafter:
    """Renders a reply from the versioned templates. ``model`` is ``"templates/<version>"`` (``"templates/v2"`` by default; v1 is kept unchanged so earlier drafts stay reproducible)."""

    provider = "template"

    def __init__(self, *, organisation: str, signature: str, version: str = TEMPLATES_VERSION):
        self.version = version
        self.model = f"templates/{version}"
        self._organisation = organisation
        self._signature = signature
        root = TEMPLATE_ROOT / version
        if not root.is_dir():
            raise FileNotFoundError(f"template drafter version {version!r} not found at {root}")
        # English at the top of the version folder; other languages in sub-folders (de/, es/, fr/, it/, nl/).
        self._envs = {"en": self._env_for(root)}
        for sub in sorted(p for p in root.iterdir() if p.is_dir()):
            self._envs[sub.name] = self._env_for(sub)
        digest = hashlib.sha256()
        for p in sorted(root.rglob("*.j2")):
            digest.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
        self.templates_hash = digest.hexdigest()

    @staticmethod
    def _env_for(folder: Path) -> jinja2.Environment:
        return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), undefined=jinja2.StrictUndefined, autoescape=False)

    @property
    def languages(self) -> list[str]:
        """ISO 639-1 codes the templates are written in (``["de", "en", "es", "fr", "it", "nl"]``): the
        languages the firm serves (the risk lexicon's). Mail in another language gets the English
        template, and the policy rule ``language_mismatch`` sends that draft to a person."""
        return sorted(self._envs)

    @staticmethod
    def classify(text: str) -> tuple[str, float, str]:
        """``(intent, confidence, matched keyword)``; ``("other", 0.4, "")`` when nothing matches."""
        for intent, pattern, confidence in INTENT_RULES:
            m = pattern.search(text.strip())
            if m:
                return intent, confidence, m.group(0)
        return "other", 0.4, ""

    def draft(self, ctx: RedactedContext) -> DraftOutput:
        """The template reply for ``ctx``. Raises jinja2 errors only for a broken template set."""
        intent, confidence, matched = self.classify(f"{ctx.subject}\n{ctx.latest_text}")
        env = self._envs.get(ctx.language, self._envs["en"])  # the client's language when we have it
        reply = env.get_template(f"{intent}.j2").render(
            sender_name=ctx.sender_name,
            organisation=self._organisation,
            signature=self._signature,
        )
        lang = ctx.language if ctx.language in self._envs else "en"
        reasons = [f"template drafter {self.version} ({lang})", f"intent {intent}" + (f" (matched {matched!r})" if matched else " (no keyword matched)")]
        return DraftOutput(reply=reply.strip(), intent=intent, confidence=confidence, reasons=reasons)
