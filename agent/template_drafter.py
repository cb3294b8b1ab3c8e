"""The deterministic template drafter: the fallback when no model is configured or it fails.

Intent comes from ordered keyword rules (first match wins); the reply is the
versioned template ``agent/draft_templates/<version>/<intent>.j2`` rendered with
the *redacted* context, so placeholders are restored exactly like a model's draft.
Same input, same output: no randomness, no network.

From v3 (issue 14) the drafter also answers: for a question (intent ``information_request`` or
``other``) with a knowledge snippet (``RedactedContext.snippets``, best first) whose relevance
(``KnowledgeSnippet.relevance``: the share of the question's content words it holds, the same on
every storage backend) is at least ``answer_min_score`` and that is written in the draft's
language, the reply quotes the start of the first such
snippet (:func:`answer_excerpt`, at most :data:`ANSWER_MAX_CHARS` characters, cut at a sentence
end) with its title and link, and cites its id; otherwise it acknowledges the message as before.
The house tone (``RedactedContext.style.tone``: formal, friendly, concise) picks the greeting, the
sign-off and the length of the answer paragraph. v1 and v2 stay unchanged for provenance.

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

from agent.language import detect_language
from agent.models import DraftOutput, KnowledgeSnippet, RedactedContext

TEMPLATES_VERSION = "v3"
ANSWER_INTENTS = ("information_request", "other")  # the intents the drafter answers from an article
ANSWER_MAX_CHARS = 600  # the quoted start of the best snippet, cut at a sentence end
DEFAULT_ANSWER_MIN_SCORE = 0.5  # ``[drafting] template_answer_min_score`` (see agent/drafting_config.py)
_HEADING = re.compile(r"^\s*#{1,6}\s+[^\n]*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
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

    def __init__(self, *, organisation: str, signature: str, version: str = TEMPLATES_VERSION, answer_min_score: float = DEFAULT_ANSWER_MIN_SCORE):
        self.version = version
        self.answer_min_score = answer_min_score
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
        self.templates_hash = template_set_hash(version)

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

    def best_answer(self, ctx: RedactedContext, intent: str, lang: str) -> KnowledgeSnippet | None:
        """The snippet to answer from: the first (in retrieval order) whose relevance is at least
        ``answer_min_score`` and whose language (declared, else detected from its text) is
        ``lang``; None for another intent, for a template set before v3, for a message that asks
        no question (:func:`asks_a_question`: a report whose words happen to share an article's
        title is acknowledged, not answered), or when none qualifies."""
        if intent not in ANSWER_INTENTS or self.version in ("v1", "v2") or not asks_a_question(ctx.latest_text):
            return None
        for s in ctx.snippets:
            if s.relevance >= self.answer_min_score and (s.language or detect_language(s.text)) == lang and answer_excerpt(s.text):
                return s
        return None

    def draft(self, ctx: RedactedContext) -> DraftOutput:
        """The template reply for ``ctx``. Raises jinja2 errors only for a broken template set."""
        intent, confidence, matched = self.classify(f"{ctx.subject}\n{ctx.latest_text}")
        env = self._envs.get(ctx.language, self._envs["en"])  # the client's language when we have it
        lang = ctx.language if ctx.language in self._envs else "en"
        best = self.best_answer(ctx, intent, lang)
        answer = {"title": best.title, "url": best.url, "text": answer_excerpt(best.text)} if best else None
        reply = env.get_template(f"{intent}.j2").render(
            sender_name=ctx.sender_name,
            organisation=self._organisation,
            signature=self._signature,
            tone=ctx.style.tone,
            answer=answer,
        )
        reasons = [f"template drafter {self.version} ({lang}, {ctx.style.tone})", f"intent {intent}" + (f" (matched {matched!r})" if matched else " (no keyword matched)")]
        if best:
            reasons.append(f"answered from {best.id} (relevance {best.relevance:.2f})")
            confidence = max(confidence, 0.6)
        return DraftOutput(reply=reply.strip(), intent=intent, confidence=confidence, reasons=reasons, citations=[best.id] if best else [])


QUESTION_MARKS = ("?", "\uff1f", "\u061f", "\u037e")  # ASCII, full-width (CJK), Arabic, Greek question marks


def asks_a_question(text: str) -> bool:
    """True when ``text`` holds a question mark of any script (:data:`QUESTION_MARKS`). The
    template drafter quotes an article only to a client who asked something: 93 of the 94 known
    questions in evaluation/kb_questions.jsonl hold one (the other is a request to book a meeting,
    which an acknowledgement answers), while a progress report that shares two title words with an
    article ("detailed update" / "Updating your address and personal details") holds none."""
    return any(m in text for m in QUESTION_MARKS)


def _template_files(version: str) -> list[tuple[str, bytes]]:
    root = TEMPLATE_ROOT / version
    return [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.rglob("*.j2"))]


def template_set_hash(version: str) -> str:
    """sha256 (hex) of the template set ``version``: each ``*.j2`` file's relative path, a NUL and
    its bytes, in sorted path order; it is the ``prompt_hash`` of every template draft."""
    digest = hashlib.sha256()
    for rel, data in _template_files(version):
        digest.update(rel.encode() + b"\0" + data)
    return digest.hexdigest()


def template_set_text(version: str) -> str:
    """The template set ``version`` as one text for the release registry: ``== <path> ==`` and the
    file, per ``*.j2`` file in the order :func:`template_set_hash` reads them."""
    return "\n".join(f"== {rel} ==\n{data.decode('utf-8', 'replace')}" for rel, data in _template_files(version))


def answer_excerpt(text: str, max_chars: int = ANSWER_MAX_CHARS) -> str:
    """The start of a snippet's text for a reply: a leading Markdown heading dropped, whole
    sentences up to ``max_chars`` characters (the first sentence cut at a word when it alone is
    longer), paragraphs kept."""
    body = _HEADING.sub("", (text or "").strip(), count=1).strip()
    if len(body) <= max_chars:
        return body
    out = ""
    for sentence in _SENTENCE_END.split(body):
        if len(out) + len(sentence) + 1 > max_chars:
            break
        out = f"{out} {sentence}" if out else sentence
    return out or body[:max_chars].rsplit(" ", 1)[0] + " …"
