"""The patterns of the address recogniser (:func:`eu_address_recogniser`, ``EuAddressRecognizer``)
and the checks (``validate``) that keep a match an address.

Street + house number lines in German, Dutch and Nordic (suffix words: ``Hauptstraße 12``,
``Keizersgracht 123``, ``Søndergade 52``) and French, Spanish and Italian (prefix words:
``14 rue de la République``, ``Calle Mayor 15``, ``Via Garibaldi 21``), postcode + town
(``10115 Berlin``, ``1015 CJ Amsterdam``), UK and Canadian postcodes, US ``City, ST 12345``, and
the unit lines of an address block (``Apt. 656``, ``Suite 501``, ``PO Box 4410``,
``Postfach 12 34``); the formats come from :mod:`agent.pii.address_formats`.

Scores: a street line with a house number 0.6; a postcode + town 0.5 (4-digit postcodes only
at the start of a line or after a comma or street line, so years such as "2021 Norwegian"
are not addresses)."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.pii.address_formats import (
    _LINE_PREFIX,
    _STREET_WORD,
    AFTER_STREETS,
    AMBIGUOUS_SUFFIX_STREETS,
    AR_CPA,
    AR_MX_REGIONS,
    ARTICLES,
    AU_STATES,
    BUILDING,
    CA_POSTCODE,
    CA_PROVINCES,
    CAP,
    CO_ROADS,
    COUNTY,
    DE_PREPOSITION_STREETS,
    EIRCODE,
    EN_STREETS,
    FLAT_POSITION,
    FLOOR,
    HOUSE,
    HOUSE_NAMES,
    IN_PIN,
    LOCALITY,
    MX_STATES,
    NO_NUMBER,
    NOT_STREET,
    NOT_TOWN,
    NUMBER_SIGN,
    PO_BOX,
    PREFIX_STREETS,
    SG_UNIT,
    STREET_UNIT,
    SUFFIX_STREET_NAME,
    SUFFIX_STREETS,
    TOWN,
    UK_POSTCODE,
    UK_POSTCODE_ANY_CASE,
    UK_POSTCODE_AREA_ANY_CASE,
    UNIT,
    UNIT_BEFORE,
    US_STATES,
    WORD,
    L,
    U,
)
from agent.pii.address_prose import (
    PLACE_PREPOSITIONS,
    country_field,
    district_field,
    east_asian_address_numbers,
    floor_alone,
    house_number_alone,
    india_pin_field,
    named_towns,
    postcode_after_delivery,
    postcode_town_field,
    region_field,
    street_after_preposition,
    street_field,
    town_field,
    town_part,
)
from agent.pii.address_words import (
    _MONTH_WORDS,
    _NAME_PARTICLES,
    _closing_words,
    _is_stop,
    _numbered,
    _town_word,
)
from agent.pii.patterns import GroupPattern, GroupPatternRecognizer
from agent.pii.street_types import (
    AU_ROAD_TYPES,
    EN_STREET_TYPE_TYPOS,
    IN_ROAD_TYPES,
    MX_VIALIDADES,
    USPS_SUFFIXES,
)
from agent.pii.words import is_ordinary_word


def _not_money(value: str) -> bool:
    words = value.split()
    return len(words) > 1 and words[-1].lower().strip(".,") not in NOT_TOWN


# Street words that are no word of a sentence in any of the six languages ("vicolo", "calle", not "via"
# (by way of), "corso" (course), "largo", "place", "avenue"): in lower case too, a comma may stand between
# the street's name and its number ("vicolo barzini, 9", "calle mayor, 5"), as Correos and Poste Italiane write it.
_COMMA_SURE_PREFIX_WORDS = {"viale", "vicolo", "piazza", "piazzale", "calle", "rue", "avenida", "paseo", "plaza", "quai", "chemin", "allée", "carrer", "avinguda", "v.le", "p.zza", "p.za", "p.le", "v.lo", "c/"}  # fmt: skip
_SURE_PREFIX_WORDS = {"via", "calle", "rua", "travessa", "praça", "rue", "avenue", "viale", "vicolo", "piazzale", "corso", "piazza", "plaza", "avenida", "paseo", "boulevard", "place", "quai", "chemin", "allée", "largo", "ul.", "al.", "ulica", "aleja", "c/", "carrer", "avda.", "avinguda", "v.le", "p.zza", "p.za", "p.le", "l.go", "v.lo"}  # fmt: skip


def _prefix_street_ok(value: str) -> bool:
    """A street word + name + number line is kept when it is capitalised ("Rambla Nova 12") or
    starts with an unambiguous street word in any case ("calle mayor 5"), or ends with "s/n"
    in any case ("camino de los olivos s/n"). A comma between name
    and number ("Calle Mayor, 5", "Via Roma, 10": usual in Spain and Italy) only in a
    capitalised line: "place, 2 weeks" is a sentence; or with the number sign after the comma
    ("rue de la Station, n° 7": La Poste and bpost write "n°" before a house number)."""
    first = value.split()[0]
    if re.search(r",[ \t]*\d{5}\Z", value):
        return False  # "5 rue des roses, 69100": the postcode after the street, not its house number
    signed = bool(re.search(rf",[ \t]*{NUMBER_SIGN}[ \t]?\d", value, re.IGNORECASE)) or first.casefold() in _COMMA_SURE_PREFIX_WORDS
    if "," in value and first.islower() and not signed or len(value.split()) < 3:  # a street word, a name and a number
        return False
    if first.lower() == "c.so":  # corso: also a course ("il c.so di formazione costa 300 euro"); a street with a capitalised name
        return _numbered(value) and value.split()[1][:1].isupper()
    if _numbered(value) and re.match(rf"\S+[ \t]+(?:{ARTICLES})[ \t]*(?-i:[{U}])", value, re.IGNORECASE):
        return True  # a lower-case street word before its article and a capitalised name ("chaussée de Waterloo 1120")
    return _numbered(value) and not first.islower() or first.lower() in _SURE_PREFIX_WORDS or bool(re.search(rf"(?i:{NO_NUMBER})$", value))


# A lower-case street word that a verb or an English function word follows is a word of the sentence ("new
# place is ul. kwiatowa 17"): the match may then start at the street word after it.
_LOWER_WORD_THEN_VERB = r"(?-i:[a-zà-ÿ][\w.]*)[ \t]+(?-i:is|was|are|were|be|to|for|of|and|or|the|an|on|at|it|that|this|with|from|by|as)[ \t]"


# A German street prefix that is also a preposition, written in lower case before a street that
# names itself ("in der Goethestraße 12", "am Boulevard Haussmann 5"): the sentence's preposition, not
# part of the street ("In der Halde 3", "am Markt 5" are streets and stay whole).
_PREPOSITION_BEFORE_STREET = (
    rf"(?:{DE_PREPOSITION_STREETS})\s+(?:[{U}][{L}-]*(?i:{SUFFIX_STREETS}|{AMBIGUOUS_SUFFIX_STREETS})\b|(?i:{PREFIX_STREETS})\s)"
)


def _street_before_postcode_ok(value: str) -> bool:
    """A street line of any case whose house number a postcode and town follow ("im gässli 3, 4410
    liestal"): the postcode's digits after the house number tie it to an address. The name has a
    word and none is a stop word, cue or month ("am Montag 3, ...", "im Jahr 2021, ..."), the
    number is no year, the town no stop word, unit or (in lower case) English word ("... 1000 people")."""
    toks = value.replace(",", " ").split()
    i = next(k for k, w in enumerate(toks) if w[:1].isdigit())
    if any(_STREET_WORD.search(w) for w in toks[1:i]):
        return False  # "an der Dorfstrasse 12": the preposition of the sentence, the street word is in the name
    name = [w for w in toks[1:i] if w.casefold() not in _NAME_PARTICLES | {"dem", "dei", "degli", "della", "delle"}]
    town = toks[-1]
    if not name or re.fullmatch(r"(?:19|20)\d{2}", toks[i]) or not _town_word(town) or town.islower() and is_ordinary_word(town, english_only=True):
        return False
    from agent.pii.words import stop_words

    return all(w.casefold() not in stop_words() | NOT_STREET | _MONTH_WORDS for w in name)


def _indian_town_pin_ok(value: str) -> bool:
    """A town before an India Post PIN: no cue word, month or stop word first ("Order 560102"), no
    unit of an amount last ("Rupees 560102", "Rs. 250000")."""
    words = re.findall(r"[^\W\d_][\w'’.-]*", value)
    return _town_word(words[0]) and _town_word(words[-1]) and words[0].lower().strip(".") not in NOT_STREET | _MONTH_WORDS


def _lower_locality_ok(value: str) -> bool:
    """A lower-case locality name before its postcode: each word an article or no stop word
    ("lieu-dit la croix blanche 46300 gourdon"; not "résidence pour 12000 euros"), the town no stop word."""
    from agent.pii.words import stop_words

    words = value.split()
    name, town = words[1:-2], words[-1]
    ok = all(w in _NAME_PARTICLES or w.casefold() not in stop_words() for w in name)
    return ok and any(w not in _NAME_PARTICLES for w in name) and _town_word(town)


# English street types that, written in lower case after a number and a name, are no sentence's noun.
_LOWER_SURE_STREETS = "street|st|road|rd|avenue|ave|lane|ln|crescent|cres|boulevard|blvd|gardens|mews"
# Words that after a number make a measure or a count, not a street's name ("3 lane road", "2 mile lane").
_COUNTED_WORDS = frozenset(
    "lane lanes mile miles km minute minutes min mins hour hours hr hrs day days week weeks month months year years "
    "bed beds bedroom bedrooms storey story door doors car cars way ways times x".split()
)


def _lower_street_name_ok(value: str) -> bool | str:
    """A lower-case street line ("4 crown road"), with the town before it ("ibadan, 14 ring strt") or after it ("4 crown st w
    halifax", "14 mill raod, glen eden"): the words of its name are no English stop words (the street types are English, so
    is the line: "te" is a Dutch or French stop word, not an English one) and the first is no word a number counts ("3 lane
    road", "5 minutes walk"); a town word before the number and each after the street is a town's (:func:`_lower_town_word`),
    else the street is kept without the words after it."""
    words = value.replace(",", " ").split()
    k = next((i for i, w in enumerate(words) if w[:1].isdigit()), 0)
    if any(not _lower_town_word(w) for w in words[:k]):
        return False  # "at ibadan, 14 …": the town before the street; not "is now, 4 …"
    words = words[k:]
    if len(words) > 2 and words[1].isdigit():
        words = words[1:]  # "3318 17 roy port": a building number before the house number (presidio's layout)
    t = max((i for i, w in enumerate(words) if i > 1 and _LOWER_TYPE_WORD.fullmatch(w)), default=None)
    if t is None:
        return False
    name, after = words[1:t], words[t + 1 :]
    if after and after[0] in _DIRECTIONS:
        after = after[1:]  # "39 queen st w": the street's direction (USPS Publication 28 post-directional, Canada Post)
    if not name or name[0].casefold() in _COUNTED_WORDS or any(w.casefold() in _english_stop_words() for w in name):
        return False
    bad = next((w for w in after if w not in _NAME_PARTICLES and not _lower_town_word(w)), None)
    if bad:  # "4 crown road, tomorrow": the street without the words after it, the town without the sentence's words
        return value[: value.rfind(bad)].rstrip(" ,")
    return True


_DIRECTIONS = frozenset("n s e w ne nw se sw".split())


@lru_cache(maxsize=1)
def _english_stop_words() -> frozenset[str]:
    from agent.pii.nlp import spacy_stop_words

    return spacy_stop_words("en")


def _lower_town_word(word: str) -> bool:
    """A lower-case word after a lower-case street line that may be its town ("… crown st halifax which"):
    no stop word, sign-off or month, and in the English lexicon only as a noun (a town: "leeds") or not
    at all ("hebden"); not "thanks", "tomorrow", "please", "today". The line is English (its street type is), so only
    English stop words end it ("te rapa" is a Māori place name, though "te" is a Dutch stop word), and no word one edit
    from an English word that the lexicon does not hold ("plese", "explian")."""
    from agent.pii.words import english_parts_of_speech, misspelt_english_word

    f = word.casefold()
    if f in _english_stop_words() or f in _closing_words() or f in _MONTH_WORDS or f in _TIME_WORDS:
        return False
    pos = english_parts_of_speech(f)
    return pos <= {"noun"} and (bool(pos) or not f.isascii() or not misspelt_english_word(f))  # not "plese": a typo of a sentence's word


_TIME_WORDS = frozenset("today tomorrow yesterday tonight morning afternoon evening night week weekend asap thanks cheers".split())


# A street name of one to three words (lower-case street types and particles between capitalised words:
# "Jezuitski trg", "Trg mladih", "Veliki štradon") and a house number with its letter or slash ("2c/1", "4b").
_NAME_NUMBER = rf"{CAP}(?:[ \t]+(?:{CAP}|[{L}]{{2,7}})){{0,2}}[ \t]+(?!0)\d{{1,4}}[a-z]?(?:/\d{{1,3}}[a-z]?)?"


def _name_number_ok(value: str) -> bool:
    """A name and a house number after "on"/"at"/"in" ("Žinkovská 885", "Trg mladih 4b"): no word of the name
    is an ordinary word of the lexicons (not "Channel 4", "Platform 9", "Level 3"), a stop word, a cue word or a
    month, and a 4-digit number is no year."""
    from agent.pii.words import stop_words

    *name, number = value.split()
    if re.fullmatch(r"(?:19|20)\d{2}", number):
        return False
    words = [w for part in name for w in part.split("-")]
    return bool(words) and all(
        w.casefold() not in NOT_STREET and w.casefold() not in _MONTH_WORDS and w.casefold() not in stop_words()
        and (w.islower() or not is_ordinary_word(w))
        for w in words
    ) and not all(w.islower() for w in words)


def _town_code_ok(value: str) -> bool:
    """A town and its postcode after "in"/"at" ("Matile-près-Uldry 4433", "Onderdendam 9143ZD"): the
    town's words are no ordinary words, cue words or months, and the code is no year (1900-2099)."""
    *town, code = value.split()
    if re.fullmatch(r"(?:19|20)\d{2}", code):
        return False
    return all(
        w.casefold() not in NOT_STREET and w.casefold() not in _MONTH_WORDS and not is_ordinary_word(w)
        for part in town for w in part.split("-") if len(w) > 2 and w.casefold() not in _NAME_PARTICLES | {"près", "lès", "lez"}
    )


# Prepositions that begin no street name written with a street suffix ("auf Hauptstrasse" is the sentence's).
_SENTENCE_PREPOSITION = r"(?i:auf|nach|bei|in|im|an|zu|zur|zum|von|vom|aus|the|at|to|on|op|naar|bij|en|à)"


def _town_until_stop(value: str) -> bool | str:
    """A postcode and its town (``_not_money``), the town ending before a stop word: in a text written in
    capitals the sentence goes on in capitals ("04416 MARKKLEEBERG <UND SCHICKEN SIE>")."""
    if not _not_money(value):
        return False
    words = value.split()
    for k, w in enumerate(words[2:], start=2):
        if _is_stop(w):
            return " ".join(words[:k])
    return True


def _lower_numbered_street_ok(value: str) -> bool | str:
    """:func:`_lower_street_name_ok`, and no count of things: a one-digit number before a plural street type is a
    quantity ("at 3 key points", "on 2 main roads"), a house number has a singular type or more digits ("13137 wright
    roads")."""
    words = value.split()
    if len(words[0]) == 1 and words[0].isdigit() and words[-1].endswith("s"):
        return False
    return _lower_street_name_ok(value)


def _not_date_or_cue(value: str) -> bool:
    """False for a capitalised word + number that is no street: a cue word ("Invoice 2291") or a
    month and a day or year ("November 1940", "March 12"): a date is never a street line."""
    words = value.split()
    if any(w.islower() and w not in _NAME_PARTICLES and w in _ENGLISH_FUNCTION_WORDS for w in words[1:-1]):
        return False  # "Send it to 123 Main St.": a sentence before the number, not a street name
    # (a cue word of three letters or more may stand right before the number after other words: "Address line 2",
    # "Delivery Item 4"; not a number sign, "Intrarea Pop Nr. 827", nor a Roman numeral, "U Nových Domů I 815")
    cue = words[-2].lower().strip(".,")
    return words[0].lower().strip(".") not in NOT_STREET and cue not in _MONTH_WORDS and not (len(cue) > 2 and cue in NOT_STREET)


# English pronouns, prepositions and auxiliaries that no street name holds in lower case between
# capitalised words ("Send it to 123", "Call me at 5"); the particles of street names are allowed.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "it to me us him her them you we i my our your his its their is are was be at for with from by of this that as so if".split()
)


# The verbs of living that introduce an address in a sentence (es, it, pt, nl, de, fr, en).
_LIVE_VERBS = r"(?i:vivo|vivimos|abito|abitiamo|woon|wonen|wohne|wohnen|habite|habitons|live|living)"


# after a street with an ambiguous suffix: a comma, the line's end, a full stop, a postcode, or a town after "in"
_AMBIGUOUS_END = rf"(?=[ \t]*(?:[,;)\n]|$|\.(?:\s|$)|\d{{4}}|(?:in|te|à|en|bei|bij)[ \t]+[{U}]))"


def _case_forms(words) -> str:
    """A regex alternation of ``words`` as written and in capitals ("Flats|FLATS"), longest first."""
    forms = {f for w in words for f in (w, w.upper())}
    return "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))


# The street types of USPS Publication 28 (C1) and AS/NZS 4819 that EN_STREETS does not hold, and
# INEGI's kinds of road (agent/pii/street_types.py): used only after a house number and a name, where an
# address line ends or after a place preposition, so that "Key", "Light" or "Union" in a sentence stay words.
_EN_KNOWN = {w.casefold() for w in re.findall(r"[a-z]+", EN_STREETS)}
_NATIONAL_TYPES = _case_forms(w for w in USPS_SUFFIXES + AU_ROAD_TYPES + IN_ROAD_TYPES if w.casefold() not in _EN_KNOWN)
_MX_TYPES = _case_forms(MX_VIALIDADES)
# a house number (Australian "unit/number" too: "792/318"), one to three capitalised words, the type
_LOWER_NATIONAL_TYPES = "|".join(sorted({re.escape(w.casefold()) for w in USPS_SUFFIXES + AU_ROAD_TYPES + IN_ROAD_TYPES} | set(_LOWER_SURE_STREETS.split("|")), key=len, reverse=True))
# (the street types in lower case with their common misspellings: "21 ring strt", "14 mill raod")
_STREET_TYPOS = "|".join(EN_STREET_TYPE_TYPOS)
_LOWER_TYPE_WORD = re.compile(rf"(?:{_LOWER_NATIONAL_TYPES}|{_STREET_TYPOS})")
# (India's "H.No." house-number label before it: "H.No. 671 Prakash Marg")
# (presidio's building number before a house number: "8257 8617 Foster Mountain")
_NATIONAL_STREET = rf"(?:(?i:H\.?[ \t]?No\.?)[ \t]?)?(?:\d{{1,5}}[ \t]+)?\d{{1,5}}[a-zA-Z]?(?:/\d{{1,5}}[a-zA-Z]?)?,?[ \t]+(?:{CAP}[ \t]+){{1,3}}(?:{_NATIONAL_TYPES})"


_LINE_VALUE_WORD = re.compile(rf"(?:[{U}\d#][\w'’./-]*|(?-i:of|the|on|upon|and|in|at|de|la|le|van|von)|[&,-])")


def _address_line_value_ok(value: str) -> bool:
    """True when the value of an "Address line n:" field reads as an address line: capitalised words, numbers and
    particles only, something beside a particle ("The Granary", "Home Farm, Lower Street", "Flat 2, 14 Kings Road"),
    never a sentence ("see above", "Same as before")."""
    words = value.replace(",", " , ").split()
    return bool(words) and all(_LINE_VALUE_WORD.fullmatch(w) for w in words) and any(w[0].isupper() or w[0].isdigit() for w in words)


def eu_address_recogniser(language: str) -> GroupPatternRecognizer:
    """Street lines, postcodes + towns and unit lines of EU, UK, US and Canadian addresses."""
    f = re.IGNORECASE
    patterns = [
        # (not a preposition of the sentence before it, written in capitals: "ADRESSE AUF HAUPSTRASSE 108A")
        GroupPattern("street suffix + number", re.compile(rf"(?<![\w-])(?!{_SENTENCE_PREPOSITION}[ \t])(?P<v>{SUFFIX_STREET_NAME}(?:{SUFFIX_STREETS})\s+{HOUSE})(?![\w])", f), 0.6),
        GroupPattern(
            "ambiguous street suffix + number, where the address goes on",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:[{U}][{U}{L}-]{{2,}})(?:{AMBIGUOUS_SUFFIX_STREETS})[ \t]+{HOUSE}){_AMBIGUOUS_END}", f),
            0.55,
        ),
        GroupPattern(
            "street prefix + name + number",
            re.compile(
                rf"(?<![\w-])(?!{_PREPOSITION_BEFORE_STREET})(?!{_LOWER_WORD_THEN_VERB})(?P<v>(?:{PREFIX_STREETS})\s+(?:(?:de|del|de la|dei|della|delle|des|du|di|d'|van|von|der|den)\s+)*"
                rf"(?:(?:{WORD}\s+){{0,4}}?|(?:{WORD}\s+){{0,3}}?{WORD},[ \t]*)(?:(?:{NUMBER_SIGN}[ \t]?)?{HOUSE}|{NO_NUMBER}))(?![\w])",
                f,
            ),
            0.6,
            validate=_prefix_street_ok,
        ),
        GroupPattern(  # "im Gässli 3, 4411 Seltisberg", "im gässli 3, 4410 liestal", "am anger 5 99084 erfurt": a street word in lower case in a sentence
            # (a preposition before a street word is the sentence's: "in der <chemin des vignes 4, 1009 pully>", a Swiss French street in German text)
            "lower-case prefix street + number + postcode and town",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:{PREFIX_STREETS})[ \t]+(?!(?:{PREFIX_STREETS})[ \t])(?:{WORD}[ \t]+){{1,3}}?{HOUSE},?[ \t]+(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ \t]+[^\W\d_][\w'’-]*)(?![\w])", f
            ),
            0.6,
            validate=_street_before_postcode_ok,
        ),
        GroupPattern(
            "number + prefix street",
            re.compile(rf"(?<![\w-])(?P<v>\d{{1,5}}[ \t]?(?:bis|ter|[a-z])?,?[ \t]+(?:{PREFIX_STREETS})[ \t]+(?:(?:{ARTICLES})[ \t]*)*{WORD}(?:[ \t]+(?:(?:{ARTICLES})[ \t]*)*{CAP}){{0,3}})(?![\w])", f),
            0.6,
        ),
        GroupPattern(  # "Carrera 7 # 71-21", "Calle 10 # 43D-25", "Cra. 15 No. 93-60", "Av. Calle 26 # 59-51 Sur"
            # Colombia's urban nomenclature (placa domiciliaria, the address form of 4-72, the national post): the road type and
            # number, then "#" or "No." and the crossing road's number, a hyphen and the distance from the corner in metres
            "co road + number # crossing-distance",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:(?:avenida|av\.?)[ \t]+)?(?:{CO_ROADS})[ \t]+\d{{1,3}}[ \t]?(?-i:[A-Z])?(?:[ \t]?bis)?(?:[ \t]?(?-i:[A-Z]))?(?:[ \t]+(?:sur|este))?"
                rf"[ \t]*(?:#|no\.?|n[º°]\.?)[ \t]*\d{{1,3}}[ \t]?(?-i:[A-Z])?(?:[ \t]?bis)?[ \t]*-[ \t]*\d{{1,3}}(?:[ \t]+(?:sur|este))?)(?![\w])",
                f,
            ),
            0.6,
        ),
        GroupPattern(  # "2145 RD 16 N", "4410 County Road 12", "318 CR 205", "77 State Route 9 W"
            # USPS Publication 28, 2.3 (highway-style and county-road addresses): house number, road type, road number, post-directional
            "us county or state road + number",
            re.compile(
                r"(?<![\w-])(?P<v>\d{1,6}[ \t]+(?:(?i:county[ \t]+(?:road|rd)|state[ \t]+(?:road|route|highway|hwy)|us[ \t]+(?:highway|hwy|route))|(?-i:CR|RD|Rd|SR|FM))"
                r"[ \t]+\d{1,4}[A-Z]?(?:[ \t]+(?-i:N|S|E|W|NE|NW|SE|SW)(?![\w]))?)(?![\w])"
            ),
            0.6,
        ),
        GroupPattern(  # "E 5th St", "w 96th st", "N. 3rd Ave": a numbered street with its pre-directional (USPS Publication 28, 2.2)
            "us directional numbered street",
            re.compile(
                r"(?<![\w-])(?P<v>(?:[NSEW]\.?|north|south|east|west)[ \t]+\d{1,3}(?:st|nd|rd|th)[ \t]+(?:street|st|avenue|ave|place|pl|road|rd|drive|dr|boulevard|blvd|terrace|ter|court|ct|lane|ln|way)\.?)(?![\w])",
                f,
            ),
            0.6,
        ),
        GroupPattern(  # "Col. Nápoles, CDMX", "colonia del valle, cdmx": a Mexican colonia with its city or state (Correos de México)
            "mx colonia + city",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:col\.|colonia|fracc\.|fraccionamiento)[ \t]+(?:(?:{ARTICLES})[ \t]+)*{WORD}(?:[ \t]+(?:(?:{ARTICLES})[ \t]+)*{WORD}){{0,3}}"
                rf"[ \t]*,[ \t]*(?:cdmx|cd\.[ \t]?mx\.?|ciudad[ \t]de[ \t]méxico|edomex|{AR_MX_REGIONS}))(?![\w])",
                f,
            ),
            0.65,  # above a name list's match on a colonia named after a place or person ("Col. Roma Norte", "Col. Benito Juárez")
        ),
        GroupPattern(  # "lieu-dit la croix blanche 46300 gourdon", "loc. case sparse 52100 arezzo": a locality in lower case tied by its postcode
            "lower-case locality + postcode + town",
            re.compile(rf"(?<![\w-])(?P<v>(?:{LOCALITY})[ \t]+(?:[{L}][{L}'’-]*[ \t]+){{1,4}}\d{{5}}[ \t]+[{L}][{L}'’-]+)(?![\w])"),
            0.5,
            validate=_lower_locality_ok,
        ),
        GroupPattern(
            "number + english street",
            # an Australian unit before the house number ("792/318 Angelica Road": Australia Post's unit/number)
            # (a common misspelling of the street type after the number and capitalised name: "14 Mill Raod", _STREET_TYPOS)
            re.compile(rf"(?<![\w/-])(?P<v>(?:\d{{4,5}}[ \t]+)?(?:\d{{1,5}}[a-zA-Z]?/)?\d{{1,5}}[a-zA-Z]?,?\s+(?:{CAP}\s+){{1,4}}(?i:{EN_STREETS}|{_STREET_TYPOS}))(?![\w])"),
            0.6,
        ),
        GroupPattern(
            # lower-case mail: "i live at 4 crown road now", "old one was 4 crown st halifax", "change my address to
            # 12 oak road leeds": a house number after "at/to/is/was/from", one to three words and a street type
            # that is no noun of a sentence after a number (not "drive", "walk", "way", "close", "park")
            "lower-case number + english street after a cue",
            # (also after "is same"/"is still"; the town before the number after "at"/"in" and a comma: "i reside at ibadan, 14 ring
            # strt"; the street type misspelt, _STREET_TYPOS; the street's direction after it, "39 queen st w", as USPS
            # Publication 28's post-directional and Canada Post's street direction; a town of up to three words after it)
            re.compile(
                rf"(?<![\w])(?:(?i:at|to|is|was|from|now|same|still)[ \t]+|(?i:at|in)[ \t]+(?=[{L}]{{3,}},))(?P<v>(?:[{L}]{{3,}},[ \t]*)?"
                rf"\d{{1,4}}[a-z]?[ \t]+(?:[{L}][{L}'’-]+[ \t]+){{1,3}}"
                rf"(?:{_LOWER_SURE_STREETS}|{_STREET_TYPOS})(?:[ \t]+(?:n|s|e|w|ne|nw|se|sw)(?![\w]))?"
                rf"(?:,?(?:[ \t]+[{L}]{{2,}}){{1,3}}(?=[ \t]*(?:[,.;!?\n]|$)|[ \t]+(?:which|where|and|but|since|until|before|please|pls)\b))?)(?![\w])"
            ),
            0.55,
            validate=_lower_street_name_ok,
        ),
        GroupPattern(
            # after an unmistakable address cue, in lower case any street type of the national lists:
            # "stéphane lives at 3318 17 roy port, williamsfurt", "his address: 48626 289 kerr forks"
            "address cue + lower-case street of a national list",
            re.compile(
                rf"(?<![\w])(?i:address(?:[ \t]+is)?[ \t]*:|address[ \t]+is|lives?[ \t]+at|living[ \t]+at|resides?[ \t]+at|moved[ \t]+to|moving[ \t]+to)[ \t]+"
                rf"(?P<v>(?:\d{{1,5}}[ \t]+)?\d{{1,5}}[a-z]?[ \t]+(?:[{L}][{L}'’-]+[ \t]+){{1,3}}(?:{_LOWER_NATIONAL_TYPES})"
                rf"(?:,?[ \t]+[{L}]{{3,}}(?=[ \t]*(?:[,.;!?\n]|$)|[ \t]+(?:which|where|and|but|since|until|before|please|pls)\b))?)(?![\w])"
            ),
            0.55,
            validate=_lower_street_name_ok,
        ),
        GroupPattern(
            # after a place preposition, a numbered street in lower case ("lost dog near 8057 capricorn street", "omw to 4 hill
            # point now"): the street's words pass the lower-case street check, and a one-digit count before a plural type is
            # a quantity ("at 3 key points")
            "place preposition + lower-case numbered street of a national list",
            re.compile(
                rf"(?<![\w])(?:at|on|near|to|from|of|outside|behind|opposite)[ \t]+"
                rf"(?P<v>(?:\d{{1,5}}[ \t]+)?(?!0)\d{{1,5}}[a-z]?[ \t]+(?:[{L}][{L}'’-]+[ \t]+){{1,2}}(?:{_LOWER_NATIONAL_TYPES}))(?![\w])"
            ),
            0.5,
            validate=_lower_numbered_street_ok,
        ),
        GroupPattern(  # "5286 Vasquez Flats, …", "34 Gregory Centre\nSouth Markbury": a USPS or AS/NZS 4819 type that EN_STREETS leaves out
            "number + street type of a national list",
            re.compile(rf"(?<![\w-])(?P<v>{_NATIONAL_STREET})(?=[ \t]*(?:,|\n|$))"),  # where the line ends
            0.55,
        ),
        GroupPattern(  # "our rental property at 5 Dean Isle on Sunday", "struck near 687 Shelton Ford": after a place preposition, mid-sentence
            "at + number + street type of a national list",
            # (after a place preposition, or where a field of a record starts: "; 9 Craig Ports;", "Street: 1 Richard Broadway")
            # (or after India's house-number label, itself an address cue: "H.No. 671 Prakash Marg")
            re.compile(rf"(?:(?<![\w])(?i:{PLACE_PREPOSITIONS})[ \t]+|(?<=[;:|][ \t])|(?m:^)|(?<![\w.])(?=(?i:h\.?[ \t]?no\.?)[ \t]?\d))(?P<v>{_NATIONAL_STREET})(?![\w])"),
            0.55,
        ),
        GroupPattern(  # "Periférico Botello 722", "Cerrada Hidalgo 455": INEGI's kind of road before the name, then the number
            "Mexican road type + name + number",
            re.compile(rf"(?<![\w-])(?P<v>(?:{_MX_TYPES})[ \t]+(?:{CAP}[ \t]+){{1,3}}\d{{1,5}}[A-Z]?)(?![\w])"),
            0.6,
        ),
        GroupPattern(  # "Baker Street, number 12", "Duinweg, nummer 8", "via Roma, numero 5": the house number with its word, as prose writes it
            "street + number word + number",
            re.compile(
                rf"(?<![\w-])(?P<v>(?:(?-i:{CAP}[ \t]+){{1,3}}(?i:{EN_STREETS})|{SUFFIX_STREET_NAME}(?i:{SUFFIX_STREETS})|(?i:{PREFIX_STREETS})[ \t]+(?:(?i:{ARTICLES})[ \t]+)*(?-i:{CAP})(?:[ \t]+(?-i:{CAP})){{0,2}})"
                rf",?[ \t]+(?i:number|nummer|huisnummer|hausnummer|numero|número|numéro)[ \t]+{HOUSE})(?![\w])"
            ),
            0.6,
            needs=re.compile(r"[ \t](?i:number|nummer|huisnummer|hausnummer|numero|número|numéro)[ \t]+\d"),  # the number word, its house number
        ),
        GroupPattern(
            "street corner",
            re.compile(rf"(?P<v>(?i:(?:the[ \t]+)?corner[ \t]+of)[ \t]+(?:[\w.'’-]+[ \t]+){{1,5}}?(?i:and|&)[ \t]+(?:[{L}]{{1,4}}[ \t]+)?{CAP}(?:[ \t]+{CAP}){{0,2}})"),
            0.6,
        ),
        GroupPattern(
            "name + house number near an address word",
            # (no verb of living first: "Vivo en <Güemes 4150>", "Woon <Dorpsweg 3>": the cue is no part of the street)
            # (a house number has no leading zero and no phone groups after it: "Call us on 0161 496 0712")
            re.compile(rf"(?<![\w-])(?!{_LIVE_VERBS}[ \t])(?P<v>(?-i:{CAP}(?:[ \t]+(?:{CAP}|[{L}]{{2,4}})){{0,2}})[ \t]+(?!0)\d{{1,4}}[a-z]?(?:[/-]\d{{1,4}}(?![/-]?\d))?)(?![\w]|[.,]\d|[ \t]+\d{{2,4}}[ \t.-]\d{{3,4}}(?!\w))"),
            0.2,
            validate=_not_date_or_cue,
        ),
        GroupPattern(  # "Oberndorf 27, 5113 St. Georgen": a village without streets numbers its houses (at, ch, de, it)
            "village + house number before a postcode",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]+{CAP})?)[ \t]+\d{{1,4}}[a-z]?)(?=,[ \t]*(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ \t]+(?-i:{CAP}))"),
            0.5,
            validate=_not_date_or_cue,
        ),
        GroupPattern(  # "Villeurbanne (69100)", "Saint-Denis (93200)": French towns are written with the postcode in brackets
            "town + postcode in brackets",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t-](?:(?:sur|sous|en|le|la|les|de)[ \t-])?{CAP}){{0,3}})[ \t]+\(\d{{5}}\))"),
            0.5,
            validate=lambda v: v.split()[0].lower().strip(".") not in NOT_STREET,
        ),
        GroupPattern(  # "Zaragoza, CP 50001", "Sevilla, C.P. 41001", "Ravensburg, PLZ 88212", "Salerno, CAP 84121": a town and its postcode after the postcode's word
            "town + cp postcode",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]{CAP}){{0,2}}),?[ \t]+(?-i:CP|C\.P\.|PLZ|CAP)[ \t]*\d{{4,5}})(?![\w])"),
            0.5,
            validate=lambda v: v.split()[0].lower().strip(".,") not in NOT_STREET,
        ),
        GroupPattern(  # "room 2.14" is a room number with a decimal point; "floor 4" in lower case inside a sentence is no address line
            "unit line",
            re.compile(rf"(?<![\w])(?P<v>{UNIT})(?![\w]|[.,]\d)", f),
            0.5,
            validate=lambda v: not (v[0].islower() and re.match(r"(?:floor|fl|room|rm|building|bldg|bus)\b", v)),  # "in bus 1" (nl): after a street line only
        ),
        GroupPattern("po box", re.compile(rf"(?<![\w])(?P<v>{PO_BOX})(?![\w])", f), 0.5),
        GroupPattern(  # "Bât. C, 45 avenue des Acacias": a building letter before the street line it belongs to
            "building before a street line",
            re.compile(rf"(?<![\w])(?P<v>{BUILDING})(?=[ \t]*,?[ \t]*\n?[ \t>]*\d{{1,5}}[ \t]?(?:bis|ter|[a-z])?,?[ \t]+(?:{PREFIX_STREETS}|(?-i:{CAP}))(?![\w]))", f),
            0.5,
        ),
        GroupPattern(  # "Lieu-dit Les Granges", "loc. Case Sparse 4" (a house number of the locality) + a postcode line or a comma and a postcode
            "locality before a postcode",
            re.compile(rf"(?<![\w-])(?P<v>{LOCALITY}[ \t]+(?:(?:{ARTICLES})[ \t]*)*(?-i:{CAP})(?:[ \t-]+(?:(?:{ARTICLES})[ \t]*)*(?-i:{CAP})){{0,3}}(?:[ \t]+{HOUSE})?(?:,[ \t]*{FLOOR})?)(?=[ \t]*(?:,[ \t]*|\n[ \t>]*)(?:[A-Z]{{1,2}}-)?\d{{4,5}}[ \t]+(?-i:{CAP}))", f),
            0.5,
        ),
        GroupPattern("eircode", re.compile(rf"(?<![\w])(?P<v>{EIRCODE})(?![\w])"), 0.5, validate=lambda v: any(c.isalpha() for c in v[3:])),
        GroupPattern(  # "5670 r josé a madeira 1 suite 696", "4817 old mill road apt. 3": any case, any street word
            "house number + street + unit",
            re.compile(rf"(?<![\w.,/-])(?P<v>\d{{1,5}}[a-zA-Z]?[ \t]+(?:(?:[^\W\d_][\w'’.-]*|\d{{1,3}}(?:st|nd|rd|th))[ \t]+){{1,6}}(?:\d{{1,5}}[a-zA-Z]?,?[ \t]+)?{STREET_UNIT})(?![\w])", f),
            0.6,
        ),
        GroupPattern(  # "2F1, 9 Marchmont Crescent": an Edinburgh tenement flat (floor 2, flat 1; "GF2" ground, "PF1" principal floor)
            "flat position before a street line",
            re.compile(rf"(?<![\w-])(?P<v>{FLAT_POSITION})(?=,?[ \t]+\d{{1,5}}[a-zA-Z]?[ \t]+(?-i:{CAP}))"),
            0.5,
        ),
        GroupPattern(  # "HSR Layout Sector 2, Bengaluru - 560102", "Jayanagar 4th Block, Bangalore 560011"
            "in town + pin",
            re.compile(rf"(?:(?<=,)|(?<=,[ \t])|(?m:^))[ \t]*(?P<v>{TOWN}[ \t]*[-–]?[ \t]*{IN_PIN})(?![\w]|[.,]\d)"),
            0.5,
            validate=_indian_town_pin_ok,
        ),
        GroupPattern(  # "C1425 Buenos Aires", "S2000ABC Rosario": Correo Argentino's CPA, a province letter, 4 digits, 3 letters of the block face
            "ar cpa + town",
            re.compile(rf"(?<![\w-])(?P<v>{AR_CPA}[ \t]+{TOWN})"),
            0.55,
            validate=_not_money,
        ),
        GroupPattern(
            "house name before a street line",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]{CAP})?)[ \t]+(?-i:{HOUSE_NAMES}))(?=,?\s+(?:{HOUSE}[ \t]+{CAP}|{UNIT}|(?-i:{CAP}[ \t]+){{1,2}}(?i:{EN_STREETS}),))"),
            0.5,
        ),
        GroupPattern("postcode 5 + town", re.compile(rf"(?<![\w-])(?P<v>(?:[A-Z]{{1,2}}-)?\d{{5}}[ \t]+{TOWN}(?:[ \t]+\d{{1,4}}[a-z]?(?![\w]|[.,]\d))?)"), 0.5, validate=_town_until_stop),
        GroupPattern(
            "postcode 4 + town at line start or after comma",
            re.compile(rf"(?:^|(?<=,\s)|(?<=,)|(?<=\n)[>\s]*)(?P<v>(?:[A-Z]{{1,2}}-)?\d{{4}}(?:\s?(?-i:[A-Z]{{2}}))?[ \t]+{TOWN}(?:[ \t]+\d{{1,4}}[a-z]?(?![\w]|[.,]\d))?)", re.MULTILINE),
            0.5,
            validate=_not_money,
        ),
        GroupPattern(  # CTT's CP7: four digits, a hyphen, three digits, then the town ("4050-180 Porto", "4050-180 PORTO";
            # in lower case only after a street line: _POSTCODE_TOWN_NEXT)
            "pt postcode + town",
            re.compile(rf"(?<![\w-])(?P<v>\d{{4}}-\d{{3}}[ \t]+{TOWN})"),
            0.6,
        ),
        GroupPattern(  # the CP7 alone right after a street line and its comma ("avenida da liberdade 418, 4710-251")
            "pt postcode after a house number",
            re.compile(r"(?<=\d,[ \t])(?P<v>\d{4}-\d{3})(?![\w-])"),
            0.6,
        ),
        GroupPattern("nl postcode + town", re.compile(rf"(?<![\w-])(?P<v>\d{{4}}\s?(?-i:[A-Z]{{2}})\s+{TOWN})"), 0.6),
        GroupPattern("uk postcode", re.compile(rf"(?<![\w])(?P<v>{UK_POSTCODE})(?![\w])"), 0.5),
        GroupPattern("uk postcode in any case, area checked", re.compile(rf"(?<![\w])(?P<v>{UK_POSTCODE_AREA_ANY_CASE})(?![\w])"), 0.5),
        GroupPattern("ca postcode", re.compile(rf"(?<![\w])(?P<v>{CA_POSTCODE})(?![\w])"), 0.5),
        GroupPattern(  # "San Ana de la Montaña, HGO 93645", "Vieja Guinea, PUE 14735": Correos de México's town, state and código postal
            "mx town, state cp",
            re.compile(rf"(?P<v>{TOWN},?\s+(?-i:{MX_STATES})\s+\d{{5}}(?:-\d{{4}})?)(?![\w-])"),
            0.6,
        ),
        GroupPattern("us city, state zip", re.compile(rf"(?P<v>{TOWN},?\s+(?-i:{US_STATES}|{CA_PROVINCES})\s+(?:\d{{5}}(?:-\d{{4}})?|{CA_POSTCODE}))"), 0.6),
        GroupPattern(
            "preposition street + number",  # Czech / Slovak / Slovene: "Pod Floriánem 1677", "Na Příkopě 12", "U Nemocnice 2"
            # (a one-letter preposition before a name in capitals is no street: the Dutch "U SCHRIJFT STEEDS 140")
            re.compile(rf"(?<![\w-])(?P<v>(?:Pod|Nad|Na|Za|Před|Pri|Při|(?:U|V|K)(?=[ \t]+[{U}][{L}]))[ \t]+{CAP}(?:[ \t]+{CAP})?[ \t]+{HOUSE})(?![\w])"),
            0.5,
        ),
        GroupPattern("street word after the name + number", re.compile(rf"(?<![\w-])(?P<v>{WORD}[ \t]+(?:{AFTER_STREETS})[ \t]*{HOUSE}\.?)(?![\w])", f), 0.6),
        GroupPattern(
            "house number + name + number line",
            re.compile(rf"(?m)^{_LINE_PREFIX}(?P<v>\d{{1,5}}[ \t]+{CAP}(?:[ \t-]{CAP}){{0,2}}[ \t]+\d{{1,5}}[a-zA-Z]?)[ \t]*$"),
            0.5,
            validate=lambda v: v.split()[1].lower().strip(".") not in NOT_STREET | _MONTH_WORDS,  # "07 Feb 2022" is a date
        ),
        GroupPattern(  # "Bungendore NSW 2621", "ADELAIDE SA 5000": an Australian town, state and postcode
            "au town, state postcode",
            re.compile(rf"(?<![\w-])(?P<v>{TOWN},?[ \t]+(?-i:{AU_STATES}),?[ \t]+\d{{4}})(?![\w])"),  # "Hobart, TAS, 7000": commas as many write them
            0.6,
            validate=lambda v: v.split()[0].lower().strip(".,") not in NOT_STREET,
        ),
        GroupPattern("irish county", re.compile(rf"(?<![\w])(?P<v>{COUNTY})"), 0.5),
        GroupPattern(  # "HC 65 Box 210", "RR 2 Box 15", "RR#3, Uxbridge": a US highway contract or rural route box, a Canadian rural route
            "rural route",
            re.compile(r"(?<![\w])(?P<v>(?-i:HC|HCR|RR|R\.R\.)[ \t]?#?[ \t]?\d{1,3}(?:,?[ \t]+(?i:box)[ \t]+\d{1,5}|(?=,[ \t]*[A-Z])))(?![\w])"),
            0.55,
        ),
        GroupPattern("us military address", re.compile(r"(?<![\w])(?P<v>(?i:APO|FPO|DPO)[ \t]+(?i:AA|AE|AP)[ \t]+\d{5}(?:-\d{4})?)(?![\w])"), 0.7),
        GroupPattern("us military unit", re.compile(r"(?<![\w])(?P<v>(?i:PSC|CMR|Unit)[ \t]+\d{1,5},?[ \t]+(?i:Box)[ \t]+\d{1,5})(?![\w])"), 0.6),
        GroupPattern(  # the ship of an FPO address (USPS Pub. 28, 225: "USS Johnson / FPO AP 96543"; USNS, USNV, USCGC)
            "ship",
            re.compile(rf"(?<![\w])(?P<v>(?:USNS|USNV|USS|USCGC|HMS|HMCS)[ \t]+(?:(?:le|la|de|van|von|du|di|da|del|mc|st\.?)[ \t]+)?{CAP}(?:[ \t]+{CAP})?)(?=[ \t]*\n[ \t>]*(?i:FPO|APO))"),
            0.6,
        ),
        GroupPattern(
            # "The bus station is on Žinkovská 885", "enter on Trg mladih 4b St.", "the corner of Kožarska 1b/7 St.":
            # a street of Central European form (a name, maybe with its lower-case type: Croatian "trg", Slovene
            # "cesta", then the number with a letter or a slash) after "on"/"at"/"in", where the clause ends or
            # "St."/"street" follows; after "of"/"to" only before "St."/"street"
            "on + name + house number",
            re.compile(rf"(?<![\w])(?i:on|at|in)[ \t]+(?P<v>{_NAME_NUMBER})(?=[ \t]*(?:[.,;!?)]\s|[.,;!?)]?$|\n)|[ \t]+(?i:st\.|street\b|and\b))"),
            0.5,
            validate=_name_number_ok,
        ),
        GroupPattern(
            "of + name + house number + street",
            re.compile(rf"(?<![\w])(?i:of|to)[ \t]+(?P<v>{_NAME_NUMBER})(?=[ \t]+(?i:st\.|street\b))"),
            0.5,
            validate=_name_number_ok,
        ),
        GroupPattern(  # "Κέρκυρα ΤΚ 142 37", "Τ.Κ. 546 21": ELTA's postcode (ddd dd) after its abbreviation Τ.Κ. (ταχυδρομικός κώδικας)
            "greek postcode",
            re.compile(r"(?<![\w])(?P<v>(?:[Α-ΩΆ-Ώ][α-ωά-ώΑ-ΩΆ-Ώ]+[ \t,]+)?(?:Τ\.?[ \t]?Κ\.?)[ \t]*\d{3}[ \t]?\d{2})(?![\w])"),
            0.6,
        ),
        GroupPattern(  # "support das Neves in Matile-près-Uldry 4433", "in Onderdendam 9143ZD": a town and its postcode after a locative preposition
            "in + town + postcode",
            # (not before a counted noun: "in London 3000 people came")
            re.compile(
                rf"(?<![\w])(?i:in|at|from|near|to)[ \t]+(?P<v>{TOWN}[ \t]+(?:\d{{4}}(?:[ \t]?(?-i:[A-Z]{{2}}))?|\d{{5}}))(?![\w-])"
                rf"(?![ \t]+(?!(?:in|and|or|for|to|at|on|with|is|was|but|which|where|the|a|an|as|since|until)\b)[{L}])"
            ),
            0.5,
            validate=_town_code_ok,
        ),
        GroupPattern("country + postcode", re.compile(rf"(?m)(?<=\n)[>\s]*(?P<v>{CAP}(?:[ \t]{CAP})?[ \t]\d{{4,5}})[ \t]*$"), 0.5),
        GroupPattern(
            # "postcode is 9686 PG" (PostNL: 4 digits and 2 letters), "code postal ne change pas : 74000" (a few words and a colon)
            "postcode after its word",
            # (India Post's "PIN code"/"Pincode" and a six-digit code, Singapore Post's and India Post's length, first digit 1-9)
            re.compile(rf"(?i:\b(?:zip|zip code|zipcode|post ?code|postal code|plz|postleitzahl|code postal|cp|cap|c\.p\.|código postal|codice postale|pin ?code))(?![\w])(?:[^\w\n]{{0,4}}(?i:is|ist|est|es|è)?(?:[ \t]+(?i:el|le|il|de))?|(?:[ \t]+[^\W\d_]+){{1,4}}[ \t]*:)[ \t:]*(?P<v>[1-9]\d{{5}}|\d{{4}}[ \t]?(?-i:[A-Z]{{2}})|(?-i:[A-Z]{{1,2}})-\d{{4,5}}|\d{{2}}-\d{{3}}|\d{{4}}-\d{{3}}|\d{{3,5}}(?:[ -]\d{{2,4}})?|(?i:{UK_POSTCODE_ANY_CASE})|{CA_POSTCODE})(?![\w])"),
            0.6,
        ),
        GroupPattern(  # "Unit no.: #11-203": Singapore Post's unit number (storey and unit after "#") after its form label
            "sg unit after its label",
            re.compile(rf"(?<![\w])(?i:unit(?:[ \t]*(?:no\.?|number|#))?|flat(?:[ \t]*no\.?)?)[ \t]*[:.]?[ \t]*(?P<v>{SG_UNIT})(?![\w-])"),
            0.6,
            needs=re.compile(r"#[ \t]?\d"),
        ),
        GroupPattern(
            # a form field of the state or province alone on its line: a code of the US (USPS), Canadian (Canada Post) or
            # Australian (Australia Post) lists, or a Nigerian state as NIPOST writes it, the name and "State" ("Kano State")
            "state after its form label",
            re.compile(
                rf"(?m)^{_LINE_PREFIX}(?i:state|province|state/province|province/state|state/territory|territory)[ \t]*:[ \t]*"
                rf"(?P<v>(?-i:{US_STATES}|{CA_PROVINCES}|{AU_STATES})|(?-i:{CAP}(?:[ \t]{CAP})?[ \t](?:STATE|State)))[ \t]*$"
            ),
            0.6,
            needs=re.compile(r"(?i:state|province|territory)[ \t]*:"),
        ),
        GroupPattern(
            # "Address line 1: The Granary", "Address line 2: Home Farm, Lower Street": the value of an address-line field of a
            # form (the lines of Royal Mail's PAF address, a house or farm name in place of a number) is an address line
            "address line after its form label",
            re.compile(rf"(?m)^{_LINE_PREFIX}(?i:address[ \t]+line[ \t]*[1-4]|address[ \t]*[1-4])[ \t]*:[ \t]*(?P<v>[^\n]{{3,60}}?)[ \t]*$"),
            0.6,
            validate=_address_line_value_ok,
            needs=re.compile(r"(?i:address[ \t]+line[ \t]*[1-4]|address[ \t]*[1-4])[ \t]*:"),
        ),
        GroupPattern(
            # NIPOST's estate address: a house or plot number, a comma, then a numbered street ("House 9, 4th Avenue", "Plot 3,
            # 21st Crescent"): Nigerian estates number their streets and avenues as USPS Publication 28 writes
            # numbered street names (an ordinal and the street type); the unit first makes it a street, not "the 3rd Road show"
            "unit + numbered street",
            re.compile(rf"(?<![\w-])(?P<v>(?i:{UNIT_BEFORE})[ \t]*,[ \t]*\d{{1,3}}(?i:st|nd|rd|th)[ \t]+(?i:{EN_STREETS}))(?![\w])"),
            0.6,
            needs=re.compile(r"\d(?i:st|nd|rd|th)[ \t]"),
        ),
        GroupPattern(  # "Barangay San Roque, Tarlac City, Tarlac": PHLPost's barangay, then the town or city and the province
            "ph barangay + town",
            re.compile(rf"(?<![\w-])(?P<v>(?i:barangay|brgy\.?)[ \t]+{CAP}(?:[ \t]+{CAP}){{0,3}}(?:[ \t]*,[ \t]*{TOWN}){{1,2}})"),
            0.6,
            needs=re.compile(r"(?i:barangay|brgy)"),
        ),
        street_after_preposition(),
        *named_towns(),
        country_field(),
        region_field(),
        district_field(),
        town_field(),
        india_pin_field(),
        street_field(),
        town_part(),
        postcode_town_field(),
        *east_asian_address_numbers(),
        *house_number_alone(),
        *floor_alone(),
        postcode_after_delivery(),
    ]
    context = ["address", "adresse", "anschrift", "dirección", "domicilio", "indirizzo", "adres", "wohnhaft", "live", "lives", "moved", "woon", "vivo", "habite"]
    context += ["suite", "apt", "apartment", "unit", "flat", "floor", "wohnung", "appartement", "piso", "interno"]  # the unit line of an address block
    return GroupPatternRecognizer("EuAddressRecognizer", "LOCATION", patterns, language, context=context)
