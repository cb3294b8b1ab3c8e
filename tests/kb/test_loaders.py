"""Loaders (Markdown, HTML, text, PDF), front matter and the chunker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kb.chunker import chunk_article
from kb.documents import Article, ArticleError, Section
from kb.loaders import load_file


def write(tmp_path, name: str, data: str | bytes):
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def test_markdown_front_matter_headings_lists_tables(tmp_path):
    p = write(tmp_path, "a.md", """---
title: Custom title
url: https://help.example.com/a
language: de-CH
id: my-article
---
# Heading one

Intro **bold** and [a link](https://x.example).

## Fees

- first item
- second item

| Fee | Amount |
|---|---|
| Custody | 0.25% |

### Detail

Deep text.

## Other

Other text.
""")
    article, data = load_file(p)
    assert data == p.read_bytes()
    assert (article.title, article.url, article.language, article.slug) == ("Custom title", "https://help.example.com/a", "de", "my-article")
    headings = [s.heading for s in article.sections]
    assert headings == ["Heading one", "Heading one › Fees", "Heading one › Fees › Detail", "Heading one › Other"]
    fees = article.sections[1].text
    assert "- first item\n- second item" in fees
    assert "Fee | Amount\nCustody | 0.25%" in fees
    assert "**" not in article.sections[0].text and "a link" in article.sections[0].text


def test_markdown_title_from_first_heading(tmp_path):
    article, _ = load_file(write(tmp_path, "x.md", "# The title\n\nBody.\n\n## Part\n\nMore.\n"))
    assert article.title == "The title"
    assert [s.heading for s in article.sections] == ["", "Part"]
    assert article.slug is None and article.url is None and article.language is None


@pytest.mark.parametrize("text, problem", [
    ("---\ntitle: [unclosed\n---\nBody", "not valid YAML"),
    ("---\ntitle: x\nBody without end", "no closing ---"),
    ("---\n- a list\n---\nBody", "YAML mapping"),
    ("---\nurl: javascript:alert(1)\n---\nBody", "not an http(s) URL"),
    ("---\nid: Bad Id!\n---\nBody", "lower-case letters"),
    ("---\nlanguage: english please\n---\nBody", "not a language code"),
])
def test_bad_front_matter_names_the_file_and_problem(tmp_path, text, problem):
    with pytest.raises(ArticleError) as exc:
        load_file(write(tmp_path, "bad.md", text))
    assert "bad.md" in str(exc.value) and problem in str(exc.value)


def test_html_title_language_canonical_sections_no_script(tmp_path):
    p = write(tmp_path, "p.html", """<!DOCTYPE html><html lang="fr-FR"><head><meta charset="utf-8">
<title>Relevés</title><link rel="canonical" href="https://help.example.com/releves">
<style>body{color:red}</style></head><body><h1>Relevés</h1><p>Texte d'intro é.</p>
<script>document.write('SECRET-SCRIPT')</script>
<h2>Annuel</h2><p>Le relevé annuel.</p><ul><li>un</li><li>deux</li></ul></body></html>""")
    article, _ = load_file(p)
    assert (article.title, article.language, article.url) == ("Relevés", "fr", "https://help.example.com/releves")
    assert [s.heading for s in article.sections] == ["", "Annuel"]
    assert "Texte d'intro é." in article.sections[0].text
    assert "un" in article.sections[1].text and "deux" in article.sections[1].text
    joined = " ".join(s.text for s in article.sections)
    assert "SECRET-SCRIPT" not in joined and "color:red" not in joined


def test_text_first_line_is_title_and_latin1_is_decoded(tmp_path):
    article, _ = load_file(write(tmp_path, "t.txt", "Opening hours\n\nWe are open from 9am.\n\nClosed at Christmas.\n"))
    assert article.title == "Opening hours"
    assert article.sections == [Section("", "We are open from 9am.\n\nClosed at Christmas.")]
    latin = "Gebühren und Kosten\n\nDie Depotgebühr beträgt 0,25 % pro Jahr für alle Kunden unserer Bank.\n".encode("latin-1")
    article, _ = load_file(write(tmp_path, "l.txt", latin))
    assert article.title == "Gebühren und Kosten" and "Depotgebühr" in article.sections[0].text


def _pdf(path, pages: list[str], title: str | None, encrypt: bool = False):
    from fpdf import FPDF

    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.output(str(path))
    return path


def test_pdf_pages_and_title(tmp_path):
    p = _pdf(tmp_path / "tariff.pdf", ["Tariff of charges\nCHAPS payments cost 25 pounds.", "Second page about transfers."], "Tariff of charges")
    article, _ = load_file(p)
    assert article.title == "Tariff of charges"
    assert [s.heading for s in article.sections] == ["page 1", "page 2"]
    assert "CHAPS payments cost 25 pounds." in article.sections[0].text
    assert not article.sections[0].text.startswith("Tariff of charges")  # the title line is not repeated
    assert "transfers" in article.sections[1].text
    untitled, _ = load_file(_pdf(tmp_path / "u.pdf", ["First line title\nBody text here."], None))
    assert untitled.title == "First line title" and untitled.sections[0].text == "Body text here."


@pytest.mark.parametrize("name, data, problem", [
    ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
    ("empty.md", b"   \n\n", "no text"),
    ("note.docx", b"PK\x03\x04", "unknown article type"),
])
def test_unreadable_files_raise_article_error(tmp_path, name, data, problem):
    with pytest.raises(ArticleError) as exc:
        load_file(write(tmp_path, name, data))
    assert name in str(exc.value) and problem in str(exc.value)


def test_encrypted_pdf_is_refused(tmp_path):
    with pytest.raises(ArticleError, match="encrypted"):
        load_file(_pdf(tmp_path / "secret.pdf", ["Secret text."], "Secret", encrypt=True))


def test_chunker_caps_size_keeps_every_word_and_heading():
    paragraphs = [" ".join(f"word{p}x{i}." for i in range(40)) for p in range(6)]
    long = "\n\n".join(paragraphs) + "\n\n" + "x" * 700  # one unbreakable 700-character word
    article = Article(title="T", sections=[Section("Fees", long), Section("Fees › Short", "Tiny.")])
    chunks = chunk_article(article, 300)
    assert all(len(c.text) <= 300 for c in chunks)
    assert [c.heading for c in chunks].count("Fees › Short") == 1 and chunks[-1].text == "Short\nTiny."
    body = "".join(c.text.removeprefix("Fees\n") for c in chunks if c.heading == "Fees")
    assert body.replace(" ", "").replace("\n", "") == long.replace(" ", "").replace("\n", "")
    assert all(c.text.startswith("Fees\n") for c in chunks if c.heading == "Fees")
    with pytest.raises(ValueError):
        chunk_article(article, 10)
