"""Towns beside a numbered address, found by GeoNames' gazetteer (:mod:`agent.pii.town_gazetteer`).

A client who gives a street and house number names its town the way they name any place, and a small
town has nothing in its shape that says it is one; the gazetteer does. :func:`towns_of_gazetteer` runs
last in :func:`agent.pii.address_places.places_beside`, only in a message that gives a numbered address,
and adds a LOCATION for:

- a town after a place preposition ("I'm in <Meppen> and could collect it from …-Ring 48");
- a town before a comma and the rest of the address ("born … in <EFERDING>, Austria");
- a town right after a street and its house number ("im at gotlanninpolku 38 <kökar> now"), or after a
  street and a comma with its postcode ("9 Wiltshire St<, arrowtown 9302>");
- a town's name that goes on after its particle ("4861 Waidhofen< an der Ybbs>");
- a suburb in brackets after the address ("5 sutton place rd 2 (<tangitai>)").

Refused (:func:`_gazetteer_town`): a language, a country, a verb, adjective or adverb of the English lexicon,
a common noun, and in lower case lexicon words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agent.pii.address_formats import _STREET_WORD, L, U
from agent.pii.address_places import _PARTICLE, PLACE, _add, _free, _place, _place_ok
from agent.pii.address_words import country_names

# A town of the gazetteer (:mod:`agent.pii.town_gazetteer`) in a message that gives a numbered address:
# after a place preposition ("I'm in <Meppen> and could collect it from …-Ring 48", "a good dentist in
# <VIITASAARI>? … from Kukkaniitynpolku 0"), before a comma and another part of the address ("born in
# <EFERDING>, Austria", "<HAINBURG AN DER DONAU>, Steiermark 6564"), or right after a street and house
# number ("im at gotlanninpolku 38 <kökar> now"). The client who gives a street names its town the same way.
_PREP_BEFORE_TOWN = (
    r"in|at|near|from|to|outside|around|bei|nahe|nach|aus|von|à|a|en|de|près[ \t]+de|di|da|vicino[ \t]+a|cerca[ \t]+de|te|bij|nabij|uit|naar"
)
_GAZETTEER_TOWN = re.compile(rf"(?<![\w])(?i:{_PREP_BEFORE_TOWN})[ \t]+(?P<t>{PLACE})(?![\w'’-])")
# (in lower-case mail only after prepositions that are no common word of another language: "recibo de <luz>")
_GAZETTEER_TOWN_LOWER = re.compile(rf"(?<![\w])(?:in|at|near|from|outside|around|bei|nahe|à|près[ \t]+de|vicino[ \t]+a|cerca[ \t]+de|te|bij|nabij)[ \t]+(?P<t>[{L}][{L}'’]+(?:[ \t-][{L}][{L}'’]+){{0,3}})(?![\w'’-])")
_TOWN_THEN_COMMA = re.compile(rf"(?<![\w'’-])(?P<t>{PLACE}|[{L}][{L}'’]+(?:[ \t-][{L}][{L}'’]+){{0,3}})[ \t]*,[ \t]*\Z")
# "4861 Waidhofen< an der Ybbs>", "60311 Frankfurt< am Main>": a town's name goes on after its particle (checked in the gazetteer)
_PARTICLE_GOES_ON = re.compile(rf"(?P<t>(?:[ \t]+|-)(?i:{_PARTICLE})(?:(?:[ \t]+|-)(?i:{_PARTICLE}))?(?:[ \t]+|-)[{U}{L}][{U}{L}'’]+)(?![\w'’-])")
# "9 Wiltshire St<, arrowtown 9302>": a town of the gazetteer in any case after a street and a comma, with its postcode
_COMMA_TOWN_AFTER = re.compile(rf"[ \t]*,[ \t]*(?P<t>[{U}{L}][{U}{L}'’]+(?:[ \t-][{U}{L}][{U}{L}'’]+){{0,2}}?)(?:[ \t]+(?P<pc>\d{{4,5}}))?(?=[ \t]*(?:[,.;:!?)\n]|$|[ \t]+(?:and|&|but|so)[ \t]))")
# "the flat at 5 sutton place rd 2 (<tangitai>) has two bedrooms": the suburb in brackets after the address
_BRACKETED_AFTER = re.compile(rf"[ \t]*\((?P<t>[{U}{L}][{U}{L}'’]+(?:[ \t-][{U}{L}][{U}{L}'’]+){{0,2}})\)")
_WORD_AFTER_NUMBER = re.compile(rf"[ \t]+(?P<t>[{U}{L}][{U}{L}'’]+(?:-[{U}{L}][{U}{L}'’]+)?)(?=[ \t]*(?:[,.;:!?)\n]|$)|[ \t]+(?:now|today|tomorrow|tonight|please|pls|and|then|instead|thanks)(?![\w]))")


def _gazetteer_town(words: list[str], from_end: bool = False) -> int:
    """The number of words of ``words`` (from its start, or from its end with ``from_end``) that make the
    longest town of the gazetteer that may be one here (0 when none): no country, no language ("in English":
    English, Indiana), no month or set phrase (:func:`_place_ok`), no street word ("viale"); a capitalised
    one-word town is no verb, adjective or adverb of the English lexicon ("Reading", "Nice", "Hope" are towns
    too; the lexicon knows "Bangor" and "Burlington" as nouns, so a noun may be a town) and no common noun of
    ``_COMMON_NOUN_TOWNS``; a lower-case town neither starts with a stop word nor is made of lexicon words only
    ("the junction", "la luz")."""
    from agent.pii.town_gazetteer import is_town
    from agent.pii.words import english_parts_of_speech, known_word, stop_words

    for n in range(len(words), 0, -1):
        part = words[-n:] if from_end else words[:n]
        name = " ".join(part)
        if len(name) < 3 or not is_town(name) or name.casefold() in country_names() or name.casefold() in _language_names():
            continue
        if not _place_ok(name, abstract_suffix=False) or _STREET_WORD.fullmatch(part[0]) or _STREET_WORD.fullmatch(part[-1]):
            continue
        if name.islower():
            if all(known_word(w) for w in part) or part[0].casefold() in stop_words():
                continue
        elif n == 1 and (name.casefold() in stop_words() or english_parts_of_speech(name) & {"verb", "adj", "adv"} or name.casefold() in _COMMON_NOUN_TOWNS):
            continue  # capitalised: the lexicon knows many towns as nouns ("Bangor", "Burlington"), not as verbs or adjectives
        return n
    return 0


# common nouns that GeoNames also lists as towns and that clients capitalise in forms and headings ("Street" is a
# town in Somerset, "Sale" in Cheshire): never a town alone
_COMMON_NOUN_TOWNS = frozenset(
    "street road lane avenue house home office bank branch post city town village centre center park station church school "
    "sale deal market bay port hill green court place square bridge river lake mount point island beach garden gardens "
    "hospital university college airport harbour harbor hall castle abbey cross gate mill farm well wells union liberty "
    "independence friendship commerce industry enterprise progress success victory unity".split()
)


@lru_cache(maxsize=1)
def _language_names() -> frozenset[str]:
    """Language names in the six languages served (CLDR through Babel: "English", "Deutsch", "anglais"),
    case-folded: "in English" is a language, though a town of Indiana bears the name."""
    from babel import Locale

    return frozenset(n.casefold() for loc in ("en", "de", "fr", "it", "es", "nl") for n in Locale.parse(loc).languages.values())


def _unknown_place(value: str) -> bool:
    """A town of the gazetteer, or words no lexicon or stop list knows (a suburb too small for it: "tangitai")."""
    from agent.pii.words import known_word

    words = re.split(r"[ \t-]+", value)
    return _gazetteer_town(words) == len(words) or not any(known_word(w) for w in words) and _place_ok(value)


def towns_of_gazetteer(text: str, out: list, lower: bool) -> list:
    """``out`` with the gazetteer's towns beside a numbered address added (see ``_GAZETTEER_TOWN``), and a
    town's name that goes on after its particle joined to it (``_PARTICLE_GOES_ON``)."""
    from agent.pii.town_gazetteer import is_town
    from agent.pii.words import known_word

    regexes = [_GAZETTEER_TOWN] + ([_GAZETTEER_TOWN_LOWER] if lower else [])
    for rx in regexes:
        for m in rx.finditer(text):
            lo = m.start("t")
            words = re.split(r"[ \t]+", m.group("t"))
            n = _gazetteer_town(words)
            hi = lo + len(" ".join(words[:n])) if n else lo
            if n and text[lo:hi] == " ".join(words[:n]) and _free(out, lo, hi):
                out = _add(out, _place(text, lo, hi))
    for s in [x for x in out if x.entity == "LOCATION"]:
        g = _PARTICLE_GOES_ON.match(text, s.end)
        words = s.value.split()
        if g and any(is_town(" ".join(words[-n:]) + g.group("t")) for n in (1, 2) if len(words) >= n) and _free(out, *g.span("t")):
            out = _add(out, _place(text, s.start, g.end("t")))
            continue
        b = _TOWN_THEN_COMMA.search(text, max(0, s.start - 60), s.start)
        if b and (not b.group("t").islower() or lower):
            words = re.split(r"[ \t]+", b.group("t"))
            n = _gazetteer_town(words, from_end=True)
            if n:
                hi = b.end("t")
                lo = hi - len(" ".join(words[-n:]))
                if text[lo:hi] == " ".join(words[-n:]) and _free(out, lo, hi):
                    out = _add(out, _place(text, lo, hi))
        c = _COMMA_TOWN_AFTER.match(text, s.end) if any(ch.isdigit() for ch in s.value) else None
        if c and _free(out, c.start("t"), c.end()):
            words = re.split(r"[ \t]+", c.group("t"))
            if _gazetteer_town(words) == len(words):
                out = _add(out, _place(text, s.start, c.end()))
                continue
        if re.search(r"\d[\w/-]*\Z", s.value.rstrip()):  # a street ending in its house number ("gotlanninpolku 38"), not a town ("50667 Köln")
            w = _WORD_AFTER_NUMBER.match(text, s.end)
            if w and _free(out, *w.span("t")):
                word = w.group("t")
                unknown = not known_word(word) and not _STREET_WORD.fullmatch(word)
                if _gazetteer_town([word]) or lower and word.islower() and unknown and _place_ok(word):
                    out = _add(out, _place(text, *w.span("t")))
            b = _BRACKETED_AFTER.match(text, s.end)
            if b and _free(out, *b.span("t")) and _unknown_place(b.group("t")):
                out = _add(out, _place(text, *b.span("t")))
    return out


