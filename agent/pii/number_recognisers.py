"""The pattern recognisers of numbers and dates: phone numbers (Presidio's libphonenumber
recogniser for the regions likely for a language, :func:`phone_recogniser`; national formats
near a phone word, :func:`national_phone_recogniser`), dates of birth
(:func:`dob_recogniser`), card-like digit groups (:func:`card_like_recogniser`), IBAN-like
strings (:func:`iban_like_recogniser`), account numbers (:func:`account_recogniser`) and the
references a firm issues to its client (:func:`reference_recogniser`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.pii.cues import BIRTH, CONTEXT, DATE
from agent.pii.patterns import GroupPattern, GroupPatternRecognizer

# The countries whose national formats a message in each language most likely uses. A number in
# international format (+49 ..., 0049 ...) is found whatever the region list.
LANGUAGE_REGIONS = {
    "en": ("US", "CA", "GB", "IE", "AU", "NZ"),
    "de": ("DE", "AT", "CH", "LU", "LI"),
    "fr": ("FR", "BE", "CH", "LU", "CA", "MC"),
    "es": ("ES", "MX", "AR", "CO", "CL"),
    "it": ("IT", "CH", "SM"),
    "nl": ("NL", "BE"),
}


def regions_for(language: str, configured: list[str]) -> list[str]:
    """The configured phone regions likely for ``language`` (all configured ones when none is):
    libphonenumber is run once per region, the main cost of phone detection."""
    likely = [r for r in configured if r in LANGUAGE_REGIONS.get(language, ())]
    return likely or list(configured)


def one_per_shared_plan(regions: list[str]) -> list[str]:
    """``regions`` with only the first of the North American Numbering Plan's (country code 1:
    US, CA, ...): they share the country code, the national prefix ``1`` and the international
    prefix ``011``, so libphonenumber's matcher finds the same numbers with either as its
    default region (a number's validity is judged by its own region). One region less to run
    on every line; the same results on every evaluation text (``tests/redaction/test_nlp_loading.py``)."""
    import phonenumbers

    out, nanp = [], False
    for r in regions:
        if phonenumbers.country_code_for_region(r) == 1:
            if nanp:
                continue
            nanp = True
        out.append(r)
    return out


_COUNTRY_CODE_BEFORE = re.compile(r"(?<![\w+])\+\d{1,3}[ \t]?$")


def phone_recogniser(language: str, regions: list[str]):
    """Presidio's libphonenumber recogniser for ``regions``, minus matches of fewer than 7
    digits (short service numbers some regions allow, which in mail are years and amounts)."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from agent.pii.phone_lines import with_extensions

    class _Phone(PhoneRecognizer):
        def analyze(self, text, entities, nlp_artifacts=None):
            results = super().analyze(text, entities, nlp_artifacts)
            for r in results:  # "+44 (0)7700 900 731": libphonenumber reads the national part after the "(0)" only
                cc = _COUNTRY_CODE_BEFORE.search(text, 0, r.start)
                if cc is not None and text[r.start : r.start + 3] == "(0)":
                    r.start = cc.start()
            return with_extensions(text, [r for r in results if len(re.sub(r"\D", "", text[r.start : r.end])) >= 7])

    return _Phone(supported_language=language, supported_regions=one_per_shared_plan(regions), context=CONTEXT["PHONE_NUMBER"], name="PhoneRecognizer")


_BORN = re.compile(r"[ \t](?i:geboren|born|nata|nato|née|né|nacido|nacida)(?![\w])")  # how "date + birth word" ends


_QUESTION = re.compile(r"\?[ \t]*\n")  # the answer pattern runs only on a text with a question ending a line


def dob_recogniser(language: str) -> GroupPatternRecognizer:
    """DATE_OF_BIRTH: a date up to 30 characters after a birth word (six languages), score 0.85."""
    rx = re.compile(rf"(?i:(?<![\w])(?:{BIRTH}))(?![\w])[^\n\d]{{0,30}}?(?P<v>{DATE})(?![\w])", re.IGNORECASE)
    after = re.compile(rf"(?<![\w])(?P<v>{DATE})(?![\w])[ \t]{{1,3}}(?i:geboren|born|nata|nato|née|né|nacido|nacida)(?![\w])", re.IGNORECASE)
    # A question for the date of birth, answered on the next line (a chat transcript, a call note:
    # "Can I take your full name and date of birth please?" / "Visitor: <name> 23/08/1991").
    answer = re.compile(
        rf"(?i:(?<![\w])(?:{BIRTH}))(?![\w])[^\n?]{{0,60}}\?[ \t]*\n(?:[ \t]*\n)?[^\n]{{0,80}}?(?<![\w./-])(?P<v>{DATE})(?![\w])", re.IGNORECASE
    )
    # In a message that speaks of a birth date, a date written as a field of a record or CSV row ("dob" in its header
    # line, "| 14/09/1988 |") and a date given as the correction of one ("It should be 14/08/1988"): the birth date
    # the client sends or corrects (another date of such a row is masked too: a placeholder, restored in the draft).
    birth_word = re.compile(rf"(?i:(?<![\w])(?:{BIRTH}))(?![\w])")
    field = re.compile(rf"(?:^|(?<=[|;,\t]))[ \t]*(?P<v>{DATE})[ \t]*(?=[|;,\t]|$)", re.MULTILINE)
    corrected = re.compile(
        rf"(?i:(?<![\w])(?:should[ \t]+(?:be|read|say|have[ \t]+been)|correct[ \t]+(?:one|date)[ \t]+is|is[ \t]+actually|instead[ \t]+of))[ \t]*:?[ \t]*(?P<v>{DATE})(?![\w])"
    )
    return GroupPatternRecognizer(
        "DateOfBirthRecognizer",
        "DATE_OF_BIRTH",
        [
            GroupPattern("birth word + date", rx, 0.85),
            GroupPattern("date + birth word", after, 0.85, needs=_BORN),
            GroupPattern("birth question + answer line", answer, 0.85, needs=_QUESTION),
            GroupPattern("a record's date field, in a message about a birth date", field, 0.6, needs=birth_word),
            GroupPattern("a corrected date, in a message about a birth date", corrected, 0.6, needs=birth_word),
        ],
        language,
    )


def card_like_recogniser(language: str) -> GroupPatternRecognizer:
    """CREDIT_CARD for card-shaped digit groups whatever the checksum (a mistyped card is still a card).

    13-19 digits in groups of four (last group 1-7), Amex 4-6-5, or an unbroken 13-19 digit run
    (0.5); 12 unbroken digits only near a card word (0.2 + context)."""
    return GroupPatternRecognizer(
        "CardLikeRecognizer",
        "CREDIT_CARD",
        [
            GroupPattern("4-4-4-n groups", re.compile(r"(?<![\d-])(?P<v>\d{4}([ -])\d{4}\2\d{4}\2\d{1,7})(?![\d-])"), 0.6),
            GroupPattern("amex 4-6-5", re.compile(r"(?<![\d-])(?P<v>\d{4}[ -]\d{6}[ -]\d{5})(?![\d-])"), 0.6),
            GroupPattern("13-19 digits", re.compile(r"(?<![\d.,-])(?P<v>\d{13,19})(?![\d-]|[.,]\d)"), 0.5),
            GroupPattern("12 digits near a card word", re.compile(r"(?<![\d.,-])(?P<v>\d{12})(?![\d-]|[.,]\d)"), 0.2),
        ],
        language,
        context=CONTEXT["CREDIT_CARD"],
    )


def iban_like_recogniser(language: str) -> GroupPatternRecognizer:
    """IBAN_CODE for IBAN-shaped strings whatever their checksum (a mistyped IBAN still names an
    account): country code, 2 check digits, 11-30 letters/digits, optionally in groups of four
    (0.5); and IBANs written loosely (0.6): any case (``de89 3704 …``), any grouping or separator
    (``DE 89 370400440532013000``, ``DE89-3704-0044-…``), accepted when the letters and digits
    have the structure and length of their country's IBAN (Presidio's per-country patterns,
    ``iban_patterns.regex_per_country``, from the SWIFT IBAN registry)."""
    rx = re.compile(r"(?<![\w])(?P<v>(?-i:[A-Z]{2})\d{2}(?:[ ]?(?-i:[A-Z0-9]){4}){2,7}(?:[ ]?(?-i:[A-Z0-9]){1,4})?)(?![\w])")
    # ISO 13616: the shortest IBAN has 15 characters (Norway); a 12-character code of this shape is an ISIN
    # (ISO 6166: "US0378331005", a security, no one's account)
    def long_enough(value: str) -> bool:
        return len(value.replace(" ", "")) >= 15

    loose = re.compile(r"(?<![\w])(?P<v>[A-Za-z]{2}[ \t]?\d{2}(?:[ \t.-]?[A-Za-z0-9]){10,32})(?![A-Za-z0-9])")
    return GroupPatternRecognizer(
        "IbanLikeRecognizer",
        "IBAN_CODE",
        [GroupPattern("iban shape", rx, 0.5, long_enough), GroupPattern("iban of its country, any case or grouping", loose, 0.6, iban_prefix)],
        language,
        context=CONTEXT["IBAN_CODE"],
    )


@lru_cache(maxsize=1)
def _iban_countries() -> dict[str, re.Pattern]:
    from presidio_analyzer.predefined_recognizers.generic.iban_patterns import regex_per_country

    return {cc: re.compile(rx) for cc, rx in regex_per_country.items()}


def iban_prefix(value: str) -> str | bool:
    """The longest start of ``value`` ending at a group edge whose letters and digits, upper-cased,
    are an IBAN of its country (structure and length); False when there is none."""
    compact, ends = [], []
    for i, c in enumerate(value):
        if c.isalnum():
            compact.append(c.upper())
            if i + 1 == len(value) or not value[i + 1].isalnum():
                ends.append((len(compact), i + 1))
    rx = _iban_countries().get("".join(compact[:2]))
    if rx is None:
        return False
    flat = "".join(compact)
    for n, end in reversed(ends):
        if rx.fullmatch(flat[:n]):
            return value[:end]
    return False


def national_phone_recogniser(language: str) -> GroupPatternRecognizer:
    """PHONE_NUMBER shapes libphonenumber rejects for the configured regions (national formats
    written loosely), only counted next to a phone word: base 0.2 + Presidio context 0.35; and
    digit groups alone on one of a text's last five lines (0.5), not a date or an amount."""
    shape = r"(?<![\w+])(?P<v>(?:\+|00)?\(?\d{1,4}\)?(?:[ ./-]?\(?\d{1,5}\)?){1,5}(?:[ ]?(?:x|ext\.?|poste)[ ]?\d{1,5})?)(?![\w])"

    def plausible(v: str) -> bool:
        digits = re.sub(r"\D", "", v)
        return 7 <= len(digits) <= 15

    def grouped_not_date(v: str) -> bool:
        if re.fullmatch(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|[1-9]\d?(?:[ .,]\d{3})+", v):
            return False  # a date, or an amount in groups of three ("1 250 000")
        return plausible(v) and bool(re.search(r"\d[ ./-]\(?\d", v))

    # A number in digit groups alone on one of the last five lines (a signature: "Koh Siew Lan\n9677
    # 2105"): a signature's bare number is its phone in any numbering plan, the configured regions or not.
    signature = re.compile(rf"(?m)^[ \t]*{shape}[ \t]*$(?=(?:\n[^\n]*){{0,4}}\Z)")
    return GroupPatternRecognizer(
        "NationalPhoneRecognizer",
        "PHONE_NUMBER",
        [GroupPattern("digit groups near a phone word", re.compile(shape), 0.2, plausible), GroupPattern("digit groups alone on a signature line", signature, 0.5, grouped_not_date)],
        language,
        context=CONTEXT["PHONE_NUMBER"],
    )


LONG_RUN_SCORE = 0.4  # an unbroken run of 7+ digits without a context word: above the 0.35 threshold


def _prefixed_reference(letters: str, separator: str, digits: str) -> re.Pattern:
    """A reference of capitals and digits as one token: ``letters`` capitals (a regex count such
    as ``"1,4"``), ``separator``, ``digits`` digits, then more digit groups after hyphens or
    slashes and an optional check part after a slash ("PN-558812", "MTR/99810/C")."""
    return re.compile(
        rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{{letters}}}){separator}\d{{{digits}}}(?:[-/]\d{{2,8}})*(?:/(?-i:[A-Z0-9]{{1,3}}))?)(?![\w/-])"
    )


