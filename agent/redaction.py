"""Pseudonymisation with Presidio: PII entities become stable placeholders, restored afterwards.

Within one item the same value always gets the same placeholder (``<PERSON_1>``), across the
subject, the latest text, the thread and CRM fields. Values on the organisation allow-list
(our names, our domains) are left as they are.

What is found (details in :mod:`agent.pii`): Presidio's predefined recognisers for every
configured entity, draftguard's patterns for client mail (addresses, card-like numbers,
national phone formats, dates of birth, names after titles/greetings/sign-offs, the firm's own
identifiers), and the spaCy NER of the message's language where one is installed. Everything
known before analysis is seeded and masked wherever it appears, in any case and word order:
the header names and addresses (``known``), the CRM contact fields, and every value found
anywhere in the whole message (``seed_texts``: quoted history and signature included).

Overlapping findings are joined into one masked span (nothing is half-masked), and the parts of
one postal address (street line, unit, postcode + town, country) become one ``<LOCATION_n>``
so the restored draft reads an address where the model wrote the placeholder.

Offline by construction: Presidio's URL recogniser uses ``tldextract``, which downloads the
public suffix list on first use; :mod:`agent.pii.engine` replaces its extractor with one that
only uses the snapshot bundled in the package. spaCy models are installed packages, each
loaded on the first text of its language (:mod:`agent.pii.nlp`).

Fail closed: any failure to build or run the analyzer raises
:class:`agent.errors.RedactionError`; the pipeline then sends nothing to a model. An entity
type no recogniser supports raises :class:`agent.errors.ConfigError` at start.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from agent.config import OrganisationConfig, RedactionConfig
from agent.errors import RedactionError
from agent.models import ItemContext, PlaceholderMap, RedactedContext
from agent.pii.seeds import SeedMatcher, crm_seeds, name_variants

SEED_TEXT_MAX_CHARS = 50_000  # spaCy time grows with length; the prompt never holds more than this
PLACEHOLDER_RE = re.compile(r"<([A-Z][A-Z_]*)_(\d+)>")
# What a model writes instead of "<PERSON_1>": "[PERSON_1]", "{PERSON_1}", "<PERSON 1>",
# "&lt;PERSON_1&gt;", "<person_1>". Restored like the exact form when the map knows it.
LOOSE_PLACEHOLDER_RE = re.compile(r"(?:<|&lt;|\[|\{)\s*([A-Za-z][A-Za-z_]*?)[_ ](\d+)\s*(?:>|&gt;|\]|\})")
CACHE_SIZE = 64
CLOSEST_MIN_PROB = 0.5  # Redactor.language_for: below it an unsure text is analysed in redaction.language
SEEDED = "Seed"  # recogniser name of values masked because they were known (headers, CRM, elsewhere in the message)


@dataclass(frozen=True)
class PiiSpan:
    """One PII entity found in a text: type (``"PERSON"``), character span, the value, score 0..1,
    and the recogniser that found it (``"PyapAddressRecognizer"``, ``"Seed"``)."""

    entity: str
    start: int
    end: int
    value: str
    score: float
    recogniser: str = ""


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


# Salutations our own templates write; the small spaCy model tags some of them as PERSON.
SALUTATION_WORDS = ("Sir", "Madam", "Sir or Madam", "Dear", "Team", "Hello", "Hi")


class Redactor:
    """Presidio analyzer configured from :class:`RedactionConfig`, one pipeline per language.

    Building it loads no spaCy model: each language's pipeline loads on the first text of that
    language (about 0.3 s for English, 3 s for French) and is shared by every redactor in the
    process; build once per process and share it.
    Thread-safe (analysis is guarded by a lock: spaCy pipelines are not documented as
    thread-safe). Raises ConfigError for an unsupported entity type and RedactionError for a
    missing model package or any failure to build the analyzer."""

    def __init__(self, cfg: RedactionConfig, org: OrganisationConfig):
        from agent.pii.catalogue import check_entities

        self.cfg = cfg
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], list[PiiSpan]] = OrderedDict()
        self._allow = {_norm(v) for v in [*cfg.allow_list, *org.allow_names, org.name, *SALUTATION_WORDS] if v}
        self._own_domains = {d.lower() for d in org.domains}
        check_entities(cfg)
        from agent.pii.engine import build_analyzer

        # No model is loaded here: each language's spaCy pipeline loads on its first text
        # (agent/pii/nlp.py). RedactionError for a missing package or a broken analyzer.
        self._analyzer, self._nlp = build_analyzer(cfg)

    # ------------------------------------------------------------------ analysis
    def language_for(self, text: str, hint: str | None = None) -> str:
        """The analysed language for ``text``: ``hint`` when configured; else the detected
        language when configured; else, for a text of at least 8 letters, the most likely of the
        configured languages when py3langid restricted to them is fairly sure (probability at
        least :data:`CLOSEST_MIN_PROB`: a short German line must not get the English NER);
        else ``redaction.language``, the firm's default. A short text the classifier is unsure
        of ("Timotea lives on Via dei Fiorentini 17 street.": Latin 0.14 unrestricted, Italian
        0.45 among the configured six) is most likely in the language most mail is in, and only
        the default language's pipeline has both an NER and a tagger. On the labelled train and
        dev sets every unsure text below 0.5 that was not in the default language was an address
        block or a number after its label, which the pattern recognisers find in any language;
        at 0.9 short German and Dutch labels ("Kartennummer", "Geburtsdatum") became English
        names and a French block lost its NER name: 0.5 is what the train and dev sets chose."""
        if hint in self.cfg.languages:
            return hint
        from agent.language import detect_language

        detected = detect_language(text)
        if detected in self.cfg.languages:
            return detected
        if sum(c.isalpha() for c in text) >= 8:
            code, prob = _closest_language(tuple(self.cfg.languages), text)
            if prob >= CLOSEST_MIN_PROB:
                return code
        return self.cfg.language

    def analyze(self, text: str, language: str | None = None) -> list[PiiSpan]:
        """PII entities in ``text`` (allow-listed and own-domain values removed), possibly
        overlapping. ``language`` picks the pipeline (see :meth:`language_for`).

        Raises RedactionError when the analyzer fails."""
        if not text.strip():
            return []
        lang = self.language_for(text, language)
        key = (lang, text)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return list(hit)
            try:
                results = self._analyzer.analyze(
                    text=text, language=lang, entities=list(self.cfg.entities), score_threshold=self.cfg.score_threshold
                )
            except Exception as exc:
                raise RedactionError(f"PII analysis failed: {type(exc).__name__}: {exc}") from exc
            spans = []
            for r in results:
                a, b = max(0, r.start), min(len(text), r.end)
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                value = text[a:b]
                if b <= a or self._allowed(r.entity_type, value):
                    continue
                name = (r.recognition_metadata or {}).get("recognizer_name", "")
                spans.append(PiiSpan(r.entity_type, a, b, value, r.score, name))
            self._cache[key] = spans
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return list(spans)

    def detect(self, text: str, language: str | None = None) -> list[PiiSpan]:
        """The spans :meth:`pseudonymise` would replace in ``text`` when the item holds nothing
        else (no headers, no CRM fields): what the analyzer finds, and each value found masked
        wherever else it appears in ``text`` (a name's parts too, as :meth:`pseudonymise` seeds
        them from the whole message); non-overlapping, sorted, address parts joined."""
        from agent.pii.names import grow_names

        lang = self.language_for(text, language)
        found = resolve(text, grow_names(text, self.analyze(text, lang), lang))
        session = _PseudonymSession(self, lang)
        for span in found:
            session.seed(span.entity, span.value, span.recogniser)
        folded = " ".join(text.split()).casefold()  # only a value written twice or more can be found again (cheap to test)
        session._seeded = {v: e for v, e in session._seeded.items() if folded.count(v) >= 2}
        return resolve(text, grow_names(text, found + session._seed_spans(text), lang)) if session._seeded else found

    def _allowed(self, entity: str, value: str) -> bool:
        v = _norm(value)
        if v in self._allow or PLACEHOLDER_RE.fullmatch(value.strip()):
            return True
        if entity in ("EMAIL_ADDRESS", "URL"):
            host = v.rpartition("@")[2] if "@" in v else re.sub(r"^[a-z]+://", "", v).split("/")[0]
            return any(host == d or host.endswith("." + d) for d in self._own_domains)
        return False

    # ------------------------------------------------------------ pseudonymise
    def pseudonymise(
        self,
        ctx: ItemContext,
        seed_texts: list[str] | tuple[str, ...] = (),
        known: list[tuple[str, str]] | tuple[tuple[str, str], ...] = (),
    ) -> RedactedContext:
        """Replace every PII entity in the context with a stable placeholder.

        Seeded first, and replaced wherever they occur (any case, any whitespace): the
        ``known`` (entity, value) pairs from the headers (names also in the other word order,
        as initial + surname and part by part), the sender, the CRM contact fields, and every
        value the analyzer finds in ``seed_texts`` (the whole original message: quoted history
        and signature included) - even where the model's context-dependent scores miss them in
        the shorter text that goes into the prompt."""
        lang = ctx.language if ctx.language in self.cfg.languages else self.language_for(ctx.latest_text)
        session = _PseudonymSession(self, lang)
        for entity, value in known:  # (entity, value) pairs from headers: From, Reply-To, To, Cc
            session.seed(entity, value)
        session.seed("EMAIL_ADDRESS", ctx.sender_email)
        session.seed("PERSON", ctx.sender_name)
        for entity, value in crm_seeds(ctx.crm_fields):
            session.seed(entity, value)
        for text in seed_texts:
            text = text[:SEED_TEXT_MAX_CHARS]
            session.remember(text)
            for span in self.detect(text, lang):  # resolved: a cue word an NER span took along is not seeded
                session.seed(span.entity, span.value, span.recogniser)
        return RedactedContext(
            subject=session.redact(ctx.subject),
            sender_name=session.redact(ctx.sender_name) if ctx.sender_name else "",
            latest_text=session.redact(ctx.latest_text),
            thread=[
                f"{'Us' if t.from_us else session.redact(t.sender.name or t.sender.email) if t.sender else 'Unknown'}: {session.redact(t.text)}"
                for t in ctx.thread
            ],
            crm_fields={k: session.redact(v) for k, v in ctx.crm_fields.items()},
            language=ctx.language,
            placeholders=PlaceholderMap(mapping=session.mapping, detectors=session.detectors),
        )


@lru_cache(maxsize=4)
def _restricted_identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(languages))
    return ident


def _closest_language(languages: tuple[str, ...], text: str) -> tuple[str, float]:
    """``(code, probability)``: the most likely of ``languages`` for ``text`` (py3langid
    restricted to them, probabilities normalised over them)."""
    sample = " ".join(re.sub(r"\S+@\S+|\bhttps?://\S+|\d+", " ", text).split())[:2000]
    code, prob = _restricted_identifier(languages).classify(sample)
    return code, float(prob)


def resolve(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """Non-overlapping spans covering every character of ``spans``, in reading order.

    Parts of one postal address (LOCATION spans separated only by commas, spaces or up to
    three short lines such as a town or a country) become one LOCATION span; any other
    overlapping spans are joined, taking the type and recogniser of the highest score, except that
    an address (LOCATION spans with a number holding every name of the cluster) stays one over the
    names inside it."""
    if not spans:
        return _join_addresses(text, [])  # a lower-case address no recogniser found a part of
    spans = [_whole_token(text, s) for s in _drop_ner_cues(text, spans)]
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    clusters: list[list[PiiSpan]] = []
    end = -1
    for s in ordered:
        if clusters and s.start < end:
            clusters[-1].append(s)
            end = max(end, s.end)
        else:
            clusters.append([s])
            end = s.end
    joined = []
    for c in clusters:
        a, b = min(s.start for s in c), max(s.end for s in c)
        best = max(c, key=lambda s: (s.score, s.entity == "LOCATION", s.end - s.start))
        address = [s for s in c if s.entity == "LOCATION" and any(ch.isdigit() for ch in s.value)] if best.entity == "PERSON" else []
        if (
            address
            and all(any(x.start <= p.start and p.end <= x.end for x in address) for p in c if p.entity == "PERSON")
            and all(s.entity in ("PERSON", "LOCATION") or s.score < max(x.score for x in address) for s in c)
        ):
            # a name inside an address ("Col. San José Insurgentes", "Benito Juárez", "478 Shawn Hills"): a street, district
            # or town; a weaker number span over its house number goes with it ("4905 478" read as a phone number)
            best = max(address, key=lambda s: s.end - s.start)
        joined.append(PiiSpan(best.entity, a, b, text[a:b], best.score, best.recogniser))
    return _join_addresses(text, joined)


NER = "SpacyRecognizer"

# The identifiers a number recogniser finds; a date (DATE_OF_BIRTH) is no code of letters and digits.
NUMBER_ENTITIES = frozenset(
    {"ACCOUNT_NUMBER", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "US_SSN", "UK_NINO", "US_PASSPORT", "US_DRIVER_LICENSE", "CRYPTO"}
)
_TOKEN_PART = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_CURRENCIES = frozenset("eur usd gbp chf cad aud jpy inr sek nok dkk pln czk huf rs rp kr".split())


def _whole_token(text: str, span: PiiSpan) -> PiiSpan:
    """``span`` of a number recogniser widened to the whole token of letters and digits it starts
    or ends inside: a passport, ID or reference number is one code ("YA4827193", "AB-1234567",
    "12345678Z": ICAO Doc 9303's passport number, the Spanish DNI's control letter), so no letter of
    it is left readable. Only a code: every run of letters in the token is in capitals or at most
    two letters long, and none added is a currency ("EUR1250000" stays an amount next to its
    currency) — words glued to a number by lost spacing ("1131423339The") are not taken."""
    if span.entity not in NUMBER_ENTITIES:
        return span
    a, b = span.start, span.end
    lo = a
    while lo > 0 and (text[lo - 1].isalnum() or text[lo - 1] == "-" and lo > 1 and text[lo - 2].isalnum() and text[lo].isalnum()):
        lo -= 1
    hi = b
    while hi < len(text) and (text[hi].isalnum() or text[hi] == "-" and hi + 1 < len(text) and text[hi + 1].isalnum() and text[hi - 1].isalnum()):
        hi += 1
    if (lo, hi) == (a, b):
        return span
    token = text[lo:hi]
    added = re.findall(r"[^\W\d_]+", text[lo:a] + " " + text[b:hi])
    runs = re.findall(r"[^\W\d_]+", token)
    if len(token) > 24 or any(w.casefold() in _CURRENCIES for w in added) or not all(w.isupper() or len(w) <= 2 for w in runs):
        return span
    return PiiSpan(span.entity, lo, hi, token, span.score, span.recogniser)


def _drop_ner_cues(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """Drop an NER span that overlaps a pattern's PERSON/LOCATION span and only adds cue words
    to it ("Bonjour M. Dupont" around the title pattern's "Dupont", "Via Garibaldi 21" tagged
    PERSON around the street pattern's address): the pattern knows the value's edges and type."""
    from agent.pii.recognisers import cue_words

    exact = [s for s in spans if s.recogniser != NER and s.entity in ("PERSON", "LOCATION")]
    if not exact:
        return spans
    cues = cue_words()
    out = []
    for s in spans:
        if s.recogniser == NER:
            inside = [e for e in exact if e.start < s.end and s.start < e.end]
            if inside:
                rest = list(text[s.start : s.end])
                for e in inside:
                    for i in range(max(e.start, s.start), min(e.end, s.end)):
                        rest[i - s.start] = " "
                lo, hi = max(s.start, min(e.start for e in inside)), min(s.end, max(e.end for e in inside))
                between = "".join(rest[lo - s.start : hi - s.start])  # "M." in "Janka M. Szász": part of the name
                if not between.strip(" \t,.") and all(w.lower() in cues for w in re.findall(r"[^\W\d_]+", "".join(rest))):
                    continue
        out.append(s)
    return out


def _join_addresses(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    from agent.pii.address_joining import join_address_parts

    return join_address_parts(text, spans)


class _PseudonymSession:
    """Placeholder state for one item: value → placeholder, with per-type counters."""

    def __init__(self, redactor: Redactor, language: str):
        self.r = redactor
        self.language = language
        self.mapping: dict[str, str] = {}
        self.detectors: dict[str, str] = {}
        self._by_value: dict[tuple[str, str], str] = {}
        self._seeded: dict[str, tuple[str, str]] = {}  # normalised value -> (entity, recogniser)
        self._seed_re: SeedMatcher | None = None
        self._texts: list[str] = []

    def placeholder(self, entity: str, value: str, recogniser: str = "") -> str:
        key = (entity, _norm(value))
        ph = self._by_value.get(key)
        if ph is None:
            n = sum(1 for e, _ in self._by_value if e == entity) + 1
            ph = f"<{entity}_{n}>"
            self._by_value[key] = ph
            self.mapping[ph] = value.strip()
            self.detectors[ph] = recogniser
        return ph

    def seed(self, entity: str, value: str, recogniser: str = SEEDED) -> None:
        value = " ".join(value.split())
        values = name_variants(value, known=recogniser == SEEDED, language=self.language) if entity == "PERSON" else [value]
        for v in values:
            n = _norm(v)
            if len(n) >= 2 and n not in self._seeded and not self.r._allowed(entity, v) and any(c.isalnum() for c in v):
                self._seeded[n] = (entity, recogniser or SEEDED)
                self._seed_re = None

    def remember(self, text: str) -> None:
        """Keep an analysed seed text: a field that is a part of it reuses its analysis."""
        self._texts.append(text)

    def _spans(self, text: str) -> list[PiiSpan]:
        for big in self._texts:
            at = big.find(text) if len(text) > 200 else -1
            if at >= 0:
                return [
                    PiiSpan(s.entity, s.start - at, s.end - at, s.value, s.score, s.recogniser)
                    for s in self.r.analyze(big, self.language)
                    if s.start >= at and s.end <= at + len(text)
                ]
        return self.r.analyze(text, self.language)

    def _seed_spans(self, text: str) -> list[PiiSpan]:
        if not self._seeded:
            return []
        if self._seed_re is None:
            self._seed_re = SeedMatcher(sorted(self._seeded, key=len, reverse=True))
        out = []
        for start, end in self._seed_re.spans(text):
            value = text[start:end]
            entity, rec = self._seeded.get(_norm(value), ("PERSON", SEEDED))
            out.append(PiiSpan(entity, start, end, value, 1.0, rec))
        return out

    def redact(self, text: str) -> str:
        if not text:
            return text
        try:
            from agent.pii.names import grow_names

            spans = resolve(text, grow_names(text, self._spans(text) + self._seed_spans(text), self.language))
            out, last = [], 0
            for s in spans:
                out.append(text[last : s.start])
                out.append(self.placeholder(s.entity, s.value, s.recogniser))
                last = s.end
            out.append(text[last:])
            return "".join(out)
        except RedactionError:
            raise
        except Exception as exc:
            raise RedactionError(f"pseudonymisation failed: {type(exc).__name__}: {exc}") from exc


def restore(text: str, placeholders: PlaceholderMap) -> tuple[str, list[str]]:
    """Put the original values back into a draft.

    Also restores the forms a model writes instead of the exact placeholder (``[PERSON_1]``,
    ``{PERSON_1}``, ``<PERSON 1>``, ``&lt;PERSON_1&gt;``, ``<person_1>``) when the map knows the
    placeholder. Returns ``(restored_text, unknown)`` where ``unknown`` lists placeholder-like
    tokens that are not in the map (a model invented them): left in place so the policy check
    ``unrestored_placeholder`` flags them."""
    unknown: list[str] = []

    def loose(m: re.Match) -> str:
        ph = f"<{m.group(1).upper()}_{m.group(2)}>"
        return placeholders.mapping.get(ph, m.group(0))

    def exact(m: re.Match) -> str:
        ph = m.group(0)
        if ph in placeholders.mapping:
            return placeholders.mapping[ph]
        unknown.append(ph)
        return ph

    text = PLACEHOLDER_RE.sub(exact, text)
    return LOOSE_PLACEHOLDER_RE.sub(loose, text), unknown


def placeholder_values(placeholders: PlaceholderMap) -> list[str]:
    """Every original value behind an item's placeholders, for an outbound last check.

    Each value as written, plus for values with digits the digits-only form (``4111 1111`` →
    ``41111111``) and for names each part of at least three letters. Sorted longest first,
    duplicates removed (case-insensitive)."""
    out: dict[str, str] = {}
    for ph, value in placeholders.mapping.items():
        forms = [value]
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 6:
            forms.append(digits)
        if ph.startswith("<PERSON_"):
            forms += name_variants(value)
        for f in forms:
            out.setdefault(f.casefold(), f)
    return sorted(out.values(), key=len, reverse=True)
