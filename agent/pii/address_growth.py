"""An address grows from its postcode (:func:`_grow_from_postcodes`, run by
:func:`agent.pii.address_joining.join_address_parts`): the short lines above a postcode line
(house, farm and village names, an Irish county: "Rathmore House / Ballynoe / Fermoy / Co. Cork /
P61 YK20"), the comma-separated parts before a postcode and town in a sentence ("Finca El Romeral,
Ctra. de Ronda km 4, 29400 Ronda"), and lower-case addresses anchored by a postcode, an Eircode, a
county or a state + ZIP with a street, house or unit before it ("rose cottage, church lane, little
wittenham, oxon ox14 4ra": :func:`_lower_anchors`).

:func:`_grow_start` says where an anchored address starts, :func:`_block_line_ok` whether a line
above it belongs to it (not a greeting, sentence, name, title line or identifier),
:func:`_address_suffix` which words of a segment are address words; :func:`_new_span` makes the
LOCATION span of an address found here."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from agent.pii.address_formats import (
    _ADDRESS_WORD,
    _HOUSE_WORD,
    _STREET_WORD,
    AR_CPA,
    AU_STATES,
    CA_POSTCODE,
    CA_PROVINCES,
    COUNTY,
    EIRCODE,
    EN_STREETS,
    IN_PIN,
    LOCALITY,
    NO_NUMBER,
    NOT_STREET,
    NOT_TOWN,
    UK_POSTCODE,
    UK_POSTCODE_AREA_ANY_CASE,
    US_STATES,
    L,
    U,
)
from agent.pii.address_words import (
    _MONTH_WORDS,
    _NAME_PARTICLES,
    _closing_line,
    _town_word,
    country_names,
)
from agent.pii.words import is_ordinary_word

# A postcode of a known format inside a LOCATION span anchors an address: UK, Irish (Eircode),
# Canadian, a US/Canadian/Australian state or province + code, a 4-5 digit code before a town,
# a French code in brackets, an Irish county.
_ANCHOR_IN_SPAN = re.compile(
    rf"(?<![\w])(?:{UK_POSTCODE}|{UK_POSTCODE_AREA_ANY_CASE}|{EIRCODE}|{CA_POSTCODE})(?![\w])"
    rf"|(?<![\w])(?:{US_STATES}|{CA_PROVINCES}|{AU_STATES}),?[ \t]+(?:\d{{5}}(?:-\d{{4}})?|\d{{4}})(?![\w])"
    rf"|(?<![\w-])(?:[A-Z]{{1,2}}-)?\d{{4,5}}(?:[ \t]?[A-Z]{{2}})?,?[ \t]+[^\W\d_]|\(\d{{5}}\)|{COUNTY}"
    rf"|(?<=[^\W\d_])[ \t]*[-–]?[ \t]*{IN_PIN}\Z|(?<![\w-]){AR_CPA}[ \t]+[^\W\d_]"  # an Indian PIN after its town, an Argentine CPA before it
    # NZ Post (and the South African and Australian lower lines): the town, then the 4-digit postcode last
    # ("RD 2 / Whangarei 0172"); a year (1950-2039) is no postcode here
    r"|(?<=[^\W\d_])[ \t]+(?!19[5-9]\d|20[0-3]\d)\d{4}\Z"
)
# The same anchors written in lower case, found where no LOCATION span is yet ("bristol bs6 7jg",
# "co wicklow, a98 k7w3", "montclair nj 07042"): they make an address only with a street, house or
# unit before them (:func:`_grow_start`'s evidence).
_LOWER_ANCHOR = re.compile(
    rf"(?<![\w])(?:[a-z]{{1,2}}\d[a-z\d]?[ \t]\d[a-z]{{2}}|(?:[ac-fhknprtv-y]\d{{2}}|d6w)[ \t][0-9ac-fhknprtv-y]{{4}}|{COUNTY})(?![\w])"
    r"|(?<![\w-])\d{5}(?:-\d{4})?(?![\w])"  # a ZIP: kept when a lower-case town and state come before it (_lower_anchors)
    # An Post's Dublin postal districts, "dublin 1" to "dublin 24" and "dublin 6w", the last line of a Dublin address ("apartment
    # 4 block b the maltings ranelagh dublin 6"); not a count after it ("in dublin 18 years ago")
    r"|(?<![\w])dublin[ \t]+(?:[1-9]|1\d|2[0-4]|6w)(?![\w])(?![ \t]+(?:years?|months?|weeks?|days?|hours?|times?|people|of)(?![\w]))"
)
_STATE_BEFORE = re.compile(rf"(?<=[{L}])[ \t]+(?i:{US_STATES})[ \t]+\Z")
# Canada Post: the last line is town, province code and postcode, two spaces before the postcode
# ("TORONTO ON  M5V 3K9"); in lower case ("toronto on  m5v 3k9") kept after a town and a province
# code only, from the province on (the town joins as the segment before it).
_LOWER_CA_CODE = re.compile(r"(?<![\w])[abceghj-nprstvxy]\d[a-z][ \t]?\d[a-z]\d(?![\w])")
_PROVINCE_BEFORE = re.compile(rf"(?<=[{L}])[ \t]+(?i:{CA_PROVINCES})[ \t]+\Z")


def _lower_anchors(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each match of ``_LOWER_ANCHOR`` in ``text``; a ZIP only after a
    lower-case town and a state code, from the state on ("montclair <nj 07042>": the town joins
    as the segment before the state); so a Canadian postcode after a town and a province code
    ("toronto <on  m5v 3k9>", ``_LOWER_CA_CODE``)."""
    out = []
    for m in _LOWER_ANCHOR.finditer(text):
        start = m.start()
        if m.group(0)[0].isdigit():
            st = _STATE_BEFORE.search(text, max(0, start - 6), start)
            if not st:
                continue
            start = st.start() + len(st.group(0)) - len(st.group(0).lstrip())
        out.append((start, m.end()))
    for m in _LOWER_CA_CODE.finditer(text):
        st = _PROVINCE_BEFORE.search(text, max(0, m.start() - 8), m.start())
        if st:
            out.append((st.start() + len(st.group(0)) - len(st.group(0).lstrip()), m.end()))
    for m in _LOWER_AU_STATE_CODE.finditer(text):
        out.append(m.span("v"))
    for m in _LOWER_CODE_AFTER_TOWN.finditer(text):
        town = m.group("town").casefold()
        if _town_word(town) and town not in _MONTH_WORDS and not is_ordinary_word(town, english_only=True):
            out.append(m.span("code"))
    return sorted(out)


