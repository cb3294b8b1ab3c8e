"""Addresses written in a sentence rather than on an address line: patterns added to the address
recogniser (:func:`agent.pii.address_patterns.eu_address_recogniser`).

- :func:`street_after_preposition`: a continental street + house number after a place preposition,
  the street's name no English word ("could collect it from Bissens Allé 138 tomorrow", "a cyclist
  was struck near Petrova 5c", "opened the first shop on Stationsstigen 93 in 2023"). Most of
  Europe writes the number after the street's name (UPU, Postal addressing systems, the country
  pages for DK, SE, NO, FI, HR, CZ, DE, NL); the name alone is what NER tags, as a person.
- :func:`named_towns`: a town named after a person, the English way of naming settlements ("-town",
  "-ville", "-port", "-chester", ...: the place-name elements of the English Place-Name Society's
  survey, as US and Commonwealth towns are named after their founders: "Johnstown", "Jacksonville",
  "Fredericksburg"), and "Lake", "Port", "Mount", "Fort", "North"... + a first name ("Port
  Katie", "Lake Felicia"): the stem must be a name of the name lists, so "Woodland" or "Bedside"
  stay words.
- :func:`country_field`, :func:`region_field`, :func:`district_field`, :func:`town_field`,
  :func:`street_field`: the values of a form's, record's or JSON paste's address fields ("Country: NG",
  "Provincia: NA", "County: Door", ``"city":"manchester"``, "Straat + huisnummer: Markt 9").
- :func:`house_number_alone`, :func:`postcode_after_delivery`, :func:`india_pin_field`, :func:`town_part`:
  the parts of an address written alone ("at number 7", "deliver to 61490", "PIN: 412806", "Ortsteil Haardt").

Each is a pattern with a check (``validate``) that keeps ordinary words out; the
figures they move are in docs/redaction.md (seventh session).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from agent.pii.address_formats import AU_STATES, CA_PROVINCES, CAP, NL_ADDITION, NOT_STREET, US_STATES, L, U
from agent.pii.address_words import _MONTH_WORDS, country_names
from agent.pii.patterns import GroupPattern
from agent.pii.words import is_ordinary_word

# prepositions that put a place after them in English prose ("near", "from", "outside"...)
PLACE_PREPOSITIONS = "at|on|near|from|to|of|in|into|by|opposite|outside|behind|past|via|towards|off"
# what may follow a street + number in a sentence: punctuation, the line's end, or a word that starts
# the sentence's next part ("... 138 tomorrow", "... 93 in 2023"); a unit word ("2 days", "4 pm") may not
_NEXT_WORDS = (
    "in|on|at|tomorrow|tonight|today|yesterday|if|and|or|until|since|before|after|when|where|which|who|is|was|"
    "has|had|for|from|to|by|but|so|because|with|this|last|next|every|please|pls|then|as|near"
)
SENTENCE_NEXT_WORDS = frozenset(_NEXT_WORDS.split("|"))
_SENTENCE_GOES_ON = rf"(?=[ \t]*(?:[,.;:!?)\]|\n]|$)|[ \t]+(?:{_NEXT_WORDS})(?![\w]))"


def _continental_street_ok(value: str) -> bool:
    """True when the words before the house number read as a street's name: the first is no English
    word, no acronym or abbreviation of three letters or fewer ("BA 2490" is a flight, "Rs. 3" an amount), and no cue or month word
    ("Invoice 2291", "March 12"); a four-digit number is no year (19xx, 20xx)."""
    *words, number = value.split()
    first = words[0].strip(".")
    if len(first) <= 3 and (first.isupper() or words[0].endswith(".")):
        return False  # an acronym or an abbreviation: "BA 2490", "Rs. 3"
    if any(w.lower().strip(".") in NOT_STREET or w.lower().strip(".") in _MONTH_WORDS for w in words):
        return False
    if re.fullmatch(r"(?:19|20)\d\d", number):
        return False
    return not is_ordinary_word(first, english_only=True)


def street_after_preposition() -> GroupPattern:
    """A street name + house number after a place preposition, mid-sentence (see the module docstring).
    Score 0.55, as the other sentence patterns of the address recogniser."""
    return GroupPattern(
        "place preposition + street name + house number",
        re.compile(
            rf"(?<![\w])(?i:{PLACE_PREPOSITIONS})[ \t]+(?P<v>(?-i:{CAP})(?:[ \t]+(?-i:{CAP})){{0,2}}[ \t]+(?!0)\d{{1,4}}[a-zA-Z]?){_SENTENCE_GOES_ON}"
        ),
        0.55,
        validate=_continental_street_ok,
    )


# English place-name endings (settlement elements, as in "Johnstown", "Jacksonville", "Williamsburg",
# "Charleston", "Fredericksburg", "Kathrynport"), longest first so "borough" wins over "rough"
TOWN_ENDINGS = tuple(
    sorted(
        "town ton ville burg burgh borough bury port mouth chester haven side shire stad furt fort land view berg field ford ham stead wick".split(),
        key=len,
        reverse=True,
    )
)
_TOWN_ONLY_ENDINGS = frozenset("town ville port chester haven burgh borough mouth".split())
TOWN_PREFIXES = "north|south|east|west|new|lake|port|mount|fort|saint|st\\.?"
_NAME_TOWN_PREFIXES = "new|lake|port|mount|fort"  # + a first name: "Port Katie", "Lake Felicia" (not "North America")


@lru_cache(maxsize=1)
def _name_sets() -> tuple[frozenset[str], frozenset[str]]:
    from agent.pii.name_words import name_lists

    first, last = name_lists()
    return frozenset(n.casefold() for n in first), frozenset(n.casefold() for n in last)


def _person_stem(word: str) -> bool:
    """True when ``word`` is a name of the name lists + an English place-name ending: a first name
    ("Kathryn|port", "Guy|town"; three letters or more), or a surname of five letters or more that is
    no English word ("O'Donnell|town", not "Wood|land", "Graf|ton"); the whole word is no English word."""
    w = word.casefold().replace("’", "'")
    if is_ordinary_word(w, english_only=True):
        return False
    first, last = _name_sets()
    for ending in TOWN_ENDINGS:
        if w.endswith(ending) and len(w) - len(ending) >= 3:
            stem = w[: -len(ending)]
            for s in (stem, stem.rstrip("s"), stem.replace("'", "")):  # "Williams|burg", "O'Donnell|town"
                word_stem = is_ordinary_word(s, english_only=True) or is_ordinary_word(stem.rstrip("s"), english_only=True)
                if s in first and len(s) >= 3 or s in last and len(s) >= 5 and not word_stem:
                    # (a stem of three letters or one that is also an English word, "Guy", "Frank", "King", takes only an
                    # ending no surname or product has: "Guytown", not "Kingsford", "Limburg")
                    return ending in _TOWN_ONLY_ENDINGS or not word_stem and len(s) >= 4
    return False


def _named_town_ok(value: str) -> bool:
    """The check of :func:`named_towns`: the last word is a person's name + a place-name ending, or, after
    a place prefix ("Port", "Lake", "New"), a first name of the name lists."""
    words = value.split()
    if _person_stem(words[-1]):
        return True
    if len(words) == 2 and re.fullmatch(_NAME_TOWN_PREFIXES, words[0], re.IGNORECASE):
        first, _ = _name_sets()
        return words[1].casefold() in first
    return False


def _named_town_score(value: str) -> float | bool:
    """The check of :func:`named_towns` with its score: 0.6 for an ending no surname has ("-town",
    "-ville", "-port"...), 0.5 for the others, False for no town."""
    if not _named_town_ok(value):
        return False
    last = value.split()[-1].casefold()
    return 0.6 if any(last.endswith(e) for e in _TOWN_ONLY_ENDINGS) else 0.5


def named_towns() -> list[GroupPattern]:
    """A town named after a person (see the module docstring), in any case ("GUYTOWN",
    "oliviachester"), with an optional prefix ("West Kathrynport", "PORT KATIE"). Score 0.5; 0.6 with an
    ending no surname has ("-town", "-ville", "-port"...), so that a name recogniser's equal score does not
    type "West Kathrynport" a person (a tie goes to the place), while "Carlton" beside "John" stays a name."""
    rx = re.compile(rf"(?<![\w'’-])(?P<v>(?:(?i:{TOWN_PREFIXES})[ \t]+)?[{U}{L}][{L}{U}'’]{{4,}})(?![\w'’-])")
    return [GroupPattern("town named after a person", rx, 0.5, validate=_named_town_score)]


# the short names forms write that Faker's country lists give only in full ("United States of America")
_SHORT_COUNTRY_NAMES = frozenset({"united states", "usa", "u.s.a.", "uk", "great britain", "england", "scotland", "wales", "northern ireland"})


def _country_ok(value: str) -> bool:
    """A country's name (six languages), its short form, or in capitals its ISO 3166-1 alpha-2 or alpha-3 code
    ("NG", "DEU": a form's or record's country field often holds the code)."""
    import pycountry

    name = " ".join(value.split()).casefold()
    if name in country_names() or name in _SHORT_COUNTRY_NAMES:
        return True
    return value.isupper() and len(value) in (2, 3) and value.isalpha() and pycountry.countries.get(**{f"alpha_{len(value)}": value}) is not None


def _field(name: str, labels: str, validate) -> GroupPattern:
    """A form's or record's field ``labels: value`` (also ``"label": "value"``, ``label = value``, ``label | value``)
    whose value, one to four words to the line's or field's end, passes ``validate`` (which sees a value in lower
    case too: an app's JSON writes what the client typed, ``"city":"manchester"``). Score 0.5."""
    return GroupPattern(
        name,
        # (the value ends the line or the field, or the next key=value of a log line: "city=Whitefish state=MT";
        # a separator may stand apart: "Provincie: Antwerpen ; Rekening: …")
        re.compile(
            rf"(?<![\w])(?i:{labels})[\"']?[ \t]*[:=|][ \t]*[\"']?(?P<v>[{U}{L}][{L}{U}.'’-]*(?:[ \t]+[{U}{L}][{L}{U}.'’-]*){{0,3}}?)"
            rf"(?=[ \t]*[\"',;|]|[ \t]*(?:\n|$)|[ \t]+[\w-]+=)"
        ),
        0.5,
        validate=validate,
        needs=re.compile(rf"(?i:{labels})"),
    )


def country_field() -> GroupPattern:
    """The value of a form's or record's country field ("Country: Australia", ``"country": "Canada"``):
    the country of an address the form holds, part of it (UPU S42 puts it on the address's last line);
    a country named in a sentence stays readable. Score 0.5."""
    return _field("country field", r"country(?:[ \t]+of[ \t]+(?:residence|birth|domicile))?", _country_ok)


def _folded(name: str) -> str:
    """``name`` case-folded, its whitespace single spaces and its accents dropped ("Mahārāshtra" → "maharashtra")."""
    return "".join(c for c in unicodedata.normalize("NFKD", " ".join(name.split()).casefold()) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def region_names() -> frozenset[str]:
    """The names of ISO 3166-2 subdivisions (states, provinces, counties, regions: 4,891 names, through
    ``pycountry``), folded by :func:`_folded`: "illinois", "northern territory", "steiermark", "maharashtra"."""
    import pycountry

    return frozenset(_folded(s.name) for s in pycountry.subdivisions)


@lru_cache(maxsize=1)
def region_codes() -> frozenset[str]:
    """The part after the country of ISO 3166-2 subdivision codes of two or three letters ("NA" of IT-NA, Napoli;
    "WI" of US-WI; "VAN" of BE-VAN): forms write a province or state by its code."""
    import pycountry

    return frozenset(c for c in (s.code.partition("-")[2] for s in pycountry.subdivisions) if c.isalpha() and len(c) in (2, 3))


def _region_ok(value: str) -> bool:
    """An ISO 3166-2 subdivision's name (accents optional), in capitals the letters of its code, or a US state's,
    Canadian province's or Australian state's postal code."""
    if _folded(value) in region_names():
        return True
    return bool(re.fullmatch(rf"(?:{US_STATES}|{CA_PROVINCES}|{AU_STATES})", value)) or value.isupper() and value in region_codes()


def _town_ok(value: str) -> bool:
    """A town of the gazetteer, or words that are not all of the lexicons ("Cape May", "Lititz"; not "Pending");
    in lower case a town of the gazetteer only ("manchester")."""
    from agent.pii.town_gazetteer import is_town
    from agent.pii.words import known_word

    return is_town(value) or not value[0].islower() and not all(known_word(w) for w in re.split(r"[ \t-]+", value))


def town_field() -> GroupPattern:
    """The value of a form's or record's town field ("City: Cape May", "Plaats: Wijk bij Duurstede", "city=Whitefish")
    when it is a town of the gazetteer or no word of the lexicons: the town line of the postal address (UPU S42).
    Score 0.5."""
    labels = r"city|town|town/city|suburb|locality|plaats|woonplaats|ort|wohnort|ville|localité|città|citta|comune|ciudad|localidad|municipio|gemeente"
    return _field("town field", labels, _town_ok)


def region_field() -> GroupPattern:
    """The value of a form's or record's state, province, county or region field ("State: Illinois",
    "Province: Ontario", "Bundesland: Steiermark") when it names an ISO 3166-2 subdivision
    (:func:`region_names`): part of the postal address (UPU S42: the "administrative area" on the
    last lines); "State: Open" is a status, no region. Score 0.5."""
    labels = (
        r"state|province|region|territory|bundesland|kanton|canton|provincia|regione|región|provincie|département|departement|"
        r"departamento|estado|prefecture"
    )
    return _field("region field", labels, _region_ok)


# what a form writes in a field it has no value for ("County: Please select", "District: none", "County: N/A",
# "County: see above"); a stop word of another language may be a county ("Door" is Dutch for "through")
_NO_FIELD_VALUE = frozenset("please select choose none n/a na unknown other same see as not tbc tba".split())


def _district_ok(value: str) -> bool:
    """A value whose first word is no placeholder of an empty field."""
    return value.split()[0].casefold() not in _NO_FIELD_VALUE


def district_field() -> GroupPattern:
    """The value of a form's or record's county or district field ("County: Door", "District: Satara",
    "Landkreis: Rhön-Grabfeld"): a county or district has no list of its own (ISO 3166-2 stops at states for most
    countries), and its field holds nothing but a place's name or an empty field's placeholder. Score 0.5."""
    return _field("district field", r"county|district|distrito|parish|landkreis|bezirk|arrondissement", _district_ok)


# the words that say a number in the same sentence is a home's ("we're at number 7", "the house is number 3",
# "number 7 is our house", "end house, number 31", "number 42, postcode CF10 3AT")
_HOME_WORDS = (
    r"neighbou?rs?|lives?|lived|living|house|home|flat|door|terrace|cottage|bungalow|staying|moved|next[ \t]+door|"
    r"we['’]re|we[ \t]+are|address|postcode|zip|eircode|courier|deliver(?:y|ies|ed)?"
)
_NUMBER_WORD = r"number|no\.|nr\.|num\."
# a number word after these is no house's: "phone number 7", "case no. 12", "account number 9" (one fixed-width
# look-behind per word, as Python's re requires)
_OTHER_NUMBER_WORDS = (
    "phone account policy reference ref case ticket order invoice card tracking customer member flight seat room page item "
    "step option line question box form version issue claim contract serial batch table bus route gate platform"
).split()
_NOT_AFTER = "".join(f"(?<!(?i:{w}) )" for w in _OTHER_NUMBER_WORDS)
_HOUSE_NUMBER = (
    rf"(?<![\w]){_NOT_AFTER}(?i:{_NUMBER_WORD})[ \t]*\d{{1,5}}[a-zA-Z]?"
    rf"(?![\w]|[.,:]\d|[ \t]*(?:%|(?i:pm|am|kg|km|mins?|minutes|hours|days)(?![\w])))"
)


def house_number_alone() -> list[GroupPattern]:
    """A house number written alone, with its number word, in a sentence that says it is a home's ("our neighbour
    Maria at number 01753", "We're at number 7", "the house is number 3 in the terrace", "number 7 is our house",
    "Customer: number 42, postcode CF10 3AT"; "Hausnummer 14a" on its own): with the street known to the reader it
    locates the home (Royal Mail PAF: the building number is an address element). Not after a word that makes it
    another number ("phone number 7", "case no. 12"). Score 0.5."""
    before = re.compile(rf"(?i:(?<![\w])(?:{_HOME_WORDS})(?![\w])[^.!?\n]{{0,40}}?)(?P<v>{_HOUSE_NUMBER})")
    after = re.compile(rf"(?P<v>{_HOUSE_NUMBER})(?i:[^.!?\n]{{0,40}}?(?<![\w])(?:{_HOME_WORDS})(?![\w]))")
    # ("Ons huisnummer is 23-II": the number after "is" in the six languages, with a Dutch toevoeging)
    own = re.compile(
        r"(?<![\w])(?P<v>(?i:hausnummer|huisnummer|house[ \t]+number|house[ \t]+no\.?|numéro[ \t]+de[ \t]+maison|(?:numero[ \t]+)?civico)"
        rf"(?:[ \t:]*|[ \t]+(?i:is|ist|est|es|è)[ \t]+)\d{{1,4}}[a-zA-Z]?(?:{NL_ADDITION})?"
        r"(?:,?[ \t]+(?i:interno|int\.|scala|piano)[ \t]+\w{1,3})?)(?![\w])"
    )
    needs = re.compile(r"(?i:n(?:umber|o\.|r\.|um\.)|nummer|numéro|civico)")
    return [
        GroupPattern("house number alone, after a home word", before, 0.5, needs=needs),
        GroupPattern("house number alone, before a home word", after, 0.5, needs=needs),
        GroupPattern("house number after its own name", own, 0.5, needs=needs),
    ]


# the words of a sentence about a home in German, French and Spanish ("Unsere Wohnung liegt im 2. OG", "j'habite au 4e
# étage", "la vecina del 2.º 2.ª"): a floor in it is the home's, not an office's ("La réunion a lieu au 3e étage")
_HOME_WORDS_EU = (
    r"wohnung|wohne|wohnen|wohnt|mieter(?:in)?|nachbar(?:in|n)?|zuhause|"
    r"habite|habitons|habitent|appartement|logement|voisin(?:e|s)?|domicile|chez[ \t]+(?:moi|nous)|"
    r"vivo|vivimos|vive|viven|vivienda|piso|vecin[oa]s?|casa|domicilio"
)


def floor_alone() -> list[GroupPattern]:
    """A German, French or Spanish floor written alone after its preposition, in a sentence about a home
    (:data:`_HOME_WORDS_EU` before it): "Unsere Wohnung liegt im 2. OG rechts", "j'habite au 4e étage, porte droite",
    "la vecina de abajo, del 2.º 2.ª" (the floor and the door). With the building known to the reader it says which
    home is the client's (Deutsche Post and La Poste put it on the address's second line). Not a meeting room's floor
    ("La réunion a lieu au 3e étage"), "level 3", or "el 2.º trimestre" (no door). Score 0.5."""
    # (within the sentence; the full stop of a title is none of its ends: "la vecina de abajo es Dña. Amparo …, del 2.º 2.ª")
    title_stop = "|".join(f"(?<={t})" for t in ("Dña", "Dª", "Sra", "Sr", "Dr", "Dra", "Mme", "Mlle", "Hr", "Fr", "M"))
    home = rf"(?i:(?<![\w])(?:{_HOME_WORDS_EU})(?![\w])(?:[^.!?\n]|(?:{title_stop})\.){{0,80}}?)"
    return [
        GroupPattern(
            "floor alone after its preposition, about a home",
            re.compile(
                rf"{home}(?<![\w])(?i:im|au)[ \t]+(?P<v>\d{{1,2}}\.[ \t]?(?:OG|Obergeschoss|Stock|Etage)(?:[ \t]+(?i:links|rechts|mitte))?"
                rf"|\d{{1,2}}(?:e|er|ème|eme)[ \t]+(?i:étage|etage)(?:[ \t]*,?[ \t]*(?i:porte)[ \t]+(?i:droite|gauche|\d{{1,3}}))?)(?![\w])"
            ),
            0.5,
            needs=re.compile(r"(?i:OG|Obergeschoss|Stock|Etage|étage)"),
        ),
        GroupPattern(
            "Spanish floor and door alone after their preposition, about a home",
            re.compile(
                rf"{home}(?<![\w])(?i:el|del|al|piso)[ \t]+(?P<v>\d{{1,2}}\.?[ºª°][ \t]*(?:\d{{1,2}}\.?[ºª°]|[A-H]|(?i:izq(?:uierda|da)?|dcha|derecha)\.?))(?![\w])"
            ),
            0.5,
            needs=re.compile(r"[ºª°]"),
        ),
    ]


def _not_year(value: str) -> bool:
    return not re.fullmatch(r"(?:19|20)\d\d", value)


def postcode_after_delivery() -> GroupPattern:
    """A postcode alone as the place something is delivered, shipped or posted to ("can you check if you
    deliver to 61490?", "do you ship to 9366?"): four or five digits that end the clause, no year. Score 0.5."""
    return GroupPattern(
        "postcode after delivery",
        re.compile(
            r"(?i:(?<![\w])(?:deliver|delivery|deliveries|delivering|delivers|ship|shipping|ships|post|send|dispatch)[ \t]+(?:out[ \t]+)?(?:to|into|in)[ \t]+"
            r"(?:(?:the[ \t]+)?(?:postcode|post[ \t]+code|zip(?:[ \t]+code)?|area)[ \t]+)?)(?P<v>\d{4,5})(?=[ \t]*(?:[?.!,;)]|$|\n|(?:area|please|pls)(?![\w])))"
        ),
        0.5,
        validate=_not_year,
        needs=re.compile(r"(?i:deliver|ship|post|send|dispatch)"),
    )


# street field labels of forms in the six languages, also with the house number in the label ("Straat + huisnummer",
# "Straße und Hausnummer", "Street & No.")
_STREET_LABELS = (
    r"street(?:[ \t]+(?:address|name))?|straat(?:naam)?|stra(?:ß|ss)e|rue|calle|via|indirizzo|dirección|direccion"
)
_AND_NUMBER = r"(?:[ \t]*(?:\+|&|/|and|und|en|et|y|e)[ \t]*(?:house[ \t]+)?(?:number|no\.?|nr\.?|huisnummer|hausnummer|hausnr\.?|numéro|n°|número|numero|civico))?"


def _street_value_ok(value: str) -> bool:
    """A street line: letters and one house number of at most five digits, eight words at most ("Markt 9",
    "12 rue des Lilas"; not "see above", not a phone number)."""
    numbers = re.findall(r"\d+", value)
    return bool(numbers) and any(c.isalpha() for c in value) and all(len(n) <= 5 for n in numbers) and len(value.split()) <= 8


def street_field() -> GroupPattern:
    """The value of a form's or record's street field, on its line or up to the record's next separator
    ("Straat + huisnummer: Markt 9", "Street: 14 Elm Grove", "Rue : 12 rue des Lilas"): with a house number it is
    the delivery line of a postal address (UPU S42), whatever words the street is named by ("Markt" is also the
    Dutch word for market). Score 0.6."""
    labels = rf"(?:{_STREET_LABELS}){_AND_NUMBER}"
    return GroupPattern(
        "street field",
        re.compile(rf"(?:^|(?<=\n)|(?<=[;|]))[ \t>*•-]*(?i:{labels})[ \t]*[:：=][ \t]*(?P<v>[^\n;|]{{2,60}}?)[ \t]*(?=\n|$|[;|])"),
        0.6,
        validate=_street_value_ok,
        needs=re.compile(rf"(?i:{_STREET_LABELS})"),
    )


def postcode_town_field() -> GroupPattern:
    """The value of a form's field for the postcode and the town together ("NPA/Localité : 1660 Château-d'Œx",
    "PLZ/Ort: 8260 Stein am Rhein", "Postcode & town: 3961 Wijk bij Duurstede"): the last line of a continental
    address (UPU S42). The label names both, so the four or five digits and the words after them are the place.
    Score 0.6."""
    postcode = r"npa|plz|cp|cap|c\.p\.|code[ \t]+postal|postcode|post[ \t]+code|zip|postleitzahl|código[ \t]+postal"
    town = r"localité|ville|ort|wohnort|città|comune|plaats|woonplaats|town|city|ciudad|población|localidad|lieu"
    joiner = r"[ \t]*(?:/|\+|&|and|und|et|e|y|en)[ \t]*"
    return GroupPattern(
        "postcode and town field",
        re.compile(rf"(?<![\w])(?i:(?:{postcode}){joiner}(?:{town}))[ \t]*[:=][ \t]*(?P<v>\d{{4,5}}[ \t]+[{U}{L}][^\n;|,]{{0,40}}?)[ \t]*(?=\n|$|[;|,])"),
        0.6,
        needs=re.compile(rf"(?i:{postcode})"),
    )


def town_part() -> GroupPattern:
    """A part of a German town named after its word ("Neustadt an der Weinstraße (Ortsteil Haardt)", "Stadtteil
    Gohlis", "OT Kleinzschachwitz"): Deutsche Post's address line may carry the Ortsteil, and the word is followed by
    nothing but the part's name. Score 0.5."""
    return GroupPattern(
        "German town part after its word",
        re.compile(rf"(?<![\w])(?:(?i:ortsteil|stadtteil|ortschaft|gemeindeteil)|OT\.?)[ \t]+(?P<v>{CAP}(?:[ \t-]{CAP}){{0,2}})(?![\w])"),
        0.5,
        needs=re.compile(r"(?i:ortsteil|stadtteil|ortschaft|gemeindeteil)|OT"),
    )


def east_asian_address_numbers() -> list[GroupPattern]:
    """The numbers of Japanese and Korean addresses written in Latin letters, which no European rule knows (Japan
    Post's and Korea Post's romanised order): a block number of two or three parts before its district and a
    municipality with its suffix ("3-12-7 Kichijoji Honcho, Musashino-shi"); the postcode after the prefecture or
    municipality ("Tokyo 180-0004", "〒150-0002") or after the city or district ("Seoul 05510", "Songpa-gu 05510"); a
    numbered road ("Olympic-ro 35-gil"). Score 0.6."""
    town = r"[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)?"
    return [
        GroupPattern(
            "Japanese block number before its district and municipality",
            re.compile(rf"(?<![\w-])(?P<v>\d{{1,2}}-\d{{1,4}}(?:-\d{{1,4}})?)(?=[ \t]+{town},[ \t]*[A-Z][a-z]+-(?:shi|ku|machi|cho|mura|gun)(?![\w]))"),
            0.6,
            needs=re.compile(r"-(?:shi|ku|machi|cho|mura|gun)\b"),
        ),
        GroupPattern(
            "Japanese postcode after its place",
            re.compile(r"(?:〒[ \t]?|(?<![\w])(?:Tokyo|Osaka|Kyoto|Hokkaido|Japan|[A-Z][a-z]+-(?:shi|ku|ken|to|fu))[ \t]*,?[ \t]+)(?P<v>\d{3}-\d{4})(?![\d-])"),
            0.6,
            needs=re.compile(r"\d{3}-\d{4}"),
        ),
        GroupPattern(
            "Korean postcode after its city or district",
            re.compile(r"(?<![\w])(?:Seoul|Busan|Incheon|Daegu|Daejeon|Gwangju|Ulsan|Sejong|[A-Z][a-z]+-(?:si|gu|gun|do))[ \t]*,?[ \t]+(?P<v>\d{5})(?![\d])"),
            0.6,
            needs=re.compile(r"\d{5}"),
        ),
        GroupPattern(
            "Korean numbered road",
            re.compile(r"(?<![\w-])(?P<v>\d{1,3}-(?:gil|ro|daero))(?![\w])"),
            0.6,
            needs=re.compile(r"-(?:gil|ro|daero)\b"),
        ),
    ]


def india_pin_field() -> GroupPattern:
    """India Post's six-digit PIN code after its label ("PIN: 412806", "Pin 560 034"; the first digit 1-9 is the
    postal region). Only six digits: a card's PIN ("PIN: 1234") is no postcode. Score 0.5."""
    return GroupPattern(
        "India Post PIN after its label",
        re.compile(r"(?<![\w])(?i:pin)[ \t]*[:.-]?[ \t]*(?P<v>[1-9]\d{2}[ \t]?\d{3})(?![\w])"),
        0.5,
        needs=re.compile(r"(?i:pin)"),
    )
