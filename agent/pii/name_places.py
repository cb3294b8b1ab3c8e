"""Where a name names a place or a product, not a person: the branch, street, direction and
product words around a listed first name (:func:`place_or_product_around`), a product's name
that opens with a first name (:func:`product_name`, :data:`PRODUCT_WORDS`,
:data:`FINANCIAL_PRODUCT_WORDS`), continents and world regions (:data:`WORLD_REGIONS`,
:func:`world_region`) and an English town before a noun (:func:`place_as_modifier`).
"""

from __future__ import annotations

import re

from agent.pii.name_words import _WORD
from agent.pii.words import english_parts_of_speech, is_ordinary_word, stop_words

# Words before a product's or a tariff's name ("la tarifa Luz Amparo", "il piano Gioia Casa", "the Iris plan").
PRODUCT_WORDS = frozenset(
    """tariff tarif tarifa tariffa plan plano piano pakket paket package paquete pacchetto bundle forfait formule offre offer
    oferta offerta angebot abonnement abo product produit producto prodotto producten modell model modelo modello""".split()
)
# Financial products named after a word that is also a first name ("Henry Growth Fund", "the Clara
# Savings Plan", "Iris Cash ISA", German "Paula-Sparplan"): the product word ends the name, as in
# the fund and account names of the UK FCA's register and of German and Dutch banks; a word of
# its own or the last part of a compound.
FINANCIAL_PRODUCT_WORDS = frozenset(
    """plan fund funds account accounts bond bonds savings saver isa portfolio pension pensions tariff mortgage loan
    annuity deposit sparplan fonds konto depot rente tarif anleihe spaarplan spaarrekening rekening hypotheek""".split()
)
_COMPOUND_PRODUCT_HEADS = ("plan", "konto", "fonds", "depot", "rente", "tarif", "rekening")  # "Paula-Sparplan", "Max-Konto"
_PRODUCT_WORD = re.compile(r"[ \t]{1,2}([^\W\d_][\w'’]*)")  # used with .match(text, pos)


def product_name(text: str, start: int, end: int) -> bool:
    """True when the word at ``text[start:...]`` opens a product's name: it is joined by a hyphen
    to a compound whose head is a product word ("Paula-Sparplan"), or the capitalised words after
    it on its line, up to three, end in a financial product word (:data:`FINANCIAL_PRODUCT_WORDS`)
    and all others between are ordinary words ("Henry Growth Fund", "Clara Savings Plan",
    "Clara Plan"). A listed name between keeps the person ("the Jane Doe Account": her account),
    and so does a comma ("Dear Clara, your Savings Plan")."""
    first = _WORD.match(text, start)
    if first is None:
        return False
    word = first.group(0)
    if "-" in word and word.rsplit("-", 1)[1].casefold().endswith(_COMPOUND_PRODUCT_HEADS):
        return True
    pos = first.end()
    for _ in range(3):
        m = _PRODUCT_WORD.match(text, pos)
        if m is None or not m.group(1)[:1].isupper():
            return False
        w = m.group(1)
        if w.casefold() in FINANCIAL_PRODUCT_WORDS:
            return True
        if not is_ordinary_word(w, english_only=True):
            return False
        pos = m.end()
    return False