def account_recogniser(language: str) -> GroupPatternRecognizer:
    """ACCOUNT_NUMBER: 6-17 digit runs and letter-prefixed references (``PN-558812``) next to an
    account / customer / policy word (base 0.3, 0.65 with context); an unbroken run of 7-17
    digits anywhere, even glued to a word, that is not an amount next to its currency (0.4:
    agent/outbound_guard.py refuses such a run in a request, MIN_DIGITS = 7)."""
    return GroupPatternRecognizer(
        "AccountNumberRecognizer",
        "ACCOUNT_NUMBER",
        [
            GroupPattern("digits", re.compile(r"(?<![\w-])(?P<v>\d{6,17})(?![\w-])"), 0.3),
            # "PN-558812", "MTR/99810/C" (another insurer's reference: slashes and a check letter)
            GroupPattern(
                "prefixed reference",
                _prefixed_reference(letters="1,4", separator="[-/]?", digits="3,6"),
                0.3,
                lambda v: not _postcode_with_country(v),
            ),
            # "Re claim CLM-447102": two to four capitals, a hyphen or slash and six or more digits is a
            # reference wherever it stands (as an unbroken run of seven digits below)
            GroupPattern(
                "prefixed reference, six digits or more",
                _prefixed_reference(letters="2,4", separator="[-/]", digits="6,12"),
                LONG_RUN_SCORE,
            ),
            GroupPattern("grouped digits", re.compile(r"(?<![\w-])(?P<v>\d{3,6}-\d{3,8}(?:-\d{2,8})?)(?![\w-])"), 0.3),
            GroupPattern(
                "long digit run anywhere",  # "Tax: … 1131423339The Mercury Team": what the outbound check calls an identifier
                # (after a hyphen only when letters come before it: the series of a document number, "AB-1234567")
                re.compile(r"(?:(?<![\d.,/-])|(?<=[^\W\d_]-))(?<![$€£¥])(?<![$€£¥] )(?P<v>\d{7,17})(?![\d/-]|[.,]\d)(?![ \t]?(?:EUR|USD|GBP|CHF|€|\$|£))"),
                LONG_RUN_SCORE,
            ),
        ],
        language,
        context=CONTEXT["ACCOUNT_NUMBER"],
    )


