"""The Presidio analyzer of :class:`agent.redaction.Redactor`, built without loading a model.

:func:`build_analyzer` puts together, for a :class:`agent.config.RedactionConfig`:

- the NLP engine of :mod:`agent.pii.nlp` (one spaCy pipeline per configured language, each
  loaded on the first text of that language and kept for the process);
- the recognisers of :mod:`agent.pii.recognisers` for every configured language (the NER
  recogniser where the language's package has an NER component, read from its ``meta.json``);
  the libphonenumber recogniser runs line by line (:mod:`agent.pii.phone_lines`);
- Presidio's lemma context enhancement as :class:`agent.pii.context_words.FastLemmaContextEnhancer`
  (same results, without the per-result token walk);
- an :class:`AnalyzerEngine` that gives each recogniser its own results for recogniser-level
  context enhancement in one pass instead of filtering every result once per recogniser, and
  keeps one of equal results by recogniser name (:func:`one_per_span`), so the detector named
  for a value is the same on every run.

Each of these leaves the analyzer's results unchanged: ``tests/redaction/test_nlp_loading.py``
compares them with Presidio's own engine on the evaluation texts.
"""

from __future__ import annotations

import logging

from agent.errors import RedactionError


def _analyzer_class():
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult

    base_enhance = EntityRecognizer.enhance_using_context

    class DraftguardAnalyzerEngine(AnalyzerEngine):
        """Presidio's ``AnalyzerEngine``; recogniser-level context enhancement groups the results
        by recogniser once (Presidio filters every result once per recogniser)."""

        def _enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
            key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
            by_id: dict[str, list] = {}
            for r in raw_results:
                by_id.setdefault(r.recognition_metadata[key], []).append(r)
            results = []
            for recognizer in recognizers:
                own = by_id.get(recognizer.id, [])
                if type(recognizer).enhance_using_context is base_enhance:
                    results.extend(own)  # the base method returns its own results as they are
                    continue
                others = [r for r in raw_results if r.recognition_metadata[key] != recognizer.id]
                results.extend(
                    recognizer.enhance_using_context(
                        text=text,
                        raw_recognizer_results=own,
                        other_raw_recognizer_results=others,
                        nlp_artifacts=nlp_artifacts,
                        context=context,
                    )
                )
            enhanced = self.context_aware_enhancer.enhance_using_context(
                text=text,
                raw_results=results,
                nlp_artifacts=nlp_artifacts,
                recognizers=recognizers,
                context=context,
            )
            return one_per_span(enhanced)

    return DraftguardAnalyzerEngine


def one_per_span(results: list) -> list:
    """``results`` (Presidio ``RecognizerResult``) with one result per (entity type, start, end,
    score): of equal results, the one whose recogniser name sorts first.

    Presidio's ``EntityRecognizer.remove_duplicates``, which the analyzer runs next, collapses
    equal results with ``list(set(results))``; which recogniser survives then depends on the order
    of a set, and two runs of the same text named different detectors (seen on 240 of 1,524
    evaluation texts). Choosing here makes the detector shown in ``draft --dry-run``, the
    placeholder map and the evaluation reports the same on every run; the spans are unchanged."""
    best: dict[tuple, tuple[str, object]] = {}
    for r in results:
        key = (r.entity_type, r.start, r.end, r.score)
        name = (r.recognition_metadata or {}).get("recognizer_name", "")
        if key not in best or name < best[key][0]:
            best[key] = (name, r)
    return [r for _, r in best.values()]


def build_analyzer(cfg):
    """``(analyzer, nlp_engine)`` for the RedactionConfig ``cfg``; loads no spaCy model.

    Raises RedactionError for a configured package that is not installed, and for any other
    failure to build the analyzer (fail closed)."""
    from agent.pii.nlp import build_nlp_engine, has_ner

    # Presidio logs a warning per unmapped spaCy label and per foreign-language recognizer.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    nlp = build_nlp_engine(cfg.nlp_models(), cfg.languages)  # RedactionError for a missing package
    try:
        _offline_tldextract()
        from presidio_analyzer import RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import PhoneRecognizer

        from agent.pii.context_words import FastLemmaContextEnhancer
        from agent.pii.phone_lines import run_on_candidates
        from agent.pii.recognisers import build_recognisers

        registry = RecognizerRegistry(supported_languages=list(cfg.languages))
        for lang in cfg.languages:
            for rec in build_recognisers(cfg, lang, has_ner(nlp, lang)):
                if isinstance(rec, PhoneRecognizer):
                    run_on_candidates(rec)
                registry.add_recognizer(rec)
        analyzer = _analyzer_class()(
            nlp_engine=nlp,
            registry=registry,
            supported_languages=list(cfg.languages),
            context_aware_enhancer=FastLemmaContextEnhancer(),
        )
    except RedactionError:
        raise
    except Exception as exc:  # fail closed: no analyzer, no model
        raise RedactionError(
            f"PII analyzer unavailable (models {cfg.nlp_models()}): {type(exc).__name__}: {exc}"
        ) from exc
    return analyzer, nlp


def _offline_tldextract() -> None:
    """Presidio's URL recogniser uses ``tldextract``, which downloads the public suffix list on
    first use; its extractor is replaced by one that only uses the snapshot bundled in the package."""
    import tldextract
    import tldextract.tldextract as tx

    tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
