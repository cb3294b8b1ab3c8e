"""One address, one placeholder: :func:`join_address_parts` joins the parts of one address the
recognisers found into one LOCATION span, so the draft restores a whole address.

Parts separated only by an address gap (:func:`_address_gap`: separators, or up to three short
lines; never a blank line) or by named parts on one line (:func:`_named_parts_gap`) are joined;
each address takes its house number, floor, unit, postcode and town, region or province and the
rest of its line and its trailing town/country/postcode lines (:func:`_extend`, :func:`_join_once`).
Then each address grows from its postcode (:mod:`agent.pii.address_growth`), a floor written apart
from its street line joins it (:func:`_floor_beside`), the addressee's title line above it becomes
a PERSON (:func:`_addressee_names`), and the places written apart from their street are added
(:mod:`agent.pii.address_places`). A street name NER found next to a word for the firm's branch
("our Baker Street office") and a product name with a number ("the Flat 20 offer") are no address
(:func:`_branch_name`, :func:`_product_name`, :func:`_street_named_product`)."""

from __future__ import annotations

import re
from dataclasses import replace

from agent.pii.address_formats import (
    _ADDRESS_WORD,
    _HOUSE_WORD,
    _STREET_WORD,
    AR_MX_REGIONS,
    ARTICLES,
    BUILDING,
    CA_POSTCODE,
    CAP,
    ES_FLOOR,
    ES_PROVINCES,
    FLOOR,
    IT_PROVINCES,
    LOCALITY,
    PREFIX_STREETS,
    SG_POSTCODE,
    SG_UNIT,
    SUFFIX_STREETS,
    TOWN,
    UK_POSTCODE,
    UNIT,
    UNIT_BEFORE,
    US_STATES,
    L,
    U,
)
from agent.pii.address_growth import (
    _grow_from_postcodes,
    _lower_anchors,
    _new_span,
    _title_line,
    _title_line_rx,
)
from agent.pii.address_words import (
    _MONTH_WORDS,
    _closing_line,
    _closing_words,
    _is_stop,
    _numbered,
    _town_word,
)
from agent.pii.words import is_ordinary_word

# Characters that may start a line of an address block: quote marks, bullets, table bars and the
# "?" a lost bullet character becomes.
_PREFIX = r"[ \t>?*•·|]"
_GAP = re.compile(r"[\s,>?*•·|]*")
# (a full stop right after the house number is the Hungarian way of writing it, "Kecskeméti út 7."; a region
# name may hold a spaced hyphen, as Slovenia's statistical regions are written: "Grosuplje Notranjsko - kraška 2320")
_TRAILING_LINE = re.compile(
    rf"(?:[ \t,]|(?<=\d)\.)*\n{_PREFIX}*[ \t,]*(?P<line>(?:[^\W\d_][\w'’-]*\.?(?:[ \t]-(?=[ \t]))?[ \t]?){{1,4}}(?:[ \t]*,?[ \t]*(?:[A-Z]{{1,3}}[ \t]+)?\d{{4,5}})?|\d{{4,5}}"
    # a postcode + town line in any case ("3500 ac utrecht", "4410 liestal", Poste Italiane's "18035 Dolceacqua (IM)")
    rf"|(?P<pc>(?:[A-Z]{{1,2}}-)?\d{{4,5}}(?:[ \t]?[a-zA-Z]{{2}}(?=[ \t]))?),?[ \t]+[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’.-]*){{0,2}}(?:[ \t]+\([A-Za-z]{{2}}\))?)(?:[ \t,.]|(?<=\d)[?!])*(?=\n|$)"
    rf"|[ \t,]*\n{_PREFIX}*[ \t,]*(?P<code>\d{{5}}|\d{{3}} \d{{2}})(?=[.,?!]?(?:[ \t]+-)?[ \t]+[^\W\d_])"  # a postcode line the sentence goes on after ("11516. Thanks", "89268? thx", "04330 - our")
)
# A town line with its region or state written out and the postcode last, the way the UPU's S42
# templates put them for many countries ("Brežice, Jugovzhodna Slovenija 64989", "Josh Ville, Mayo
# 24351", "Přerov, Hlavní město Praha 22337"); the postcode at the line's end ties it to the address
# above, so a question mark may close it ("… Oddø, Midtjylland 38236?").
_TOWN_REGION_CODE_LINE = re.compile(
    rf"[ \t,]*\n{_PREFIX}*[ \t,]*(?P<line>(?:[^\W\d_][\w'’-]*\.?[ \t]){{0,3}}[^\W\d_][\w'’-]*[ \t]*,[ \t]*(?:[^\W\d_][\w'’.-]*[ \t]+){{1,3}}\d{{4,5}})(?:[ \t.?!]*(?=\n|$)|(?=\.[ \t]+[A-Z]|[\x22”]))"  # (or a sentence goes on, "… 73495. Could you", or a quoted value ends)
)
# A word of a town line: a letter, then letters, digits or symbols ("φλαμου∆ι": a mathematical
# delta standing for the Greek letter), never sentence punctuation.
_ADDRESS_LINE = re.compile(rf"{_PREFIX}*[\s]*[^\W\d_][^\s,;:!?@()]*(?:[^\S\n]+[^\s,;:!?@()]+){{0,3}}[^\S\n]*,?")
_LEADING_NUMBER = re.compile(r"(?<![\w.,:/+-])\d{1,5}[a-zA-Z]?[ \t]+$")
# The sector of an Indian planned town (India Post: "House No. 12, Sector 15-A, Faridabad"; also Pakistan Post's
# "Sector G-9/2") and the phase of a Nigerian or Pakistani estate (NIPOST: "Lekki Phase 1, Lagos"; "DHA Phase 5"): a
# locality line of the address, its number part of its name.
_SECTOR_PHASE = r"(?-i:Sector|SECTOR|Phase|PHASE)[ \t]+\d{1,3}(?:-?(?-i:[A-Z]))?(?![\w])"
# The sectors of Islamabad's grid (Capital Development Authority: a letter A-I, a number, and the sub-sector 1-4 after a
# slash, "G-9/2", "I-8/4"), which Pakistan Post's addresses write after the house and street numbers and before
# "Islamabad" ("House No 12, Street 4, G-9/2, Islamabad"): a locality word of the tail, taken only after a street line.
_ISLAMABAD_SECTOR = r"(?-i:[A-I])-\d{1,2}(?:/[1-4])?(?![\w/-])"
_SECTOR_END = re.compile(r"(?-i:Sector|SECTOR)[ \t]+\d{1,3}\Z")
_SECTOR_LETTER = re.compile(r"-(?-i:[A-Z])(?![\w])")
_TAIL_PARTICLES = r"u|v|nad|pod|na|de|di|del|della|la|le|am|an|der|im|sur|sous|en|on|upon|by|bei|ob|près|lès"
_TAIL_WORD = (
    rf"(?:{_SECTOR_PHASE}|{_ISLAMABAD_SECTOR}|[{U}][{L}]{{0,2}}\.(?=[ \t]*[{U}{L}])|[{U}](?:[{U}{L}'’-]|\.(?=[{U}{L}]))*|\([^)\n]{{1,25}}\)|{UK_POSTCODE}|{CA_POSTCODE}|\d{{3,5}}(?:[ -]\d{{2,4}})?|(?:{_TAIL_PARTICLES})(?=[ \t]))"
)
# (an address written in brackets ends at the closing bracket: "the old one (PO Box 311, Kaikohe 0440) is closed")
_TAIL_END = r"(?=[ \t]*[.?!;]?[ \t]*(?:\n|$)|[ \t]*[.?!][ \t]+\S|[ \t]*\))"
# (capitalised place words may also end where the sentence goes on in lower case with a preposition or
# conjunction: "… Suite 340 Port Scott New York for this card")
_TAIL_WORDS = rf"(?:[ \t]*,?[ \t]*{_TAIL_WORD}){{1,10}}"
_TAIL = re.compile(rf"{_TAIL_WORDS}{_TAIL_END}")
_TAIL_WORDS_RX = re.compile(_TAIL_WORDS)
# A weekday or month in a capitalised tail, with the particle before it: the sentence's time, not a place ("… Lagos on Sunday").
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_TIME_IN_TAIL = re.compile(
    rf"(?:[ \t]*,?[ \t]*(?:{_TAIL_PARTICLES}))?[ \t]*,?[ \t]*(?<![\w])(?i:{_WEEKDAYS}|january|february|march|april|june|july|august|september|october|november|december)(?![\w])"
)
# The places after a street line also end where the sentence goes on: before a conjunction or relative ("for", "which"),
# a clause joined by "and"/"but" with its subject ("…, Ajose Phase 2, Ibadan and we were away"), "while"/"when", or the
# sentence's time ("… Ibadan on Sunday night", "… Kaduna last month"): the weekday, month or time word is no place.
_TAIL_BEFORE_CLAUSE = re.compile(
    rf"{_TAIL_WORDS}(?=[ \t]+(?:for|to|as|so|please|because|since|with|from|which|that|until|while|when|whereas|"
    rf"(?:and|but)[ \t]+(?:i|he|she|we|they|it|my|our|his|her|their|the|there)|"
    rf"(?:on|last|this|next)[ \t]+(?i:{_WEEKDAYS}|night|week|weekend|month|year|morning|evening))[ \t])"
)
# Comma-separated place names after a street line that a comma and the sentence in lower case follow: "ubicado en
# Av. Providencia 1650, depto 84, <Providencia, Santiago>, tuvo una filtración" (Correos de Chile: street, number,
# flat, comuna, city); each item after its comma, the last ending in a letter ("PO Box 88, 2021, was closed" is a year).
_TAIL_LISTED = re.compile(rf"(?:[ \t]*,[ \t]*{_TAIL_WORD}(?:[ \t]+{_TAIL_WORD}){{0,3}}){{1,3}}(?<=[^\W\d_])(?=,[ \t]+[{L}])")  # a full stop ends a word only after an abbreviation ("St. Gallen", not "Österreich. Danke")
# (a word's full stop only inside it, "st.louis": "…, jaén. no tiene número" ends the address at "jaén")
_TAIL_LOWER = re.compile(rf"(?:[ \t]*,?[ \t]*(?:[{L}](?:[{L}'’-]|\.(?=[{L}]))*|\d{{3,5}})){{1,6}}{_TAIL_END}")
_TAIL_LOWER_WORDS_RX = re.compile(rf"(?:[ \t]*,?[ \t]*(?:[{L}](?:[{L}'’-]|\.(?=[{L}]))*|\d{{3,5}})){{1,6}}")


