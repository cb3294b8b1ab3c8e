"""The stages of one item, as functions with typed inputs and outputs (agent/stages/types.py).

| stage | module |
|---|---|
| skip check, ``drafting`` switch, validate, route before drafting | :mod:`agent.stages.screen` |
| analyse: context → redact → prompt → draft → risk → restore → disclosures → policy → route | :mod:`agent.stages.analyse` |
| deliver (route a saved draft again, hand it to the source), case actions | :mod:`agent.stages.deliver` |
| recipients, subject and key of a reply | :mod:`agent.stages.addressing` |

Ingest, record, quarantine and the reviewer notification are storage: :mod:`agent.recorder`.
The order of the stages for one item is :mod:`agent.flow`; how items are scheduled,
``agent/runners/``. None of the stages here opens a database session.
"""
