"""What the text around a word says of it as a name: whether it stands where a writer puts a
name (:func:`in_name_position`, after the cues of :func:`_cue_before`), whether the writer
capitalises (:func:`writes_capitals`), a lower-case word the text also writes capitalised
(:func:`lower_case_word_not_name`), a word used as a word (:func:`word_used_as_word`), a part of
an e-mail address or a URL (:func:`inside_address`), a dialogue's speakers
(:func:`dialogue_speakers`) and a field's label (:func:`field_label`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.pii.name_words import _WORD, CHAT_ROLES, _calendar_word, _cues, greeting_words, name_lists
from agent.pii.sentences import line_or_sentence_start
from agent.pii.words import (
    ENGLISH_MODEL,
    LEXICON_MODELS,
    english_parts_of_speech,
    in_lexicon,
    is_ordinary_word,
    stop_words,
)


@lru_cache(maxsize=1)
def _cue_before() -> re.Pattern:
    """What stands before a name on its line when the name is written as one: a greeting, a
    title, a sign-off, a "my name is" phrase or a field label ("hi grace", "Mr frank", "thx jen",
    "Name: rose"), searched on the text before the word."""
    from agent.pii.cues import (
        CASUAL_SIGNOFFS,
        GREETINGS,
        INTRO_ANY,
        INTRO_CAP,
        LOWER_TITLES,
        NAME_IS,
        NAME_LABELS,
        SIGNOFFS,
        TITLES,
    )

    words = "|".join((GREETINGS, SIGNOFFS, CASUAL_SIGNOFFS, INTRO_ANY, INTRO_CAP, NAME_IS, LOWER_TITLES))
    return re.compile(
        rf"(?:(?<![\w.])(?-i:{TITLES})\.?|(?<![\w.])(?i:{words})\.?[,:!]?|(?<![\w.])(?i:{NAME_LABELS})[ \t]*[:：])[ \t]+$"
    )


def inside_address(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a part, not the whole, of an e-mail address or a URL
    ("tom" of "tom.whitworth@btinternet.com", where a found name's parts are masked wherever they
    appear): the address is one value, masked whole as an address or allowed whole (the firm's
    own domains); a PERSON inside it would split it."""
    lo, hi = start, end
    while lo > 0 and not text[lo - 1].isspace() and text[lo - 1] not in "<>()[]\"',;":
        lo -= 1
    while hi < len(text) and not text[hi].isspace() and text[hi] not in "<>()[]\"',;":
        hi += 1
    token = text[lo:hi].rstrip(".")
    if (lo, lo + len(token)) == (start, end):
        return False
    if "://" in token or token.lower().startswith("www."):
        return True
    from agent.pii.emails import EMAIL_RE

    # only inside the address the e-mail recogniser masks: in "Sarah Wesner@ENRON" the address is
    # "Wesner@ENRON", and "Sarah" stays a name
    return any(m.start("v") + lo <= start and end <= m.end("v") + lo for m in EMAIL_RE.finditer(token))