def _typo_in_tail(tail: str) -> int | None:
    """Where the first misspelt sentence word of a lower-case tail starts (a word the English lexicon does not hold, one
    edit from one it does: "plese", "explian"), or None: the sentence goes on there, no town or region is misspelt so."""
    from agent.pii.words import english_parts_of_speech, misspelt_english_word

    for w in re.finditer(r"(?<![^\W\d_])[a-zA-Z]{5,}(?![^\W\d_])", tail):  # an English word's typo has no letter outside a-z
        if not english_parts_of_speech(w.group(0)) and misspelt_english_word(w.group(0)):
            return len(tail[: w.start()].rstrip(" \t,"))
    return None


NER = "SpacyRecognizer"
# Floors, units, buildings and a named residence written above or before the street line, each
# ending with a comma or a line break ("2nd Floor, ", "LEVEL 3, ", "Bâtiment C, escalier 2, 3e
# étage, porte droite\n", "RÉSIDENCE LES PINS APPT 47\n"): part of the address they precede.
# (the locality's name also in lower case here, where the item is bounded by a line start, comma or
# colon and by the street line: "rés. les tilleuls, bât 4 esc B, 3 allée des peupliers")
_BEFORE_NAME = rf"(?:(?-i:{CAP})|(?-i:[{L}][{L}'’-]+))"
_BEFORE_ITEM = (
    rf"(?:{FLOOR}|{BUILDING}(?:[ \t]+{BUILDING})*|{UNIT}|{UNIT_BEFORE}|{LOCALITY}[ \t]+(?:(?:{ARTICLES})[ \t]*)*{_BEFORE_NAME}(?:[ \t]+{_BEFORE_NAME}){{0,2}}"
    rf"(?:[ \t]*,?[ \t]*(?:{FLOOR}|{UNIT}))?)"
)
_LOCALITY_WORD_BEFORE = re.compile(rf"[ \t>]*(?P<w>{LOCALITY})[ \t]+(?:(?:{ARTICLES})[ \t]+)*", re.IGNORECASE)  # "Résidence Les <Mimosas, …>"
# A unit, plot or house number and its comma before the street line in running text, where no line start, comma or
# colon bounds it ("I rent <Shop 8, >41 Main Road", "our house at <Plot 14, >Block 9, …": ``UNIT_BEFORE``).
_UNIT_BEFORE_COMMA = re.compile(rf"(?<![\w-])(?:{UNIT_BEFORE})[ \t]*,[ \t]*\Z", re.IGNORECASE)
_SUBUNIT_BEFORE = re.compile(rf"(?:^|(?<=[\n,:])|(?<=[\n>:][ \t]))[ \t>]*(?:{_BEFORE_ITEM}(?:[ \t]*,[ \t]*|[ \t]*\n[ \t>]*))+\Z", re.IGNORECASE)
# A floor, door or building after a street line ("Calle Mayor 5, 3º B", "45 avenue des Acacias,
# Bât. C", "Via Roma 3, Scala B"), taken only where a list item ends (comma, line end, full stop).
# Austrian addresses chain them with slashes ("Rennweg 12/Stiege 2/Top 14"), German ones with a
# space ("Hinterhaus 1. Stock"); in a lower-case line the postcode may follow without a comma
# ("c/ sant joan 12 bajo 2a 08012 barcelona", "v.le monza 233 sc. c 20126 milano"), or the town after "in"/"w"
# ("ul. kwiatowa 17 m. 4 in gdańsk").
_SUBUNIT_AFTER = re.compile(
    # (the full stop of a Hungarian house number before its floor: "Váci utca 19. II. em. 5.")
    rf"(?:(?<=\d)\.(?=[ \t]?(?:(?:[IVX]{{1,4}}|\d{{1,2}})\.[ \t]?em|fszt)))?(?:[ \t]*,?[ \t]*|[ \t]*\n[ \t>]*|/)(?:{ES_FLOOR}|{BUILDING}|{FLOOR})"
    rf"(?=/|[ \t]*(?:[,;\n]|$|\.[ \t]*(?:\n|$|[{U}]))|[ \t]+\d{{4,5}}[ \t]+[^\W\d_]|[ \t]+(?:{ES_FLOOR}|{BUILDING}|{FLOOR})(?![\w])|[ \t]+(?:in|w)[ \t])",
    re.IGNORECASE,
)
# A postcode and a town after a street line in any case ("8 impasse des lilas 44300 nantes", "via
# dei mille 7 int 4 20129 milano", "kerkstraat 12 bis, 5611 gh eindhoven"; CTT's "4050-180 porto", Poczta
# Polska's "80-283 gdańsk"): the town is one word,
# or two after a particle ("la roche", "san sebastián"); the postcode's digits tie it to the street.
_POSTCODE_TOWN_NEXT = re.compile(
    r"[ \t]*,?[ \t]*(?:\d{5},?|\d{4}-\d{3}|\d{2}-\d{3}|\d{4}(?:[ \t]?[a-zA-Z]{2}(?=[ \t]))?)[ \t]+(?P<town>(?:(?:la|le|les|el|san|sant|santa|saint|st\.?|den)[ \t]+)?[^\W\d_][\w'’-]*)"
)
# A place name that goes on after a particle ("Capelle aan den IJssel", "Bergen op Zoom", "Alphen aan den Rijn": the CBS
# list of Dutch woonplaatsen; "Frankfurt am Main", "Weil am Rhein"; "Boulogne sur Mer" written apart), here after the
# town word a postcode came before; Dutch "en" (and) and English "on" are no particles here.
_TOWN_PARTICLE_GOES_ON = re.compile(r"[ \t]+(?:aan|op|bij|am|an[ \t]+der|sur|sous|upon)[ \t]+(?:(?:de|den|der|het|la|le|les)[ \t]+)?(?P<w>[^\W\d_][\w'’-]*)", re.IGNORECASE)
_ANY_CASE_CODE = r"(?:[ac-fhknprtv-y]\d{2}|d6w)[ \t]?[0-9ac-fhknprtv-y]{4}|[a-z]{1,2}\d[a-z\d]?[ \t]?\d[a-z]{2}"  # an Eircode, a UK postcode (with re.I)
_ENDS_WITH_POSTCODE_TOWN = re.compile(
    rf"(?:(?<![\w])(?:\d{{5}},?|\d{{4,5}}(?:[ \t]?[a-zA-Z]{{2}})?)[ \t]+[^\W\d_][\w'’-]*(?i:{_TOWN_PARTICLE_GOES_ON.pattern})?|(?<![\w])(?i:{_ANY_CASE_CODE}|(?:{US_STATES})[ \t]+\d{{5}}))$"
)
# An Eircode or a UK postcode in any case right after a town or county ("co wicklow, a98 k7w3").
_POSTCODE_NEXT = re.compile(
    r"[ \t]*,?[ \t]*(?i:(?:[ac-fhknprtv-y]\d{2}|d6w)[ \t]?[0-9ac-fhknprtv-y]{4}|[a-z]{1,2}\d[a-z\d]?[ \t]\d[a-z]{2})(?![\w])"
)
# A US state code (any case) and a ZIP ending a lower-case tail: "seattle wa 98101".
# A lower-case town, state code and ZIP right after a street or unit: "… apt 2, jersey city nj 07304 please".
_STATE_ZIP_NEXT = re.compile(rf"[ \t]*,?[ \t]*(?:[{L}]+[ \t]+){{0,3}}(?i:\b(?:{US_STATES}))[ \t]+\d{{5}}(?:-\d{{4}})?(?![\w])")
_STATE_ZIP_END = re.compile(rf"(?i:\b(?:{US_STATES}))[ \t]+\d{{5}}(?:-\d{{4}})?[ \t.]*$")
# A Mexican colonia (Correos de México: the settlement line after the street, "Col." or
# "Fracc." for a fraccionamiento) after the street line: "Av. Juárez 14, Col. Centro", "calle pino 3, col. del valle".
_COLONIA_AFTER = re.compile(r"[ \t]*,[ \t]*(?i:col\.|colonia|fracc\.|fraccionamiento)[ \t]+(?:[^\W\d_][\w'’.-]*)(?:[ \t]+[^\W\d_][\w'’.-]*){0,4}(?=[ \t]*[,\n])")
# The rest of a town of two or three words written after its postcode up to the comma before its region
# ("01710 alvaro <obregon>, cdmx", "5000 san miguel <de tucumán>, tucumán").
_TOWN_GOES_ON = re.compile(r"(?:[ \t]+[^\W\d_][\w'’-]*){1,2}(?=[ \t]*,)")
# The province after the postcode and town (``ES_PROVINCES``), the Argentine or Mexican city code and
# region after the street line or the postcode and town (``AR_MX_REGIONS``).
_ES_PROVINCE_NEXT = re.compile(rf"[ \t]*(?:,[ \t]*(?:{ES_PROVINCES})|\((?:{ES_PROVINCES})\))(?![\w])", re.IGNORECASE)
_CITY_CODE_NEXT = re.compile(r"[ \t]*,[ \t]*(?i:caba|c\.a\.b\.a\.|cdmx|cd\.[ \t]?mx\.?|edomex)(?![\w])")
_REGION_NEXT = re.compile(rf"[ \t]*,[ \t]*(?:{AR_MX_REGIONS})(?![\w])")
# Poste Italiane: the province's two-letter code in brackets after the postcode and town ("53037 San Gimignano (SI)");
# in brackets any two capitals, in lower case ("20032 ospitaletto (mi)") only a code of the ISTAT list.
_PROVINCE_CODE_NEXT = re.compile(rf"[ \t]*\((?:(?-i:[A-Z]{{2}})|(?-i:{IT_PROVINCES.lower()}))\)(?![\w])")
# The province's code without brackets (``IT_PROVINCES``), only where the clause ends after it.
_PROVINCE_BARE_NEXT = re.compile(rf"[ \t]+(?:(?-i:{IT_PROVINCES})|(?-i:{IT_PROVINCES.lower()}))(?=[ \t]*(?:[,;]|[.!?]?[ \t]*(?:\n|$)|[.!?][ \t]))")
# An Irish postal district after a Dublin street line (An Post: "Dublin 1" to "Dublin 24", "Dublin 6W"):
# "6 Clonard Grove, Dublin 16".
_DUBLIN_DISTRICT_NEXT = re.compile(r"[ \t]*,[ \t]*(?i:dublin)[ \t]+(?:[1-9]|1\d|2[0-4]|6w)(?![\w])")
# The number word before a house number ("No. 6 Clonard Grove", "no 14 Main Street"), an English usage
# of Irish and British addresses.
# Singapore Post's HDB block before its number ("Blk 215 Ang Mo Kio Ave 3"): the block number is the house number.
_NUMBER_WORD_BEFORE = re.compile(r"(?<![\w])(?i:no\.?|nr\.?|number|blk\.?|block)[ \t]+\Z")
# Singapore Post: after the street line the street's own number (the numbered streets of the new towns: "Ang Mo Kio
# Ave 3", "Bishan Street 23") when a unit or the postcode follows, the unit "#storey-unit" and
# "Singapore" with the 6-digit postcode or "S(postcode)" (``SG_UNIT``, ``SG_POSTCODE``).
_SG_NEXT = re.compile(
    rf"(?:[ \t]+\d{{1,3}}(?=[ \t]*,?[ \t]*(?:#|(?i:singapore)|S\()))?[ \t]*,?[ \t]*(?:{SG_UNIT}(?:[ \t]*,?[ \t]*{SG_POSTCODE})?|{SG_POSTCODE})(?![\w])"
)
# A street line that ends with a house number and a 5-digit postcode ("hauptstrase 23 72070"), and the
# town word after it (Deutsche Post, La Poste, Poste Italiane, Correos: postcode + town; CTT and Poczta Polska: "4050-262 porto", "80-283 gdańsk").
_STREET_POSTCODE_END = re.compile(r"[^\W\d_][ \t]+\d{1,4}[a-zA-Z]?,?[ \t]+(?:\d{5}|\d{4}-\d{3}|\d{2}-\d{3})\Z")
# A house number, a prefix street word and its name, and a 5-digit number the street pattern took for the house number:
# the postcode (La Poste, Correos, Poste Italiane write number, street, postcode, town: "14 rue paul bert 33000 bordeaux").
_NUMBER_PREFIX_STREET_POSTCODE = re.compile(rf"\d{{1,5}}[a-zA-Z]{{0,3}},?[ \t]+(?:{PREFIX_STREETS})[ \t]+[^\d\n]*[^\W\d_][ \t]+\d{{5}}", re.IGNORECASE)
_TOWN_AFTER_POSTCODE = re.compile(r"[ \t]+(?P<town>[^\W\d_][\w'’-]*)")
# The article of a named house or estate that starts its address line, with the name's first words (La Poste NF Z10-011
# line 3, "Le Clos Fleuri", "Le Mas des Oliviers";
# "El Mirador", "Il Poggio", "De Hoeve"), which NER left out of its span.
_ARTICLE_LINE_START = re.compile(rf"[ \t>]*(?P<a>(?-i:Le|La|Les|El|Il|Lo|De|Het))(?:[ \t]+(?:(?-i:{CAP})|des|de|du|del|della|di|d'))" + r"{0,3}[ \t]+")
# The article of a UK or Irish house name ("The Old Forge", "THE GRANGE"; Royal Mail's premises name).
_THE_BEFORE = re.compile(r"(?<![\w])(?-i:The|THE)[ \t]+\Z")
# A German floor after a building ("Hinterhaus 2. OG rechts"), whose number the street line took.
_TRAILING_FLOOR_NUMBER = re.compile(r"[ \t]\d{1,2}\Z")
_POSTCODE_AND_TOWN = re.compile(r"(?<![\w-])\d{4,5},?[ \t]+[^\W\d_]")
# South African Post Office: the 4-digit postcode last, after the suburb and town and a comma ("PO Box
# 7731, Rivonia, 2128"); a year (1950-2039) after a comma is no postcode unless the line ends there. The sentence may go
# on after the code in lower case ("… Pretoria, 0081 is still leaking").
_SA_CODE_NEXT = re.compile(
    rf"(?:[ \t]*,[ \t]*{TOWN}){{0,2}}[ \t]*,[ \t]*(?!19[5-9]\d|20[0-3]\d)\d{{4}}(?=[ \t]*(?:[,;]|[.!?]?[ \t]*(?:\n|$)|[.!?][ \t])|[ \t]+(?-i:[a-z])[a-z]*(?![\w]))"
)
# A German street named after a place with the adjective in -er, written apart ("Hernalser Hauptstraße",
# "Mariahilfer Straße", Duden § 36), here in lower case: the adjective before a street word.
_ADJECTIVE_BEFORE = re.compile(r"(?<![\w-])(?-i:[a-zäöüß][a-zäöüß-]+er)[ \t]+\Z")
# A Dutch street named after a person, its first name and particle written apart ("Jan van Galenstraat",
# "Pieter de Hoochstraat", NEN 5825 / BAG street names), here in lower case: the first name is no stop word
# ("op de kerkstraat" keeps "op de" out).
_PERSON_PARTICLE_BEFORE = re.compile(r"(?<![\w-])(?P<first>(?-i:[a-zäöüéèëï]{2,}))[ \t]+(?:van[ \t]+(?:de|der|den)|van|de|der|den|ter|ten)[ \t]+\Z")
_LOWER_SUFFIX_STREET = re.compile(rf"(?-i:[{L}-]*)(?i:{SUFFIX_STREETS})(?![\w])")
# A named part of an address written between two others on one line: up to four capitalised
# words (particles allowed after the first): "The Maltings", "Bishop Street", "Hebden Bridge".
_NAMED_PART = re.compile(rf"(?-i:{CAP})(?:[ \t]+(?:(?-i:{CAP})|{ARTICLES}|of|on|upon|the)){{0,3}}")


