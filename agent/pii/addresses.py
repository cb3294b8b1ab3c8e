"""Postal addresses as LOCATION: pyap2 for US, Canadian and UK addresses, patterns for EU lines.

- :class:`PyapAddressRecognizer` wraps ``pyap2`` (MIT, a maintained fork of pyap; regex-based,
  no model) as a Presidio recogniser. pyap scans slowly on long texts, so it only runs on the
  lines around an anchor (a US ZIP after a state code, a Canadian or UK postcode, or a house
  number before a street word) and the results are mapped back to the text.
- :func:`eu_address_recogniser`: street + house number lines in German, Dutch and Nordic
  (suffix words: ``Hauptstraße 12``, ``Keizersgracht 123``, ``Søndergade 52``) and French,
  Spanish and Italian (prefix words: ``14 rue de la République``, ``Calle Mayor 15``,
  ``Via Garibaldi 21``), postcode + town (``10115 Berlin``, ``1015 CJ Amsterdam``), UK and
  Canadian postcodes, US ``City, ST 12345``, and the unit lines of an address block
  (``Apt. 656``, ``Suite 501``, ``PO Box 4410``, ``Postfach 12 34``).

Scores: a street line with a house number 0.6; a postcode + town 0.5 (4-digit postcodes only
at the start of a line or after a comma or street line, so years such as "2021 Norwegian"
are not addresses). :func:`merge_address_block` in :mod:`agent.redaction` then joins the
parts of one address into one placeholder, so the draft restores a whole address.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from agent.pii.patterns import GroupPattern, GroupPatternRecognizer

U = "A-ZÀ-ÖØ-ÞĀ-Ž"  # upper-case letters (Latin-1 + Latin Extended-A)
L = "a-zß-öø-ÿā-ž"
WORD = rf"[{U}{L}][{U}{L}'’.-]*"
CAP = rf"[{U}][{U}{L}'’.-]*"
HOUSE = r"\d{1,5}\s?[a-zA-Z]?(?:\s?[-/]\s?\d{1,5}[a-zA-Z]?)?"

SUFFIX_STREETS = (
    # de / at / ch
    "straße|strasse|str\\.|weg|gasse|allee|platz|damm|ufer|kai|chaussee|steig|pfad|graben|"
    # nl / be
    "straat|laan|plein|gracht|kade|singel|dijk|steeg|dreef|"
    # nordic
    "gade|vej|vænget|vägen|gatan|veien|gata|katu|stræti|gata"
)
PREFIX_STREETS = (
    # fr
    "rue|avenue|av\\.|bd|boulevard|place|chemin|allée|impasse|quai|cours|route|square|passage|faubourg|rond-point|"
    # es
    "calle|c/|avenida|avda\\.|paseo|plaza|pza\\.|camino|carretera|ronda|travesía|glorieta|gran vía|vía|rambla|"
    # it
    "via|viale|piazza|piazzale|corso|largo|vicolo|strada|lungomare|lungotevere|contrada|"
    # de / nl prefixed forms
    "am|an der|auf dem|auf der|im|in der|zum|zur|hinter der"
)
EN_STREETS = (
    "street|st\\.?|road|rd\\.?|avenue|ave\\.?|lane|ln\\.?|drive|dr\\.?|boulevard|blvd\\.?|court|ct\\.?|place|pl\\.?|"
    "terrace|way|close|crescent|gardens|square|sq\\.?|hill|row|parkway|pkwy|highway|hwy|mews|grove|park|walk|green"
)
# UK / IE house names that stand for a house number ("Rosewood Cottage, 4 Church Lane").
HOUSE_NAMES = r"Cottage|House|Farm|Farmhouse|Lodge|Manor|Barn|Mill|Villa|Mansions|Court|Hall|Grange|Croft|Cottages|Bungalow"
UNIT = r"(?:apt|apartment|suite|ste|unit|flat|floor|fl|room|rm|bldg|building|p\.?\s?o\.?\s?box|postfach|bp|apartado|bus|boîte|wohnung|whg|app|étage|piso|puerta|scala|interno|int)\.?\s?#?\s?\d{1,6}[a-zA-Z]?"
US_STATES = "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
CA_PROVINCES = "AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT"
UK_POSTCODE = r"(?-i:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
CA_POSTCODE = r"(?-i:[ABCEGHJ-NPRSTVXY]\d[A-Z]\s?\d[A-Z]\d)"
TOWN = rf"{CAP}(?:[ \t-](?:(?:am|an|der|de|la|le|sur|en|del|di|im|bei|sous|upon|on)\s)?{CAP}){{0,3}}"
ARTICLES = r"de la|de l'|de los|de las|del|de|des|du|d'|l'|la|le|les|di|dei|della|delle|van|von|der|den"
# Capitalised words that come before a number and are not street names ("Invoice 2291", "Windows 10").
NOT_STREET = {
    "invoice", "order", "ticket", "case", "room", "page", "chapter", "version", "windows", "office", "step", "item", "number",
    "nr", "no", "nº", "ref", "reference", "account", "policy", "contract", "customer", "client", "section", "article", "table",
    "figure", "question", "point", "level", "floor", "gate", "terminal", "flight", "train", "bus", "line", "year", "week", "day",
    "rechnung", "auftrag", "kunde", "konto", "vertrag", "seite", "kapitel", "facture", "commande", "compte", "contrat",
    "factura", "pedido", "cuenta", "fattura", "ordine", "conto", "contratto", "factuur", "bestelling", "rekening", "the", "my", "our",
    "i", "we", "you", "it", "this", "that", "on", "in", "at", "by", "for", "from", "to", "of", "and", "or", "with", "about",
}  # fmt: skip
NOT_TOWN = {"euro", "eur", "usd", "stück", "mal", "jahre", "years", "ans", "años", "anni", "jaar", "uhr"}


def _not_money(value: str) -> bool:
    words = value.split()
    return len(words) > 1 and words[-1].lower().strip(".,") not in NOT_TOWN


def eu_address_recogniser(language: str) -> GroupPatternRecognizer:
    """Street lines, postcodes + towns and unit lines of EU, UK, US and Canadian addresses."""
    f = re.IGNORECASE
    patterns = [
        GroupPattern("street suffix + number", re.compile(rf"(?<![\w-])(?P<v>(?-i:(?:{CAP}[ -])?[{U}{L}-]*)(?:{SUFFIX_STREETS})\s+{HOUSE})(?![\w])", f), 0.6),
        GroupPattern(
            "street prefix + name + number",
            re.compile(rf"(?<![\w-])(?P<v>(?:{PREFIX_STREETS})\s+(?:(?:de|del|de la|dei|della|delle|des|du|di|d'|van|von|der|den)\s+)*(?:{WORD}\s+){{0,4}}?{HOUSE})(?![\w])", f),
            0.6,
            validate=lambda v: any(c.isdigit() for c in v) and not v.split()[0].islower() or v.split()[0].lower() in {"via", "calle", "rue", "avenue", "viale", "corso", "piazza", "plaza", "avenida", "paseo", "boulevard", "place", "quai", "chemin", "allée", "largo"},
        ),
        GroupPattern(
            "number + prefix street",
            re.compile(rf"(?<![\w-])(?P<v>\d{{1,5}}[ \t]?(?:bis|ter|[a-z])?,?[ \t]+(?:{PREFIX_STREETS})[ \t]+(?:(?:{ARTICLES})[ \t]*)*{WORD}(?:[ \t]+(?:(?:{ARTICLES})[ \t]*)*{CAP}){{0,3}})(?![\w])", f),
            0.6,
        ),
        GroupPattern(
            "number + english street",
            re.compile(rf"(?<![\w-])(?P<v>(?:\d{{4,5}}[ \t]+)?\d{{1,5}}[a-zA-Z]?,?\s+(?:{CAP}\s+){{1,4}}(?i:{EN_STREETS}))(?![\w])"),
            0.6,
        ),
        GroupPattern(
            "street corner",
            re.compile(rf"(?P<v>(?i:(?:the[ \t]+)?corner[ \t]+of)[ \t]+(?:[\w.'’-]+[ \t]+){{1,5}}?(?i:and|&)[ \t]+{CAP}(?:[ \t]+{CAP}){{0,2}})"),
            0.6,
        ),
        GroupPattern(
            "name + house number near an address word",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]+(?:{CAP}|[{L}]{{2,4}})){{0,2}})[ \t]+\d{{1,4}}[a-z]?)(?![\w]|[.,]\d)"),
            0.2,
            validate=lambda v: v.split()[0].lower().strip(".") not in NOT_STREET,
        ),
        GroupPattern("unit line", re.compile(rf"(?<![\w])(?P<v>{UNIT})(?![\w])", f), 0.5),
        GroupPattern(
            "house name before a street line",
            re.compile(rf"(?<![\w-])(?P<v>(?-i:{CAP}(?:[ \t]{CAP})?)[ \t]+(?-i:{HOUSE_NAMES}))(?=,?\s+(?:{HOUSE}[ \t]+{CAP}|{UNIT}))"),
            0.5,
        ),
        GroupPattern("postcode 5 + town", re.compile(rf"(?<![\w-])(?P<v>(?:[A-Z]{{1,2}}-)?\d{{5}}[ \t]+{TOWN}(?:[ \t]+\d{{1,4}}[a-z]?(?![\w.,]))?)"), 0.5, validate=_not_money),
        GroupPattern(
            "postcode 4 + town at line start or after comma",
            re.compile(rf"(?:^|(?<=,\s)|(?<=,)|(?<=\n)[>\s]*)(?P<v>(?:[A-Z]{{1,2}}-)?\d{{4}}(?:\s?(?-i:[A-Z]{{2}}))?[ \t]+{TOWN}(?:[ \t]+\d{{1,4}}[a-z]?(?![\w.,]))?)", re.MULTILINE),
            0.5,
            validate=_not_money,
        ),
        GroupPattern("nl postcode + town", re.compile(rf"(?<![\w-])(?P<v>\d{{4}}\s?(?-i:[A-Z]{{2}})\s+{TOWN})"), 0.6),
        GroupPattern("uk postcode", re.compile(rf"(?<![\w])(?P<v>{UK_POSTCODE})(?![\w])"), 0.5),
        GroupPattern("ca postcode", re.compile(rf"(?<![\w])(?P<v>{CA_POSTCODE})(?![\w])"), 0.5),
        GroupPattern("us city, state zip", re.compile(rf"(?P<v>{TOWN},?\s+(?-i:{US_STATES}|{CA_PROVINCES})\s+(?:\d{{5}}(?:-\d{{4}})?|{CA_POSTCODE}))"), 0.6),
        GroupPattern("country + postcode", re.compile(rf"(?m)(?<=\n)[>\s]*(?P<v>{CAP}(?:[ \t]{CAP})?[ \t]\d{{4,5}})[ \t]*$"), 0.5),
        GroupPattern(
            "postcode after its word",
            re.compile(rf"(?i:\b(?:zip|zip code|zipcode|post ?code|postal code|plz|postleitzahl|code postal|cp|cap|c\.p\.|código postal|codice postale))\b[^\w\n]{{0,4}}(?:is|ist|est|es|è|is)?[ \t:]*(?P<v>\d{{3,5}}(?:[ -]\d{{2,4}})?|{UK_POSTCODE}|{CA_POSTCODE})(?![\w])"),
            0.6,
        ),
    ]
    return GroupPatternRecognizer("EuAddressRecognizer", "LOCATION", patterns, language, context=["address", "adresse", "anschrift", "dirección", "domicilio", "indirizzo", "adres", "wohnhaft", "live", "lives", "moved", "woon", "vivo", "habite"])


# Anchors and the pyap country to try for each: a US state + ZIP, a Canadian postcode or
# province + postcode, a UK postcode, or a house number before an English street word (all three).
_ANCHORS = (
    (re.compile(rf"\b(?-i:{US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b"), ("US",)),
    (re.compile(rf"{CA_POSTCODE}|\b(?-i:{CA_PROVINCES})\s+{CA_POSTCODE}"), ("CA",)),
    (re.compile(rf"(?<![\w]){UK_POSTCODE}(?![\w])"), ("GB",)),
    (re.compile(rf"\b\d{{1,5}}[a-zA-Z]?,?\s+(?:[A-Z][\w'.-]*\s+){{1,4}}(?i:{EN_STREETS})(?![\w])"), ("US", "CA", "GB")),
)


_IBAN_LIKE = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{4}")


def _locate(window: str, value: str, near: int) -> tuple[int, int] | None:
    """Where pyap's ``value`` is in ``window``: pyap normalises whitespace before matching, so
    its offsets can be off; the value is searched (any whitespace between its words) from a
    little before ``near``. None when it is not there."""
    words = value.split()
    if not words:
        return None
    rx = re.compile(r"\s+".join(re.escape(w) for w in words))
    m = rx.search(window, max(0, near - 20)) or rx.search(window)
    return m.span() if m else None


class PyapAddressRecognizer(EntityRecognizer):
    """pyap2 address detection for US, CA and GB, run only on the lines around an anchor."""

    COUNTRIES = ("US", "CA", "GB")
    SCORE = 0.7

    def __init__(self, language: str, countries: tuple[str, ...] = COUNTRIES):
        self.countries = countries
        super().__init__(supported_entities=["LOCATION"], name="PyapAddressRecognizer", supported_language=language)

    def load(self) -> None:  # noqa: D102
        import pyap  # noqa: F401 - fail at start, not on the first message

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        """LOCATION results for each address pyap finds in a window around an anchor."""
        from agent.pii import pyap_rules  # pyap.parse with its rules compiled once per process

        out: list[RecognizerResult] = []
        seen: set[tuple[int, int]] = set()
        windows: dict[tuple[int, int], set[str]] = {}
        for rx, countries in _ANCHORS:
            for m in rx.finditer(text):
                lo = max(0, text.rfind("\n", 0, max(0, m.start() - 120)) + 1)
                hi = text.find("\n", min(len(text), m.end() + 60))
                hi = len(text) if hi < 0 else hi
                windows.setdefault((lo, hi), set()).update(c for c in countries if c in self.countries)
        for (lo, hi), countries in sorted(windows.items()):
            window = text[lo:hi]
            for country in sorted(countries):
                for addr in pyap_rules.parse(window, country):
                    found = _locate(window, addr.full_address, addr.match_start)
                    if found is None:
                        continue
                    a, b = lo + found[0], lo + found[1]
                    if (a, b) in seen or b <= a or _IBAN_LIKE.search(text[a:b]) or not any(c.isdigit() for c in text[a:b]):
                        continue
                    seen.add((a, b))
                    out.append(
                        RecognizerResult(
                            "LOCATION",
                            a,
                            b,
                            self.SCORE,
                            analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=self.SCORE, pattern_name=f"pyap {country}"),
                            recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id},
                        )
                    )
        return out
