"""A found name grows over the rest of the name it cuts (:func:`grow_names`, run by
:mod:`agent.redaction` on the analyzer's results): initials, particles, hyphenated and
neighbouring name words, nicknames (:func:`nickname_before`), a lower-case surname
(:func:`lower_surname`), the surname on a signature line (:func:`signature_surname_end`) and a
common first name on a name line of its own (:func:`common_first_name_line`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.pii.name_context import inside_address, lower_case_word_not_name, word_used_as_word
from agent.pii.name_places import FINANCIAL_PRODUCT_WORDS, WORLD_REGIONS, place_or_product_around
from agent.pii.name_words import (
    _ARTICLES_BEFORE_NOUN,
    _INNER_CAPITAL,
    _NAME_PREFIX,
    _WORD,
    CAPITALISED_NAMES_ONLY,
    COMMON,
    PARTICLES,
    TITLE_INITIALS,
    _calendar_word,
    _cues,
    greeting_words,
    name_lists,
    relation_words,
)
from agent.pii.sentences import line_or_sentence_start
from agent.pii.words import ENGLISH_MODEL, english_parts_of_speech, in_lexicon, is_ordinary_word, stop_words

_SIGNATURE_SURNAME = re.compile(r"[ \t]{1,2}([A-ZÀ-Þ][a-zß-ÿ'’]+(?:-[A-ZÀ-Þ][a-zß-ÿ'’]+)?)(?=[ \t.]*(?:\n|\Z))")


@lru_cache(maxsize=1)
def _signature_patterns() -> tuple[re.Pattern, re.Pattern]:
    from agent.pii.cues import MESSAGE_END, SIGNOFFS

    return re.compile(MESSAGE_END), re.compile(rf"(?:[^\n]*[.!?,][ \t]+)?[ \t]*(?i:{SIGNOFFS})[,!.]?[ \t]+")


def signature_surname_end(text: str, start: int, end: int, first: frozenset[str], last: frozenset[str]) -> int | None:
    """The end of the surname after a capitalised listed first name ``text[start:end]`` on the
    signature line, or None: the first name opens its line, or follows a sign-off on it
    ("Freundliche Grüße Jeannette Bien"), one capitalised listed surname follows and ends the
    line, and nothing but what may follow a writer's name comes after it
    (:data:`agent.pii.recognisers.MESSAGE_END`). A surname that is also a word or a cue ("Day",
    "Bien") is the surname there: a signature line is the writer's name."""
    word = text[start:end]
    if not (_WORD.fullmatch(word) and word[:1].isupper() and not word.isupper() and word.casefold() in first):
        return None
    m = _SIGNATURE_SURNAME.match(text, end)
    if m is None or m.group(1).casefold() not in last:
        return None
    message_end, signoff = _signature_patterns()
    if not message_end.match(text, m.end(1)):
        return None
    prefix = text[text.rfind("\n", 0, start) + 1 : start]
    if prefix.strip(" \t-–—>*•") and not signoff.fullmatch(prefix):
        return None
    return m.end(1)


# Particles of names in the languages of the firm's mail and of its clients' names: Dutch, German,
# Romance, Irish ("Ó Briain", "Ní Dhuibhir", "Mac"), Arabic ("bin", "ibn", "al", "abu"), Hebrew "ben".
# Italian "Lo", "Li" of southern surnames ("Lo Bianco", "Li Causi": the article before the surname).
# A capitalised two-letter word after a given name, then punctuation or the line's end ("Kevin Le,"):
# no particle ends a name (particles stand before the surname), so it is the surname: the Vietnamese
# Lê, Lý, Đỗ written without their diacritics, the Chinese Li, Lo.
_END_PARTICLE = re.compile(r"[ \t]([A-ZÀ-Þ][a-zà-ÿ])(?=[ \t]*(?:[,;:.!?)]|\r?\n|\Z))")
GROW_PARTICLES = PARTICLES | frozenset("ó o ní nic ua mac mc ibn abu ben binti bint dos das des dei degli ap lo li".split())