_BLANK_LINE = re.compile(r"\n[ \t>]*\n")


def _address_gap(gap: str) -> bool:
    """True when ``gap`` between two address parts keeps them one address: separators only, or
    up to three short lines (a town, a region) without sentence punctuation. A blank line ends an
    address block (the layout of a postal address: its lines follow one another, Royal Mail's and
    UPU S42's address block), so after one only separators may come before the next part
    ("… Riisa" + a blank line + "Estonia 62488"): words there begin a paragraph ("<nw9 7qe>" + a
    blank line + "the old one was <113 pembury avenue…>")."""
    if _GAP.fullmatch(gap):
        return True
    lines = gap.split("\n")
    if len(lines) - 1 > 3 or len(gap) > 80 or re.search(r"[.!:;@]", gap) or _BLANK_LINE.search(gap):
        return False
    if len(lines) == 1 and any(_is_stop(w) for w in re.findall(r"[^\W\d_]+", gap)):
        return False  # "da <Viale X 1, 13896 Netro (BI)> a <Stretto Y 41, …>": a preposition between two addresses on a line
    return all(not ln.strip(" ,\t>?*•·|") or _ADDRESS_LINE.fullmatch(ln.lstrip(" \t,")) for ln in lines)


def _named_parts_gap(gap: str) -> bool:
    """True when ``gap`` between two address parts on one line is a comma-separated list of one
    to three named parts (a building name, a street without a number, a district): ", The
    Maltings, Bishop Street, " between "Apt 4" and "Dublin 8". Each item is up to four
    capitalised words; the commas on both ends are required, so a sentence that merely goes on
    ("12 Baker Street and then 5 Elm Road") is never joined."""
    if "\n" in gap or len(gap) > 80 or not re.fullmatch(r"[ \t]*,.*,[ \t]*", gap):
        return False
    items = [x.strip() for x in gap.strip(" \t,").split(",")]
    return 1 <= len(items) <= 3 and all(_NAMED_PART.fullmatch(x) for x in items)


