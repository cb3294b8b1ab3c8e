"""Person names the NER misses, found with a name list (:class:`GazetteerNameRecognizer`):
foreign, lower-case, or without a cue. The lists are :func:`agent.pii.name_words.name_lists`.

A match needs more than a listed word (a listed word alone is often an ordinary word: "Will",
"May", "Grace"):

- ``First Last``: a listed first name, capitalised, followed on the same line by a capitalised
  word that is not a stop word (score 0.6); with a tagger (en, fr), one of the two must be
  tagged PROPN.
- ``first last`` in lower case: both in the lists, neither a stop word (0.5).
- a capitalised first name alone (0.5): with a tagger, tagged PROPN, NOUN or X (the small
  English model tags unknown names at the start of a sentence as NOUN); a listed surname alone
  only when tagged PROPN.
- an initial may stand between the two words ("Sari J. Paavolainen"), then also before a listed
  surname that is a common word ("Amanda G Cook");
- initials before a listed surname ("J. Jansen", "K. V. Ramachandran", 0.55);
- lower case: a name line of a first name no lexicon knows and a listed surname ("pamela
  green"), a dialogue's speakers (:func:`agent.pii.name_context.dialogue_speakers`), a
  possessive ("jennifer's") and, in a text written all in lower case, a verb's object ("had
  given sheree his address"), or the subject at a sentence start that the lexicon knows only as
  a noun and the tagger calls a proper noun ("joshua is very reliable");
- a common word as a lower-case first name before a listed surname no lexicon knows ("dale
  kowalski", 0.5).

Ordinary words that are also common first names are never matched alone
(:data:`agent.pii.name_words.COMMON`). Also here: :func:`person_result`, the PERSON result the
name recognisers return.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from agent.pii.address_words import country_names
from agent.pii.name_context import _POSSESSIVE_BEFORE, dialogue_speakers, field_label, writes_capitals
from agent.pii.name_places import PRODUCT_WORDS, WORLD_REGIONS, product_name
from agent.pii.name_words import (
    _ARTICLES_BEFORE_NOUN,
    _DEPARTMENTS,
    _DETERMINERS,
    _INNER_CAPITAL,
    _NAME_PREFIX,
    _ORG_WORDS,
    _WORD,
    CAPITALISED_NAMES_ONLY,
    COMMON,
    PARTICLES,
    ROLE_NOUNS,
    TITLE_INITIALS,
    _calendar_word,
    _cues,
    greeting_words,
    name_lists,
    relation_words,
)
from agent.pii.sentences import line_or_sentence_start
from agent.pii.words import (
    ENGLISH_MODEL,
    LEXICON_MODELS,
    english_parts_of_speech,
    in_lexicon,
    is_ordinary_word,
)

UNKNOWN_SCORE = 0.4  # a capitalised word no lexicon or name list knows: above the 0.35 threshold, below every cue

_INITIAL_BEFORE = re.compile(r"(?<![\w.])((?:[A-ZÀ-Þ]\.[ \t]?){1,3})[ \t]?$")  # "J. ", "K. V. ", "K.V. "
# one lower-case initial with its full stop, not the end of an abbreviation ("e.g. smith", "approx. hill"): "j. hartley"
_LOWER_INITIAL_BEFORE = re.compile(r"(?<![\w.])([a-zß-ÿ]\.[ \t])$")


def _title_case_line(text: str, at: int) -> bool:
    """True when the word at ``at`` stands in Title Case: on a line of three or more words, all
    capitalised, one of them an ordinary word ("Project Aurora Client Onboarding"), or in a
    clause (between punctuation) with two capitalised ordinary words after its first word
    ("Service Excellence Ltd.")."""
    lo = text.rfind("\n", 0, at) + 1
    hi = text.find("\n", at)
    line = text[lo : hi if hi >= 0 else len(text)]
    words = _WORD.findall(line)
    if len(words) >= 3 and all(w[0].isupper() for w in words) and any(is_ordinary_word(w, english_only=True) for w in words):
        return True
    rel = at - lo
    starts = [m.end() for m in re.finditer(r"[,;.!?:\"“”()]", line[:rel])]
    end = re.search(r"[,;.!?:\"“”()]", line[rel:])
    clause = _WORD.findall(line[(starts[-1] if starts else 0) : rel + end.start() if end else len(line)])
    return sum(1 for w in clause[1:] if w[0].isupper() and not w.isupper() and is_ordinary_word(w, english_only=True)) >= 2


def _name_like_org(ent) -> bool:
    """An NER organisation none of whose words is an English word or a company suffix
    ("Bekbolat Musliyevich", "Vsevolod"): the small model often calls an unknown person that."""
    words = [t.text for t in ent if t.text[:1].isalpha()]
    return ent.label_ == "ORG" and bool(words) and not any(is_ordinary_word(w, english_only=True) or w.casefold().strip(".") in _ORG_WORDS for w in words)


def _org_part(ent) -> tuple[int, int]:
    """The characters of an NER entity that name the organisation: after "of" / "at" / "from"
    when the small model took a person along ("Vidica Zakoč of Fernandez Inc.")."""
    if ent.label_ == "ORG":
        for t in ent[1:]:
            if t.lower_ in ("of", "at", "from", "bei", "von", "de", "chez", "di", "van"):
                return t.idx, ent.end_char
    return ent.start_char, ent.end_char


def person_result(recogniser: EntityRecognizer, a: int, b: int, score: float, rule: str) -> RecognizerResult:
    """A PERSON result of ``recogniser`` for ``text[a:b]``, explained by the name of its ``rule``."""
    return RecognizerResult(
        "PERSON",
        a,
        b,
        score,
        analysis_explanation=AnalysisExplanation(recognizer=recogniser.name, original_score=score, pattern_name=rule),
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: recogniser.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recogniser.id},
    )


_NER_AMOUNTS = frozenset("DATE TIME CARDINAL ORDINAL MONEY QUANTITY PERCENT".split())
_NER_PLACES = frozenset("GPE LOC FAC ORG PRODUCT".split())
# A place word or a possessive right before a word: "in Aberaeron", "moved from Wrocław", "à Oran", "my Mercedes".
_PLACE_OR_OWNER_BEFORE = re.compile(
    r"(?<![\w])(?i:in|near|outside|à|au|(?:moved|relocated|back|emigrated|returned|born|based|living|lives|lived)[ \t]+(?:to|from|in)|"
    r"my|our|your|their|mon|ma|notre|votre)[ \t]+$"
)


class GazetteerNameRecognizer(EntityRecognizer):
    """PERSON from the name lists, under the rules of the module docstring."""

    def __init__(self, language: str, stop_words: frozenset[str]):
        self.stop_words = stop_words
        super().__init__(supported_entities=["PERSON"], name="NameListRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102 - build the lists at start, not on the first message
        name_lists()

    def _result(self, a: int, b: int, score: float, rule: str) -> RecognizerResult:
        return person_result(self, a, b, score, rule)

    def _unknown_names(self, text: str, words: list[tuple[int, int, str]], pos: dict[int, str], doc, ok) -> list[RecognizerResult]:
        """English text with a tagger: capitalised words the English lexicon does not know, tagged
        PROPN and outside the NER's organisations, places and other non-person entities
        ("Vsevolod is very reliable", "Vidica Zakoč of Fernandez Inc."), adjacent ones joined
        (0.4), except before a colon at the start of a line (a label: "Geburtsdatum:"), after an
        article before another capitalised word or a number (a product:
        "the Turbo Box 500") and in an NER place or organisation after a place word or a
        possessive ("in Aberaeron", "my Samsung"); and a lower-case listed first name that is no English word, with a following
        lower-case word that is no English word either ("eva kleist", 0.45)."""
        first, last = name_lists()
        cues = _cues()
        other = [_org_part(e) for e in getattr(doc, "ents", ()) if e.label_ not in ("PERSON", "PER") and not _name_like_org(e)]
        entities = [(e.start_char, e.end_char) for e in getattr(doc, "ents", ()) if e.label_ in _NER_PLACES]
        out: list[RecognizerResult] = []

        def capitalised_neighbour(k: int) -> bool:
            a, b, _ = words[k]
            before = k > 0 and words[k - 1][2][:1].isupper() and re.fullmatch(r"[ \t]{1,2}", text[words[k - 1][1] : a])
            after = k + 1 < len(words) and words[k + 1][2][:1].isupper() and re.fullmatch(r"[ \t]{1,2}", text[b : words[k + 1][0]])
            return bool(before or after)

        def rare_noun_as_name(k: int, tag: str | None) -> bool:
            """A lexicon word that the lexicon knows only as a noun, capitalised inside a sentence
            with no capitalised word next to it, tagged PROPN ("Why is Glyceria so impulsive?"):
            English writes such a noun in lower case unless it names someone or something."""
            a, b, w = words[k]
            return (
                tag == "PROPN"
                and len(w) >= 4  # "Feb", "Sec"
                and not re.match(r"[ \t]*\d", text[b : b + 4])  # "Feb 07", "Section 5": a date or a reference
                and not line_or_sentence_start(text, a)
                and not w.isupper()
                and w.casefold() not in self.stop_words
                and w.casefold() not in _DEPARTMENTS
                and english_parts_of_speech(w) == frozenset({"noun"})
                and not capitalised_neighbour(k)
                and not (k > 0 and words[k - 1][2].casefold() in _DETERMINERS)  # "the University of ...": a thing
                and not (k + 1 < len(words) and words[k + 1][2].casefold() in ("of", "for"))
            )

        def unknown(k: int) -> bool:
            a, b, w = words[k]
            tag = pos.get(a)
            if len(w) < 3 or w.isupper() or not w[0].isupper() or not (tag == "PROPN" or (tag == "NOUN" and line_or_sentence_start(text, a))):
                return False  # the tagger calls an unknown name at a sentence start a noun ("Vsevolod is very reliable")
            if not ok(w) or w.casefold() in cues or w.casefold().strip(".") in _ORG_WORDS:
                return False
            if (in_lexicon(w, (ENGLISH_MODEL,)) or is_ordinary_word(w, english_only=True)) and not rare_noun_as_name(k, tag):
                return False
            if re.search(r"['’](?![A-Z])", w) or (_INNER_CAPITAL.search(w) and not _NAME_PREFIX.match(w)):
                return False  # "C'mon", "MockService", "JavaScript" (O'Brien, McDonald, LeBlanc are names)
            if _title_case_line(text, a):
                return False  # "Project Aurora Client Onboarding": capitals say nothing there
            if text[a - 1 : a] in ("@", ".", "/", "\\", "#", "_") or text[b : b + 1] in ("@", "/", "_") or re.match(r"\.\w", text[b : b + 2]):
                return False  # part of an address, a file or a handle
            if field_label(text, a, b):
                return False  # "Geburtsdatum: 12.03.1980": a field label
            if k > 0 and words[k - 1][2].casefold() in _DETERMINERS and re.match(r"[ \t]{1,2}[A-ZÀ-Þ\d]", text[b : b + 3]):
                return False  # "the Turbo Box 500", "our Aurora Plus plan": a product's name, English puts no article before a person's
            if any(x <= a < y for x, y in entities) and _PLACE_OR_OWNER_BEFORE.search(text, max(0, a - 40), a):
                return False  # "in Aberaeron", "from Wrocław", "my Samsung": an NER place or organisation after a place word or a possessive
            return not any(x <= a < y for x, y in other)

        k = 0
        while k < len(words):
            a, b, w = words[k]
            if unknown(k):
                end = k
                while end + 1 < len(words) and re.fullmatch(r"[ \t]", text[words[end][1] : words[end + 1][0]]) and unknown(end + 1):
                    end += 1
                out.append(self._result(a, words[end][1], UNKNOWN_SCORE, "capitalised word no lexicon knows, tagged PROPN"))
                k = end + 1
                continue
            possessive = re.search(r"['’]s$", w)
            if possessive and w.islower() and w[: possessive.start()] in first:
                w, b = w[: possessive.start()], a + possessive.start()  # "here's jennifer's address": the name before the English possessive
            f = w.casefold()
            if w.islower() and f in first and len(f) >= 4 and ok(w) and not in_lexicon(w, (ENGLISH_MODEL,)) and not is_ordinary_word(w, english_only=True) and f not in cues:
                nxt = words[k + 1] if k + 1 < len(words) else None
                if nxt and nxt[2].islower() and re.fullmatch(r"[ \t]", text[b : nxt[0]]) and len(nxt[2]) >= 3 and ok(nxt[2]) and not is_ordinary_word(nxt[2], english_only=True):
                    out.append(self._result(a, nxt[1], 0.45, "lower-case listed first name + unknown word"))
                    k += 2
                    continue
                if pos.get(a) == "PROPN":
                    out.append(self._result(a, b, UNKNOWN_SCORE, "lower-case listed first name tagged PROPN"))
                elif nxt and line_or_sentence_start(text, a, "\n.!?") and pos.get(nxt[0]) in ("VERB", "AUX") and re.fullmatch(r"[ \t]", text[b : nxt[0]]) and not writes_capitals(text):
                    # the subject of a sentence in a text written all in lower case ("joshua is very reliable")
                    out.append(self._result(a, b, UNKNOWN_SCORE, "lower-case listed first name before a verb"))
                elif k > 0 and pos.get(words[k - 1][0]) == "VERB" and re.fullmatch(r"[ \t]", text[words[k - 1][1] : a]) and not writes_capitals(text):
                    # the object of a verb in a text written all in lower case ("seth had given sheree his
                    # address", "i told kristin"): the tagger takes a name it does not know there for a verb
                    # or a noun; a word no lexicon knows right after a verb is its object, a person
                    out.append(self._result(a, b, UNKNOWN_SCORE, "lower-case listed first name after a verb"))
            elif (
                w.islower()
                and f in first
                and f not in COMMON
                and len(f) >= 4
                and ok(w)
                and f not in cues
                and f not in ROLE_NOUNS
                and f not in relation_words()
                and pos.get(a) == "PROPN"
                and english_parts_of_speech(w) == frozenset({"noun"})
                and k + 1 < len(words)
                and pos.get(words[k + 1][0]) in ("VERB", "AUX")
                and re.fullmatch(r"[ \t]", text[b : words[k + 1][0]])
                and line_or_sentence_start(text, a, "\n.!?")
                and not writes_capitals(text)
            ):
                # the subject of a sentence in lower-case mail, a first name the lexicon holds only as
                # the noun of a person of scripture or history ("joshua is very reliable", "seth had
                # given"): the tagger calls it a proper noun, as it calls "faith is", "heather is"
                # common ones; words that are also everyday nouns are in COMMON
                out.append(self._result(a, b, UNKNOWN_SCORE, "lower-case listed first name tagged PROPN before a verb"))
            k += 1
        return out

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """PERSON results for listed names (see the module docstring for the rules)."""
        first, last = name_lists()
        doc = getattr(nlp_artifacts, "tokens", None)
        pos: dict[int, str] = {}
        if doc is not None and doc.has_annotation("POS"):
            from spacy.attrs import IDX, POS

            names = doc.vocab.strings
            pos = {int(i): names[int(p)] for i, p in doc.to_array([IDX, POS])}
        words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
        out: list[RecognizerResult] = []
        name_pos = ("PROPN", "NOUN", "X")
        cues_with_stop = {f"{c}." for c in TITLE_INITIALS}  # "M. Dupont": Monsieur

        greet = greeting_words()
        cues = _cues()
        letters = [c for c in text if c.isalpha()]
        capitals = len(letters) >= 40 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)  # a message written in capitals
        things = [(e.start_char, e.end_char, e.label_) for e in getattr(doc, "ents", ()) if e.label_ not in ("PERSON", "PER")]

        countries = country_names()

        def ok(w: str) -> bool:  # "North America": a continent, not the first name America; "from India", "to Kenya": countries
            f = w.casefold()
            return len(f) >= 2 and f not in self.stop_words and f not in COMMON and f not in greet and f not in WORLD_REGIONS and f not in countries

        def thing(i: int, a: int, b: int) -> bool:
            """A listed word that is a month next to a number ("3 Mar 2025"), a field label before a
            colon ("Geburtsdatum:"), an English word after an article ("the Spring one"), or that the
            NER puts inside a date ("the Summer bill"), or inside a place or an organisation after a
            place word or a possessive ("in Aberaeron", "à Oran", "my Mercedes")."""
            if _calendar_word(text[a:b]) and (re.search(r"\d[ \t.]*$", text[max(0, a - 4) : a]) or re.match(r"[ \t.]*\d", text[b : b + 4])):
                return True  # "3 Mar 2025": a month
            if field_label(text, a, b):
                return True  # "Geburtsdatum: 12.03.1980": a field label ("Tom: ok" in a chat is a name)
            prev = words[i - 1][2].casefold() if i else ""
            if self.supported_language == "en" and prev in _DETERMINERS and in_lexicon(text[a:b], (ENGLISH_MODEL,)):
                return True  # "the Spring one", "the House": English puts no article before a person's name
            for x, y, label in things:
                if x <= a and b <= y:
                    if label in _NER_AMOUNTS:
                        return True
                    if label in _NER_PLACES and _PLACE_OR_OWNER_BEFORE.search(text, max(0, a - 40), a):
                        return True
            return False

        def more(w: str) -> bool:  # a word joined to a listed name: not an ordinary word ("Aurora Design Review")
            return ok(w) and not is_ordinary_word(w, english_only=True)

        def gap(x: int, y: int) -> bool:
            return re.fullmatch(r"[ \t]{1,2}", text[x:y]) is not None

        def lower_name_line(i: int, j: int) -> bool:
            """A line that holds only a lower-case listed first name no lexicon knows and a listed
            surname that is also a common word ("pamela green", "amanda cook"): a signature's or an
            address block's name line (the addressee's name is an address's first line: UPU
            S42); the first name says the line is a name.
            Not a stop word, greeting, sign-off or month as the second word ("anna may")."""
            (a1, _, w1), (_, b2, w2) = words[i], words[j]
            f2 = w2.casefold()
            if j != i + 1 or len(w1) < 4 or is_ordinary_word(w1) or in_lexicon(w1) or f2 in self.stop_words or f2 in greet or _calendar_word(w2):
                return False
            lo, hi = text.rfind("\n", 0, a1) + 1, text.find("\n", b2)
            return not text[lo:a1].strip(" \t>*•-") and not text[b2 : len(text) if hi < 0 else hi].strip(" \t.,")

        def surname_after_initial(i: int, j: int) -> bool:
            """A listed first name, a middle initial, then a listed surname that is also a common
            word ("Amanda G Cook", "Elizabeth Q. Austin"): the initial between them makes the three
            a name (given name, middle initial, surname: the US order, and Faker's and presidio's
            ``first_name middle_initial last_name`` layout). "I" and "A" without a full stop are
            English words ("Anna I Love"), so only with one."""
            initial, w2 = words[j - 1][2], words[j][2]
            f2 = w2.casefold()
            if words[i][2].casefold() not in first or initial in ("I", "A") and text[words[j - 1][1] : words[j - 1][1] + 1] != ".":
                return False
            return len(f2) >= 3 and f2 in last and not w2.isupper() and f2 not in self.stop_words and f2 not in greet and f2 not in WORLD_REGIONS  # street words are surnames here ("Megan T Green")

        if pos and self.supported_language == "en":
            out += self._unknown_names(text, words, pos, doc, ok)
        out += [self._result(x, y, 0.5, "speaker's name in a dialogue") for x, y in dialogue_speakers(text)]
        i = 0
        while i < len(words):
            a, b, w = words[i]
            f = w.casefold()
            # a compound first name of two listed first names ("John-Paul", "Jean-Baptiste"), as French, Irish and English write them
            compound = f.count("-") == 1 and all(len(p) >= 3 and p in first for p in f.split("-"))
            listed_first, listed_last = f in first or compound, f in last
            initial = _INITIAL_BEFORE.search(text, 0, a) if listed_last and w[0].isupper() and not w.isupper() and ok(w) else None
            if initial is not None and initial.group(1).strip().casefold() in cues_with_stop:
                initial = None  # "M. Dupont": the French title, not an initial
            if initial is not None and len(f) >= 3:  # "t.n.v. J. Jansen", "K. V. Ramachandran": initials + listed surname
                out.append(self._result(initial.start(1), b, 0.55, "initials + listed surname"))
                i += 1
                continue
            lower_initial = _LOWER_INITIAL_BEFORE.search(text, max(0, a - 4), a) if w.islower() and listed_last and len(f) >= 4 else None
            if lower_initial is not None and ok(w) and not is_ordinary_word(w):  # "the previous tenant was a j. hartley": a lower-case initial + listed surname
                out.append(self._result(lower_initial.start(1), b, 0.5, "lower-case initial + listed surname"))
                i += 1
                continue
            if w.islower() and listed_first and f in COMMON and i + 1 < len(words) and gap(b, words[i + 1][0]):
                w2 = words[i + 1][2]  # "dale kowalski": a common word as first name, then a listed surname no lexicon knows
                lexicons = {"en": (ENGLISH_MODEL,), "fr": LEXICON_MODELS}.get(self.supported_language, ())
                if w2.islower() and w2 in last and w2 not in COMMON and not is_ordinary_word(w2) and len(w2) >= 4 and not (lexicons and in_lexicon(w2, lexicons)):
                    out.append(self._result(a, words[i + 1][1], 0.5, "lower-case first name + listed surname"))
                    i += 2
                    continue
            if i + 1 < len(words) and words[i + 1][2].casefold() in WORLD_REGIONS:
                i += 1  # "North America", "South Asia": a world region's name
                continue
            if f in relation_words() and _POSSESSIVE_BEFORE.search(text, max(0, a - 12), a):
                i += 1  # "Mein Mann Peter": the relation, then the name ("Mann" is also a surname)
                continue
            j = i - 1  # back over the capitalised words of the same name: "la tarifa Noche Verde"
            while j >= 0 and i - j <= 3 and words[j][2][:1].isupper() and gap(words[j][1], words[j + 1][0]) and words[j][2].casefold() not in PRODUCT_WORDS:
                j -= 1  # German capitalises the product word too: "den Tarif Sommer Spezial"
            if j >= 0 and words[j][2].casefold() in PRODUCT_WORDS and gap(words[j][1], words[j + 1][0]):
                i += 1  # "la tarifa Luz Amparo", "il piano Gioia Casa": a product's name
                continue
            if (
                not pos
                and self.supported_language in CAPITALISED_NAMES_ONLY
                and listed_first
                and f in COMMON
                and w[0].isupper()
                and not w.isupper()
                and f not in self.stop_words
                and f not in greet
                and not _calendar_word(w)
                and text[b : b + 1] != "."  # "Art. 5": an abbreviation
                and not (i + 1 < len(words) and words[i + 1][2][0].isupper() and gap(b, words[i + 1][0]))  # "de Summer Sale": a title
            ):  # the English words of COMMON are no words of Dutch, Spanish, Italian: "Mark van de klantenservice zei"
                out.append(self._result(a, b, 0.5, "common first name capitalised inside a sentence"))
                i += 1
                continue
            if not (listed_first or listed_last) or not ok(w) or len(f) < 3:
                i += 1
                continue
            j = i + 1
            # an initial between first and last name: "Sari J. Paavolainen", "Leena O Sasi"
            if j < len(words) and len(words[j][2]) == 1 and words[j][2].isupper() and j + 1 < len(words):
                if gap(b, words[j][0]) or gap(b, words[j][0] - 0):
                    after = text[words[j][1] : words[j + 1][0]]
                    if re.fullmatch(r"\.?[ \t]{1,2}", after):
                        j += 1
            nxt = words[j] if j < len(words) else None
            if nxt is not None and re.fullmatch(r"[ \t]{1,2}|[ \t]?[A-Z]\.?[ \t]{1,2}", text[b : nxt[0]]) or (nxt is not None and j > i + 1):
                a2, b2, w2 = nxt
                f2 = w2.casefold()
                tagged = not pos or any(pos.get(x) in name_pos for x in (a, a2)) and "PROPN" in (pos.get(a), pos.get(a2))
                if w[0].isupper() and w2[0].isupper() and (more(w2) if j == i + 1 else ok(w2) or surname_after_initial(i, j)) and tagged and (listed_first or f2 in first or f2 in last):
                    k, end = j, b2  # more capitalised words, particles between: "María del Carmen Ruiz"
                    while k + 1 < len(words) and len(words) > k + 1:
                        m = k + 1
                        while m < len(words) and words[m][2].casefold() in PARTICLES and gap(words[m - 1][1], words[m][0]):
                            m += 1
                        if m < len(words) and m - k <= 3 and gap(words[m - 1][1], words[m][0]) and words[m][2][0].isupper() and more(words[m][2]) and m - i <= 4:
                            k, end = m, words[m][1]
                        else:
                            break
                    out.append(self._result(a, end, 0.6 if listed_first else 0.55, "listed name + capitalised word"))
                    i = k + 1
                    continue
                lexicons = {"en": (ENGLISH_MODEL,), "fr": LEXICON_MODELS}.get(self.supported_language, ())
                article = i > 0 and words[i - 1][2] in _ARTICLES_BEFORE_NOUN and gap(words[i - 1][1], a)
                if w.islower() and w2.islower() and (ok(w2) or lower_name_line(i, j)) and listed_first and f2 in last and not (lexicons and in_lexicon(w, lexicons) and in_lexicon(w2, lexicons)) and not article:
                    # not two words of the language: "ruby ring", "rose garden" ("sean murphy" is a name)
                    out.append(self._result(a, b2, 0.5, "listed first + last name, lower case"))
                    i = j + 1
                    continue
            m = i + 1  # "María del Carmen": a first name, particles, a capitalised word
            while m < len(words) and words[m][2].casefold() in PARTICLES and gap(words[m - 1][1], words[m][0]):
                m += 1
            if w[0].isupper() and listed_first and i + 1 < m < len(words) and gap(words[m - 1][1], words[m][0]) and words[m][2][0].isupper():
                k = m
                while k + 1 < len(words) and gap(words[k][1], words[k + 1][0]) and words[k + 1][2][0].isupper() and more(words[k + 1][2]) and k - i < 4:
                    k += 1
                out.append(self._result(a, words[k][1], 0.55, "listed first name + particle + name"))
                i = k + 1
                continue
            # a quotation starts a sentence of its own: a capitalised verb right after an opening quote is
            # the quoted sentence's or title's first word ("an earlier song, \"Carry Me Back To France,\""), not a name
            mid_sentence = not line_or_sentence_start(text, a) and text[a - 1 : a] not in ("\"", "“", "„", "«")
            if thing(i, a, b):
                pass  # "in Aberaeron", "my Mercedes", "the Spring one"
            elif w.isupper() and len(w) >= 4 and listed_first and capitals and ok(w) and not in_lexicon(w) and not _calendar_word(w) and f not in cues:
                out.append(self._result(a, b, 0.5, "listed first name in a text written in capitals"))  # "SPOKE TO NOREEN."
            elif w[0].isupper() and not w.isupper() and listed_first and (pos.get(a) in name_pos or (mid_sentence and pos.get(a) == "VERB" and not w.isupper()) if pos else True):
                # a capitalised listed first name inside a sentence is a name even when tagged a verb ("said Gladys to Logan");
                # one in capitals alone is a heading word ("PRESS RELEASE")
                out.append(self._result(a, b, 0.5, "listed first name"))
            elif (
                w[0].isupper()
                and listed_last
                and (pos.get(a) == "PROPN" or not pos)
                and not (w.isupper() and len(w) <= 4)  # "KYC", "AML"
                and not (w.isupper() and in_lexicon(w))  # "MY DAUGHTERS HOUSE": the tagger calls every word in capitals PROPN
            ):
                prev = words[i - 1] if i else None
                # in a text written in capitals every word is capitalised: the word before a listed
                # surname must then be a listed first name ("ALLE BRIEVEN KOMEN TERUG" is a sentence)
                if prev is not None and prev[2][0].isupper() and more(prev[2]) and gap(prev[1], a) and not (capitals and prev[2].casefold() not in first):
                    out.append(self._result(prev[0], b, 0.55, "capitalised word + listed surname"))
                elif pos:
                    out.append(self._result(a, b, 0.5, "listed surname tagged PROPN"))
            i += 1
        return [r for r in out if not product_name(text, r.start, r.end)]  # "the Clara Savings Plan": a product
