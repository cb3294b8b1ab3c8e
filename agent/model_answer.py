"""Text a model writes around the email: removed before the draft is restored and checked.

Asked for the email body, models still often answer ``Here is a draft email:`` or ``Sure!
Here's a reply:``, repeat a ``Subject: …`` line, wrap the email in a code fence, or end with
``Let me know if you'd like any changes.`` None of that belongs in a draft a client may
receive (issue 9.5). :func:`strip_model_chatter` removes it from the start and the end of
the answer only, never from the middle, and says what it removed; the pipeline records a
``model_chatter`` finding when it did.

What counts (English, German, French; case-insensitive, Markdown ``*``/``#`` decoration
ignored):

* a code fence around the whole answer (```` ``` ```` or ```` ```text ````);
* leading lines: a ``Subject:``/``Betreff:``/``Objet :`` line, a line that announces the
  draft (``Here is a draft email:``, ``Sure! Here's a reply:``, ``Draft reply:``, ``Hier ist
  ein Entwurf:``, ``Voici une proposition de réponse :``), a bare ``Sure!``/``Certainly.``
  line, and ``---`` separators between them;
* trailing paragraphs that talk about the draft rather than to the client: one offering
  edits (``Let me know if you'd like any changes``, ``Feel free to adjust``), hoping the
  draft helps, talking about "this draft", or a ``Note:``; after the sign-off (a line that is
  only ``Kind regards,``, ``Mit freundlichen Grüßen``, …) also one that speaks as the
  drafting assistant ("I kept the tone neutral", "the placeholders"). "Let me know if you'd
  like to meet", a signature block and a disclaimer after the sign-off stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.models import DraftResult

_FENCE = re.compile(r"\A\s*```[\w-]*[ \t]*\n(?P<body>.*?)\n[ \t]*```\s*\Z", re.DOTALL)
_DECOR = re.compile(r"^[\s*#>_]+|[\s*_]+$")

_SUBJECT_LINE = re.compile(r"^(?:subject|subj|betreff|objet)\s*:", re.IGNORECASE)
_SEPARATOR = re.compile(r"^(?:-{3,}|_{3,}|\*{3,}|={3,})$")
_BARE_ACK = re.compile(
    r"^(?:sure|certainly|of course|absolutely|okay|ok|great|gerne|natürlich|bien sûr|d'accord|volontiers)\s*[!.,]?$",
    re.IGNORECASE,
)
_DRAFT_NOUNS = r"(?:draft|reply|response|e-?mail|message|version|answer|entwurf|antwort|nachricht|brouillon|réponse|proposition|courriel|message)"
_ANNOUNCE = re.compile(
    r"^(?:(?:sure|certainly|of course|absolutely|okay|ok|great|gerne|natürlich|bien sûr|voilà)\s*[!.,]?\s*)?"
    r"(?:here(?:'s|’s| is| are)|below is|please find|i(?:'ve| have) (?:drafted|written|prepared)|hier (?:ist|sind|finden sie)|voici|ci-dessous)\b"
    rf".{{0,100}}\b{_DRAFT_NOUNS}\b.{{0,60}}[:.]?$"
    rf"|^(?:(?:suggested|proposed|possible)\s+)?{_DRAFT_NOUNS}(?:\s+(?:email|reply|response|e-mail))?\s*:$",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^(?:(?:kind|best|warm|many thanks and|with kind)\s+regards|regards|best wishes|best|sincerely|yours sincerely|yours faithfully|"
    r"many thanks|thank you|mit freundlichen grüßen|freundliche grüße|viele grüße|beste grüße|cordialement|bien cordialement|"
    r"salutations distinguées|meilleures salutations)[,.!]?$",
    re.IGNORECASE,
)
_EDITS = r"(?:changes|adjustments|edits|tweaks|revisions|modifications|amendments|alterations|änderungen|anpassungen|modifications|ajustements)"
_COMMENTARY = re.compile(
    rf"\blet me know if (?:you(?:'d| would)? (?:like|want|need) (?:any |some |further |more |other )?{_EDITS}|"
    rf"(?:you(?:'d| would)? (?:like|want) me to|i should) (?:change|adjust|revise|modify|shorten|rewrite|tweak|translate))|"
    r"\bfeel free to (?:adjust|modify|edit|change|tweak|customi[sz]e|personali[sz]e)\b|"
    r"\bi hope this (?:draft |email |reply |template )?(?:helps|works|meets)\b|"
    r"\b(?:would|do) you (?:like|want) me to (?:change|adjust|revise|modify|shorten|rewrite|tweak|translate|add|make)\b|"
    r"\byou (?:may|might|can|could) want to (?:adjust|customi[sz]e|modify|tweak|personali[sz]e)\b|"
    r"\b(?:this|the above) (?:draft|template)\b|"
    r"\b(?:this|the above) (?:email|reply|response) (?:keeps|acknowledges|avoids|uses|can be|should|"
    r"is (?:written|kept|brief|short|polite|professional|neutral|friendly|concise))\b|"
    r"\breplace (?:the )?(?:placeholders?|bracketed)\b|"
    rf"\b(?:sagen sie mir|lassen sie mich wissen),? (?:bitte )?,? ?ob sie {_EDITS}|"
    r"\bn'hésitez pas à (?:me dire si vous souhaitez des|ajuster|modifier)\b",
    re.IGNORECASE,
)
# After the sign-off, a paragraph that speaks as the drafting assistant (a disclaimer or the
# signature's own paragraphs stay).
_META = re.compile(
    r"\b(?:i(?:'ve| have)? (?:kept|made|used|avoided|included|added|written|drafted|assumed|left)|draft|placeholders?|template|tone)\b",
    re.IGNORECASE,
)
_NOTE = re.compile(r"^(?:note|notes|hinweis|remarque)\s*:", re.IGNORECASE)


@dataclass
class Stripped:
    """The answer without chatter (``text``) and what was removed, as ``(kind, text)`` pairs;
    kinds: ``code_fence``, ``subject_line``, ``preamble``, ``commentary``."""

    text: str
    removed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        """The kinds removed, each once, in order (``["preamble", "commentary"]``)."""
        return list(dict.fromkeys(k for k, _ in self.removed))


def _plain(line: str) -> str:
    return _DECOR.sub("", line.strip()).strip()


def strip_model_chatter(answer: str) -> Stripped:
    """``answer`` without the text around the email (see the module docstring). An answer
    that would be emptied is returned unchanged (the policy checks still see all of it)."""
    text = (answer or "").replace("\r\n", "\n").strip()
    removed: list[tuple[str, str]] = []
    m = _FENCE.match(text)
    if m:
        removed.append(("code_fence", "```"))
        text = m.group("body").strip()
    text = _strip_head(text, removed)
    text = _strip_tail(text, removed)
    if not text.strip():
        return Stripped((answer or "").strip(), [])
    return Stripped(text.strip(), removed)


def _strip_head(text: str, removed: list[tuple[str, str]]) -> str:
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        plain = _plain(lines[i])
        if not plain or _SEPARATOR.match(lines[i].strip()):
            i += 1
            continue
        if _SUBJECT_LINE.match(plain):
            removed.append(("subject_line", plain))
        elif _ANNOUNCE.match(plain) or _BARE_ACK.match(plain):
            removed.append(("preamble", plain))
        else:
            break
        i += 1
    return "\n".join(lines[i:]) if i else text


def _strip_tail(text: str, removed: list[tuple[str, str]]) -> str:
    paras = [p for p in re.split(r"\n[ \t]*\n", text)]
    sign_offs = [k for k, p in enumerate(paras) if k > 0 and _SIGN_OFF.match(_plain(p.split("\n", 1)[0]))]
    sign_off = sign_offs[-1] if sign_offs else None
    tail: list[str] = []
    while len(paras) > 1:
        last = paras[-1].strip()
        plain = _plain(last)
        after_sign_off = sign_off is not None and len(paras) - 1 > sign_off
        if not plain or _SEPARATOR.match(last):
            paras.pop()
            continue
        if _COMMENTARY.search(plain) or _NOTE.match(plain) or (after_sign_off and _META.search(plain)):
            tail.append(plain)
            paras.pop()
            continue
        break
    removed += [("commentary", t) for t in reversed(tail)]
    return "\n\n".join(paras) if tail else text



def without_model_chatter(draft: DraftResult) -> tuple[DraftResult, list[str]]:
    """``draft`` with its reply stripped (:func:`strip_model_chatter`) and, when something was
    removed, a reason naming the kinds; returns ``(draft, kinds removed)``."""
    stripped = strip_model_chatter(draft.output.reply)
    if not stripped.removed:
        return draft, []
    kinds = stripped.kinds
    output = draft.output.model_copy(update={"reply": stripped.text, "reasons": [*draft.output.reasons, f"removed model chatter: {', '.join(kinds)}"]})
    return draft.model_copy(update={"output": output}), kinds
