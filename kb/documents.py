"""What a loader makes of one article file."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.errors import BadInputError


class ArticleError(BadInputError):
    """An article file cannot be indexed (unreadable, not valid UTF-8 / PDF, bad front matter,
    no text, an article id taken by another file). The message names the file and the problem;
    ``main.py kb index`` lists it and exits 1, the other files are indexed."""


@dataclass(frozen=True)
class Section:
    """A run of text under one heading. ``heading``: the heading path below the title
    (``"Fees › Custody fee"``), ``""`` for the text before the first heading."""

    heading: str
    text: str


@dataclass
class Article:
    """One loaded article: ``title``; ``slug`` from front matter ``id`` or None (derived from
    the path by :mod:`kb.index`); ``url`` and ``language`` (ISO 639-1) from front matter / HTML,
    or None; ``sections`` in reading order."""

    title: str
    sections: list[Section]
    slug: str | None = None
    url: str | None = None
    language: str | None = None
    meta: dict = field(default_factory=dict)

    def full_text(self) -> str:
        """Title and every section's text (for language identification)."""
        return "\n\n".join([self.title, *(s.text for s in self.sections)])
