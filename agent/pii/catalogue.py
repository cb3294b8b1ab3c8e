"""Which entity types the redactor can find: a configured type no recogniser supports is refused.

Used at start (:class:`agent.redaction.Redactor`) and by ``main.py config check``: an entity in
``[redaction] entities`` that nothing detects would otherwise pass silently while its values
reach the model (issue 10, "no silent gaps").
"""

from __future__ import annotations

from agent.errors import ConfigError


def supported_entities(cfg) -> set[str]:
    """Entity types some recogniser supports for the RedactionConfig ``cfg``: Presidio's
    predefined recognisers that build offline, draftguard's own, the spaCy NER types, and the
    entities of ``custom_patterns``."""
    from agent.pii.recognisers import NER_ENTITIES, OWN_ENTITIES, predefined_classes

    return set(predefined_classes()) | OWN_ENTITIES | NER_ENTITIES | {p.entity for p in cfg.custom_patterns}


def check_entities(cfg) -> None:
    """Raise ConfigError (key ``redaction.entities``) naming every unsupported entity type."""
    missing = [e for e in cfg.entities if e not in supported_entities(cfg)]
    if missing:
        raise ConfigError(
            f"no recogniser supports {', '.join(repr(e) for e in missing)}: their values would reach the model unmasked; "
            "remove them, or add a [[redaction.custom_patterns]] entry with that entity",
            key="redaction.entities",
        )
