"""The last check before anything leaves for a model: a second, independent scan of the request.

Redaction (:mod:`agent.redaction`) decides what the prompt holds; this module checks, after the
prompt is rendered and right before the request is sent, the exact text of every message of the
request, with its own strict patterns and no NER:

- digit runs of 7 or more digits, also split by spaces, dashes, dots, slashes or parentheses
  (phone, card, account and id numbers); dates, times and amounts (``1.234.567,00``, ``$ 12,500``)
  are not runs; a date after a birth word (``born``, ``DOB``, ``geboren``, ``né le`` …) is;
- postal addresses: a street with a house number (English, German, French, Spanish, Italian,
  Dutch street words), US state + ZIP, UK and Canadian postcodes, and an EU postcode before a
  town at the start of a line or after a comma;
- any e-mail address (RFC 5322 shape) on any domain except the organisation's own, and one written
  out ("name [at] domain [dot] com");
- IBANs (country code, check digits, 11-30 more letters or digits, spaces allowed);
- every value in the item's placeholder map, case-insensitive and whitespace-tolerant, numbers
  also in any separator form (``020 7946 0958`` = ``02079460958`` = ``020-7946-0958``), and each
  part of at least three letters of a name that is neither a particle nor an ordinary word
  (:func:`agent.pii.seeds.name_variants`: "Customer" of "Laura Adams Customer", "van" of "Tim
  van Leeuwen", "Service" of a display name "Service Facturation"); a detector's one-word
  "name" that is an ordinary word ("design") not at all: the redactor does not mask such words
  alone either, and a model reply that uses them is no leak.

Placeholders (``<PERSON_1>``), the organisation's own values (name, signature, allow-list, own
domains) and the literal wording of the prompt templates are never findings.

What happens to a finding is ``[redaction] outbound``: ``refuse`` (default) raises
:class:`OutboundBlocked` and nothing is sent (the pipeline escalates the item with the finding
``outbound_pii_blocked``); ``mask`` replaces each value with a placeholder (a known value keeps
its own placeholder, a new one gets the next number of its type, added to the item's map so the
draft is restored) and the item carries the finding ``outbound_pii_masked``. Either way only the
types and counts are recorded, never a value.

The choke point is :func:`guard_request`, called by the model connector on the messages of every
request, inside the :func:`OutboundGuard.scope` the pipeline opens for each item; a call outside
any scope is refused. The connector's HTTP client also checks (:func:`verify_request_body`) that
the body of every request it sends is one the guard passed, so a model call that skips
:func:`guard_request` fails instead of leaving unchecked.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from agent.errors import DrafterError
from agent.models import Action, Finding, PlaceholderMap, RoutingDecision, Severity
from agent.pii.address_formats import UK_POSTCODE_AREA_ANY_CASE
from agent.pii.emails import OBFUSCATED_EMAIL_RE, written_out_email_ok
from agent.pii.seeds import name_variants
from agent.pii.sentences import line_or_sentence_start
from agent.pii.words import is_ordinary_word, stop_words
from agent.redaction import SALUTATION_WORDS, SEEDED

OUTBOUND_MODES = ("refuse", "mask")
BLOCKED_RULE = "outbound_pii_blocked"  # finding + routing rule id when a request was refused
MASKED_RULE = "outbound_pii_masked"  # finding when values were masked in the request
GUARD_DETECTOR = "OutboundGuard"  # detector name of placeholders the guard added (mask mode)
MIN_DIGITS = 7  # a digit run this long is an identifier (phone numbers have at least 7 digits)
MIN_VALUE_DIGITS = 6  # a protected value with this many digits is also matched in any separator form
NAME_PART_MIN = 3  # name parts shorter than this are matched only as part of the full name

# Detectors of values known before analysis (headers, CRM) or of a map without detectors: such a
# value is checked even when it is one ordinary word. Every name is checked whole and by its parts
# that are neither particles nor ordinary words (agent.pii.seeds.name_variants, agent.pii.words).
KNOWN_DETECTORS = frozenset({SEEDED, ""})
# The redactor's salutation allow-list: never masked, so never a finding.
_SALUTATIONS = frozenset(w.casefold() for w in SALUTATION_WORDS)
PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")
_SEP = r"[ \t\-./()]{0,2}"  # between two digits of one number: at most two separators, no line break
DIGIT_RUN = re.compile(r"(?<!\d)\+?\(?\d(?:" + _SEP + r"\d){" + str(MIN_DIGITS - 1) + r",}")
_DATE = re.compile(  # 14.03.2024, 03/14/24, 2024-03-14 (+ a time): dates are not identifiers, unless after a birth word
    r"(?<![\d])(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?(?![\d])"
)
_YEAR_RANGE = re.compile(r"(?<!\d)(?:19|20)\d{2}[ \t]?[-/][ \t]?(?:19|20)?\d{2}(?!\d)")  # 2004-2008, 1999/00
_GROUPED_AMOUNT = re.compile(r"\d{1,3}(?:([.,'])\d{3})(?:\1\d{3})*(?:[.,]\d{1,2})?")  # 1.234.567,89  1,250,000
_CURRENCY = re.compile(r"(?:[$€£¥]|\b(?:USD|EUR|GBP|CHF|CAD|AUD|JPY|SEK|NOK|DKK|Euro?s?|Dollars?|Pfund|francs?)\b)", re.IGNORECASE)
_BIRTH = re.compile(
    r"(?<!\w)(?:born|birth|dob|d\.o\.b|geboren|geb\.|geburtsdatum|né|née|naissance|nacid[oa]|nacimiento|nat[oa]|nascita|geboortedatum)",
    re.IGNORECASE,
)
BIRTH_WINDOW = 40  # characters after a birth word in which a date is a date of birth
_DOB_DATE = re.compile(
    r"[^\n\d]{0,25}?(?P<d>\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.?\s+[^\W\d_]{3,10}\.?\s+\d{4}|[^\W\d_]{3,10}\.?\s+\d{1,2},?\s+\d{4})"
)

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}(?![\w-])"
)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")

_STREET_EN = (  # English street words, any case after a capitalised street name
    r"street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|terrace|close|"
    r"crescent|square|sq|parkway|pkwy|highway|hwy|gardens|grove|mews"
)
_NAME = r"[A-ZÀ-ÝĀ-Ž][\w'’.-]*"  # a capitalised word of a street name
_PARTICLES = r"(?:(?:de|du|des|la|le|les|del|della|di|da|dei|degli|van|der|den|het)\s+)*"
ADDRESS_PATTERNS = (
    # 27 Abbey Road, 1432 Maple Avenue, 221B Baker St
    re.compile(r"(?<![\w.,-])\d{1,5}[A-Za-z]?,?[ \t]+(?:" + _NAME + r"[ \t]+){1,3}(?i:" + _STREET_EN + r")\b\.?"),
    # 12 rue de la Paix, 5 bis avenue Foch (French: number first)
    re.compile(
        r"(?<![\w.,-])\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:rue|avenue|boulevard|bd|chemin|allée|impasse|quai|place|cours)[ \t]+"
        + _PARTICLES + _NAME
    ),
    # Via Garibaldi 21, Calle Mayor 7, Plaza de España 3, Rue de Rivoli 5 (street word, name, number)
    re.compile(
        r"\b(?:Rue|Avenue|Boulevard|Chemin|Allée|Impasse|Quai|Calle|C/|Avenida|Avda\.|Plaza|Paseo|Carrer|Via|Viale|Piazza|Corso|Largo|Vicolo)"
        r"[ \t]+" + _PARTICLES + _NAME + r"(?:[ \t]+" + _NAME + r"){0,2},?[ \t]+\d{1,4}[a-zA-Z]?\b"
    ),
    # Hauptstraße 5, Berliner Str. 12a, Keizersgracht 123 (compounds), Berliner Straße 12
    re.compile(
        r"\b[A-ZÄÖÜ][a-zäöüß'’-]+(?:straße|strasse|str\.|gasse|platz|allee|damm|ufer|chaussee|weg|straat|laan|plein|gracht|kade|dijk|singel|steeg)"
        r"[ \t]*\d{1,4}(?:[ \t]?[a-zA-Z](?!\w))?(?!\w)"
    ),
    re.compile(r"\b[A-ZÄÖÜ][\wäöüß'’-]+[ \t]+(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Damm)[ \t]*\d{1,4}(?:[ \t]?[a-zA-Z](?!\w))?(?!\w)"),
    # Nordic, Finnish, Baltic compounds in any case: hersnapvej 18, Nybyvägen 65, Mannerheimintie 5
    re.compile(
        r"\b[^\W\d_]{2,}(?:vej|vejen|gade|stræde|torv|gata|gatan|vägen|väg|veien|vegen|katu|tie|kuja|polku|iela)"
        r"[ \t]*\d{1,4}(?:[ \t]?[a-zA-Z](?!\w))?(?!\w)",
        re.IGNORECASE,
    ),
    # Polish, Hungarian, Czech/Slovak street words: ul. Narewska 94, Hegyalja út 98, Kossuth utca 5
    re.compile(r"\b(?:ul\.|al\.|ulica|aleja|ulice|nám\.)[ \t]*(?:[^\W\d_][\w'’.-]*[ \t]+){1,3}\d{1,4}[a-zA-Z]?\b", re.IGNORECASE),
    re.compile(r"\b[^\W\d_][\w'’-]*[ \t]+(?:út|utca|u\.|körút|tér)[ \t]*\d{1,4}\b", re.IGNORECASE),
)
_US_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
).split()
POSTCODE_PATTERNS = (
    re.compile(r"\b(?:" + "|".join(_US_STATES) + r")[ \t]+\d{5}(?:-\d{4})?\b"),  # IL 62704
    re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}\b"),  # NW8 9AY, SW1A 1AA
    re.compile(rf"(?<![\w]){UK_POSTCODE_AREA_ANY_CASE}(?![\w])"),  # sw1a 1aa, ls6 2ab: any case, the area one of Royal Mail's
    re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d\b", re.IGNORECASE),  # K1A 0B1, k1a 0b1
    # a country prefix anywhere: D-10115 Berlin, CH-8001 Zürich, F-75008 Paris
    re.compile(r"\b(?:D|F|A|B|CH|NL|L|I|E|P)-\d{4,5}[ \t]+[A-ZÄÖÜÉÈ][\wäöüßéèêàç'’-]+"),
)
# A town in capitals before its postcode: ARENDAL 4844, ÖVERTURINGEN 840 24 (a year is not a postcode)
CAPS_TOWN_POSTCODE = re.compile(r"\b[A-ZÄÖÜÅÆØÉÈ]{4,}(?:[ -][A-ZÄÖÜÅÆØÉÈ]{2,})?[ \t]+(?P<code>\d{3} ?\d{2}|\d{4})\b")
# EU: a postcode before a town at the start of a line or after a comma (10115 Berlin, 1012 AB Amsterdam)
EU_POSTCODE = re.compile(r"(?:^|(?<=,))[ \t>]*(?P<code>\d{4,5})(?:[ \t][A-Z]{2})?[ \t]+[A-ZÄÖÜÉÈ][\wäöüßéèêàç'’-]+", re.MULTILINE)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """Country names, case-folded, in English, German, French, Spanish, Italian and Dutch (the
    address lists of Faker, a dependency for the name gazetteer)."""
    import importlib

    names: set[str] = set()
    for locale in ("en", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"):
        provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        names.update(" ".join(c.split()).casefold() for c in getattr(provider, "countries", ()) if len(c) >= 4)
    return frozenset(names)


_POSTCODE_CANDIDATE = re.compile(r"(?<![\w-])\d{2}[ -]?\d{2,4}(?![\d\w])")
_WORDS_BEFORE = re.compile(r"((?:[^\W\d_][\w'’.-]*[ \t]+){0,3}[^\W\d_][\w'’.-]*)[ \t,]*$")


def _country_postcodes(text: str) -> Iterator[tuple[int, int]]:
    """Spans of a country name followed by a postcode: ``Sweden 67626``, ``belgium 97466``,
    ``Poland, 35-403``."""
    countries = _countries()
    for m in _POSTCODE_CANDIDATE.finditer(text):
        w = _WORDS_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if not w:
            continue
        words = w.group(1).split()
        for k in range(len(words)):  # the longest country name ending right before the number
            if " ".join(words[k:]).casefold() in countries:
                yield w.start(1) + w.group(1).index(words[k]), m.end()
                break


@dataclass(frozen=True)
class OutboundHit:
    """One finding in a request text: the type (``"PHONE_NUMBER"``) and the character span.

    ``placeholder`` is the item's placeholder when the value is one it already knows."""

    entity: str
    start: int
    end: int
    placeholder: str | None = None


