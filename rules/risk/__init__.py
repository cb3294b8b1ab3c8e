"""Risk signals for inbound mail (issue 11): taxonomy, normalisation, lexicon, classifier, combination.

- :mod:`rules.risk.taxonomy`: the 13 categories and their reviewer groups.
- :mod:`rules.risk.normalise`: NFKC, invisible characters, confusables, encoded payloads, hidden HTML.
- :mod:`rules.risk.lexicon`: versioned regex rules (``rules/risk_lexicon.toml``), six languages.
- :mod:`rules.risk.classifier`: the shipped character n-gram linear model (``rules/risk/model/``).
- :mod:`rules.risk.assess`: :func:`~rules.risk.assess.assess` combines the signals into a
  :class:`~rules.risk.assess.RiskAssessment`.

Pure functions over text: no I/O besides reading the shipped lexicon and model files once.
"""