# Australia Post's last line in lower case with commas, after a lower-case town ("brianmouth, <tas, 2642>",
# "fitzroy <vic 3065>"): the state code and the 4-digit postcode. Kept with a street, house or unit before it only.
_LOWER_AU_STATE_CODE = re.compile(
    rf"(?<=[{L}])[ \t]*,?[ \t]+(?P<v>(?:{AU_STATES.lower()}),?[ \t]+\d{{4}})(?![\w])"
)
# A 4-digit postcode after a lower-case town that ends the address (a comma, the line or the sentence
# ends after it): South African Post Office and Australia Post write the code last ("nelspruit 1201",
# "fitzroy 3065"). Kept with a street, house or unit before it only (:func:`_grow_start`).
_LOWER_CODE_AFTER_TOWN = re.compile(
    rf"(?<![\w-])(?P<town>[{L}][{L}'’-]{{2,}})[ \t]+(?P<code>\d{{4}})(?=[ \t]*(?:[,;]|[.!?]?[ \t]*(?:\n|$)|[.!?][ \t]))"
)
# (India Post's and Pakistan Post's flat or house number of a block, letter and number: "B-702", "C-45", "F-8/3")
_NUMBER_TOKEN = re.compile(r"[A-Z]{1,2}-\d{1,5}[A-Z]?(?:/\d{1,2})?|#?\d{1,5}[a-zA-Z]{0,2}(?:[/-]\d{1,5}[a-zA-Z]?){0,2}(?:-[a-zA-Z])?|\d{1,2}\.?[ºª°][a-zA-Z]?|\d{1,3}(?:st|nd|rd|th)|[A-Z]{1,3}#\d{1,3}")
_FLAT_NUMBER = re.compile(r"[A-Z]{1,2}-\d{1,5}[A-Z]?")  # "shifted to <B-702>, …": the flat number starts the address
_ABBREVIATIONS = frozenset(
    "co st rd ave av avda urb ctra c fraz loc bât bat esc pol ind apt appt no nr n mt ft ste blvd dr ln pl sq str gr bd imm edif pza sta gral".split()
)
_EN_STREET_WORD = re.compile(rf"(?:{EN_STREETS})", re.IGNORECASE)
# (Italian place names join their words with "a", "in", "al", "sul" and the article "il", "lo": ISTAT's list of
# localities, "Pieve a Elsa", "Borgo a Mozzano", "San Giovanni in Persiceto", "Podere Il Poggio")
_PARTICLES = _NAME_PARTICLES | {"of", "the", "y", "na", "e", "et", "und", "&", "-", "a", "in", "al", "sul", "il", "lo"}
_JOINING_PARTICLES = frozenset({"a", "in", "al", "sul"})


