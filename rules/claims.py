"""Factual claims in a draft and whether anything supports them (issue 14, ``grounding.unsupported_claim``).

A *claim* is a value a client could hold the firm to: an amount of money (``fee`` when its
sentence names a fee or charge), a percentage, a calendar date, a deadline or turnaround
("within 5 business days"), a product name, a commitment ("we will waive …"). A claim is
*supported* when the same value appears in a support text: the client's thread and latest text,
the CRM fields, or the knowledge snippets the draft cites. The values are compared after
normalising them with well-kept parsers, not as strings:

* amounts: located by a currency pattern, read by ``price-parser`` (``Price.fromstring``: "€1.234,56",
  "1 234,50 EUR", "$1,234.56" → ``Decimal`` + currency); the currency counts only when both sides name one;
* percentages: the number read by Babel's ``parse_decimal`` with the text's locale ("2,5 %" in German is 2.5);
* dates: located by patterns built from Babel's CLDR month and weekday names of the language (and
  numeric dates), read by ``dateparser`` (relative to a fixed base, so "Friday" means the same
  weekday on both sides);
* deadlines: number + time unit in the six languages the firm serves (digits, or the number words
  one to ten), units normalised (Tage/días/jours → day);
* product names and commitments: the pack's patterns (``grounding.products`` /
  ``grounding.commitments``); supported when the matched words (a commitment pattern's
  ``(?P<key>…)`` group, e.g. the verb "waive", when it has one) appear in a support text.

Deterministic, no network. :func:`unsupported_claims` is what the policy pack calls.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

LANGS = ("en", "de", "fr", "es", "it", "nl")
RELATIVE_BASE = dt.datetime(2000, 1, 3)  # a fixed Monday: relative dates resolve the same way in draft and support

_CURRENCY_WORDS = r"usd|eur|gbp|chf|jpy|cad|aud|sek|nok|dkk|dollars?|euros?|pounds?|francs?|franken"
_NUM = r"\d{1,3}(?:[.,'\u00a0 ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT_RE = re.compile(
    rf"(?:(?<![\w.])[$€£¥]\s?(?:{_NUM})|\b(?:{_CURRENCY_WORDS})\s?(?:{_NUM})|(?<![\w.,])(?:{_NUM})\s?(?:[$€£¥]|\b(?:{_CURRENCY_WORDS})\b))",
    re.IGNORECASE,
)
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "DOLLAR": "USD", "DOLLARS": "USD", "EURO": "EUR", "EUROS": "EUR",
            "POUND": "GBP", "POUNDS": "GBP", "FRANC": "CHF", "FRANCS": "CHF", "FRANKEN": "CHF"}
_FEE_WORDS = re.compile(
    r"\b(?:fees?|charges?|commission|costs?|pricing|price|gebühr\w*|kosten|entgelt\w*|provision|frais|commission|tarif\w*|coût\w*"
    r"|comisi[oó]n\w*|cargos?|tarifa\w*|coste\w*|commission\w*|spes\w*|costi|costo|tariff\w*|kosten|tarie\w*|provisie)\b",
    re.IGNORECASE,
)
_PERCENT_RE = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s?(?:%|percent\b|per cent\b|prozent\b|pour ?cent\b|por ?ciento\b|per ?cento\b|procent\b)", re.IGNORECASE
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "ein": 1, "eine": 1, "einem": 1, "einer": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "zehn": 10,
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dix": 10,
    "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "diez": 10,
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "dieci": 10,
    "één": 1, "een": 1, "twee": 2, "drie": 3, "vier ": 4, "vijf": 5, "tien": 10,
}
_UNITS = {
    "hour": r"hours?|stunden?|heures?|horas?|ore|uur|uren",
    "day": r"(?:business |working |calendar )?days?|(?:werk|arbeits|kalender)?tage?n?|(?:jours?|jours? ouvrés|jours? ouvrables)|d[ií]as?(?: hábiles| laborables)?|giorni(?: lavorativi)?|(?:werk)?dagen|dag",
    "week": r"weeks?|wochen?|semaines?|semanas?|settimane?|weken|week",
    "month": r"months?|monate?n?|mois|meses|mes|mesi|mese|maanden|maand",
    "year": r"years?|jahre?n?|ans?|années?|años?|anni|anno|jaren|jaar",
}
_DURATION_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}|" + "|".join(sorted((w.strip() for w in _NUMBER_WORDS), key=len, reverse=True)) + r")\s+(?:(" + ")|(".join(_UNITS.values()) + r"))\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"(?<![\w.])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})(?!\w)(?!\.\d)")


@dataclass(frozen=True)
class Claim:
    """One claim in a text: ``kind`` (amount, fee, percentage, date, deadline, product,
    commitment), the span ``start``/``end`` in the text, and ``value``, the normalised value two
    texts are compared on (a tuple)."""

    kind: str
    start: int
    end: int
    text: str
    value: tuple


@functools.lru_cache(maxsize=16)
def _date_re(lang: str) -> re.Pattern[str]:
    """Dates written with the CLDR month names (wide and abbreviated, via Babel) of ``lang`` and
    English: "15 March 2026", "March 15, 2026", "15. März", "1er janvier 2026"; weekday names."""
    from babel.dates import get_day_names, get_month_names

    months: set[str] = set()
    days: set[str] = set()
    for loc in {lang, "en"}:
        for width in ("wide", "abbreviated"):
            months |= {m.rstrip(".").lower() for m in get_month_names(width, locale=loc).values()}
        days |= {d.lower() for d in get_day_names("wide", locale=loc).values()}
    months = {m for m in months if len(m) >= 3}
    m_alt = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    d_alt = "|".join(sorted(map(re.escape, days), key=len, reverse=True))
    day = r"\d{1,2}(?:st|nd|rd|th|er|\.|º|°)?"
    return re.compile(
        rf"(?<!\w)(?:{day}\s+(?:de\s+)?(?:{m_alt})\.?(?:\s+(?:de\s+)?\d{{4}})?|(?:{m_alt})\.?\s+{day}(?:,?\s+\d{{4}})?|(?:{m_alt})\.?\s+\d{{4}})(?!\w)"
        rf"|(?<!\w)(?:{d_alt})(?!\w)",
        re.IGNORECASE,
    )


def _number(raw: str, lang: str) -> Decimal | None:
    """``raw`` read as a number in ``lang``'s locale (Babel), else English; one separator followed
    by one or two digits is a decimal separator in any language ("2,5" is 2.5 in an English text too)."""
    from babel.numbers import NumberFormatError, parse_decimal

    if re.fullmatch(r"\d+[.,]\d{1,2}", raw):
        return Decimal(raw.replace(",", "."))
    for loc in (lang, "en"):
        try:
            return parse_decimal(raw, locale=loc)
        except (NumberFormatError, ValueError, InvalidOperation):
            continue
    return None


def _currency(raw: str | None) -> str | None:
    if not raw:
        return None
    c = raw.strip().upper()
    return _SYMBOLS.get(c, c if len(c) == 3 and c.isalpha() else None)


def _sentence(text: str, start: int, end: int) -> str:
    s = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    e = min([i for i in (text.find(".", end), text.find("\n", end)) if i >= 0] or [len(text)])
    return text[s:e]


def _dates(text: str, lang: str) -> list[Claim]:
    import dateparser

    out: list[Claim] = []
    spans = [(m.start(), m.end()) for m in _date_re(lang if lang in LANGS else "en").finditer(text)]
    spans += [(m.start(), m.end()) for m in _NUMERIC_DATE.finditer(text)]
    langs = [lang] if lang in LANGS and lang != "en" else []
    for s, e in sorted(spans):
        raw = text[s:e]
        parsed = None
        for order in ("DMY", "MDY"):  # day first as in Europe; "12/31/2026" is read month first as a second try
            parsed = dateparser.parse(raw, languages=[*langs, "en"], settings={"RELATIVE_BASE": RELATIVE_BASE, "PREFER_DAY_OF_MONTH": "first", "DATE_ORDER": order})
            if parsed is not None:
                break
        if parsed is None:
            continue
        if raw[:1].isalpha() and not any(ch.isdigit() for ch in raw):  # a weekday name: the weekday is the claim
            out.append(Claim("date", s, e, raw, ("weekday", parsed.weekday())))
        else:
            out.append(Claim("date", s, e, raw, ("date", parsed.date().isoformat())))
    return out


def extract_claims(text: str, lang: str | None, *, products: tuple[re.Pattern[str], ...] = (), commitments: tuple[re.Pattern[str], ...] = ()) -> list[Claim]:
    """Every claim in ``text`` (language ``lang``, ISO 639-1; None or unknown: English), left to right."""
    from price_parser import Price

    lang = (lang or "en").lower()
    out: list[Claim] = []
    for m in _AMOUNT_RE.finditer(text):
        p = Price.fromstring(m.group(0))
        if p.amount is None:
            continue
        kind = "fee" if _FEE_WORDS.search(_sentence(text, m.start(), m.end())) else "amount"
        out.append(Claim(kind, m.start(), m.end(), m.group(0), ("money", p.amount.normalize(), _currency(p.currency))))
    for m in _PERCENT_RE.finditer(text):
        n = _number(m.group(1), lang)
        if n is not None:
            out.append(Claim("percentage", m.start(), m.end(), m.group(0), ("percent", n.normalize())))
    out += _dates(text, lang)
    for m in _DURATION_RE.finditer(text):
        raw_n = m.group(1).lower()
        n = int(raw_n) if raw_n.isdigit() else _NUMBER_WORDS.get(raw_n)
        unit = next(u for u, g in zip(_UNITS, m.groups()[1:], strict=True) if g)
        if n is not None:
            out.append(Claim("deadline", m.start(), m.end(), m.group(0), ("duration", n, unit)))
    for kind, patterns in (("product", products), ("commitment", commitments)):
        for pat in patterns:
            for m in pat.finditer(text):
                if m.end() > m.start():
                    key = m.group("key") if "key" in pat.groupindex and m.group("key") else m.group(0)
                    out.append(Claim(kind, m.start(), m.end(), m.group(0), (kind, _words(key))))
    return sorted(out, key=lambda c: (c.start, c.kind))


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def _money_supported(value: tuple, support: set[tuple]) -> bool:
    _, amount, currency = value
    for v in support:
        if v[0] == "money" and v[1] == amount and (currency is None or v[2] is None or v[2] == currency):
            return True
    return False


def unsupported_claims(
    draft: str,
    lang: str | None,
    support_texts: list[tuple[str, str | None]],
    *,
    products: tuple[re.Pattern[str], ...] = (),
    commitments: tuple[re.Pattern[str], ...] = (),
) -> list[Claim]:
    """The claims of ``draft`` that no support text backs. ``support_texts``: ``(text, language)``
    pairs (the client's texts, CRM field values, cited snippets); each is read in its own
    language and in the draft's. Product names and commitments are supported when their words
    (case-folded) occur in a support text; other claims when a support text holds the same
    normalised value (an amount of the same size, in the same currency when both name one)."""
    claims = extract_claims(draft, lang, products=products, commitments=commitments)
    if not claims:
        return []
    values: set[tuple] = set()
    words = " " + " ".join(_words(t) for t, _ in support_texts) + " "
    for text, tlang in support_texts:
        if not text:
            continue
        for candidate in dict.fromkeys([tlang or lang or "en", lang or "en"]):
            values |= {c.value for c in extract_claims(text, candidate)}
    out = []
    for c in claims:
        if c.kind in ("product", "commitment"):
            ok = f" {c.value[1]} " in words
        elif c.value[0] == "money":
            ok = _money_supported(c.value, values)
        else:
            ok = c.value in values
        if not ok:
            out.append(c)
    return out
