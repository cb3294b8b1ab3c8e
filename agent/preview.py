"""Which source a one-file preview (``main.py draft FILE --dry-run``) stands for (issue 11).

Routing rules may test the source (``source == "maildir:local"``, ``source_kind ==
"salesforce"``) and each source has its own ``drafting`` switch, so a preview computed for a
made-up source ``file`` would show facts and a decision no configured source would ever get.
A preview therefore runs *as* one configured source: the one named by ``--source`` (``local``
or ``maildir:local``), else the first in the config (maildir, outlook, salesforce order).
Only a config without any source previews as :data:`FILE_SOURCE`, and says so. The report
always names both: where the facts come from (``source``) and that the message was read
from a file (``read_from``).
"""

from __future__ import annotations

from agent.config import Settings, SourcesConfig
from agent.errors import ConfigError

FILE_SOURCE = "file"  # the source of a preview when the config has none


def configured_sources(settings: Settings) -> list[str]:
    """Every configured source as the pipeline names it (``"maildir:local"``), in config order."""
    return [f"{kind}:{cfg.name}" for kind in SourcesConfig.model_fields for cfg in getattr(settings.sources, kind)]


def preview_source(settings: Settings, wanted: str | None = None) -> str:
    """The source name a file preview's facts come from (see the module docstring).

    ``wanted`` is a source's name (``"local"``) or full name (``"maildir:local"``). Raises
    :class:`agent.errors.ConfigError` when ``wanted`` names no configured source, or only its
    bare name and two kinds share it."""
    names = configured_sources(settings)
    if not wanted:
        return names[0] if names else FILE_SOURCE
    matches = [n for n in names if wanted in (n, n.partition(":")[2])]
    if len(matches) != 1:
        listed = ", ".join(names) or "none"
        why = "is ambiguous" if matches else "is not a configured source"
        raise ConfigError(f"--source {wanted!r} {why} (configured: {listed})", key="sources")
    return matches[0]
