"""Turn a plain-text draft into safe HTML: paragraphs, lists and links via markdown-it-py
(CommonMark), then sanitised by nh3 (Ammonia) so no script or raw tag survives."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "blockquote"}


def text_to_html(text: str) -> str:
    """HTML fragment for ``text``; raw HTML in the text is escaped, never rendered."""
    html = _md.render(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer")
