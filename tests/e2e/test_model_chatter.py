"""Issue 9.5: what a model writes around the email never lands in the draft.

Through the real ``openai`` client against the local OpenAI-compatible server, whose fake
model answers with a preamble, a subject line, a code fence or trailing commentary.
"""

from __future__ import annotations

import pytest

from agent.config import load_config
from agent.model_answer import strip_model_chatter
from jobs.bootstrap import bootstrap
from tests.e2e.helpers import write_config
from tests.servers.openai_server import OpenAIServer
from tests.unit.fakes import FakeNotifier, message

EMAIL = "Dear <PERSON_1>,\n\nThank you for your message. We will send the statement shortly.\n\nKind regards,\nNorthwind Client Services"

ANSWERS = {
    "preamble": (f"Here is a draft email:\n\n{EMAIL}", ["preamble"]),
    "sure_subject_commentary": (
        f"Sure! Here's a reply:\n\nSubject: Re: Statement\n\n{EMAIL}\n\nLet me know if you'd like any changes.",
        ["preamble", "subject_line", "commentary"],
    ),
    "code_fence": (f"```text\n{EMAIL}\n```", ["code_fence"]),
    "markdown_subject_and_note": (
        f"**Subject:** Re: Statement\n\n---\n\n{EMAIL}\n\n---\n\n*Note: I kept the tone neutral and made no commitment.*",
        ["subject_line", "commentary"],
    ),
    "after_sign_off": (f"{EMAIL}\n\nThis draft acknowledges the request without promising a date. Feel free to adjust it.", ["commentary"]),
}


def _responder(reply: str):
    def answer(body: dict) -> dict:
        return {"reply": reply, "intent": "information_request", "confidence": 0.9, "reasons": ["fake model"]}

    return answer


@pytest.mark.parametrize("case", sorted(ANSWERS))
def test_model_chatter_is_stripped_and_flagged(tmp_path, case):
    answer, kinds = ANSWERS[case]
    with OpenAIServer(responder=_responder(answer)) as server:
        settings = load_config(write_config(tmp_path, base_url=server.base_url))
        rt = bootstrap(settings, notifier=FakeNotifier())
        try:
            a = rt.pipeline.analyse(message("x1", text="Hello, could you send me the statement for March?"))
        finally:
            rt.close()
    assert len(server.draft_requests) == 1 and a.draft.provider == "openai" and not a.draft.fallback_used
    assert len(server.review_requests) == 1  # the risk reviewer's own request (issue 11)
    assert a.restored_text == EMAIL.replace("<PERSON_1>", "Ann Lee")
    assert a.reply.text == a.restored_text
    chatter = [f for f in a.findings if f.rule_id == "model_chatter"]
    assert len(chatter) == 1 and all(k.replace("_", " ") in chatter[0].message for k in kinds), chatter
    assert any(r.startswith("removed model chatter: ") for r in a.draft.output.reasons)


def test_a_clean_answer_is_untouched_and_not_flagged(tmp_path):
    with OpenAIServer(responder=_responder(EMAIL)) as server:
        settings = load_config(write_config(tmp_path, base_url=server.base_url))
        rt = bootstrap(settings, notifier=FakeNotifier())
        try:
            a = rt.pipeline.analyse(message("x1", text="Hello, could you send me the statement for March?"))
        finally:
            rt.close()
    assert a.restored_text == EMAIL.replace("<PERSON_1>", "Ann Lee")
    assert not [f for f in a.findings if f.rule_id == "model_chatter"]


@pytest.mark.parametrize(
    "email",
    [
        "Dear Ann,\n\nPlease let me know if you have any questions.\n\nKind regards,\nNorthwind",
        "Dear Ann,\n\nThank you for your message.\n\nWe will confirm soon. Let me know if you would like to meet.",
        "Dear Ann,\n\nHere is the statement you asked for.\n\nKind regards,\nNorthwind Client Services\nLondon office",
        "Dear Ann,\n\nThank you.\n\nWe have noted your new address.\n\nBest,\nJo",
        "Guten Tag Frau Lee,\n\nvielen Dank.\n\nMit freundlichen Grüßen\nNorthwind",
    ],
)
def test_email_text_is_never_taken_for_chatter(email):
    assert strip_model_chatter(email).text == email
    assert strip_model_chatter(email).removed == []


def test_german_and_french_preambles():
    assert strip_model_chatter("Hier ist ein Entwurf für Ihre Antwort:\n\nGuten Tag,\n\nDanke.").text == "Guten Tag,\n\nDanke."
    assert strip_model_chatter("Voici une proposition de réponse :\n\nMadame,\n\nMerci.").text == "Madame,\n\nMerci."


def test_disclaimer_after_the_sign_off_stays():
    email = (
        "Dear Ann,\n\nYour adviser will call you.\n\nKind regards,\nNorthwind\n\n"
        "Past performance is not a reliable indicator of future results. This email does not constitute investment advice."
    )
    assert strip_model_chatter(email).text == email
    assert strip_model_chatter(email + "\n\nI kept the tone neutral.").text == email