def _extend(text: str, s) -> tuple[int, int]:
    """The span of the address part ``s`` with its house number before it on the line ("255
    hersnapvej 18"), a floor, door or building after a street line ("Calle Mayor 5, 3º B",
    "Rennweg 12/Stiege 2/Top 14", ``_SUBUNIT_AFTER``), a postcode and town in any case after a
    street line ("8 impasse des lilas 44300 nantes", ``_POSTCODE_TOWN_NEXT``), an Eircode or UK
    postcode in any case after a town or county (``_POSTCODE_NEXT``), the rest of its line when that is only towns, regions, countries and
    postcodes ("Apt. 162, Chomutice u Horic v Podkrkonoší, Czech Republic 33156"; in lower case
    when it is no run of ordinary words or ends with a US state and ZIP: "seattle wa 98101"),
    and up to three following lines of that kind."""
    start, end = s.start, s.end
    # after a postcode and town a lower-case tail is only a region or country after a comma
    # ("23400 úbeda, jaén"), not the words the sentence goes on with ("08012 barcelona xfa gracias")
    town_taken = bool(_ENDS_WITH_POSTCODE_TOWN.search(s.value))
    line_start = text.rfind("\n", 0, start) + 1
    m = _LEADING_NUMBER.search(text, line_start, start)
    if m:
        start = m.start()
    comma = s.value.find(",")
    if _HOUSE_WORD.search(s.value[: comma if comma > 0 else len(s.value)]) and (m := _THE_BEFORE.search(text, max(line_start, start - 5), start)):
        start = m.start()  # "<THE> OLD FORGE, CHURCH LANE": a house name with its article
    if _numbered(s.value) and s.value[:1].isupper() and (m := _ARTICLE_LINE_START.fullmatch(text, line_start, start)):
        start = m.start("a")  # "<Le >Clos Fleuri, 4 impasse des Vignes": the article of a named house at the line start
    if s.value[:1].isdigit() and (m := _NUMBER_WORD_BEFORE.search(text, max(line_start, start - 10), start)):
        start = m.start()  # "<No. >6 Clonard Grove"
    m = _ADJECTIVE_BEFORE.search(text, max(line_start, start - 40), start) if _LOWER_SUFFIX_STREET.match(s.value) else None
    if m and _town_word(m.group(0)):  # "<hernalser> hauptstraße 118/2/14": the place adjective of the street's name
        start = m.start()
    m = _PERSON_PARTICLE_BEFORE.search(text, max(line_start, start - 40), start) if _LOWER_SUFFIX_STREET.match(s.value) else None
    if m and _town_word(m.group("first")):  # "<jan van >galenstraat 201": a street named after a person
        start = m.start()
    if _numbered(s.value):
        m = _LOCALITY_WORD_BEFORE.fullmatch(text[line_start:start])  # "RÉSIDENCE <LES CHÊNES APPT 12>"
        if m:
            start = line_start + m.start("w")
        window = text[max(0, start - 100) : start]
        m = _SUBUNIT_BEFORE.search(window)
        if m:
            start -= len(window) - m.start() - (len(m.group(0)) - len(m.group(0).lstrip(" \t>")))
        elif "," in window[-4:] and (m := _UNIT_BEFORE_COMMA.search(window)):
            start -= len(window) - m.start()
    if _numbered(s.value):
        last_line = text.rfind("\n", start, end)  # a unit line NER took a word of: "rue des Tanneurs<\nBât>. C, 3e étage"
        m = _SUBUNIT_AFTER.match(text, last_line) if last_line > start else None
        if m and m.end() > end:
            end = m.end()
        m = _TRAILING_FLOOR_NUMBER.search(text, start, end)
        m = _SUBUNIT_AFTER.match(text, m.start()) if m else None
        if m and m.end() > end:  # "Hinterhaus <2. OG rechts>": the floor's number is no house number
            end = m.end()
        while m := _SUBUNIT_AFTER.match(text, end) or _COLONIA_AFTER.match(text, end) or _UNIT_AFTER.match(text, end):
            end = m.end()
        if m := _SG_NEXT.match(text, end):
            end = m.end()
        if text[end : end + 1] == "-" and _SECTOR_END.search(text, max(start, end - 12), end) and (m := _SECTOR_LETTER.match(text, end)):
            end = m.end()  # "Sector 15<-A>"
        m = _POSTCODE_TOWN_NEXT.match(text, end)
        if not m and _STREET_POSTCODE_END.search(text, start, end):  # "hauptstrase 23 72070< tübingen>": the postcode another recogniser joined
            m = _TOWN_AFTER_POSTCODE.match(text, end)
        if not m and _NUMBER_PREFIX_STREET_POSTCODE.fullmatch(text, start, end):
            m = _TOWN_AFTER_POSTCODE.match(text, end)  # "14 rue paul bert 33000< bordeaux>": the street pattern took the postcode for the number
        if m and _town_word(m.group("town")):
            end, town_taken = m.end(), True
            p = _TOWN_PARTICLE_GOES_ON.match(text, end)
            if p and _town_word(p.group("w")) and p.group("w").casefold() not in _MONTH_WORDS | _closing_words():
                end = p.end()  # "2903 lr capelle< aan den ijssel>"
            m = _TOWN_GOES_ON.match(text, end)
            words = m.group(0).split() if m else []
            if words and all(_town_word(w) and w.casefold() not in _closing_words() for w in words):
                end = m.end()
        m = _CITY_CODE_NEXT.match(text, end)
        if m:
            end = m.end()
    zip_next = _STATE_ZIP_NEXT.match(text, end) if _numbered(s.value) and not any(c.isupper() for c in s.value) else None
    if zip_next:  # the state and ZIP end the address, the sentence goes on: "… nj 07030 thanks"
        end = zip_next.end()
    elif _numbered(s.value) or s.recogniser != NER:
        tail = _TAIL if any(c.isupper() for c in s.value) else _TAIL_LOWER
        m = tail.match(text, end) or (_TAIL_LISTED.match(text, end) if tail is _TAIL and _numbered(s.value) else None)
        if not m and tail is _TAIL and _numbered(s.value) and (c := _TAIL_BEFORE_CLAUSE.match(text, end)):
            m = None if any(_is_stop(w) for w in c.group(0).replace(",", " ").split()) else c  # not "12 Elm Road <Is Closed> for"
        if m and tail is _TAIL and (d := _TIME_IN_TAIL.search(m.group(0))):  # "…, Lagos< on Sunday>": a day or month is no place
            m = _TAIL_WORDS_RX.fullmatch(text, end, end + d.start()) if d.start() else None
        if m and tail is _TAIL_LOWER and (typo := _typo_in_tail(m.group(0))) is not None:
            m = _TAIL_LOWER_WORDS_RX.fullmatch(text, end, end + typo) if typo else None  # "… brampton< plese explain>"
        words = m.group(0).replace(",", " ").split() if m else []
        if tail is _TAIL_LOWER and any(w.casefold() in _closing_words() for w in words):
            m, words = None, []  # a sign-off ends the address: "kerkstraat 7 <mvg daan>" is the letter's end
        if tail is _TAIL and all(w.isupper() for w in words if w.isalpha()) and not all(_town_word(w) for w in words):
            m, words = None, []  # a sentence in capitals goes on: "2145 RD 16 N <AND DOES NOT GET MAIL>"
        region = town_taken and m and m.group(0).lstrip(" \t").startswith(",") and len(words) <= 2 and all(_town_word(w) for w in words)
        if m and (
            tail is _TAIL
            or region  # "23400 úbeda<, jaén>", "18620 alhendín<, granada>": a province after the postcode and town
            or not town_taken
            and (_STATE_ZIP_END.search(m.group(0)) or not all(is_ordinary_word(w) for w in words if not w.isdigit()))
        ):
            end = m.end()
            while end > s.end and text[end - 1] == ".":  # the full stop ends the sentence, not the town
                end -= 1
    if _numbered(s.value):
        value = text[start:end]
        m = _SA_CODE_NEXT.match(text, end)
        if m and (m.group(0).count(",") > 1 or text[end - 1].isalpha()):  # a code straight after a number is no postcode ("Flat 3, 1500")
            end = m.end()
        elif _POSTCODE_AND_TOWN.search(value) and (
            m := _REGION_NEXT.match(text, end)
            or _PROVINCE_CODE_NEXT.match(text, end)
            or _PROVINCE_BARE_NEXT.match(text, end)
            or _ES_PROVINCE_NEXT.match(text, end)
        ):
            end = m.end()
        elif m := _DUBLIN_DISTRICT_NEXT.match(text, end):
            end = m.end()
    m = _POSTCODE_NEXT.match(text, end)
    if m:
        end = m.end()
    for _ in range(3):
        m = _TOWN_REGION_CODE_LINE.match(text, end)
        if m and all(_town_word(w) for w in m.group("line").replace(",", " ").split()[:-1]):
            end = m.end("line")
            continue
        m = _TRAILING_LINE.match(text, end)
        if not m or (m.group("line") is not None and _closing_line(m.group("line"))):
            break
        if m.group("pc") and not all(_town_word(w) for w in text[m.end("pc") : m.end("line")].split()):
            if re.fullmatch(r"\d{5}", m.group("pc")):  # a postcode line the sentence goes on after: "77233 for this card."
                end = m.end("pc")
            break
        end = m.end("line") if m.group("line") is not None else m.end("code")
        if m.group("line") is None:
            break
    return start, end


