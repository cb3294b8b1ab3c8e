"""PII detection for :mod:`agent.redaction`: the language pipelines, the recognisers and the seeds.

- :mod:`agent.pii.engine`: the Presidio analyzer the redactor runs, built without loading a model.
- :mod:`agent.pii.nlp`: one spaCy pipeline per configured language (the installed NER package
  where one exists, a tokenizer-only pipeline otherwise; nothing is downloaded), each loaded on
  the first text of its language and kept for the process.
- :mod:`agent.pii.context_words`, :mod:`agent.pii.phone_lines`, :mod:`agent.pii.pyap_rules`:
  Presidio's context enhancement, the libphonenumber recogniser and pyap at a lower cost, same results.
- :mod:`agent.pii.recognisers`: Presidio's predefined recognisers for the configured entities,
  plus patterns for client mail (card-like digit groups, national phone formats, dates of
  birth, names after titles, greetings and sign-offs, the firm's own identifiers); it builds
  them and re-exports :mod:`agent.pii.cues` (cue words and context vocabularies),
  :mod:`agent.pii.name_patterns` (names after their cues) and
  :mod:`agent.pii.number_recognisers` (phones, dates of birth, cards, IBANs, account numbers).
- :mod:`agent.pii.addresses`: postal addresses (pyap2 for US/CA/UK, EU street and postcode lines),
  re-exported from :mod:`agent.pii.address_formats` (formats and their sources),
  :mod:`agent.pii.address_words` (shared word tests), :mod:`agent.pii.address_patterns` (the EU
  address recogniser's patterns), :mod:`agent.pii.address_recognisers` (pyap2, postcode after
  country or town), :mod:`agent.pii.address_joining` (one placeholder per address),
  :mod:`agent.pii.address_growth` (an address grows from its postcode) and
  :mod:`agent.pii.address_places` (places written apart from their street).
- :mod:`agent.pii.emails`: e-mail addresses on any domain; URLs never inside an e-mail address.
- :mod:`agent.pii.seeds`: the spellings under which a known name can appear (word order, case).
- :mod:`agent.pii.catalogue`: which entity types some recogniser supports (no silent gaps).
- :mod:`agent.pii.names`, :mod:`agent.pii.words`, :mod:`agent.pii.phone_shapes`: name rules (lists,
  name positions, growing a name over its parts), ordinary words, international number shapes;
  :mod:`agent.pii.names` re-exports :mod:`agent.pii.name_words` (name lists, word sets),
  :mod:`agent.pii.name_gazetteer` (the name-list recogniser), :mod:`agent.pii.name_places`
  (places and products named after a person), :mod:`agent.pii.name_context` (name positions,
  capitals), :mod:`agent.pii.name_growth` (growing a name), :mod:`agent.pii.name_ner` (the NER
  recogniser and its corrections) and :mod:`agent.pii.name_emails` (names in e-mail addresses).
- :mod:`agent.pii.sentences`: where a line or sentence starts (shared with the last check).
"""