GROW_MAX_WORDS = 3  # words added on each side of a found name: "K. V." + "Ramachandran", "Li Wei" + "Chen"
_GROW_WORD = r"[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_])|\.)*"  # "K.", "O'Neill", "Al-Mansouri"
_NICKNAME = r"[(\"“„'‘][^\W\d_]+[)\"”“'’]"  # "(Truus)", "\"Nacho\"": a nickname inside a name
_ELIDED_ARTICLE = r"['’]t(?![\w'’])"  # Dutch "van 't" (the article "het" elided: "Van 't Hof", Dutch name convention)
_BEFORE = re.compile(rf"(?<![\w'’.-])({_GROW_WORD}|{_ELIDED_ARTICLE}|{_NICKNAME})([ \t]{{1,2}})$")
_AFTER = re.compile(rf"([ \t]{{1,2}})({_ELIDED_ARTICLE}|{_GROW_WORD}|{_NICKNAME})")  # used with .match(text, pos)
_HYPHEN_PART = re.compile(r"-[^\W\d_]{2,}")  # used with .match(text, pos)
# Dutch and German surname particles written after the surname, where the name ends (before a
# comma, a full stop, a bracket or the line's end): alphabetical lists sort on the surname and put
# the particle behind it ("Dussen, G. van", "Dussen van, Gitta"; Taaladvies.net on surnames with
# tussenvoegsels in alphabetical lists), and presidio-research's
# Faker names write "first, middle initial, surname, particle". Only after a listed surname and
# only particles that end no clause of their own (not German "zu": "Herr Müller hört zu"); a
# Dutch "daar ... van" split after a surname ("Daar weet Jansen van") masks one word too many.
_TRAILING_PARTICLE = re.compile(r"[ \t]((?:van|von)(?:[ \t](?:der|den|dem|de|het))?|ter|ten)(?=[ \t]*(?:[,;:.!?)]|\n|\Z))")  # used with .match(text, pos)


# Surnames that are also English (or, "allen", Dutch) words, kept out of names on their own (:data:`COMMON`, the cue
# words): the commonest English surnames of this kind (the US Census 2010 and ONS surname lists' top 100: occupations,
# colours, places), taken as a name only right after a listed first name, capitalised: "Thomas Smith", "Ruben Carter".
SURNAMES_ALSO_WORDS = frozenset(
    """smith carter taylor baker miller cook porter turner parker walker mason tucker young white black brown green gray
    grey bell hall wood stone hill king price hunter nelson allen long rich reed lane brooks ward fisher cooper""".split()
)