def _particle(tok: str) -> bool:
    """True for a particle of a place or street name (``_PARTICLES``); a capital letter alone is a block,
    stair or door letter ("escalera A"), not the Italian "a"."""
    return tok.casefold() in _PARTICLES and not re.fullmatch(r"[A-Z]", tok)


# India Post's landmark line, capitalised, before a street or place ("Off Carter Road", "Opp. Bus Depot", "Near Ram
# Mandir"): part of an Indian address between the building and the locality.
_LANDMARK_WORDS = frozenset("Off OFF Opp Opp. OPP OPP. Opposite OPPOSITE Near NEAR Behind BEHIND".split())
_STOP_CUES = frozenset(NOT_STREET - _PARTICLES - {"level", "floor", "room", "office", "line", "bus", "gate", "no", "nr", "nº"})


@lru_cache(maxsize=64)
def _text_stop_words(text: str) -> frozenset[str] | None:
    """The stop words of the language ``text`` is written in (py3langid), or None when it is unsure: a
    capitalised word of an address is a sentence's stop word only in the text's own language ("Sea Shell CHS"
    in English mail is a building's name, though "sea" is a Spanish stop word)."""
    from agent.language import detect_language

    lang = detect_language(text)
    return (_language_stop_words(lang) or None) if lang else None


@lru_cache(maxsize=8)
def _language_stop_words(language: str) -> frozenset[str]:
    from agent.pii.nlp import spacy_stop_words

    return spacy_stop_words(language)


def _token_ok(tok: str, lower: bool, text: str = "") -> tuple[bool, bool]:
    """(may this token be part of an address segment, is it a number or an address word); ``text``, the
    whole message, gives the language whose stop words end a capitalised address part."""
    t = tok.strip("()\"'«»")
    if not t or "@" in t or "://" in t or t[-1] in ":;!?":
        return False, False
    if t.endswith(".") and not _ADDRESS_WORD.fullmatch(t) and t[:-1].casefold() not in _ABBREVIATIONS:
        return False, False  # a sentence ended here
    core = t.rstrip(".").casefold()
    if core in _STOP_CUES or core in _MONTH_WORDS or core in NOT_TOWN:  # "Invoice", "March", "EUR"
        return False, False
    if _NUMBER_TOKEN.fullmatch(t):
        return not re.fullmatch(r"(?:19|20)\d{2}", t), True  # a year is no house number
    if re.fullmatch(rf"(?i:{NO_NUMBER})", t):
        return True, True  # Correos' "s/n" (sin número): a house without a number ("Ctra. A-397 km 12, s/n, 29400 Ronda")
    if _ADDRESS_WORD.fullmatch(t):
        return True, True
    if re.fullmatch(r"[A-Z]", t):  # a block, stair or door letter ("escalera A", "Bât. B")
        return True, False
    if not re.fullmatch(r"[^\W\d_][\w'’.-]*", t):
        return False, False
    if core in _PARTICLES:
        return True, False
    if t in _LANDMARK_WORDS:
        return True, False
    from agent.pii.words import stop_words

    if core in stop_words():
        own = _text_stop_words(text) if text and t[0].isupper() and not t.isupper() else None
        if own is None or core in own:
            return False, False
    return (t[0].isupper() or lower), False


