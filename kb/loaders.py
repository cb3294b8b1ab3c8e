"""Article files → :class:`kb.documents.Article`: Markdown (markdown-it-py), HTML (lxml, and
inscriptis through :func:`agent.mailtext.html_to_text`), plain text and PDF (pypdf).

Markdown and plain text may start with YAML front matter between ``---`` lines; the keys read
are ``title``, ``url``, ``language`` (or ``lang``) and ``id`` (the article id used in citations).
HTML gives ``<title>`` (else the first ``<h1>``), ``<html lang>`` and ``<link rel="canonical">``;
a PDF its document title (else its first line). Every loader raises
:class:`kb.documents.ArticleError` naming the file when it cannot read it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from kb.documents import Article, ArticleError, Section

#: file suffix → loader kind
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".txt": "text", ".pdf": "pdf"}
#: the largest article file read (bytes); bigger files are refused with an error
MAX_FILE_BYTES = 20_000_000
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")
_LANG = re.compile(r"^([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)*$")
HEADING_SEP = " › "


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (a BOM is dropped); else the encoding charset-normalizer finds; else ArticleError."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise ArticleError(name, "not text in any encoding charset-normalizer recognises") from None
        return str(best)


def _language(value, name: str) -> str | None:
    if value in (None, ""):
        return None
    m = _LANG.match(str(value).strip())
    if not m:
        raise ArticleError(name, f"front matter language {str(value)[:40]!r} is not a language code such as en, de or fr-CH")
    return m.group(1).lower()


def split_front_matter(text: str, name: str) -> tuple[dict, str]:
    """``(front matter, rest)``: YAML between a first line ``---`` and the next ``---`` (or
    ``...``) line; ``({}, text)`` when the text does not start with ``---``. Raises
    ArticleError for YAML that does not parse or is not a mapping, or an unclosed block."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                raise ArticleError(name, f"front matter is not valid YAML: {str(exc).splitlines()[0]}") from None
            if not isinstance(meta, dict):
                raise ArticleError(name, "front matter must be key: value lines (a YAML mapping)")
            return meta, "\n".join(lines[i + 1:])
    raise ArticleError(name, "front matter starts with --- but has no closing --- line")


def _apply_meta(article: Article, meta: dict, name: str) -> Article:
    if meta.get("title"):
        article.title = " ".join(str(meta["title"]).split())[:500]
    if meta.get("url"):
        url = str(meta["url"]).strip()
        if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
            raise ArticleError(name, f"front matter url {url[:80]!r} is not an http(s) URL")
        article.url = url
    lang = _language(meta.get("language", meta.get("lang")), name)
    if lang:
        article.language = lang
    if meta.get("id") is not None:
        slug = str(meta["id"]).strip()
        if not _SLUG.match(slug):
            raise ArticleError(name, f"front matter id {slug[:60]!r} must be lower-case letters, digits and hyphens")
        article.slug = slug
    article.meta = {k: v for k, v in meta.items() if isinstance(k, str)}
    return article


# ------------------------------------------------------------------------------- Markdown
def _inline_text(token) -> str:
    out: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out)


def load_markdown(data: bytes, name: str) -> Article:
    """A Markdown article (CommonMark + tables): sections at every heading; the first ``#``
    heading is the title when the front matter has none (else the file name)."""
    meta, body = split_front_matter(_decode(data, name), name)
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    title: str | None = None
    stack: list[tuple[int, str]] = []
    sections: list[Section] = []
    blocks: list[str] = []
    row: list[str] = []
    table: list[str] | None = None
    list_depth = 0

    def flush() -> None:
        text = "\n\n".join(b for b in blocks if b.strip()).strip()
        if text:
            sections.append(Section(HEADING_SEP.join(h for _, h in stack), text))
        blocks.clear()

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            level = int(tok.tag[1])
            text = " ".join(_inline_text(tokens[i + 1]).split())
            flush()
            meta_title = " ".join(str(meta.get("title") or "").split())
            if level == 1 and title is None and not stack and (not meta_title or text == meta_title):
                title = text  # the article's title, not a section heading
            else:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, text))
            i += 3
            continue
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif tok.type == "table_open":
            table = []
        elif tok.type == "table_close":
            blocks.append("\n".join(table or []))
            table = None
        elif tok.type == "inline":
            text = _inline_text(tok)
            if tokens[i - 1].type in ("th_open", "td_open"):
                row.append(text.strip())
            elif list_depth:
                blocks.append("  " * (list_depth - 1) + "- " + text)
            else:
                blocks.append(text)
        elif tok.type == "tr_close":
            (table if table is not None else blocks).append(" | ".join(row))
            row = []
        elif tok.type in ("fence", "code_block"):
            blocks.append(tok.content.rstrip("\n"))
        i += 1
    flush()
    # list items are blocks of their own: join consecutive items with one newline, not two
    merged = [Section(s.heading, re.sub(r"\n\n(?=\s*- )", "\n", s.text)) for s in sections]
    article = Article(title=title or Path(name).stem.replace("-", " ").replace("_", " "), sections=merged)
    return _apply_meta(article, meta, name)