def join_address_parts(text: str, spans: list) -> list:
    """One LOCATION span per postal address, from non-overlapping spans in reading order
    (``agent.redaction.PiiSpan``): LOCATION parts separated only by an address gap are joined,
    so is a name between two of them ("178 Piermark Drive <Zak Points> Apt. 335": a street named
    after a person), and so are up to three comma-separated named parts between two of them on
    one line, PERSON spans in them included ("Apt 4, The <Maltings>, <Bishop> Street, Dublin 8":
    a building and a street without a number, :func:`_named_parts_gap`); each address takes its house number, the rest of its line and its trailing
    town/country/postcode lines (:func:`_extend`). A span the extension reaches is absorbed when
    it is a LOCATION or a PERSON, else the address stops before it. Then each address grows from
    its postcode (:func:`_grow_from_postcodes`: the address lines above a postcode line, the
    comma-separated parts before it, lower-case addresses). A street name beside a word for
    the firm's branch and a product name with a number are dropped first (:func:`_branch_name`,
    :func:`_product_name`). Repeated until nothing changes (an extended address may now reach
    the next part: "… Riisa" + a blank line + "Estonia 62488"), so the result is the same however
    often it is applied."""
    spans = [s for s in spans if not (s.entity == "LOCATION" and (_branch_name(text, s) or _product_name(text, s) or _street_named_product(text, s)))]
    joined = spans
    lower_anchors = _lower_anchors(text)
    for _ in range(4):
        joined = _grow_from_postcodes(text, _join_once(text, spans), lower_anchors)
        if [(x.start, x.end, x.entity) for x in joined] == [(x.start, x.end, x.entity) for x in spans]:
            break
        spans = joined
    from agent.pii.address_places import places_beside
    from agent.pii.record_fields import csv_columns_beside, record_fields_beside, record_names_beside

    spans = places_beside(text, _floor_beside(text, _addressee_names(text, joined)))
    return csv_columns_beside(text, record_names_beside(text, record_fields_beside(text, spans)))


