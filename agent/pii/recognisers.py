"""The recognisers of the redactor, one set per configured language.

Sources of each rule:

- Presidio's predefined recognisers (``presidio_analyzer.predefined_recognizers``) for every
  configured entity they support (:func:`predefined_classes`), instantiated for each language
  with multilingual context words; the phone recogniser with the configured regions
  (``redaction.phone_regions``, libphonenumber region codes).
- Patterns for what client mail holds and those miss (issue 10, measured in
  ``evaluation/pii.py``): card-like digit groups whatever their Luhn checksum (13-19 digits in
  groups of four, Amex 4-6-5, or an unbroken 13-19 digit run); phone numbers in national
  formats next to a phone word; dates after a birth word (DATE_OF_BIRTH) in en, de, fr, es, it,
  nl; names after a title (Mr, Frau, Mme, Sr., Sig.ra, Dhr. ...), after a greeting ("Dear x,",
  "Hallo x,"), on the line after a sign-off ("Regards,\\nx") and after "my name is" phrases;
  customer / policy numbers next to their words; the firm's own identifiers from
  ``[[redaction.custom_patterns]]``.
- The spaCy NER (:class:`presidio_analyzer.predefined_recognizers.SpacyRecognizer`) only for
  languages that have a model (:mod:`agent.pii.nlp`).

The recognisers live in modules named for what they hold; this one builds them
(:func:`build_recognisers`, :func:`predefined_classes`, :func:`custom_recognisers`) and
re-exports the names other code imported from it before the split:

- :mod:`agent.pii.cues`: the cue words and context vocabularies (titles, greetings, sign-offs,
  relations, labels, months, context words per entity).
- :mod:`agent.pii.name_patterns`: :func:`name_recogniser`, names after their cues.
- :mod:`agent.pii.number_recognisers`: phone numbers, dates of birth, cards, IBANs, account and
  reference numbers.
"""

from __future__ import annotations

import inspect
import re
from functools import lru_cache

from agent.pii.address_patterns import eu_address_recogniser
from agent.pii.address_recognisers import PostcodeTownRecognizer, PyapAddressRecognizer
from agent.pii.cues import (
    ABBREVIATED_SIGNOFFS,
    BIRTH,
    CARE_OF,
    CASUAL_SIGNOFFS,
    CONTACT_LINE,
    CONTEXT,
    COUPLE,
    DATE,
    DEVICE_SIGNATURE,
    FIELD_LABELS,
    GREETINGS,
    HEADER_LABELS,
    INTRO_ANY,
    INTRO_CAP,
    KIN,
    LABEL_VALUE,
    LOWER_TITLE_WORDS,
    LOWER_TITLES,
    MESSAGE_END,
    MONTHS,
    NAME_ANY,
    NAME_CAP,
    NAME_IS,
    NAME_LABELS,
    NAME_SEQ_ANY,
    NAME_SEQ_CAP,
    NOT_NAMES,
    PARTICLE,
    PERSON_VERB_PLACES,
    PERSON_VERBS,
    PLEASE,
    SIGNOFFS,
    TITLES,
    TRAILER_LINE,
    L,
    U,
    _stop_words,
    cue_words,
)
from agent.pii.emails import UrlOutsideEmailRecognizer, email_recogniser
from agent.pii.name_emails import EmailNameRecognizer
from agent.pii.name_gazetteer import GazetteerNameRecognizer
from agent.pii.name_ner import ner_recogniser
from agent.pii.name_patterns import NAME_HERE, NAME_HERE_AGAIN, name_recogniser
from agent.pii.number_recognisers import (
    LANGUAGE_REGIONS,
    LONG_RUN_SCORE,
    REFERENCE_CONTEXT,
    account_recogniser,
    card_like_recogniser,
    dob_recogniser,
    iban_like_recogniser,
    iban_prefix,
    national_phone_recogniser,
    one_per_shared_plan,
    phone_recogniser,
    reference_recogniser,
    regions_for,
)
from agent.pii.patterns import GroupPattern, GroupPatternRecognizer
from agent.pii.phone_shapes import InternationalNumberRecognizer

__all__ = [
    "ABBREVIATED_SIGNOFFS",
    "BIRTH",
    "CARE_OF",
    "CASUAL_SIGNOFFS",
    "CONTACT_LINE",
    "CONTEXT",
    "COUPLE",
    "DATE",
    "DEVICE_SIGNATURE",
    "FIELD_LABELS",
    "GREETINGS",
    "HEADER_LABELS",
    "INTRO_ANY",
    "INTRO_CAP",
    "KIN",
    "L",
    "LABEL_VALUE",
    "LANGUAGE_REGIONS",
    "LONG_RUN_SCORE",
    "LOWER_TITLES",
    "LOWER_TITLE_WORDS",
    "MESSAGE_END",
    "MONTHS",
    "NAME_ANY",
    "NAME_CAP",
    "NAME_HERE",
    "NAME_HERE_AGAIN",
    "NAME_IS",
    "NAME_LABELS",
    "NAME_SEQ_ANY",
    "NAME_SEQ_CAP",
    "NOT_NAMES",
    "PARTICLE",
    "PERSON_VERBS",
    "PERSON_VERB_PLACES",
    "PLEASE",
    "REFERENCE_CONTEXT",
    "SIGNOFFS",
    "TITLES",
    "TRAILER_LINE",
    "U",
    "account_recogniser",
    "card_like_recogniser",
    "cue_words",
    "dob_recogniser",
    "iban_like_recogniser",
    "iban_prefix",
    "name_recogniser",
    "national_phone_recogniser",
    "one_per_shared_plan",
    "phone_recogniser",
    "reference_recogniser",
    "regions_for",
    "_stop_words",
]