# ------------------------------------------------------------------------------- HTML
def load_html(data: bytes, name: str) -> Article:
    """An HTML article: text by inscriptis (tables and lists laid out), sections at every
    ``<h1>``..``<h6>``; title from ``<title>`` or the first ``<h1>``, language from
    ``<html lang>``, link from ``<link rel="canonical">`` or ``<meta name="kb:url">``."""
    import lxml.html
    from lxml.etree import ParserError

    from agent.mailtext import html_to_text  # inscriptis, configured in one place for mail and articles

    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        parser = None  # lxml reads the <meta charset> (else latin-1)
    else:
        parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        doc = lxml.html.document_fromstring(data, parser=parser)
    except (ParserError, ValueError) as exc:
        raise ArticleError(name, f"not HTML: {exc}") from None
    for bad in doc.xpath("//script|//style|//template|//noscript"):
        bad.drop_tree()
    norm = lambda s: " ".join((s or "").split())  # noqa: E731
    title_el = doc.find(".//title")
    h1 = doc.xpath("//h1")
    title = norm(title_el.text_content() if title_el is not None else "") or (norm(h1[0].text_content()) if h1 else "")
    headings = [(int(h.tag[1]), norm(h.text_content())) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    headings = [(lvl, t) for lvl, t in headings if t]
    if title_el is not None:
        title_el.drop_tree()
    text = html_to_text(lxml.html.tostring(doc, encoding="unicode"))
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []
    pending = list(headings)

    def flush() -> None:
        body = re.sub(r"\n{3,}", "\n\n", "\n".join(buf)).strip()
        if body:
            sections.append(Section(HEADING_SEP.join(h for _, h in stack), body))
        buf.clear()

    for line in text.split("\n"):
        if pending and norm(line) == pending[0][1]:
            level, heading = pending.pop(0)
            flush()
            if level == 1 and heading == title and not stack:
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading))
            continue
        buf.append(line.rstrip())
    flush()
    article = Article(title=title or Path(name).stem, sections=sections)
    lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    article.language = _language(lang, name) if lang and _LANG.match(lang.strip()) else None
    canonical = doc.xpath("//link[@rel='canonical']/@href") or doc.xpath("//meta[@name='kb:url']/@content")
    if canonical and str(canonical[0]).startswith(("https://", "http://")):
        article.url = str(canonical[0]).strip()
    kb_id = doc.xpath("//meta[@name='kb:id']/@content")
    return _apply_meta(article, {"id": kb_id[0]} if kb_id else {}, name)


# ------------------------------------------------------------------------------- text
def load_text(data: bytes, name: str) -> Article:
    """A plain-text article: optional front matter; the first non-blank line is the title
    when the front matter has none; one section of paragraphs."""
    meta, body = split_front_matter(_decode(data, name).replace("\r\n", "\n"), name)
    lines = body.strip("\n").split("\n")
    title = ""
    if not meta.get("title") and lines:
        title = " ".join(lines.pop(0).split())
    text = "\n".join(lines).strip()
    article = Article(title=title or Path(name).stem, sections=[Section("", text)] if text else [])
    return _apply_meta(article, meta, name)


# ------------------------------------------------------------------------------- PDF
def load_pdf(data: bytes, name: str) -> Article:
    """A PDF article (pypdf text extraction): one section per page (``page N``); the title
    is the document's title metadata, else its first line. Encrypted PDFs are refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ArticleError(name, "the PDF is encrypted; index an unencrypted copy")
        pages = [(page.extract_text() or "") for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except ArticleError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ArticleError(name, f"not a readable PDF: {exc}") from None
    title = " ".join(str(meta_title).split())
    sections: list[Section] = []
    for n, page in enumerate(pages, 1):
        text = re.sub(r"[ \t]+\n", "\n", page).strip()
        first, _, rest = text.partition("\n")
        if not title and text:
            title, text = " ".join(first.split()), rest.strip()
        elif n == 1 and " ".join(first.split()) == title:
            text = rest.strip()  # the title printed as the first line
        if text:
            sections.append(Section(f"page {n}" if len(pages) > 1 else "", text))
    return Article(title=title or Path(name).stem, sections=sections)


LOADERS: dict[str, Callable[[bytes, str], Article]] = {
    "markdown": load_markdown, "html": load_html, "text": load_text, "pdf": load_pdf,
}


def load_file(path: Path, name: str | None = None) -> tuple[Article, bytes]:
    """``(article, the file's bytes)`` for ``path``; ``name`` (default the path) names the file
    in errors. Raises ArticleError for an unknown suffix, an unreadable or too large file, or
    a file without text."""
    shown = name or str(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ArticleError(shown, f"unknown article type {path.suffix!r} (known: {', '.join(sorted(SUFFIXES))})")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(shown, f"{size} bytes is larger than the {MAX_FILE_BYTES} an article may have")
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(shown, f"cannot read: {exc.strerror}") from None
    article = LOADERS[kind](data, shown)
    if not any(s.text.strip() for s in article.sections):
        raise ArticleError(shown, "no text in it (a scanned PDF needs OCR first)" if kind == "pdf" else "no text in it")
    return article, data