# A floor written apart from its street line in the same clause, joined to it by a preposition: "au 3 rue
# X 44300 nantes <au 2eme etage porte gauche>", "27 RUE X, <au 3e étage>", "al <terzo piano> di Via X 88"
# (fr "au", it "al … di", de "im", nl "op de", en "on the"): part of the address, as the floor line of
# La Poste's NF Z10-011 line 2, Poste Italiane's "piano" and Deutsche Post's "OG" are. Alone (no street
# line beside it) a floor stays readable.
_FLOOR_WORD = rf"(?:{FLOOR})(?:[ \t]+porte[ \t]+(?:droite|gauche|\d{{1,3}}))?"
# (or after the comma that ends the address: "Hauptstraße 112a, 69117 Heidelberg, 1. OG", "14 rue X, 2e étage, porte gauche")
# ("level 3" only after a preposition: "4 Elm Road, level 3 support is great")
_FLOOR_AFTER = re.compile(
    rf"[ \t]*(?:,?[ \t]*(?:au|à|al|im|op[ \t]+de|on[ \t]+the)[ \t]+|,[ \t]*(?!(?:level|lvl|floor)[ \t]))(?P<f>{_FLOOR_WORD})(?![\w])", re.IGNORECASE
)
# Poste Italiane's unit words written right after the house number ("Via Beatrice, 1 Appartamento 5",
# "Viale Roma 7 piano 3"), and Correos de México's número interior ("Viaducto Chad 578 Interior 854"): part
# of the address there, ordinary words elsewhere ("piano 3 volte").
# (and an office's number: "…, bureau 2200" of Canada Post's French addresses, "Suite 1800", "oficina 4", "Büro 12"; after the
# full stop of an abbreviation that ends the street: "boul. René-Lévesque O., bureau 2200")
_UNIT_AFTER = re.compile(
    r"\.?[ \t]*,?[ \t]*(?P<f>(?:appartamento|app\.|piano|interno|interior|int\.|scala|bureau|suite|ste\.?|oficina|despacho|local|büro|kantoor)[ \t]*\d{1,4}[a-zA-Z]?)(?![\w])",
    re.IGNORECASE,
)
_FLOOR_BEFORE = re.compile(rf"(?<![\w])(?P<f>{_FLOOR_WORD})[ \t]+(?:di|de|du|of|in|im|van)[ \t]+\Z", re.IGNORECASE)