# Entity types recognised by draftguard's own recognisers (beyond Presidio's predefined ones).
OWN_ENTITIES = {"IBAN_CODE", "PERSON", "LOCATION", "CREDIT_CARD", "PHONE_NUMBER", "DATE_OF_BIRTH", "ACCOUNT_NUMBER", "EMAIL_ADDRESS", "URL"}
NER_ENTITIES = {"PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME"}

# Predefined classes never loaded: NER wrappers (the spaCy one is added per language), ones that
# need extra packages or a hub download, and the two replaced by agent/pii/emails.py.
_SKIP_CLASSES = {
    "SpacyRecognizer",
    "StanzaRecognizer",
    "TransformersRecognizer",
    "GLiNERRecognizer",
    "HuggingFaceNerRecognizer",
    "MedicalNERRecognizer",
    "LangExtractRecognizer",
    "AzureAILanguageRecognizer",
    "AzureHealthDeidRecognizer",
    "EmailRecognizer",
    "UrlRecognizer",
}


def custom_recognisers(patterns, language: str) -> list[GroupPatternRecognizer]:
    """One recogniser per ``[[redaction.custom_patterns]]`` entry (name, regex, entity, score, context)."""
    return [
        GroupPatternRecognizer(
            f"Custom:{p.name}", p.entity, [GroupPattern(p.name, re.compile(p.regex), p.score)], language, context=list(p.context)
        )
        for p in patterns
    ]


@lru_cache(maxsize=1)
def predefined_classes() -> dict[str, list[type]]:
    """Presidio's predefined recogniser classes by the entity types they support.

    Only classes that build without arguments or downloads (pattern and validation based)."""
    import presidio_analyzer.predefined_recognizers as pr
    from presidio_analyzer import EntityRecognizer

    out: dict[str, list[type]] = {}
    for name in pr.__all__:
        cls = getattr(pr, name)
        if name in _SKIP_CLASSES or not (inspect.isclass(cls) and issubclass(cls, EntityRecognizer)):
            continue
        try:
            entities = cls().supported_entities
        except Exception:  # needs an optional package: not offered
            continue
        for e in entities:
            out.setdefault(e, []).append(cls)
    return out


def build_recognisers(cfg, language: str, nlp_has_ner: bool) -> list:
    """Every recogniser for ``language`` covering ``cfg.entities`` (a RedactionConfig)."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    wanted = set(cfg.entities)
    recs: list = []
    for entity, classes in predefined_classes().items():
        if entity not in wanted:
            continue
        for cls in classes:
            if cls is PhoneRecognizer:
                rec = phone_recogniser(language, list(cfg.phone_regions))
            else:
                rec = cls(supported_language=language)
                extra = CONTEXT.get(entity)
                if extra:
                    rec.context = list(dict.fromkeys([*(rec.context or []), *extra]))
            if not any(r.name == rec.name for r in recs):
                recs.append(rec)
    own = {
        "EMAIL_ADDRESS": lambda: [email_recogniser(language)],
        "URL": lambda: [UrlOutsideEmailRecognizer(supported_language=language)],
        "CREDIT_CARD": lambda: [card_like_recogniser(language)],
        "PHONE_NUMBER": lambda: [national_phone_recogniser(language), InternationalNumberRecognizer(language)],
        "DATE_OF_BIRTH": lambda: [dob_recogniser(language)],
        "IBAN_CODE": lambda: [iban_like_recogniser(language)],
        "LOCATION": lambda: [eu_address_recogniser(language), PyapAddressRecognizer(language), PostcodeTownRecognizer(language)],
        "PERSON": lambda: [
            name_recogniser(language),
            GazetteerNameRecognizer(language, _stop_words(language) | _stop_words("en") | frozenset(NOT_NAMES)),
            EmailNameRecognizer(language),
        ],
        "ACCOUNT_NUMBER": lambda: [account_recogniser(language), reference_recogniser(language)],
    }
    for entity, make in own.items():
        if entity in wanted:
            recs += make()
    recs += custom_recognisers(cfg.custom_patterns, language)
    if nlp_has_ner and wanted & NER_ENTITIES:
        recs.append(ner_recogniser(language, sorted(wanted & NER_ENTITIES)))
    return recs