# Where a listed first name names a place or a product, not a person (each list from the usage
# it cites):
# - the firm's branch or office, named after its town or street ("l'agence de Lyon", "la oficina
#   de Valencia", "l'agenzia di Verona", "à l'agence Victor Hugo", "the Darwin branch"): the
#   branch words of agent/pii/address_joining.py's branch rule;
# - a street: the street type written before the name in French, Spanish and Italian (La Poste
#   NF Z10-011, Correos, ISTAT DUG: "Via Roma", "calle Florida", "via Garibaldi"), and the English
#   types after it (USPS Publication 28: "Burnet Rd", "Grafton Street");
# - a direction from a place ("north of Brandon");
# - a product: a product or account word of the six languages before the name, or before the
#   opening quote of a quoted name ("le Livret « Victor »", "la Cuenta Valentina", "il Conto
#   Leonardo Deposito", "la polizza viaggi «Beatrice Travel»", "den Tarif „Klara Strom 24“",
#   "hospitalisatieverzekering 'Sofie Plus'"), and in English a name after an article before a
#   lower-case product word ("the Madison card", "the Grace Cover plans"); no language writes a
#   person's bare name there.
BRANCH_WORDS = (
    r"branch|office|store|shop|outlet|agency|showroom|agence|bureau|magasin|boutique|filiale|geschäftsstelle|sucursal|oficina|"
    r"tienda|negozio|ufficio|agenzia|filiaal|kantoor|winkel|vestiging"
)
_BRANCH_BEFORE = re.compile(
    rf"(?<![\w])(?i:{BRANCH_WORDS})(?:[ \t]+(?i:in|at|de|du|di|della|del|en|in der|von|van|te|op))?[ \t]+(?:l['’])?$"  # not "the office of Jane Doe"
)
_BRANCH_AFTER = re.compile(rf"[ \t]+(?i:{BRANCH_WORDS})(?![\w])")
STREETS_BEFORE = (
    r"rue|avenue|boulevard|bd|impasse|allée|chemin|quai|cours|place|calle|c/|avenida|avda\.|paseo|plaza|camino|ronda|"
    r"via|viale|piazza|piazzale|corso|largo|vicolo|strada|lungomare"
)
_STREET_BEFORE = re.compile(
    rf"(?<![\w])(?i:{STREETS_BEFORE})[ \t]+(?:(?i:de|de la|del|de los|des|du|di|dei|della|delle|degli)[ \t]+)?(?:l['’])?$"
)
_STREET_AFTER = re.compile(r"[ \t]+(?:Street|Road|Rd\.?|Avenue|Ave\.?|Boulevard|Blvd\.?)(?![\w])")
_DIRECTION_OF = re.compile(r"(?<![\w])(?i:north|south|east|west|north-east|north-west|south-east|south-west|northeast|northwest|southeast|southwest)[ \t]+of[ \t]+$")
# the words of the five other languages, which put the product word before the name ("la Cuenta
# Valentina"); English only before a quoted name (in "the card Anna sent" the name is a person's)
ACCOUNT_PRODUCT_WORDS = (
    r"livret|compte|carte|assurance|régime|contrat|offre|cuenta|tarjeta|póliza|seguro|depósito|oferta|"
    r"conto|carta|polizza|deposito|offerta|konto|karte|tarif|rekening|kaart|polis|"
    r"[\w-]*(?:verzekering|versicherung|tarif)"
)
_PRODUCT_BEFORE = re.compile(
    rf"(?<![\w])(?i:{ACCOUNT_PRODUCT_WORDS}|account|card|policy|plan|fund)(?:[ \t]+[a-zß-ÿ]+)?[ \t]*(?:[«„“\"'‘][ \t]?)$"  # a quoted name
    rf"|(?<![\w])(?i:{ACCOUNT_PRODUCT_WORDS})[ \t]+$"
)
_LOWER_PRODUCT_AFTER = re.compile(
    r"(?:[ \t]+[A-ZÀ-Þ][\w'’]*){0,2}[ \t]+(?:card|cards|plan|plans|account|accounts|policy|policies|cover|tariff|bundle|package|branch|office)(?![\w])"
)
_ARTICLE_BEFORE = re.compile(r"(?<![\w])(?i:the|a|an|your|our|this|that|and)[ \t]+(?:[A-ZÀ-Þ][\w'’]*[ \t]+){0,2}$")


def place_or_product_around(text: str, start: int, end: int, language: str = "en") -> bool:
    """True when the name at ``text[start:end]`` stands where a place or a product is named
    (the rules and their sources above: a branch, a street, a direction, a product word): the
    span is the branch's town, the street's or the product's name, no person. A street type
    before the name counts in English text only when capitalised ("Via Roma"; "sent via Anna")."""
    lo = max(0, start - 60)
    if _BRANCH_BEFORE.search(text, lo, start) or _BRANCH_AFTER.match(text, end):
        return True
    street = _STREET_BEFORE.search(text, lo, start)
    if (street and (language in ("fr", "es", "it") or street.group(0)[:1].isupper())) or _STREET_AFTER.match(text, end):
        return True
    if _DIRECTION_OF.search(text, lo, start) or _PRODUCT_BEFORE.search(text, lo, start):
        return True
    return bool(_LOWER_PRODUCT_AFTER.match(text, end) and _ARTICLE_BEFORE.search(text, lo, start))