def _address_suffix(seg: str, lower: bool, continues: bool = False, text: str = "") -> tuple[int | None, bool]:
    """Where the address-like end of ``seg`` (a comma-separated part of a line) starts, and whether
    it holds a number or an address word: up to six words and four numbers (a unit, a house
    number, a numbered street: "apt 5c 300 w 85th st new york"), each a capitalised word, a
    house number, a particle or an address word (any word but a stop word in a lower-case
    address), scanned from the right until a sentence word; neither first nor last a particle (last
    may be one of ``_JOINING_PARTICLES`` after an address word when ``continues``: the address part goes
    on after ``seg``, "loc. Pieve a" + "Elsa, 53035 …"). (None, False) when there is none."""
    toks = list(re.finditer(r"\S+", seg))
    k = len(toks)
    evidence = False
    last = toks[-1].group(0) if toks else ""
    if _particle(last) and not _EN_STREET_WORD.fullmatch(last) and not continues:  # "Vivo en <Calle Luna 7>": a particle ends no address part ("st" as street does)
        return None, False
    while k > 0:
        ok, ev = _token_ok(toks[k - 1].group(0), lower, text)
        if not ok:
            break
        evidence |= ev
        k -= 1
    numbers = sum(1 for x in toks[k:] if _NUMBER_TOKEN.fullmatch(x.group(0)))
    if len(toks) - k - numbers > 6 or numbers > 4:
        return None, False
    while k < len(toks) and _particle(toks[k].group(0)):  # "to the <Old Forge>": no particle first
        k += 1
    if 0 < k < len(toks) and re.fullmatch(r"(?i:no|nr|nº)\.?", toks[k - 1].group(0)) and _NUMBER_TOKEN.fullmatch(toks[k].group(0).rstrip(",")):
        k -= 1  # the number sign of a house or door number ("<No. 18>, 2nd Main": India Post's door number)
    if k == len(toks):
        return None, False
    if all(_NUMBER_TOKEN.fullmatch(x.group(0)) for x in toks[k:]) and (k > 0 and not re.search(r"[/#]", seg) or any(len(x.group(0)) > 3 for x in toks[k:])) and not (
        k == len(toks) - 1 and _FLAT_NUMBER.fullmatch(toks[k].group(0))
    ):
        return None, False  # a number alone after other words is no address part ("Invoice 2291"), a flat position is ("Our flat is 3/2")
    if continues and _particle(last) and not (evidence and last.casefold() in _JOINING_PARTICLES):
        return None, False  # "Vivo en <Calle Luna 7, …>", "an der <Dorfstrasse 12, …>": the sentence's preposition
    return toks[k].start(), evidence


def _person_only(lo: int, hi: int, text: str, spans: list) -> bool:
    """True when every letter of ``text[lo:hi]`` lies in a PERSON span of a name recogniser
    (score 0.55 or more): a name line above an address block ends it."""
    persons = [s for s in spans if s.entity == "PERSON" and s.score >= 0.55 and s.start < hi and lo < s.end]
    return bool(persons) and all(any(p.start <= i < p.end for p in persons) for i in range(lo, hi) if text[i].isalpha())


def _listed_name_line(lo: int, hi: int, text: str, spans: list) -> bool:
    """True when every letter of ``text[lo:hi]`` lies in a PERSON span of the name-list or name-cue
    recognisers (any score; the NER's guesses do not count): a name found by its lists, not a house."""
    persons = [s for s in spans if s.entity == "PERSON" and s.recogniser in ("NameListRecognizer", "NameCueRecognizer") and s.start < hi and lo < s.end]
    return bool(persons) and all(any(p.start <= i < p.end for p in persons) for i in range(lo, hi) if text[i].isalpha())


@lru_cache(maxsize=1)
def _title_line_rx() -> re.Pattern:
    from agent.pii.recognisers import LOWER_TITLES, TITLES

    titles = "|".join(t for t in f"{TITLES}|{LOWER_TITLES}".split("|") if len(t.replace("\\", "")) > 1)
    return re.compile(rf"(?i:{titles}|[{U}{L}]\.)\.?[ \t]+[^\W\d_]")  # one letter only with its full stop: "M. Dupont", not "D 4"


def _title_line(body: str) -> bool:
    """True for the name line of an address block: it starts with a title in any case ("Herr Beat
    Zürcher", "herr beat zürcher", "Mme Claire Roux", "dhr. j. de vries", "Sig. Paolo Neri") and
    holds no digit and no street word: the addressee, which the Universal Postal Union's S42 and the
    national posts put on the first line, above the address; it is a PERSON, never a part of the
    address (a street "Lady Margaret Road 4" has its number, a house "Sir Thomas House" its house word)."""
    return bool(_title_line_rx().match(body)) and not any(c.isdigit() for c in body) and not _STREET_WORD.search(body) and not _HOUSE_WORD.search(body)


