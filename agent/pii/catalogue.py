"""Which entity types the redactor can find: a configured type no recogniser supports is refused.

Used at start (:class:`agent.redaction.Redactor`) and by ``main.py config check``: an entity in
``[redaction] entities`` that nothing detects would otherwise pass silently while its values
reach the model (issue 10, "no silent gaps").
"""

from __future__ import annotations

import difflib

from agent.errors import ConfigError

# The core personal-data types of issue 10 (the PII evaluation's ``[pii] core``): leaving one out of
# ``[redaction] entities`` is allowed, but ``config check`` says so.
CORE_ENTITIES = ("PERSON", "LOCATION", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "EMAIL_ADDRESS", "DATE_OF_BIRTH")


def supported_entities(cfg) -> set[str]:
    """Entity types some recogniser supports for the RedactionConfig ``cfg``: Presidio's
    predefined recognisers that build offline, draftguard's own, the spaCy NER types, and the
    entities of ``custom_patterns``."""
    from agent.pii.recognisers import NER_ENTITIES, OWN_ENTITIES, predefined_classes

    return set(predefined_classes()) | OWN_ENTITIES | NER_ENTITIES | {p.entity for p in cfg.custom_patterns}


def check_entities(cfg) -> None:
    """Raise ConfigError (key ``redaction.entities``) naming every unsupported entity type."""
    supported = supported_entities(cfg)
    missing = [e for e in cfg.entities if e not in supported]
    if missing:
        hints = []
        for e in missing:
            close = [x for x in sorted(supported) if x.startswith(e.upper())][:1] or difflib.get_close_matches(e.upper(), sorted(supported), n=1, cutoff=0.6)
            if close:
                hints.append(f"{e!r}: did you mean {close[0]!r}?")
        raise ConfigError(
            f"no recogniser supports {', '.join(repr(e) for e in missing)}: their values would reach the model unmasked; "
            "remove them, or add a [[redaction.custom_patterns]] entry with that entity"
            + (f" ({'; '.join(hints)})" if hints else "")
            + f". Supported: {', '.join(sorted(supported))}",
            key="redaction.entities",
        )


def left_out_core(cfg) -> list[str]:
    """The :data:`CORE_ENTITIES` that ``[redaction] entities`` leaves out (their values are not
    masked; the last check on outbound requests is then the only guard for them)."""
    return [e for e in CORE_ENTITIES if e not in cfg.entities]
