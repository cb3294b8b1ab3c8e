"""Errors of the risk signals: a bad lexicon file or a bad classifier file (both name the file)."""

from __future__ import annotations

from agent.errors import DraftguardError, PolicyPackError


class RiskLexiconError(PolicyPackError):
    """``rules/risk_lexicon.toml`` (or another lexicon file) is invalid.

    The message names the file and, where one is at fault, the rule id and the field."""

    def __init__(self, path: str, problem: str, *, rule_id: str | None = None):
        self.path = path
        self.rule_id = rule_id
        where = f"{path}: rule {rule_id!r}: " if rule_id else f"{path}: "
        super().__init__(where + problem)


class RiskModelError(DraftguardError):
    """The classifier file is missing, corrupt (sha256 mismatch) or of an unknown format."""

    def __init__(self, path: str, problem: str):
        self.path = path
        super().__init__(f"{path}: {problem}")