class OutboundBlocked(DrafterError):
    """The request to the model held personal data and ``[redaction] outbound`` is ``refuse``:
    that request was not sent (an earlier request of the same item may have been). ``found`` counts
    the hits per type (never a value). Not transient: a retry
    would send the same text; the circuit breaker does not count it as an endpoint failure."""

    def __init__(self, found: dict[str, int], why: str = "held personal data that redaction missed"):
        self.found = dict(found)
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.found.items())) or "none"
        super().__init__(f"{BLOCKED_RULE}: the request to the model {why} ({kinds}); this request was not sent", transient=False)


class UnguardedRequest(OutboundBlocked):
    """A request reached the HTTP client without passing :func:`guard_request` (a model call
    that skipped the guard, or an endpoint the guard does not know): it is not sent."""

    def __init__(self, why: str):
        super().__init__({}, why)


@dataclass
class OutboundReport:
    """What the guard did for one item: ``action`` is ``none`` (no model request), ``clean``
    (requests sent as rendered), ``masked`` or ``refused``; ``found`` counts the distinct values
    found per type over all the item's requests (the drafter's and the reviewer's); ``requests``
    counts the requests checked. Safe to audit (no values; values are told apart by a hash kept
    in memory only)."""

    action: str = "none"
    found: Counter = field(default_factory=Counter)
    requests: int = 0
    _seen: set = field(default_factory=set, repr=False)

    def add(self, entity: str, identity: str) -> None:
        """Count a value of type ``entity`` once per item; ``identity`` is its placeholder or its text."""
        key = (entity, hashlib.sha256(" ".join(identity.split()).casefold().encode()).hexdigest())
        if key not in self._seen:
            self._seen.add(key)
            self.found[entity] += 1

    def summary(self) -> str:
        """``"PHONE_NUMBER 1, PERSON 2"``: the types found and their counts."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.found.items())) or "nothing"

    def as_audit(self) -> dict:
        """``{"action": "refused", "found": {"PHONE_NUMBER": 1}, "requests": 1}``."""
        return {"action": self.action, "found": dict(sorted(self.found.items())), "requests": self.requests}


@lru_cache(maxsize=1)
def template_literals() -> tuple[str, ...]:
    """The fixed wording of every prompt template under ``agent/prompt_templates`` (Jinja2 text
    and string constants, line by line, longest first): our words, never client data."""
    import jinja2
    from jinja2 import nodes

    root = Path(__file__).parent / "prompt_templates"
    env = jinja2.Environment()
    out: set[str] = set()
    for path in root.rglob("*.j2"):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for node in tree.find_all((nodes.TemplateData, nodes.Const)):
            value = node.data if isinstance(node, nodes.TemplateData) else node.value
            if not isinstance(value, str):
                continue
            for line in value.splitlines():
                line = line.strip()
                if sum(c.isalpha() for c in line) >= 3:
                    out.add(line)
    return tuple(sorted(out, key=len, reverse=True))


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            if chars[i] != "\n":
                chars[i] = "\x00"
    return "".join(chars)


class _Protected:
    """The values of one item's placeholder map, found case-insensitively and whitespace-tolerantly
    (word forms indexed by their first word, so a text is read once) and numbers in any separator
    form (digits matched on whole digit groups)."""

    def __init__(self, placeholders: PlaceholderMap, exempt: set[str]):
        # first word -> (offset, words, placeholder, the exact spelling required or None for any case,
        # whether that spelling is also a lexicon word: then not at a sentence start)
        self.words: dict[str, list[tuple[int, tuple[str, ...], str, str | None, bool]]] = {}
        self.digits: list[tuple[str, str]] = []  # (digits, placeholder)
        seen: set[str] = set()
        for ph, value in placeholders.mapping.items():
            value = " ".join(value.split())
            forms: list[tuple[str, tuple[str, bool] | None]] = [(value, None)]
            if ph.startswith("<PERSON_"):
                known = placeholders.detectors.get(ph, "") in KNOWN_DETECTORS
                if not known and " " not in value and is_ordinary_word(value):
                    forms = []  # a detector's one-word "name" that is an ordinary word ("design"): not a person alone
                elif not known and " " not in value:
                    forms = [(value, _part_spelling(value))]  # a one-word name: as a part of a name below
                else:
                    forms += [(v, None if known or " " in v else _part_spelling(v)) for v in name_variants(value, known=known) if " " in v or len(v) >= NAME_PART_MIN]
            elif " " not in value and (len(value) <= 3 or value.casefold() in stop_words()):
                # a short one-word place or value ("US" of "my US passport", "ON", "NY"), or a stop
                # word: only as written, else every "us" or "on" of the request is a finding
                forms = [(value, (value, False))]
            for f, exact in forms:
                key = f.casefold()
                first = _WORD.search(f)
                if key in seen or len(f) < 2 or key in exempt or key in _SALUTATIONS or first is None:
                    continue
                seen.add(key)
                spelling, lexical = exact if exact else (None, False)
                self.words.setdefault(first.group(0).lower(), []).append((first.start(), tuple(w.lower() for w in f.split()), ph, spelling, lexical))
            digits = re.sub(r"\D", "", value)
            if len(digits) >= MIN_VALUE_DIGITS and digits not in {d for d, _ in self.digits}:
                self.digits.append((digits, ph))
        for cands in self.words.values():
            cands.sort(key=lambda c: sum(map(len, c[1])), reverse=True)

    def find(self, text: str) -> Iterator[OutboundHit]:
        lower = text.lower()
        if len(lower) != len(text):  # a character whose lower case is longer: compare one by one
            lower = "".join(c.lower()[0] for c in text)
        for w in _WORD.finditer(lower):
            for offset, words, ph, spelling, lexical in self.words.get(w.group(0), ()):
                start = w.start() - offset
                if start < 0 or (start > 0 and _is_word(lower[start - 1])):
                    continue
                end = _match_words(lower, start, words)
                if end is not None and spelling is not None and (text[start:end] != spelling or (lexical and line_or_sentence_start(text, start, ends="\n.!?"))):
                    continue  # a name's word written as a word (see _part_spelling)
                if end is not None:
                    yield OutboundHit(ph.strip("<>").rsplit("_", 1)[0], start, end, ph)
                    break
        if self.digits:
            for chunk in _DIGIT_CHUNK.finditer(text):
                yield from self._digit_hits(text, chunk)

    def _digit_hits(self, text: str, chunk: re.Match) -> Iterator[OutboundHit]:
        flat, pos, starts, ends = "", [], set(), set()  # the chunk's digits, their text positions, group edges
        for g in re.finditer(r"\d+", chunk.group(0)):
            starts.add(len(flat))
            flat += g.group(0)
            ends.add(len(flat))
            pos += range(chunk.start() + g.start(), chunk.start() + g.end())
        for digits, ph in self.digits:
            i = flat.find(digits)
            while i >= 0:
                if i in starts and i + len(digits) in ends:
                    yield OutboundHit(ph.strip("<>").rsplit("_", 1)[0], pos[i], pos[i + len(digits) - 1] + 1, ph)
                i = flat.find(digits, i + 1)


def _part_spelling(part: str) -> tuple[str, bool]:
    """How the last check matches a one-word name, or one word of a name, a detector found
    ("Ruby", "Bill" of "Bill Okafor"): ``(spelling, lexical)``: only capitalised ("Ruby", not
    "ruby"), and when the word is also an English or French lexicon word ("Hope", "Will", "Bill"),
    not at the start of a sentence either. Redaction masks such a word where it names the person
    and leaves it where it is a word ("a ruby ring", "the bill", "rosa Mappe", "Hope you are
    well": :mod:`agent.pii.names`); a check that knows no syntax cannot tell those apart, and
    refusing every request that holds the word would send the item to a person for nothing. The
    whole name, and every part of a name the item already knew (headers, CRM), match in any case."""
    from agent.pii.words import in_lexicon

    return part[:1].upper() + part[1:], in_lexicon(part)


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _match_words(text: str, at: int, words: tuple[str, ...]) -> int | None:
    """End of ``words`` (lower case) written at ``at`` in ``text`` (lower case) with any run of
    whitespace between them and no word character after, else None."""
    pos = at
    for i, w in enumerate(words):
        if i:
            gap = pos
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos == gap:
                return None
        if not text.startswith(w, pos):
            return None
        pos += len(w)
    return None if pos < len(text) and _is_word(text[pos]) else pos


_WORD = re.compile(r"\w+")
_DIGIT_CHUNK = re.compile(r"\d+(?:" + _SEP + r"\d+)*")


def _not_an_identifier(text: str, m: re.Match) -> bool:
    """True for a digit run that is a date (or a date range), a year range (``2004-2008``), a grouped amount (``1.234.567,89``)
    or a number next to a currency (``$ 12 500 000``, ``1 250 000 EUR``)."""
    core = m.group(0).strip("()+")
    if _GROUPED_AMOUNT.fullmatch(core):
        return True
    if sum(c.isdigit() for c in _YEAR_RANGE.sub("", _DATE.sub("", core))) < MIN_DIGITS:
        return True
    around = text[max(0, m.start() - 5) : m.start()] + " " + text[m.end() : m.end() + 6]
    return _CURRENCY.search(around) is not None


def _number_kind(run: str) -> str:
    digits = re.sub(r"\D", "", run)
    if re.fullmatch(r"\d{3}-\d{2}-\d{4}", run):
        return "US_SSN"
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", run):
        return "IP_ADDRESS"
    if run.startswith(("+", "00", "(0", "0")) or "(" in run:
        return "PHONE_NUMBER"
    if 13 <= len(digits) <= 19:
        return "CREDIT_CARD"
    return "ID_NUMBER"


class OutboundGuard:
    """The outbound check, configured once per process.

    ``mode`` is ``"refuse"`` or ``"mask"`` (:data:`OUTBOUND_MODES`); ``exempt`` are the
    organisation's own values (name, signature, allow-list names, own addresses), never findings
    where they appear verbatim; ``own_domains`` are e-mail domains that are ours. Raises
    ValueError for an unknown mode."""

    def __init__(self, mode: str = "refuse", *, exempt: Iterable[str] = (), own_domains: Iterable[str] = ()):
        if mode not in OUTBOUND_MODES:
            raise ValueError(f"outbound mode must be one of {OUTBOUND_MODES}, not {mode!r}")
        self.mode = mode
        values = {v.strip() for v in exempt if v and v.strip()}
        self._exempt_norm = {" ".join(v.split()).casefold() for v in values}
        self._exempt = sorted((v for v in values if len(v) >= 3), key=len, reverse=True)  # found verbatim
        self._own_domains = {d.lower().lstrip("@") for d in own_domains if d}

    @classmethod
    def from_settings(cls, settings) -> OutboundGuard:
        """The guard for :class:`agent.config.Settings`: ``redaction.outbound``, the organisation's
        name, signature (and each of its lines), allow-list names and own addresses, the
        redaction allow-list, and its own domains."""
        org = settings.organisation
        exempt = [org.name, *org.allow_names, *org.own_addresses, *settings.redaction.allow_list]
        if org.signature:
            exempt += [org.signature, *org.signature.splitlines()]
        return cls(settings.redaction.outbound, exempt=exempt, own_domains=org.domains)

    # ------------------------------------------------------------------ scanning
    def _neutral_spans(self, text: str) -> list[tuple[int, int]]:
        spans = [m.span() for m in PLACEHOLDER.finditer(text)]
        for literal in (*template_literals(), *self._exempt):
            start = text.find(literal)
            while start >= 0:
                spans.append((start, start + len(literal)))
                start = text.find(literal, start + len(literal))
        return spans

    def scan(self, text: str, placeholders: PlaceholderMap | None = None, *, _protected: _Protected | None = None) -> list[OutboundHit]:
        """Every finding in ``text``, non-overlapping, in reading order (a hit on a known value
        wins over a pattern hit on the same characters). ``placeholders`` is the item's map."""
        if not text:
            return []
        neutral = _blank(text, self._neutral_spans(text))
        hits: list[OutboundHit] = []
        if _protected is None and placeholders is not None and placeholders.mapping:
            _protected = _Protected(placeholders, self._exempt_norm)
        if _protected is not None:
            hits += _protected.find(neutral)
        hits += self._pattern_hits(neutral)
        hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.placeholder is None))
        out: list[OutboundHit] = []
        for h in hits:
            if out and h.start < out[-1].end:
                if h.end > out[-1].end:  # join overlapping hits, keep the first one's type
                    out[-1] = OutboundHit(out[-1].entity, out[-1].start, h.end, out[-1].placeholder)
                continue
            out.append(h)
        return out

    def locate(self, parts: dict[str, str], placeholders: PlaceholderMap | None = None, *, around: int = 30) -> list[dict]:
        """Where the check finds something in each named text of a request (``{"system": …,
        "user": …}``), for a reviewer or an administrator (``draft --dry-run``): one
        ``{"part", "entity", "line", "columns": [first, last], "known": bool, "context": str}`` per
        hit, lines and columns counted from 1, ``known`` when the value is in the item's placeholder
        map, ``context`` up to ``around`` characters each side on one line with every hit in it
        written ``[ENTITY]`` ("…please call me back on [PHONE_NUMBER] tomorrow…"). Never a value:
        the rest of the context is the prompt's own, already redacted text."""
        out = []
        for part, text in parts.items():
            hits = self.scan(text, placeholders)
            for h in hits:
                line_start = text.rfind("\n", 0, h.start) + 1
                lo, hi = max(0, h.start - around), min(len(text), h.end + around)
                pieces, pos = [], lo
                for other in hits:
                    if other.end <= lo or other.start >= hi:
                        continue
                    pieces.append(text[pos : max(pos, other.start)])
                    pieces.append(f"[{other.entity}]")
                    pos = max(pos, other.end)
                pieces.append(text[pos:hi])
                context = " ".join("".join(pieces).split())
                out.append(
                    {
                        "part": part,
                        "entity": h.entity,
                        "line": text.count("\n", 0, h.start) + 1,
                        "columns": [h.start - line_start + 1, h.end - line_start],
                        "known": h.placeholder is not None,
                        "context": ("…" if lo > 0 else "") + context + ("…" if hi < len(text) else ""),
                    }
                )
        return out

    def _pattern_hits(self, text: str) -> list[OutboundHit]:
        hits: list[OutboundHit] = []
        for m in EMAIL.finditer(text):
            domain = m.group(0).rpartition("@")[2].lower()
            if not any(domain == d or domain.endswith("." + d) for d in self._own_domains):
                hits.append(OutboundHit("EMAIL_ADDRESS", *m.span()))
        hits += [OutboundHit("EMAIL_ADDRESS", *m.span("v")) for m in OBFUSCATED_EMAIL_RE.finditer(text) if written_out_email_ok(m.group("v"))]
        hits += [OutboundHit("IBAN_CODE", *m.span()) for m in IBAN.finditer(text) if sum(c.isdigit() for c in m.group(0)) >= 6]
        for m in DIGIT_RUN.finditer(text):
            if not _not_an_identifier(text, m):
                hits.append(OutboundHit(_number_kind(m.group(0)), *m.span()))
        for b in _BIRTH.finditer(text):
            d = _DOB_DATE.match(text[: b.end() + BIRTH_WINDOW], b.end())
            if d:
                hits.append(OutboundHit("DATE_OF_BIRTH", *d.span("d")))
        for rx in ADDRESS_PATTERNS + POSTCODE_PATTERNS:
            hits += [OutboundHit("LOCATION", *m.span()) for m in rx.finditer(text)]
        for m in CAPS_TOWN_POSTCODE.finditer(text):
            code = m.group("code")
            if not (len(code) == 4 and 1900 <= int(code) <= 2099):
                hits.append(OutboundHit("LOCATION", *m.span()))
        hits += [OutboundHit("LOCATION", a, b) for a, b in _country_postcodes(text)]
        for m in EU_POSTCODE.finditer(text):
            code = m.group("code")
            if len(code) == 4 and 1900 <= int(code) <= 2099 and not re.match(r"\d{4}[ \t][A-Z]{2}\b", text[m.start("code") :]):
                continue  # "2019 Annual report" is a year (a Dutch "1012 AB" postcode is not)
            hits.append(OutboundHit("LOCATION", m.start("code"), m.end()))
        return hits

    # ------------------------------------------------------------------ one request
    def inspect(self, messages: list[dict], placeholders: PlaceholderMap | None, report: OutboundReport) -> list[dict]:
        """Check the ``content`` of every message (a string, or a list of ``{"type": "text",
        "text": ...}`` parts) and return the messages to send.

        Clean: the messages as given. ``refuse``: raises :class:`OutboundBlocked` naming the
        types found. ``mask``: a copy with every hit replaced by a placeholder (new ones added to
        ``placeholders`` with detector :data:`GUARD_DETECTOR`). ``report`` is updated."""
        report.requests += 1
        found: Counter = Counter()
        out = []
        protected = _Protected(placeholders, self._exempt_norm) if placeholders is not None and placeholders.mapping else None
        for msg in messages:
            content = msg.get("content")
            if isinstance(content, str):
                new, hits = self._check_text(content, placeholders, protected)
                found.update(h.entity for h in hits)
                for h in hits:
                    report.add(h.entity, h.placeholder or content[h.start : h.end])
                out.append({**msg, "content": new})
            elif isinstance(content, list):
                parts = []
                for part in content:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        new, hits = self._check_text(part["text"], placeholders, protected)
                        found.update(h.entity for h in hits)
                        for h in hits:
                            report.add(h.entity, h.placeholder or part["text"][h.start : h.end])
                        parts.append({**part, "text": new})
                    else:
                        parts.append(part)
                out.append({**msg, "content": parts})
            else:
                out.append(msg)
        if not found:
            if report.action == "none":
                report.action = "clean"
            return messages
        if self.mode == "refuse":
            report.action = "refused"
            raise OutboundBlocked(found)
        report.action = "masked"
        return out

    def _check_text(self, text: str, placeholders: PlaceholderMap | None, protected: _Protected | None) -> tuple[str, list[OutboundHit]]:
        hits = self.scan(text, placeholders, _protected=protected)
        if not hits or self.mode == "refuse":
            return text, hits
        pm = placeholders if placeholders is not None else PlaceholderMap()
        parts, last = [], 0
        for h in hits:
            parts.append(text[last : h.start])
            parts.append(h.placeholder or _new_placeholder(pm, h.entity, text[h.start : h.end]))
            last = h.end
        parts.append(text[last:])
        return "".join(parts), hits

    # ------------------------------------------------------------------ item scope
    @contextmanager
    def scope(self, placeholders: PlaceholderMap | None) -> Iterator[OutboundReport]:
        """Open the outbound scope of one item: every model request made inside it (in this
        thread or context) is checked against ``placeholders`` by :func:`guard_request`.
        Yields the item's :class:`OutboundReport`."""
        state = _Scope(self, placeholders, OutboundReport())
        token = _SCOPE.set(state)
        try:
            yield state.report
        finally:
            _SCOPE.reset(token)


