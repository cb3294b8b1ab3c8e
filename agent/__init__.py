"""The pipeline: context, redaction, prompts, drafting (LLM + template), restore.

Nothing in this package imports a connector; connectors implement the ports in
:mod:`agent.ports` and are wired in by :mod:`jobs.bootstrap`.
"""
