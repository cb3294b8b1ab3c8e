"""A generated backlog of client mail in conversations, for the concurrency test and benchmark.

``write_backlog(box, items, per_conversation)`` writes ``items`` RFC 5322 messages (stdlib
``email``) into the Maildir ``box``: conversations of ``per_conversation`` messages (replies carry
``In-Reply-To`` / ``References`` of the first, so :attr:`agent.models.InboundMessage.thread_key`
joins them), interleaved so the messages of one conversation arrive in order but not together.
Each body is about ``body_bytes`` of ordinary client text with personal values (names, phone
numbers, an address) for the redaction to find, one in about six with a paragraph a person must
see (:data:`RISKY`), and a marker that survives redaction - two
lower-case common nouns naming the conversation and an ordinal naming the message
(``Reference words: amber harbour. This is note two.``) - so a model server can tell which
conversation and message a request belongs to (:func:`marker_of`). Deterministic: the same
arguments give the same bytes.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

#: Common nouns the redaction leaves alone (no first names such as hazel or jasmine, no place words).
NOUNS = (
    "amber anchor apple arrow basket beacon bridge candle canyon cedar clover copper cotton crystal desert falcon "
    "feather forest garden glacier granite harbour kettle island ladder lantern maple marble meadow mirror orchard "
    "pebble pepper quarry river saddle silver spruce thistle timber tunnel velvet walnut willow"
).split()
ORDINALS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_MARKER = re.compile(r"Reference words: ([a-z]+) ([a-z]+)\. This is note ([a-z]+)\.")

FIRST = ("Ann", "Tomas", "Priya", "Oliver", "Marta", "Chidi", "Helen", "Rafael", "Sofia", "Daniel", "Ingrid", "Kwame")
LAST = ("Lee", "Novak", "Raman", "Hughes", "Kowalski", "Okafor", "Baxter", "Moreno", "Lindqvist", "Fischer", "Adeyemi", "Walsh")
STREETS = ("Mill Lane", "Station Road", "Church Street", "Victoria Road", "Park Avenue", "Kings Road")
TOWNS = ("Leeds", "Bristol", "Norwich", "York", "Bath", "Exeter")
PARAGRAPHS = (
    "I am writing about the statement you sent last month. Two of the entries do not match what I expected, "
    "and I would be grateful if someone could look at them and explain how the figures were worked out.",
    "Could you also confirm whether the change of address I sent in the spring has been recorded? Letters still "
    "seem to arrive at my old address, and I would rather not miss anything important.",
    "We spoke on the phone a few weeks ago and your colleague said a written summary would follow. I have not "
    "received it yet, so I am following up here in case it was sent somewhere else.",
    "I would like to understand the fees on my account a little better. The annual charge looks higher than in "
    "previous years and I could not find the reason in the documents I have.",
    "My daughter will be helping me with paperwork from now on. Please let me know what you need from us so that "
    "she can speak to you on my behalf, and which forms we should fill in.",
    "Thank you for your help so far. I know this is a busy time of year, so there is no rush, but a short reply "
    "to say the request has been received would put my mind at rest.",
    "If it is easier, I am happy to come into the office or arrange a call at a time that suits you. Mornings are "
    "usually best for me, although I can make most afternoons work as well.",
)


#: Paragraphs a person must see (a complaint, a fraud report, a legal threat): one in about six
#: messages carries one, so a backlog is routed both ways (drafted and escalated).
RISKY = (
    "I want to make a formal complaint about the way my account has been handled. Nobody has answered my letters "
    "and I am very unhappy with the service.",
    "Someone phoned me yesterday pretending to be from your firm and I think I have been scammed. Money has left "
    "my account that I did not authorise.",
    "If this is not sorted out this week I will pass the matter to my solicitor and take legal action.",
)


def conversation_words(n: int) -> tuple[str, str]:
    """The two nouns that name conversation ``n`` (distinct for n < len(NOUNS)**2)."""
    return NOUNS[n % len(NOUNS)], NOUNS[(n // len(NOUNS) + n) % len(NOUNS)]


def marker_of(text: str) -> tuple[str, int] | None:
    """(conversation words ``"amber harbour"``, message index from 0) of the marker in ``text``
    (a request body, a prompt, a draft), else None."""
    m = _MARKER.search(text)
    if m is None:
        return None
    return f"{m.group(1)} {m.group(2)}", ORDINALS.index(m.group(3))


def _body(rng: random.Random, words: tuple[str, str], index: int, name: str, body_bytes: int) -> str:
    phone = f"07700 9{rng.randint(0, 99999):05d}"
    address = f"{rng.randint(2, 180)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}"
    parts = [
        "Hello,",
        f"Reference words: {words[0]} {words[1]}. This is note {ORDINALS[index]}.",
        f"My name is {name} and I live at {address}. You can reach me on {phone} most days.",
    ]
    if rng.random() < 1 / 6:
        parts.append(rng.choice(RISKY))
    while sum(len(p) + 2 for p in parts) < body_bytes - 80:
        parts.append(rng.choice(PARAGRAPHS))
    parts.append(f"Kind regards,\n{name}")
    return "\n\n".join(parts) + "\n"


def write_backlog(box: Path, items: int = 300, per_conversation: int = 3, *, body_bytes: int = 2048, seed: int = 12) -> dict[str, list[str]]:
    """Write ``items`` messages into the Maildir ``box`` (created with cur/new/tmp, files in
    ``new/``), in conversations of ``per_conversation`` (1-10). Returns conversation words →
    the file names of its messages in arrival order (file names sort in arrival order)."""
    if not 1 <= per_conversation <= len(ORDINALS):
        raise ValueError(f"per_conversation must be 1-{len(ORDINALS)}")
    rng = random.Random(seed)
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True, exist_ok=True)
    conversations = -(-items // per_conversation)
    # Arrival order: shuffle the messages, then put each conversation's own messages back in order.
    slots = [c for c in range(conversations) for _ in range(per_conversation)][:items]
    rng.shuffle(slots)
    seen: dict[int, int] = {}
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    out: dict[str, list[str]] = {}
    for arrival, c in enumerate(slots):
        index = seen.get(c, 0)
        seen[c] = index + 1
        words = conversation_words(c)
        name = f"{FIRST[c % len(FIRST)]} {LAST[(c // len(FIRST)) % len(LAST)]}"
        msg = EmailMessage(policy=policy.default)
        msg["From"] = f"{name} <{name.lower().replace(' ', '.')}@client.example>"
        msg["To"] = "support@northwind.example"
        msg["Subject"] = ("Re: " if index else "") + f"Question about my account ({words[0]})"
        msg["Date"] = format_datetime(start + timedelta(minutes=arrival))
        msg["Message-ID"] = f"<c{c:04d}-{index}@client.example>"
        if index:
            msg["In-Reply-To"] = f"<c{c:04d}-{index - 1}@client.example>"
            msg["References"] = " ".join(f"<c{c:04d}-{k}@client.example>" for k in range(index))
        msg.set_content(_body(rng, words, index, name, body_bytes))
        key = f"{1_800_000_000 + arrival}.M{arrival}P1.backlog"
        (box / "new" / key).write_bytes(msg.as_bytes())
        out.setdefault(" ".join(words), []).append(key)
    return out