def grow_names(text: str, spans: list, language: str, lexicon_languages: tuple[str, ...] = ("en", "fr")) -> list:
    """``spans`` (:class:`agent.redaction.PiiSpan`) with each PERSON span grown over the rest of
    the name it cuts, on the same line: initials before it ("K. V." of "K. V. Ramachandran", "N."
    of "N. Girard"), particles ("A. de Vries", "Ciarán Ó Briain"), a hyphenated second surname
    ("de Vries" + "-Bakker"), and neighbouring capitalised words that are name words: a listed
    first name or surname, or, in a language whose lexicon is installed (English, French), a
    word no lexicon knows ("Li Wei" before "Chen", "Faisal" before "Al-Mansouri"), or in Spanish,
    Italian and Dutch (nouns in lower case) any capitalised word inside a sentence ("Urrutia
    Goikoetxea"); nicknames in brackets or quotes inside the name ("G.H.M. (Truus) van den Bosch",
    "José Ignacio \"Nacho\" Urrutia"). At most
    :data:`GROW_MAX_WORDS` words each side; a particle or an initial is kept only when a name word
    or the found name follows it. Cue words (titles, greetings, sign-offs, labels), relations
    ("Mann", "Tochter": :func:`relation_words`), stop words and
    :data:`COMMON` words stop the growth ("Dear", "Mrs", "Regards", "Will"). A one-word span in
    lower case that the text also writes capitalised, outside a name position, is dropped
    (:func:`lower_case_word_not_name`: "mark" where "Mark Doyle" signs), a span inside an e-mail
    address or a URL (:func:`inside_address`), and a one-word span
    used as a word where it stands (:func:`word_used_as_word`: "Hope you are well", "my
    Mercedes"), unless it is a name known before analysis (recogniser ``Seed``: headers, CRM).

    Why (issue 10): on client mail written for the evaluation set (``written_samples_3``, train
    split) a third of the PERSON misses were names masked only in part: the NER or a pattern
    found one word of a name it does not know whole, and the rest reached the model. The parts
    are masked as one value, so the draft reads the whole name when it is restored."""
    from dataclasses import replace

    from agent.pii.cues import _stop_words

    first, last = name_lists()
    cues = _cues()
    stops = _stop_words(language)
    kin = relation_words()
    lexicon = language in lexicon_languages

    def kind(word: str, at: int) -> str | None:
        if re.fullmatch(_ELIDED_ARTICLE, word):
            return "particle"  # "Pieter van 't Veld"
        if word[:1] in "(\"“„'‘":
            inner = word[1:-1]
            return "name" if inner[:1].isupper() and kind(inner, at + 1) in ("name", None) and inner.casefold() not in cues and inner.casefold() not in stops else None
        bare = word.rstrip(".")
        f = bare.casefold()
        if f in GROW_PARTICLES and (word[:1].islower() or len(f) <= 2 or f in ("mac", "ibn", "abu", "bin", "ben")):
            return "particle"
        if re.fullmatch(r"[A-ZÀ-Þ]\.?|(?:[A-ZÀ-Þ]\.){2,4}|[A-ZÀ-Þ]\.-[A-ZÀ-Þ]\.", word) and f not in TITLE_INITIALS:
            return "initial"  # "K.", "G.H.M.", French "J.-P." (Jean-Pierre: the hyphen of a compound given name kept, Lexique des règles typographiques)
        if word.isupper() and capitals and len(f) >= 2:
            word = bare = word.title()  # a name in capitals ("SALVATORE LO BIANCO"): its words read as written in title case
        if at >= s.end and f in SURNAMES_ALSO_WORDS and word[:1].isupper() and s.value.split()[-1].casefold() in first and f in last:
            return "name"  # right after a listed first name, a surname that is also a word: "Thomas Smith", "Eric Allen"
        if (
            at < s.start
            and f in COMMON
            and f in first
            and word[:1].isupper()
            and not word.isupper()
            and len(s.value.split()) == 1
            and s.value.casefold() in last
            and not line_or_sentence_start(text, at)
        ):
            return "name"  # right before a listed surname found alone, a first name that is also a word: "Violet Lyon", "Carolina Álamo"
        if f in cues or f in kin or (("." in bare) and bare.split(".")[0].casefold() in cues):
            return None  # a relation ("Mein Mann Peter": "Mann" is also a surname), a title ("M. Dupont": Monsieur, "Dr. Weiss", "Sig.ra"), a greeting, a label
        if not word[:1].isupper() or len(f) < 2 or f in cues or f in COMMON or f in stops or word.isupper():
            return None
        if re.search(r"['’](?![A-ZÀ-Þ])", bare):
            return None  # "I'm", "Don't" (O'Neill, D'Souza are names)
        if f in WORLD_REGIONS:
            return None  # "Europe", "America": a continent
        if f in FINANCIAL_PRODUCT_WORDS:
            return None  # "Clara" + "Savings Plan": a product's name ends there
        if f in first or f in last:
            return "name"
        if lexicon and not is_ordinary_word(bare) and not _INNER_CAPITAL.search(bare[1:]) or _NAME_PREFIX.match(bare):
            return "name"
        if language == "en" and english_parts_of_speech(bare) == frozenset({"noun"}) and not line_or_sentence_start(text, at):
            return "name"  # WordNet lists many names as nouns ("Wei", "Faisal"); a capitalised noun inside a sentence next to a name is one
        if language in CAPITALISED_NAMES_ONLY and not line_or_sentence_start(text, at) and not is_ordinary_word(bare):
            return "name"  # Spanish, Italian, Dutch write only names capitalised inside a sentence ("Urrutia Goikoetxea")
        if language in CAPITALISED_NAMES_ONLY and at >= s.end and not line_or_sentence_start(text, at) and f not in stop_words() and english_parts_of_speech(bare) == frozenset({"noun"}):
            # after the found name (the surname follows the given name), the English lexicon's nouns are no words of
            # Italian, Spanish or Dutch text: "Colombo" (a city), "Cappelletti" (a pasta); not "Pizza" before "Margherita"
            return "name"
        return None

    out = []
    for s in spans:
        if s.entity != "PERSON":
            out.append(s)
            continue
        capitals = s.value.isupper() and len(s.value) >= 3  # a name written in capitals grows over words in capitals
        if inside_address(text, s.start, s.end):
            continue  # "tom" of "tom.whitworth@btinternet.com": the e-mail address is masked (or allowed) whole
        if s.recogniser != "Seed" and place_or_product_around(text, s.start, s.end, language):
            continue  # "l'agence de Lyon", "Via Roma", "la Cuenta Valentina": a place's or a product's name
        if s.recogniser != "Seed" and (lower_case_word_not_name(text, s.start, s.end, language) or word_used_as_word(text, s.start, s.end, language)):
            continue  # "can you mark the form" where "Mark Doyle" signs: a word, not the name (a known name stays)
        a, b = s.start, s.end
        if a > 0 and b < len(text) and text[a - 1] in "(\"“„'‘" and text[b] in ")\"”“'’":
            a, b = a - 1, b + 1  # a nickname found alone: "(Joke)" between the initials and the surname
        m = _BEFORE.search(text, max(0, a - 40), a)
        if m is not None and common_first_name_line(text, m.start(1), m.end(1), b, first, cues):
            a = m.start(1)  # "Will O'Dwyer", "Sue Brennan" on a line of their own
        pending = a
        taken = 0
        for _ in range(2 * GROW_MAX_WORDS):  # leftwards: only what a name word or the name itself follows
            m = _BEFORE.search(text, max(0, pending - 120), pending)  # a window: the word just before the span
            if m is None or taken == GROW_MAX_WORDS:
                break
            k = kind(m.group(1), m.start(1))
            if k is None:
                break
            taken += k != "particle"  # particles do not count: "(Truus) van den" + "Bosch"
            pending = m.start(1)
            if k != "particle" or _capitalised_line_start(text, m.start(1)):  # a particle only with a name word or an initial before it
                a = pending  # ("A. de Vries", not "pago de Marta"), or capitalised at its line's start: the first name "Al", the surname's "Van"
        hyphen = _HYPHEN_PART.match(text, b)
        if hyphen and text[b + 1 : b + 2].isupper():
            b = hyphen.end()
        pending = b
        taken = 0
        for _ in range(2 * GROW_MAX_WORDS):  # rightwards: particles and initials only before a name word
            m = _AFTER.match(text, pending)
            if m is None or taken == GROW_MAX_WORDS:
                break
            k = kind(m.group(2), m.start(2))
            if k is None:
                break
            taken += k != "particle"
            pending = m.end()
            if k == "name":
                b = pending - 1 if text[pending - 1] == "." else pending  # "... Wei Chen." ends the sentence
        end_particle = _END_PARTICLE.match(text, b)
        if end_particle is not None and end_particle.group(1).casefold() in GROW_PARTICLES and (_WORD.findall(text[a:b]) or [""])[-1].casefold() in first:
            b = end_particle.end(1)  # "Kevin Le, 0491 …": after a given name, a capitalised particle that ends the name is the surname (Lê, Lý, Đỗ)
        trailing = _TRAILING_PARTICLE.match(text, b)
        if trailing is not None and (_WORD.findall(text[a:b]) or [""])[-1].casefold() in last:
            b = trailing.end(1)  # "Gitta R Dussen van,": the tussenvoegsel after the surname, as alphabetical lists write it
        if b == s.end:
            b = signature_surname_end(text, a, b, first, last) or b  # "Thanks,\nCarol Day": the signature line's surname
        article = re.search(r"(?<![\w])([^\W\d_]+)[ \t]+$", text[max(0, a - 12) : a])  # "el pastor alemán": a noun phrase
        if text[a:b].islower() and b == s.end and not (article and article.group(1) in _ARTICLES_BEFORE_NOUN):  # "mrs grace o'brien-hartley": a lower-case surname after a lower-case name
            m = _AFTER.match(text, b)
            if m is not None and lower_surname(m.group(2), language, lexicon, first, last, cues | stops | kin):
                b = m.end(2)
        if (a, b) == (s.start - 1, s.end + 1) and text[a] in "(\"“„'‘":
            a, b = s.start, s.end  # a bracketed word nothing was added to keeps its own edges
        out.append(s if (a, b) == (s.start, s.end) else replace(s, start=a, end=b, value=text[a:b]))
        nick = nickname_before(text, a, b, language, cues | stops | kin)
        if nick is not None:
            out.append(replace(s, start=nick[0], end=nick[1], value=text[nick[0] : nick[1]]))
    return out


