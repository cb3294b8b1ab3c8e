"""The firm's knowledge base: articles in folders, chunked and indexed in the draftguard database.

- :mod:`kb.loaders`: Markdown, HTML, plain text and PDF files → :class:`kb.documents.Article`
  (title, url, language, sections under their headings), optional front matter.
- :mod:`kb.chunker`: heading-aware chunks with a size cap.
- :mod:`kb.index`: incremental indexing of the configured folders (content hash per file).
- :mod:`kb.retrieve`: :func:`kb.retrieve.retrieve` → ranked :class:`kb.retrieve.Snippet`s
  (SQLite FTS5 bm25, or PostgreSQL full-text search).
- :mod:`kb.cli`: ``main.py kb index`` / ``main.py kb search``.

See docs/knowledge.md.
"""
