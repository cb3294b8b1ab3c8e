"""PII detection for :mod:`agent.redaction`: the language pipelines, the recognisers and the seeds.

- :mod:`agent.pii.nlp`: one spaCy pipeline per configured language (the installed NER package
  where one exists, a tokenizer-only pipeline otherwise; nothing is downloaded).
- :mod:`agent.pii.recognisers`: Presidio's predefined recognisers for the configured entities,
  plus patterns for client mail (card-like digit groups, national phone formats, dates of
  birth, names after titles, greetings and sign-offs, the firm's own identifiers).
- :mod:`agent.pii.addresses`: postal addresses (pyap2 for US/CA/UK, EU street and postcode lines).
- :mod:`agent.pii.emails`: e-mail addresses on any domain; URLs never inside an e-mail address.
- :mod:`agent.pii.seeds`: the spellings under which a known name can appear (word order, case).
- :mod:`agent.pii.catalogue`: which entity types some recogniser supports (no silent gaps).
"""