# Words next to a reference an insurer, bank or other firm issues to its client, beyond the
# account words: insurance and claim words in six languages (word starts: "versicher" for
# Versicherung / Versichertennummer, "assur" for assurance / assuré). Only for the shapes of
# :func:`reference_recogniser`, which hold capitals: a bare digit group next to "claim" may be
# a phone number (see CONTEXT["ACCOUNT_NUMBER"]).
REFERENCE_CONTEXT = [
    *CONTEXT["ACCOUNT_NUMBER"],
    "claim", "insur", "portfolio", "depot", "membership",
    "versicher", "schaden", "police", "depot", "mitglied",
    "sinistre", "assur", "adhérent", "dossier",
    "siniestro", "seguro", "expediente", "socio",
    "sinistro", "assicura", "pratica",
    "schade", "verzeker", "polis",
]
# Capital prefixes that are not a firm's reference before digit groups: ISO 4217 currency codes
# and the amount abbreviations of _CURRENCIES ("EUR 1 250 000", "RS 12 500"), standards bodies
# ("ISO 9001 2015", "DIN EN 1090"), month abbreviations of dates written in capitals ("DEC 31
# 2025", "MRZ 12 2025") in six languages, phone labels of signatures in capitals ("TEL 0176
# 5550 1234", "GSM", "TLF", Spanish "TFNO"), and document labels (below).
_NOT_REFERENCE_PREFIX = frozenset(
    "EUR USD GBP CHF CAD AUD NZD JPY INR SEK NOK DKK PLN CZK HUF MXN ARS CLP COP BRL ZAR CNY HKD SGD "
    "ISO DIN EN IEC BS NF UNE UNI NEN ASTM IEEE "
    "JAN FEB MAR APR MAY JUN JUL AUG SEP SEPT OCT NOV DEC MRZ MÄR MAI OKT DEZ JANV FEV FÉV AVR JUIN JUIL AOUT AOÛT "
    "ENE ABR AGO DIC GEN GIU LUG SET OTT MEI "
    "TEL TELF TFNO TLF TFN FAX MOB GSM PH PHN CELL CEL HP "
    "DL SSN NI".split()  # the labels of numbers other recognisers type: a US driver licence, SSN, UK NI number
)
# Amount abbreviations that are also two-letter prefixes of references ("RS 0093 7731", a
# résidence secondaire contract): an amount only in the groups of three of a written amount.
_AMOUNT_PREFIX = frozenset({"RS", "RP", "KR"})
# Country codes written before a postcode ("DE-80331", "FR-75008", "SE-123 45": the CEPT /
# UPU practice of a country prefix on international mail; the older one-letter vehicle codes
# "D-80331", "A-1010", "F-75008" too), which a two-part reference is not.
_POSTCODE_COUNTRIES = frozenset("AT BE BG CH CY CZ DE DK EE ES FI FR GR HR HU IE IT LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM".split())
# The nouns of a client's own number in six languages: "customer number", "Kundennummer",
# "numéro de client", "número de póliza", "numero di polizza", "klantnummer".
_ID_NOUN = (
    r"account|acct|customer|client|policy|member(?:ship)?|contract|ref(?:erence)?|claim|deposit|loan|pension|"
    # national identity numbers by the names clients give them (India's Aadhaar, Pakistan's CNIC,
    # Singapore's NRIC, Canada's SIN, Nigeria's NIN, Australia's TFN): any shape, after its name
    r"aadhaa?r|cnic|nric|sin|nin|tfn|national[ \t]+id(?:entity)?|identity[ \t]+card|id[ \t]+card|tax[ \t]+(?:file|id)|"
    r"kunden|versicherten|versicherungs|vertrags|mitglieds|konto|depot|"
    r"contrat|police|adh[ée]rent|"
    r"cliente|p[óo]liza|contrato|socio|cuenta|"
    r"polizza|contratto|conto|"
    r"klant|klanten|polis|lid|rekening|debiteur|dossier"
)
_NUMBER_WORD = r"number|no\.?|nr\.?|num\.?|n[°º]|#|nummer|numéro|número|numero|núm\.?"
# A driving licence or a passport by its name in six languages (the number after it has any issuer's shape)
_DOCUMENT = (
    r"(?:driver'?s?[ \t]+|driving[ \t]+)?licen[cs]e|passport|f[üu]hrerschein|reisepass|rijbewijs|paspoort|"
    r"permis(?:[ \t]+de[ \t]+conduire)?|passeport|carn[ée]t(?:[ \t]+de[ \t]+conducir)?|pasaporte|patente|passaporto"
)
# "customer number:", "Kundennummer", "Kunden-Nr.", "numéro de client :", "n° de contrat",
# "número de póliza es", "numero cliente", "policy no." — then the value (an optional single
# capital before it: "Versichertennummer K 884 219 330").
# the verb between a label and its value ("my policy number is", "Kennzeichen ist", "matrícula es", "was" for a former one)
_LABEL_VERB = r"(?:[ \t]+(?i:is|was|ist|est|es|è))?"
_ID_LABEL = (
    rf"(?i:(?<![^\W\d_])(?:(?:{_ID_NOUN})(?:[ \t]*-?[ \t]*(?:{_NUMBER_WORD})|nummer|nr\.?)?"
    rf"|(?:{_NUMBER_WORD})[ \t]+(?:(?:de|di|del|della|du|van)[ \t]+)?(?:{_ID_NOUN}))(?![^\W\d_])"
    rf"{_LABEL_VERB})[ \t]*[:#.]?[ \t]*"
)


