"""The ``[knowledge]`` config section (docs/knowledge.md)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator


class KnowledgeConfig(BaseModel):
    """Folders of knowledge articles and how they are chunked.

    ``folders``: paths (relative to the config file's folder) searched recursively for
    ``.md``/``.markdown``, ``.html``/``.htm``, ``.txt`` and ``.pdf`` files; empty = no knowledge
    base. ``base_url``: links of articles without a ``url`` in their front matter are
    ``base_url/<article id>``; unset = no link. ``chunk_max_chars``: the size cap of one chunk
    in characters (a section longer than that is split at paragraph, then sentence, then word
    boundaries). ``default_language``: the language of an article that declares none and whose
    text is too short to identify (ISO 639-1). ``reindex_minutes``: how often the service
    (``main.py run``) re-indexes the folders so changed and removed articles are picked up
    (job ``kb-index``, :mod:`kb.refresh`); 0 = only at start. Both ``run`` and ``run --once``
    index once before polling."""

    model_config = ConfigDict(extra="forbid")

    folders: list[Path] = Field(default_factory=list)
    base_url: str | None = None
    chunk_max_chars: int = Field(default=1200, ge=200, le=20_000)
    default_language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    reindex_minutes: int = Field(default=15, ge=0, le=24 * 60)

    @field_validator("base_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not v.startswith(("https://", "http://")) or any(c.isspace() for c in v):
            raise ValueError("must be an http(s) URL without spaces, e.g. https://help.example.com/kb")
        return v.rstrip("/")
