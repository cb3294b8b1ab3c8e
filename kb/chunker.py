"""Heading-aware chunks with a size cap.

Each section of an article (:class:`kb.documents.Section`) becomes one chunk when it fits in
``max_chars``; a longer one is cut at paragraph boundaries, a paragraph longer than the cap at
sentence ends, a sentence longer than the cap at spaces (hard cut as a last resort). A chunk
never spans two sections, so its heading says what it is about. The chunk's text starts with
the section's own heading (the last part of the path), so a snippet read alone keeps its topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.documents import Article
from kb.loaders import HEADING_SEP

#: bump when chunking changes: every article is re-chunked on the next ``kb index``
CHUNKER_VERSION = "kb-chunker/1"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class Chunk:
    """``heading``: heading path (``""`` for the text before the first heading); ``text``."""

    heading: str
    text: str


def chunker_id(max_chars: int) -> str:
    """The chunker version and size cap, stored per article (a change re-chunks it)."""
    return f"{CHUNKER_VERSION}:{max_chars}"


def _pieces(text: str, max_chars: int) -> list[str]:
    """``text`` cut into pieces of at most ``max_chars`` (paragraphs, sentences, words)."""
    if len(text) <= max_chars:
        return [text]
    splitters = ((lambda t: re.split(r"\n\s*\n", t), "\n\n"), (_SENTENCE_END.split, " "), (lambda t: t.split(" "), " "))
    for splitter, joiner in splitters:  # noqa: B007 (joiner is used after the loop)
        parts = [p for p in splitter(text) if p.strip()]
        if len(parts) > 1:
            break
    else:
        return [text[i:i + max_chars] for i in range(0, len(text), max_chars)]
    out: list[str] = []
    current = ""
    for part in parts:
        part = part.strip()
        for sub in _pieces(part, max_chars) if len(part) > max_chars else [part]:
            candidate = f"{current}{joiner}{sub}" if current else sub
            if len(candidate) <= max_chars:
                current = candidate
            else:
                if current:
                    out.append(current)
                current = sub
    if current:
        out.append(current)
    return out


def chunk_article(article: Article, max_chars: int) -> list[Chunk]:
    """The chunks of ``article`` in reading order, each at most ``max_chars`` characters
    (heading line included when it fits). Raises ValueError when ``max_chars`` < 50."""
    if max_chars < 50:
        raise ValueError(f"max_chars {max_chars} is too small (at least 50)")
    chunks: list[Chunk] = []
    for section in article.sections:
        own = section.heading.rsplit(HEADING_SEP, 1)[-1] if section.heading else ""
        prefix = f"{own}\n" if own and len(own) < max_chars // 4 else ""
        for piece in _pieces(section.text.strip(), max_chars - len(prefix)):
            chunks.append(Chunk(section.heading, prefix + piece))
    return chunks
