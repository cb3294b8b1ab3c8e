"""Release engineering (issue 15): shadow sources, variants with traffic shares, the registry.

* :mod:`agent.release.config` — the ``[release]`` config section (variants, shares, auto stop);
* :mod:`agent.release.assign` — the deterministic per-conversation bucket;
* :mod:`agent.release.variants` — :class:`VariantSet`: the one place a variant is chosen for an
  item (called by :meth:`agent.flow.ItemFlow._begin` before drafting) and what it resolves to
  (prompt template, drafter, policy pack).

Storage (promotion state, registry, provenance, gate results, shadow outcomes) is in
:mod:`storage.release`; the commands and reports in ``jobs/variants*.py``; docs in docs/release.md.
"""