_BEFORE_BRACKET = re.compile(r"(?<![\w'’-])([^\W\d_]{3,8})[ \t]+\($")


def nickname_before(text: str, start: int, end: int, language: str, stop: set[str] | frozenset[str]) -> tuple[int, int] | None:
    """The span of a nickname written before the full name in brackets ("the builder gaz (gary
    pritchard, …)", "Baz (Barry Quinn)"): one word of three to eight letters right before "(" and
    the name, that shares its first two letters with the name's first word (a hypocorism keeps
    the first syllable of the name: Gary → Gaz, Barry → Baz, Sharon → Shaz; Wikipedia,
    "Hypocorism") and is neither the name itself, a stop, cue or common word, nor (English) a
    word of the lexicon ("garage (gary smith)"). None when there is no such word."""
    if text[start - 1 : start] != "(":
        return None
    m = _BEFORE_BRACKET.search(text, max(0, start - 20), start)
    if m is None:
        return None
    word, first = m.group(1), _WORD.match(text, start)
    f = word.casefold()
    name = first.group(0).casefold() if first else ""
    if f == name or name[:2] != f[:2] or f in stop or f in COMMON or f in _cues():
        return None
    if language == "en" and in_lexicon(word, (ENGLISH_MODEL,)):
        return None
    return m.start(1), m.end(1)