# "to the 2nd floor of my sister's house, 41 Hillcrest Rd": the floor of a home named before its address
_FLOOR_OF_HOME_BEFORE = re.compile(
    rf"(?<![\w])(?P<f>{_FLOOR_WORD})[ \t]+of[ \t]+(?:my|our|his|her|their|the)[ \t]+[^\n,.;:]{{0,30}}?"
    r"(?:(?:house|home|flat|building|place|cottage|bungalow)[ \t]*,?[ \t]*(?:at[ \t]+)?)?\Z",  # (the house word may open the address's span)
    re.IGNORECASE,
)


def _floor_beside(text: str, spans: list) -> list:
    """``spans`` with a LOCATION span added for each floor written beside a numbered street line
    (``_FLOOR_AFTER``, ``_FLOOR_BEFORE``, ``_FLOOR_OF_HOME_BEFORE``) where no other span is."""
    out = list(spans)
    for s in spans:
        if s.entity != "LOCATION" or not _numbered(s.value):
            continue
        m = _FLOOR_AFTER.match(text, s.end) or _UNIT_AFTER.match(text, s.end)
        b = _FLOOR_BEFORE.search(text, max(0, s.start - 40), s.start) or _FLOOR_OF_HOME_BEFORE.search(text, max(0, s.start - 80), s.start)
        for lo, hi in [p for p in ((m.start("f"), m.end("f")) if m else None, (b.start("f"), b.end("f")) if b else None) if p]:
            if lo is not None and not any(x.start < hi and lo < x.end for x in out):
                out.append(_new_span(text, lo, hi))
    return sorted(out, key=lambda x: x.start)


def _addressee_names(text: str, spans: list) -> list:
    """A PERSON span for the name on a title line directly above an address block ("MR J R
    FITZGERALD" above "LEVEL 3, 120 MARY STREET": :func:`_title_line`), the title left out, the
    PERSON spans inside it replaced: the addressee's line (UPU S42) is a name whatever a name
    recogniser made of it. Not when another identifier lies on the line, or the name has more
    than five words."""
    from agent.redaction import PiiSpan

    out = list(spans)
    for a in spans:
        if a.entity != "LOCATION" or a.recogniser == NER or not _numbered(a.value):
            continue
        line_start = text.rfind("\n", 0, a.start) + 1
        if text[line_start : a.start].strip(" \t>?*•·|") or line_start == 0:
            continue
        prev = text.rfind("\n", 0, line_start - 1) + 1
        line = text[prev : line_start - 1]
        body = line.strip(" \t>?*•·|,")
        if not body or not _title_line(body):
            continue
        lo = prev + line.index(body) + _title_line_rx().match(body).end() - 1  # the rule ends with the name's first letter
        hi = prev + line.index(body) + len(body)
        if len(text[lo:hi].split()) > 5 or any(s.entity != "PERSON" and s.start < hi and lo < s.end for s in out):
            continue
        inside = [s for s in out if s.entity == "PERSON" and s.start < hi and lo < s.end]
        lo, hi = min([lo] + [s.start for s in inside]), max([hi] + [s.end for s in inside])
        out = [s for s in out if not any(s is p for p in inside)]
        score = max([0.6] + [s.score for s in inside])
        out.append(PiiSpan("PERSON", lo, hi, text[lo:hi], score, inside[0].recogniser if inside else "EuAddressRecognizer"))
        out.sort(key=lambda s: (s.start, s.end))
    return out