def _identifier_digits(body: str) -> bool:
    """True for a line whose digits make an identifier rather than house and unit numbers: a run
    of seven or more ("Policy 4471902"), or more than ten in all. A unit and a house number together
    stay an address line ("unit 1207, 455 lakeshore blvd w": Canada Post's unit-street line)."""
    return any(len(r) > 6 for r in re.findall(r"\d+", body)) or sum(c.isdigit() for c in body) > 10


def _block_line_ok(text: str, lo: int, hi: int, spans: list, lower: bool) -> int | None:
    """Where the address part of the line ``text[lo:hi]`` above an address block starts, or None
    when the line ends the block: blank, long, a greeting or sign-off, a sentence, a name, an
    e-mail, phone or other identifier, a line of cue words ("Policy 4471902")."""
    line = text[lo:hi]
    body = line.strip(" \t>?*•·|")
    if not body or len(body) > 60 or _identifier_digits(body) or _closing_line(body):
        return None
    b0 = lo + line.index(body)
    if any(s.entity not in ("LOCATION", "PERSON") and s.start < hi and lo < s.end for s in spans) or _title_line(body):
        return None
    if len(body.split()) >= 2 and _listed_name_line(b0, b0 + len(body), text, spans) and not any(c.isdigit() for c in body) and not _STREET_WORD.search(body) and not _HOUSE_WORD.search(body):
        return None  # the addressee's line above the block (UPU S42), whatever an article in it looks like ("SALVATORE LO BIANCO"); one word may be a village ("Ballyvaughan")
    evidence = False
    pos = b0
    for part in body.rstrip(",").split(","):
        k, ev = _address_suffix(part, lower, text=text)
        if k is None or part[:k].strip():
            return None
        evidence |= ev
        pos += len(part) + 1
    if not evidence and _person_only(b0, b0 + len(body), text, spans):
        return None
    if not evidence and all(is_ordinary_word(w) for w in re.findall(r"(?<![\w])[^\W\d_]+(?:['’-][^\W\d_]+)*(?![\w])", body)):
        return None  # a line of common words ("Meeting Notes", "Senior Manager"), not a house, village or county
    return b0


_LOCALITY_START = re.compile(rf"(?:{LOCALITY})[ \t]", re.IGNORECASE)


def _grow_start(text: str, pos: int, spans: list, lower: bool, numbered: bool = False) -> tuple[int, bool]:
    """Where an address anchored at ``pos`` (its postcode, town or street line) starts, and
    whether a street, house or unit was seen: in running text the comma-separated segments
    directly before it (up to four, each short and without sentence words: "<Finca El Romeral,
    Ctra. de Ronda km 4,> 29400 Ronda"); when that reaches the line start, the short address lines
    above it (up to five, until a blank line, a greeting, a sentence, a name or an identifier).
    In a lower-case address, what stands before a numbered part (the street line: ``numbered``
    when the anchor holds one) is a building, unit or house: a segment without an address word or
    number ends the address there ("freund wohnhaft, <im gässli 3, 4410 liestal>")."""
    line_start = text.rfind("\n", 0, pos) + 1
    start, evidence = pos, False
    lead = len(text[line_start:pos]) - len(text[line_start:pos].lstrip(" \t>?*•·|"))
    if text[line_start + lead : pos].strip():
        cur, segs = pos, 0
        while segs < 5:
            comma = text.rfind(",", line_start, cur)
            seg_lo = comma + 1 if comma >= 0 else line_start + lead
            seg = text[seg_lo:cur]
            if not seg.strip():
                if comma < 0 or segs:
                    break
                cur = comma
                continue
            # the first segment goes on in the anchor when no comma stands between them ("loc. Pieve a <Elsa, 53035 …>")
            continues = not segs and cur == pos and bool(seg.strip()) and text[cur - 1 : cur] in (" ", "\t")
            k, ev = _address_suffix(seg, lower, continues=continues, text=text)
            # (in lower case, words before an anchor that starts with a locality word, in its own segment and without an
            # address word, are the sentence: "notre maison secondaire <lieu-dit la croix blanche 46300 gourdon>")
            own_start = continues and lower and bool(_LOCALITY_START.match(text, pos))
            if k is None or (not ev and _person_only(seg_lo + k, cur, text, spans)) or (lower and (numbered or own_start) and not ev):
                break
            start, evidence, segs = seg_lo + k, evidence or ev, segs + 1
            numbered |= any(c.isdigit() for c in seg[k:])
            if seg[:k].strip() or comma < 0:
                break
            cur = comma
        if start > line_start + lead:
            return start, evidence
    lo = line_start
    for _ in range(5):
        if lo == 0:
            break
        prev = text.rfind("\n", 0, lo - 1) + 1
        b0 = _block_line_ok(text, prev, lo - 1, spans, lower)
        if b0 is None:
            break
        start, lo = b0, prev
        evidence = True
    return start, evidence