def _new_placeholder(pm: PlaceholderMap, entity: str, value: str) -> str:
    value = " ".join(value.split())
    for ph, v in pm.mapping.items():
        if v.casefold() == value.casefold() and ph.startswith(f"<{entity}_"):
            return ph
    n = sum(1 for ph in pm.mapping if ph.startswith(f"<{entity}_")) + 1
    ph = f"<{entity}_{n}>"
    while ph in pm.mapping:
        n += 1
        ph = f"<{entity}_{n}>"
    pm.mapping[ph] = value
    pm.detectors[ph] = GUARD_DETECTOR
    return ph


@dataclass
class _Scope:
    guard: OutboundGuard
    placeholders: PlaceholderMap | None
    report: OutboundReport
    passed: set[str] = field(default_factory=set)


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("draftguard_outbound_scope", default=None)


def _digest(messages: list[dict]) -> str:
    canon = json.dumps([[m.get("role"), m.get("content")] for m in messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def guard_request(messages: list[dict]) -> list[dict]:
    """The one check every model request goes through (called by the model connector with the
    messages it is about to send). Returns the messages to send (masked in ``mask`` mode).

    Raises :class:`OutboundBlocked` when the guard refuses, and :class:`UnguardedRequest`
    outside an item's :meth:`OutboundGuard.scope` (nothing is known about what must not leave)."""
    state = _SCOPE.get()
    if state is None:
        raise UnguardedRequest("was made outside an item's outbound check")
    checked = state.guard.inspect(messages, state.placeholders, state.report)
    state.passed.add(_digest(checked))
    return checked


def verify_request_body(path: str, body: bytes) -> None:
    """Raise :class:`UnguardedRequest` unless ``body`` (the JSON of an HTTP request to a model
    endpoint) is a chat request whose messages :func:`guard_request` passed in this scope.
    Requests without a body (GET) pass. Used as the HTTP client's request hook."""
    if not body:
        return
    state = _SCOPE.get()
    try:
        payload = json.loads(body)
    except ValueError:
        raise UnguardedRequest(f"to {path} is not JSON the outbound check can read") from None
    messages = payload.get("messages") if isinstance(payload, dict) else None
    if not isinstance(messages, list):
        raise UnguardedRequest(f"to {path} has no chat messages the outbound check knows")
    if state is None or _digest(messages) not in state.passed:
        raise UnguardedRequest("did not pass the outbound check")


def outbound_findings(report: OutboundReport) -> list[Finding]:
    """The finding for an item's outbound report: ``outbound_pii_blocked`` (critical) when a
    request was refused, ``outbound_pii_masked`` (medium: nothing left, the draft may go on;
    a routing rule on ``finding_ids`` can send such items to a person) when values were masked.
    The message names the types and counts, never a value."""
    if report.action == "refused":
        msg = f"a request to the model held personal data that redaction missed ({report.summary()}); that request was not sent"
        return [Finding(rule_id=BLOCKED_RULE, severity=Severity.critical, target="prompt", message=msg)]
    if report.action == "masked":
        msg = f"personal data that redaction missed was masked in the request to the model ({report.summary()})"
        return [Finding(rule_id=MASKED_RULE, severity=Severity.medium, target="prompt", message=msg)]
    return []


def outbound_decision(report: OutboundReport, decision: RoutingDecision, group: str) -> RoutingDecision:
    """``decision``, unless a model request of the item was refused: then the item is escalated
    under the rule id ``outbound_pii_blocked`` (the cause a reviewer needs to see first), to the
    group ``decision`` escalated to, else to ``group`` (the default reviewer group); the reasons
    of ``decision`` follow the refusal's."""
    if report.action != "refused":
        return decision
    return RoutingDecision(
        rule_id=BLOCKED_RULE,
        action=Action.escalate,
        group=decision.group if decision.action == Action.escalate and decision.group else group,
        case_actions=decision.case_actions if decision.action == Action.escalate else {},
        reasons=[f"outbound check refused a model request ({report.summary()}); that request was not sent", *decision.reasons],
    )