# The firm's branch or office named after its street: "your Baker Street office", "the Main Street
# branch", "l'agence de la rue de la Paix", "die Filiale in der Goethestraße": no client's address.
_BRANCH_WORDS = r"branch|office|store|shop|outlet|agency|showroom|agence|bureau|magasin|boutique|filiale|geschäftsstelle|sucursal|oficina|tienda|negozio|ufficio|filiaal|kantoor|winkel|vestiging"
_BRANCH_AFTER = re.compile(rf"[ \t]+(?:{_BRANCH_WORDS})(?![\w])", re.IGNORECASE)
_BRANCH_BEFORE = re.compile(rf"(?<![\w])(?:{_BRANCH_WORDS})(?:[ \t]+(?:of|on|in|at|the|de|du|des|la|l'|en|di|della|del|in der|an der|am|op|aan|van|het))*[ \t]*\Z", re.IGNORECASE)
_STREET_BEFORE = re.compile(rf"(?<![\w])(?:{PREFIX_STREETS})[ \t]+(?:(?:{ARTICLES})[ \t]*)*\Z", re.IGNORECASE)


def _branch_name(text: str, s) -> bool:
    """True for a street name without a number that NER took for a place, written next to a
    word for a branch or office of the firm (``_BRANCH_WORDS``): the firm's site, not an address."""
    if s.recogniser != NER or any(c.isdigit() for c in s.value):
        return False
    start = s.start
    m = _STREET_BEFORE.search(text, max(0, start - 30), start)  # "rue des <Carmes>": NER took the name only
    if m:
        start = m.start()
    elif not _STREET_WORD.search(s.value):
        return False
    return bool(_BRANCH_AFTER.match(text, s.end) or _BRANCH_BEFORE.search(text, max(0, start - 40), start))


_CAPS_NUMBER = re.compile(rf"(?-i:{CAP})(?:[ \t]+(?-i:{CAP})){{0,2}}[ \t]+\d{{1,3}}")  # a postcode (4-5 digits) is no product number
_NEXT_WORD = re.compile(r"[ \t]+([a-z][a-z'-]+)")


def _product_name(text: str, s) -> bool:
    """True for a capitalised name and a number, no street word in it, found alone by a pattern and
    followed by a common noun: a product or an offer ("the Flat 20 offer", "the Mini Box 300
    router"), not a unit or street line, which a comma, a line end, a town or a postcode follows."""
    if s.recogniser == NER or not _CAPS_NUMBER.fullmatch(s.value) or _STREET_WORD.search(s.value):
        return False
    m = _NEXT_WORD.match(text, s.end)
    if not m:
        return False
    from agent.pii.address_prose import SENTENCE_NEXT_WORDS
    from agent.pii.words import is_ordinary_word, stop_words

    w = m.group(1)  # (a word that goes on the sentence is no noun: "near Petrova 5c tonight", "from Bissens Allé 138 tomorrow")
    return w not in stop_words() and w.lower() not in SENTENCE_NEXT_WORDS and not _ADDRESS_WORD.fullmatch(w) and is_ordinary_word(w, english_only=True)


_HOUSE_NUMBER = re.compile(r"(?<![\w-])\d{1,5}[a-zA-Z]?(?![\w-])")


def _street_named_product(text: str, s) -> bool:
    """True for a street name without a house number that NER took for a place, written before a
    common noun: a product or a model named after the street ("the Abbey Road 4-Seater sofa", "the
    Park Avenue lamp"), not an address, which a house number, a comma, a town or a line end
    follows."""
    if s.recogniser != NER or not _STREET_WORD.search(s.value) or _HOUSE_NUMBER.search(s.value):
        return False
    m = _NEXT_WORD.match(text, s.end)
    if not m:
        return False
    from agent.pii.address_prose import SENTENCE_NEXT_WORDS
    from agent.pii.words import is_ordinary_word, stop_words

    w = m.group(1)  # (a word that goes on the sentence is no noun: "near Petrova 5c tonight", "from Bissens Allé 138 tomorrow")
    return w not in stop_words() and w.lower() not in SENTENCE_NEXT_WORDS and not _ADDRESS_WORD.fullmatch(w) and is_ordinary_word(w, english_only=True)


def _join_once(text: str, spans: list) -> list:
    out: list = []
    for s in spans:
        if out and s.entity == "LOCATION" and out[-1].entity == "LOCATION" and _address_gap(text[out[-1].end : s.start]):
            out[-1] = replace(out[-1], end=s.end, value=text[out[-1].start : s.end], score=max(out[-1].score, s.score))
            continue
        if (
            len(out) >= 2
            and s.entity == "LOCATION"
            and out[-1].entity == "PERSON"
            and out[-2].entity == "LOCATION"
            and _address_gap(text[out[-2].end : out[-1].start])
            and _address_gap(text[out[-1].end : s.start])
            and "\n" not in text[out[-2].end : out[-1].start]
        ):
            out.pop()
            out[-1] = replace(out[-1], end=s.end, value=text[out[-1].start : s.end], score=max(out[-1].score, s.score))
            continue
        if s.entity == "LOCATION" and out:
            k = len(out) - 1  # the last LOCATION before at most three PERSON spans ("Maltings", "Bishop")
            while k >= 0 and out[k].entity == "PERSON" and len(out) - k <= 3:
                k -= 1
            if k >= 0 and out[k].entity == "LOCATION" and _named_parts_gap(text[out[k].end : s.start]):
                del out[k + 1 :]
                out[-1] = replace(out[-1], end=s.end, value=text[out[-1].start : s.end], score=max(out[-1].score, s.score))
                continue
        out.append(s)
    result: list = []
    i = 0
    while i < len(out):
        s = out[i]
        if s.entity != "LOCATION":
            result.append(s)
            i += 1
            continue
        start, end = _extend(text, s)
        while result and result[-1].entity in ("PERSON", "LOCATION") and start <= result[-1].start and result[-1].end <= s.start:
            result.pop()  # a word of the floor or unit line taken for a name or place ("2nd <Floor>", "<Bâtiment C>")
        if result and start < result[-1].end:
            start = s.start
        j = i + 1
        while j < len(out) and out[j].start < end:
            if out[j].entity in ("LOCATION", "PERSON"):
                end = max(end, out[j].end)
                j += 1
            else:
                end = out[j].start
                while end > s.end and text[end - 1] in " \t,;:\n":
                    end -= 1
                break
        result.append(replace(s, start=start, end=end, value=text[start:end]))
        i = j
    return result