def _postcode_with_country(value: str) -> bool:
    """"DE-80331", "CH-8001": a country code of :data:`_POSTCODE_COUNTRIES` and a postcode of four
    or five digits."""
    m = re.fullmatch(r"([A-Z]{1,2})[-/]?(\d{4,5})", value)
    return bool(m) and (m.group(1) in _POSTCODE_COUNTRIES or m.group(1) in {"A", "B", "D", "F", "I", "L", "E", "P", "S", "N"})


def _digit_count(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _spaced_reference(value: str) -> bool:
    """A capital prefix and digit groups ("MTR 7710 2285"): 6-17 digits, a prefix that is no
    currency, standard, month or phone label (:data:`_NOT_REFERENCE_PREFIX`)."""
    prefix, groups = value.split()[0], value.split()[1:]
    if prefix in _AMOUNT_PREFIX and re.fullmatch(r"[1-9]\d{0,2}(?: \d{3})+", " ".join(groups)):
        return False  # "RS 12 500": rupees, written in groups of three
    return prefix not in _NOT_REFERENCE_PREFIX and 6 <= _digit_count(value) <= 17


def _labelled_reference(value: str) -> bool:
    """A reference after a client-number label: 5-17 digits, with a capital prefix or at least two
    parts ("PT 44810", "12345/48/26/001187") or a check letter ("55120-K"; a bare run is :func:`account_recogniser`'s), not a
    date ("12/03/2024"), and four digits at least besides a year ("HOS-2026/4" is a brochure's code)."""
    if not 5 <= _digit_count(value) <= 17 or re.fullmatch(r"\d{1,2}[/-]\d{1,2}[/-]\d{2,4}", value):
        return False
    groups = re.findall(r"\d+", value)
    if sum(len(g) for g in groups if not re.fullmatch(r"(?:19|20)\d\d", g)) < 4:
        return False  # "ref. HOS-2026/4": a document's code, a year and an edition
    return value[:1].isalpha() or bool(re.search(r"\d[ \t/-]\d|\d-[A-Z]{1,2}\Z", value))  # parts, or a check letter: "55120-K"


def _multi_part(min_group: int):
    def ok(value: str) -> bool:
        parts = re.split(r"[-/]", value)
        groups = [p for p in parts if p.isdigit()]
        if parts[0] in _NOT_REFERENCE_PREFIX or not any(len(g) >= min_group for g in groups) or _digit_count(value) > 17:
            return False
        return not _postcode_with_country(value)

    return ok


def reference_recogniser(language: str) -> GroupPatternRecognizer:
    """ACCOUNT_NUMBER: the shapes of a reference a firm issues to its client (policy, contract,
    claim, customer, membership numbers) that :func:`account_recogniser` misses, seen in client
    mail (evaluation/data/pii written samples): a prefix of two to four capitals then digit
    groups written apart ("MTR 7710 2285", "KFZ 4471 992 03"), a reference of several parts
    joined by hyphens or slashes with a group of five digits or more ("MC-2026-0018832",
    "CL-HOG-330172", "AB-22091-MI"), and digit groups written apart after a client-number label
    ("numéro de client : 0088 4419 27", "Klantnummer 100 488 217"). The first two need a word
    of :data:`REFERENCE_CONTEXT` (base 0.3, 0.65 with it), except a multi-part reference with a
    group of six digits or more, found anywhere (0.4, as an unbroken run of seven digits); the
    labelled digits hold their label (0.6)."""
    end = r"(?![\w/-]|[.,]\d)"
    return GroupPatternRecognizer(
        "ReferenceNumberRecognizer",
        "ACCOUNT_NUMBER",
        [
            GroupPattern(
                "capital prefix and spaced digit groups",
                # not a UK National Insurance number, "AB 12 34 56 C" (HMRC: a suffix letter A-D)
                re.compile(rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{2,4}})[ \t]\d{{2,8}}(?:[ \t]\d{{2,8}}){{0,4}}){end}(?![ \t]?[A-D](?!\w))"),
                0.3,
                _spaced_reference,
            ),
            GroupPattern(
                "multi-part reference",
                re.compile(rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{2,4}})(?:[-/](?:(?-i:[A-Z]{{1,4}})|\d{{2,12}})){{1,4}}){end}"),
                0.3,
                _multi_part(5),
            ),
            GroupPattern(
                "multi-part reference, six digits or more",
                re.compile(rf"(?<![\w/-])(?P<v>(?-i:[A-Z]{{2,4}})(?:[-/](?:(?-i:[A-Z]{{1,4}})|\d{{2,12}})){{1,4}}){end}"),
                LONG_RUN_SCORE,
                _multi_part(6),
            ),
            GroupPattern(
                "spaced digit groups after a client-number label",
                re.compile(rf"{_ID_LABEL}(?P<v>(?:(?-i:[A-Z])[ \t-]?)?\d{{2,6}}(?:[ \t]\d{{1,6}}){{1,5}}){end}(?![ \t]?(?:EUR|USD|GBP|CHF|€|\$|£))"),
                0.6,
                lambda v: 6 <= _digit_count(v) <= 17,
            ),
            GroupPattern(
                # "reference PT 44810", "the reference is E 4471 2209", "policy is MOB 44810293",
                # "fixed deposit FD/0772/19845", "Policy no.: 12345/48/26/001187", "Customer ref:
                # NWA-US-88213/7", "contract number RRSP/CA/77-0452": after the label the
                # whole reference, its letters and every part, is the client's (a phone label such as
                # MOB is a product code there); five digits at least, no amount, no date
                "reference with letters or parts after a client-number label",
                re.compile(
                    # (a check letter may end it: "REF 55120-K")
                    rf"{_ID_LABEL}(?P<v>(?:(?-i:[A-Z]{{1,5}})[ \t/-]?){{0,3}}\d{{2,12}}(?:[/-]\d{{1,12}}|[ \t]\d{{2,8}}){{0,4}}(?:-(?-i:[A-Z]{{1,2}}))?){end}"
                    rf"(?![ \t]?(?:EUR|USD|GBP|CHF|€|\$|£))"
                ),
                0.6,
                _labelled_reference,
            ),
            GroupPattern(
                # a vehicle's registration after its name in six languages ("gave me his registration KX19 RFD", "Kennzeichen
                # M-AB 1234", "kenteken 12-ABC-3", "immatriculation AB-123-CD", "matrícula 1234 BCD", "targa AB 123 CD"): it
                # identifies the keeper (the DVLA, KBA, RDW, ANTS registers); capitals and digits, both, in up to three groups
                "vehicle registration after its name",
                re.compile(
                    r"(?<![^\W\d_])(?i:registration(?:[ \t]+(?:no\.?|number|mark|plate))?|reg(?:\.|[ \t]+no\.?|[ \t]+number)|number[ \t]+plate|licen[cs]e[ \t]+plate|"
                    r"kennzeichen|nummernschild|kenteken|immatriculation|plaque(?:[ \t]+d'immatriculation)?|matr[íi]cula|targa)"
                    rf"{_LABEL_VERB}[ \t]*:?[ \t]*"
                    r"(?P<v>(?=[A-Z0-9 -]*\d)(?=[A-Z0-9 -]*[A-Z])(?-i:[A-Z0-9]{1,4}(?:[ -][A-Z0-9]{1,4}){1,2}|[A-Z0-9]{5,8}))(?![\w-])"
                ),
                0.6,
                needs=re.compile(r"(?i:regist|reg[. ]|plate|kennzeichen|nummernschild|kenteken|immatricul|plaque|matr[íi]cula|targa)"),
            ),
            GroupPattern(
                # India's Permanent Account Number, a tax id in its one shape (Income Tax Department, "PAN structure"): five
                # letters, the fourth the holder's kind (C company, P person, H HUF, F firm, A AOP, T trust, B BOI, L local
                # authority, J artificial juridical person, G government), four digits, a check letter: "My PAN is BXKPV4821L"
                "Indian PAN",
                re.compile(r"(?<![\w-])(?P<v>(?-i:[A-Z]{3}[ABCFGHLJPT][A-Z]\d{4}[A-Z]))(?![\w-])"),
                0.6,
            ),
            GroupPattern(
                # the last four digits of a US social security number, as clients confirm their identity with them ("My SSN
                # last four are 6621", "last 4 of my social: 6621"): with the rest of a client's data they identify them
                "last four digits of an SSN",
                re.compile(
                    r"(?i:(?:ssn|social(?:[ \t]+security(?:[ \t]+number)?)?)[ \t]+(?:last[ \t]+(?:four|4)(?:[ \t]+digits)?|ending(?:[ \t]+in)?)"
                    r"|last[ \t]+(?:four|4)(?:[ \t]+digits)?[ \t]+of[ \t]+(?:my|the|his|her)[ \t]+(?:ssn|social(?:[ \t]+security(?:[ \t]+number)?)?))"
                    r"(?:[ \t]+(?i:are|is))?[ \t]*:?[ \t]*(?P<v>\d{4})(?!\d)"
                ),
                0.6,
                needs=re.compile(r"(?i:ssn|social)"),
            ),
            GroupPattern(
                # "Driver licence no. 4R86R39EC8QZ", "passport number: X12-34567Z": after a licence's or passport's
                # name the document number in any issuer's shape, letters and digits mixed (AAMVA's DL/ID standard
                # leaves the shape to each state; ICAO 9303 allows 9 letters or digits for a passport)
                "document number after its name",
                # (its name, up to four words, then the number word: "Mein Führerschein hat die Nummer B072RRE2I55")
                re.compile(
                    rf"(?<![^\W\d_])(?:{_DOCUMENT})(?:[ \t]+[^\W\d_]+){{0,4}}?[ \t]*-?[ \t]*(?:{_NUMBER_WORD}){_LABEL_VERB}[ \t]*[:#.]?[ \t]*"
                    rf"(?P<v>(?=[A-Z0-9-]*\d[A-Z0-9-]*\d)(?-i:[A-Z0-9][A-Z0-9-]{{5,19}})){end}",
                    re.IGNORECASE,
                ),
                0.6,
                needs=re.compile(rf"(?i:{_DOCUMENT})"),
            ),
        ],
        language,
        context=REFERENCE_CONTEXT,
    )