def in_name_position(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` stands where a writer puts a name, whatever its case: after
    a greeting, title, sign-off, intro phrase or field label on its line (:func:`_cue_before`),
    or alone on its line but for punctuation and a dash ("- frank", a signature line "rose")."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    hi = len(text) if hi < 0 else hi
    if not text[lo:start].strip(" \t-–—>*•\"'“‘(") and not text[end:hi].strip(" \t.,!;:\"'”’)"):
        return True
    return _cue_before().search(text, max(lo, start - 60), start) is not None


def lower_case_word_not_name(text: str, start: int, end: int, language: str = "en") -> bool:
    """True for a one-word PERSON span written in lower case ("mark", "grace", "franco") that
    the same text also writes capitalised ("Mark Doyle", "mio figlio Franco") and that does not
    stand in a name position (:func:`in_name_position`). A writer who capitalises the name and
    not the other occurrence uses that one as a word ("can you mark the form", "a grace period",
    "franco domicilio", "busta rosa"): a found name's parts are masked wherever they appear
    (:mod:`agent.pii.seeds`), case-insensitively, and the name list and the NER take such words
    for names. A writer who writes the name in lower case everywhere keeps it masked. In English
    and French (lexicons installed) the word must also be a word of the language: in "Ask John.
    john will know" the second is a hasty name."""
    word = text[start:end]
    if not word.isalpha() or not word.islower() or len(word) < 3:
        return False
    packages = {"en": (ENGLISH_MODEL,), "fr": LEXICON_MODELS}.get(language)
    if packages and not in_lexicon(word, packages):
        return False
    tokens = _tokens(text)
    return (word[0].upper() + word[1:] in tokens or word.upper() in tokens) and not in_name_position(text, start, end)


@lru_cache(maxsize=8)
def _tokens(text: str) -> frozenset[str]:
    """The word tokens (``\\w+``) of ``text``, once per text: a message with thousands of found
    words asks for each (a regular expression per word over the whole text was quadratic)."""
    return frozenset(re.findall(r"\w+", text))


_SENTENCE_START = re.compile(r"(?:\A|[.!?][\"”')]*[ \t]+|\n)[ \t\"“'(>*•-]*([^\W\d_])")


@lru_cache(maxsize=1)
def _greeting_or_signoff_line() -> re.Pattern:
    from agent.pii.cues import GREETINGS, SIGNOFFS

    return re.compile(rf"[ \t>]*(?:{GREETINGS}|{SIGNOFFS})[ \t]*[,.!:]?[ \t\r]*", re.IGNORECASE)


def writes_capitals(text: str) -> bool:
    """True when the writer starts most sentences and lines with a capital (not "slt j'habite
    ... merci"): only then does a lower-case word say that it is no name. A line that is only a
    greeting or a sign-off ("Hello,", "Kind regards") does not count: a mail template or a phone's
    autocorrect writes it, around a text the client wrote in lower case."""
    line = _greeting_or_signoff_line()
    starts = []
    for m in _SENTENCE_START.finditer(text):
        at = m.start(1)
        end = text.find("\n", at)
        if not line.fullmatch(text, text.rfind("\n", 0, at) + 1, len(text) if end < 0 else end):
            starts.append(m.group(1))
    upper = sum(c.isupper() for c in starts)
    return upper > 0 and upper >= len(starts) - upper


_POSSESSIVE_BEFORE = re.compile(r"(?<![\w])(?i:my|mi|mis|mon|ma|mein|meine|meinem|meinen|mio|mia|mijn)[ \t]+$")
_VERB_OBJECTS = frozenset("you the a an this that it your my our all everyone we i me us them".split())


def word_used_as_word(text: str, start: int, end: int, language: str) -> bool:
    """True for a one-word PERSON span that is used as a word where it stands: right after a
    possessive ("my Mercedes was hit", "Sent from my Samsung", "Mi Mercedes tiene": the six
    languages put no possessive before a person's bare name; "my daughter Ruby" has a noun
    between), or, in English, a verb of the lexicon starting a sentence before a pronoun or an
    article ("Hope you are well", "Mark the request urgent", "Will you send it?") or an adjective
    of the lexicon starting a sentence before a word the lexicon knows only as a noun ("Frank
    feedback"; "Frank said" is the name). Such spans
    come from a found name's parts masked wherever they appear (:mod:`agent.pii.seeds`)."""
    word = text[start:end]
    if not _WORD.fullmatch(word):
        return False
    if _POSSESSIVE_BEFORE.search(text, max(0, start - 12), start):
        return True
    if language != "en" or not line_or_sentence_start(text, start):
        return False
    after = re.match(r"[ \t]+([^\W\d_]+)", text[end : end + 24])
    if after is None:
        return False
    pos = english_parts_of_speech(word)
    if "verb" in pos and after.group(1).casefold() in _VERB_OBJECTS:
        return True
    return "adj" in pos and after.group(1).islower() and english_parts_of_speech(after.group(1)) == frozenset({"noun"})


_SPEAKER = re.compile(r"^[ \t>]*([^\W\d_]{3,})[ \t]?:[ \t]+(?=[^\W\d_])", re.MULTILINE)


def dialogue_speakers(text: str) -> list[tuple[int, int]]:
    """The speakers' names of a dialogue or chat transcript written one turn a line ("carsten:
    what a wife.\\namber: remember me, edward?"): the word before the colon that starts a line
    and a spoken line (a letter, not a digit, after it: "Datum: 12.03." is a field), when at least
    two such lines start with a listed first name no lexicon knows ("carsten", "kristin"). Then
    every listed first name in that place is a speaker, also one that is an ordinary word
    ("amber", "Rose"): script and chat layout put only a speaker there. Cue, stop and greeting
    words, months and chat roles (:data:`CHAT_ROLES`) are labels or greetings ("note:", "hi:",
    "Visitor:"), never speakers."""
    first = name_lists()[0]
    cues = _cues() | greeting_words() | stop_words() | CHAT_ROLES
    speakers = [m.span(1) for m in _SPEAKER.finditer(text) if (w := m.group(1)).casefold() in first and w.casefold() not in cues and not _calendar_word(w)]
    unknown = sum(not in_lexicon(text[a:b]) and not is_ordinary_word(text[a:b]) for a, b in speakers)
    return speakers if unknown >= 2 else []


def field_label(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` starts its line before a colon and is a field's label, not
    a speaker's name ("Vinka: What a wife.", "Tom: ok"): a word of the lexicon ("Date :", also
    with its complement: "Date of birth:") or a word before a value that starts with a digit
    ("Geburtsdatum: 12.03.1980") or is a code of letters and digits ("Eircode: A67 X2P4"), and no
    listed first name. A chat role before its colon ("Visitor:", "Agent (Chloe):") is a label too."""
    if text[start:end].casefold() in CHAT_ROLES and re.match(r"[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?:", text[end : end + 50]):
        return True  # "[10:02] Visitor:", "Agent (Chloe):": a transcript's role label
    colon = re.match(r"(?:[ \t]+(?:of|de|du|des|di|del|van|der)[ \t]+[a-zà-ÿ]+)?[ \t]?:[ \t]*", text[end : end + 30])
    if colon is None or text[start:end].casefold() in name_lists()[0]:
        return False
    code = re.match(r"[A-Z0-9]*\d[A-Z0-9]*|[A-Z]+\d[A-Z0-9]*", text[end + colon.end() : end + colon.end() + 20])
    if code and code.group(0)[:1].isalpha() and not colon.group(0).strip(" \t:"):
        return True  # "…, Eircode: A67 X2P4": a label before a code of capitals and digits, also inside a sentence
    if not line_or_sentence_start(text, start):
        return False
    if colon.group(0).strip(" \t:"):
        return in_lexicon(text[start:end])  # "Date of birth:", "Lieu de naissance :": a label of several words
    return text[end + colon.end() : end + colon.end() + 1].isdigit() or in_lexicon(text[start:end])