# Continents and world regions in the six languages: a place no person lives at ("Europe et de
# l'Afrique du Nord", "Amérique du Sud", "the Asia-Pacific"); town and continent mentioned outside a
# postal address are not personal data (evaluation/data/pii/README.md labelling rules).
WORLD_REGIONS = frozenset(
    """europe europa european asia asie asien africa afrique afrika áfrica america amérique amerika américa americas
    oceania océanie ozeanien oceanië antarctica antarctique antarktis antártida antartide australasia asia-pacific apac emea
    latam scandinavia scandinavie skandinavien escandinavia scandinavië balkans balkan caribbean caraïbes karibik caribe
    caraibi caribisch benelux nordics middle-east""".split()
)
# Countries whose names hold a continent's: a country stays a place.
_COUNTRY_WITH_REGION = re.compile(r"south[ \t]+africa|afrique[ \t]+du[ \t]+sud|central[ \t]+african|centrafricaine|states[ \t]+of[ \t]+america", re.IGNORECASE)


def place_as_modifier(text: str, start: int, end: int) -> bool:
    """True for an English NER place after a determiner and before a lower-case noun ("our Leeds
    warehouse", "the Dublin team", "the Sydney staff"): English puts a town before a noun to name
    a branch or a group of the firm, never a person's address."""
    before = re.search(r"(?<![\w])(the|our|your|their|its|this|that)[ \t]+$", text[max(0, start - 8) : start], re.IGNORECASE)
    after = re.match(r"[ \t]+([a-z]+)\b", text[end : end + 24])
    return before is not None and after is not None and "noun" in english_parts_of_speech(after.group(1)) and after.group(1) not in stop_words()


def world_region(text: str, start: int, end: int) -> bool:
    """True for an NER place that holds a continent or a world region (:data:`WORLD_REGIONS`)
    and is no country named after one ("South Africa")."""
    value = text[start:end]
    if _COUNTRY_WITH_REGION.search(value):
        return False
    return any(w.casefold() in WORLD_REGIONS for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", value))


# Names clients use for their country that the country lists of :func:`agent.pii.address_words.country_names` do not hold.
_COUNTRY_SHORT_NAMES = frozenset({"uk", "usa", "us", "uae", "england", "scotland", "wales", "britain", "great britain", "northern ireland", "south korea", "north korea"})


def country_alone(text: str, start: int, end: int) -> bool:
    """True for an NER place that is only a country, or a list of countries ("Nigeria, Ghana and
    Kenya"), in running text ("transfer my pension from India", "she lives in the Philippines at
    …"): a country is no one's address (evaluation/data/pii/README.md labelling rules: a GPE
    outside a postal address is not personal data). A country that ends an address stays: one that
    starts its line or follows a comma ("Lagos, Nigeria", "…\nSingapore 560123")."""
    from agent.pii.address_words import country_names

    value = " ".join(text[start:end].split()).casefold()
    value = value.removeprefix("the ")
    parts = [p.strip() for p in re.split(r",|\band\b|&", value) if p.strip()]
    if not parts or not all(p.removeprefix("the ") in country_names() or p.removeprefix("the ") in _COUNTRY_SHORT_NAMES for p in parts):
        return False
    before = text[max(0, start - 40) : start]
    line_start = before.rfind("\n")
    if not before[line_start + 1 :].strip():
        return False  # a country's own line: the end of an address
    comma = re.search(r"([^\W\d_][^\W\d_ .'’-]*(?:[ \t]+[^\W\d_]+)?)[ \t]*,[ \t]*$", before)
    if comma and not (comma.group(1).casefold() in country_names() or comma.group(1).casefold() in _COUNTRY_SHORT_NAMES or comma.group(1).split()[-1].casefold() in country_names()):
        return False  # "Lagos, Nigeria": a town's country, the end of an address ("Nigeria, Ghana": a list)
    return not re.search(r"\d", before[line_start + 1 :])  # "12 Marine Parade, Lagos Nigeria": after a house number