def _capitalised_line_start(text: str, at: int) -> bool:
    """The word at ``at`` is capitalised and starts its line (spaces before it only): "Al" of a
    signature line "Al Whitcombe" (Al, short for Alan or Albert), "Van" of "Van Dijk"."""
    line_start = text.rfind("\n", 0, at) + 1
    return text[at : at + 1].isupper() and not text[line_start:at].strip()


_LOWER_NAME_WORD = re.compile(r"[a-zß-öø-ÿ]{2,}(?:['’-][a-zß-öø-ÿ]{2,}){0,2}|[od]['’][a-zß-öø-ÿ]{2,}(?:-[a-zß-öø-ÿ]{2,})?")


def lower_surname(word: str, language: str, lexicon: bool, first: frozenset[str], last: frozenset[str], stop: set[str] | frozenset[str]) -> bool:
    """True for a lower-case word that can be the surname after a lower-case name the detectors
    found ("grace" + "o'brien-hartley", "dale" + "kowalski"): letters with inner apostrophes or
    hyphens, no stop, cue or common word, and a listed surname or, where a lexicon is installed
    (English, French), a word no lexicon knows. Why (issue 10, new-user trial): "mrs grace
    o'brien-hartley" masked "grace" and sent the surname."""
    w = word.rstrip(".,;:!?")
    f = w.casefold()
    if not _LOWER_NAME_WORD.fullmatch(w) or f in stop or f in COMMON:
        return False
    if f in last or any(p in last for p in re.split(r"['’-]", f) if len(p) > 2):
        return True
    return lexicon and not is_ordinary_word(w) and not any(is_ordinary_word(p) for p in re.split(r"-", f) if p)


def common_first_name_line(text: str, start: int, end: int, name_end: int, first: frozenset[str], cues: frozenset[str]) -> bool:
    """True when ``text[start:end]`` is a capitalised listed first name that is also a common word
    (:data:`COMMON` or a stop word: "Will", "Sue", "Mark") starting its line, and the name found
    after it ends that line ("Will O'Dwyer", "Sue Brennan" as a signature line): a line of a
    first name and a surname alone is a name line, whatever else the first word may mean."""
    word = text[start:end]
    f = word.casefold()
    if not (word[:1].isupper() and f in first and f not in cues and f not in greeting_words()) or _calendar_word(word):
        return False
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", name_end)
    return not text[lo:start].strip(" \t-–—>*•") and not text[name_end : len(text) if hi < 0 else hi].strip(" \t.,")