_LAST_LINE_CODE = re.compile(r"(?:^|\n)[ \t>]*(?P<c>[^\W\d_][^\n\d]*?)[ \t]+\d{4,5}[ \t]*\Z")


def _country_code_last(value: str) -> bool:
    """True when the last line of ``value`` is a country name and a postcode ("slovenia 33714",
    "Spain 50217"): the UPU S42 last line of an international address, an anchor like a postcode."""
    m = _LAST_LINE_CODE.search(value)
    return bool(m) and " ".join(m.group("c").split()).casefold() in country_names()


def _grow_from_postcodes(text: str, spans: list, lower_anchors: list[tuple[int, int]]) -> list:
    """Each LOCATION span holding a postcode (``_ANCHOR_IN_SPAN``), and each lower-case postcode,
    Eircode, county or state + ZIP with a street, house or unit before it (``lower_anchors``,
    :func:`_lower_anchors` of ``text``),
    starts where :func:`_grow_start` says; PERSON and LOCATION spans it then covers are absorbed
    (a house or village name taken for a name), another identifier stops it."""
    anchors = [(s, True) for s in spans if s.entity == "LOCATION" and (_ANCHOR_IN_SPAN.search(s.value) or _country_code_last(s.value))]
    for lo, hi in lower_anchors:
        if not any(s.entity == "LOCATION" and s.start < hi and lo < s.end for s in spans):
            anchors.append((_new_span(text, lo, hi), False))
    if not anchors:
        return spans
    out = list(spans)
    for a, existing in sorted(anchors, key=lambda x: x[0].start):
        if not existing and any(s.start <= a.start and a.end <= s.end and s.entity == "LOCATION" for s in out):
            continue  # a lower-case anchor another address now holds
        lower = not any(c.isupper() for c in a.value)
        pos = a.start
        while pos > 0 and text[pos - 1].isalnum():  # pyap may start inside a word ("Higher Fold Fa<rm\nMoor Lane …>")
            pos -= 1
        near = [s for s in out if s.end > pos - 400 and s.start < a.end and s is not a]  # the spans of the lines above and the line
        key = _ANCHOR_IN_SPAN.search(a.value) if existing else None
        start, evidence = _grow_start(text, pos, near, lower, bool(key) and any(c.isdigit() for c in a.value[: key.start()]))
        if not existing and not evidence:
            continue
        for s in near:  # another identifier before the anchor ends the address
            if s.entity not in ("LOCATION", "PERSON") and s.start < a.start and start < s.end:
                start = s.end
        while start < a.start and text[start] in " \t\n,;:>":
            start += 1
        if start >= a.start and existing:
            continue
        start = min(start, a.start)
        inside = {id(s): s for s in near if s.entity in ("LOCATION", "PERSON") and s.start < a.end and start < s.end}
        lo = min([start] + [s.start for s in inside.values()])
        hi = max([a.end] + [s.end for s in inside.values()])
        out = [s for s in out if s is not a and id(s) not in inside]
        out.append(replace(a, start=lo, end=hi, value=text[lo:hi], entity="LOCATION"))
        out.sort(key=lambda s: (s.start, s.end))
    return out


def _new_span(text: str, start: int, end: int):
    from agent.redaction import PiiSpan

    return PiiSpan("LOCATION", start, end, text[start:end], 0.6, "EuAddressRecognizer")
