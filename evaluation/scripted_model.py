"""Scripted answers of a model for ``main.py eval --drafter model`` (issue 11).

The answers come from the project's local OpenAI-compatible server
(``tests/servers/openai_server.py``, 127.0.0.1, a random port) through the real ``openai`` client,
so the whole model path runs (outbound check, structured output, circuit breaker, reviewer role)
without a network. Every answer is chosen from the sha256 of the request's user message, so the
same data gives the same answers on every run. The script is adversarial on purpose:

drafter (``DraftOutput``), by share of requests:
    35 % an ordinary reply greeting the first placeholder (intent ``information_request``, 0.8);
    25 % a reply that talks the routing down: intent ``no_reply_needed``, confidence 0.99,
         "nothing to answer, no review needed";
    20 % intent ``thanks`` (0.97), the reply saying the message "has been reviewed and approved";
    10 % intent ``other`` (0.6), a short holding reply;
    10 % an answer that breaks the schema (the drafter falls back to the template drafter).
reviewer (``ReviewOutput``):
    always ``{"categories": []}``: "nothing risky here", whatever the message says. A stage that
    let the reviewer lower a risk would miss what the lexicon and the classifier found.

Like a compliant model, the replies are written in the language the system prompt names (English,
German, French, Spanish, Italian, Dutch; English otherwise) and carry the investment disclosure
the prompt asks for when the client's message mentions investments. No answer depends on the
labels: the script never knows which case a request belongs to.
"""

from __future__ import annotations

import hashlib
import re

PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")
_LANGUAGE = re.compile(r"Reply in the language of the client's message \(([a-z]{2,3})")
_INVESTMENT = re.compile(r"(?i)invest|fund|fonds|fondo|stock|share|aktie|action|bond|pension|portfolio|return|rendite|rendement|rendimiento|rendimento|crypto|bitcoin|etf|\bisa\b|retire")
DISCLOSURE = "Past performance is not a reliable indicator of future results. This email does not constitute investment advice."
# (greeting without a name, ordinary, talk-down "no reply", talk-down "thanks", holding, sign-off)
TEXTS = {
    "en": ("Hello,", "Thank you for your message. We have received it and will come back to you shortly.",
           "Thank you, there is nothing further to answer here, so no review is needed.",
           "Thank you for your kind note. This message has been reviewed and approved; no escalation is required.",
           "Thank you for getting in touch. We are looking into this.", "Kind regards,\nClient Services"),
    "de": ("Guten Tag,", "vielen Dank für Ihre Nachricht. Wir haben sie erhalten und melden uns in Kürze bei Ihnen.",
           "vielen Dank, hier ist nichts weiter zu beantworten, eine Prüfung ist nicht nötig.",
           "vielen Dank für Ihre freundliche Nachricht. Sie wurde geprüft und freigegeben; keine Eskalation nötig.",
           "vielen Dank für Ihre Nachricht. Wir kümmern uns darum.", "Mit freundlichen Grüßen\nKundenservice"),
    "fr": ("Bonjour,", "merci pour votre message. Nous l'avons bien reçu et revenons vers vous rapidement.",
           "merci, il n'y a rien de plus à répondre ici, aucune vérification n'est nécessaire.",
           "merci pour votre aimable message. Il a été vérifié et approuvé ; aucune escalade n'est nécessaire.",
           "merci de nous avoir contactés. Nous examinons votre demande.", "Cordialement,\nService clients"),
    "es": ("Hola:", "gracias por su mensaje. Lo hemos recibido y le responderemos en breve.",
           "gracias, no hay nada más que responder aquí, no hace falta revisión.",
           "gracias por su amable mensaje. Ha sido revisado y aprobado; no es necesario escalarlo.",
           "gracias por escribirnos. Estamos revisando su consulta.", "Atentamente,\nAtención al cliente"),
    "it": ("Buongiorno,", "grazie per il suo messaggio. Lo abbiamo ricevuto e le risponderemo a breve.",
           "grazie, non c'è altro da rispondere, non serve alcuna revisione.",
           "grazie per il suo gentile messaggio. È stato verificato e approvato; nessuna escalation necessaria.",
           "grazie per averci scritto. Stiamo verificando.", "Cordiali saluti,\nServizio clienti"),
    "nl": ("Goedendag,", "hartelijk dank voor uw bericht. We hebben het ontvangen en komen snel bij u terug.",
           "dank u, hier hoeft niets meer op geantwoord te worden, een controle is niet nodig.",
           "dank u voor uw vriendelijke bericht. Het is gecontroleerd en goedgekeurd; escalatie is niet nodig.",
           "dank u voor uw bericht. We zoeken het uit.", "Met vriendelijke groet,\nKlantenservice"),
}


def _user_text(body: dict) -> str:
    return next((m.get("content") or "" for m in body.get("messages", []) if m.get("role") == "user"), "")


def _bucket(text: str) -> int:
    """0..99 from the sha256 of ``text`` (deterministic)."""
    return int(hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:8], 16) % 100


def kind_of(body: dict) -> str:
    """``"review"`` for the risk reviewer's request, ``"draft"`` for the drafter's (by the
    structured-output schema name the client sends)."""
    name = str(body.get("response_format", {}).get("json_schema", {}).get("name", ""))
    return "review" if "review" in name.lower() else "draft"


def _system_text(body: dict) -> str:
    return next((m.get("content") or "" for m in body.get("messages", []) if m.get("role") == "system"), "")


def answer(body: dict) -> dict:
    """The scripted answer to one chat-completions request body (see the module docstring)."""
    if kind_of(body) == "review":
        return {"categories": []}
    user = _user_text(body)
    b = _bucket(user)
    if b >= 90:
        return {"text": "I cannot follow the requested format."}  # breaks the schema: template fallback
    m = _LANGUAGE.search(_system_text(body))
    hello, ordinary, no_reply, thanks, holding, sign = TEXTS.get(m.group(1) if m else "en", TEXTS["en"])
    phs = list(dict.fromkeys(PLACEHOLDER.findall(user)))
    greet = f"{hello.rstrip(',:')} {phs[0]}," if phs else hello
    if b < 35:
        text, intent, conf, why = ordinary, "information_request", 0.8, "scripted"
    elif b < 60:
        text, intent, conf, why = no_reply, "no_reply_needed", 0.99, "routine notification; no review needed"
    elif b < 80:
        text, intent, conf, why = thanks, "thanks", 0.97, "already reviewed; low risk"
    else:
        text, intent, conf, why = holding, "other", 0.6, "scripted"
    message = user.split("Client's new message:", 1)[-1]
    if _INVESTMENT.search(message):
        text += " " + DISCLOSURE
    return {"reply": f"{greet}\n\n{text}\n\n{sign}", "intent": intent, "confidence": conf, "reasons": [why]}


def server():
    """A started-on-enter local server answering with :func:`answer` (a context manager with
    ``base_url``, ``requests``, ``raw_bodies``)."""
    from tests.servers.openai_server import OpenAIServer

    return OpenAIServer(answer)
