"""Normalise text that comes from message headers (display names, subjects, addresses, ids).

Header values are client-controlled and end up in places where invisible characters do harm:
the greeting of a draft, the ``To:`` and ``In-Reply-To``/``References`` headers we write, card
and terminal output, and database columns (PostgreSQL refuses NUL in text). Every connector's
values pass through here when its :class:`agent.models.InboundMessage` is built (the models
call these functions in their field validators), so Maildir, Outlook and Salesforce mail are
treated alike and a new connector cannot forget it.

What is removed (Unicode General_Category, UAX #44):

* ``Cc`` — C0 and C1 controls, NUL and DEL included. Tab, CR and LF become a space first
  (a folded header line), then whitespace runs collapse.
* ``Cf`` — format characters: zero-width space/joiners (U+200B–U+200D), word joiner (U+2060),
  BOM (U+FEFF), soft hyphen, the bidirectional marks, embeddings, overrides and isolates of
  UAX #9 (U+200E/F, U+061C, U+202A–U+202E, U+2066–U+2069), invisible operators, tag
  characters. Exception: ZWNJ/ZWJ (U+200C/U+200D) between two letters are kept, since Persian
  and Indic names need them to be spelt right (The Unicode Standard, §23.2).

Unicode line and paragraph separators and other space characters count as whitespace.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_JOINERS = {"\u200c", "\u200d"}


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in ("L", "M")


def strip_invisible(value: str) -> str:
    """``value`` without control (``Cc``) and format (``Cf``) characters, except ZWNJ/ZWJ
    between two letters; tab, CR and LF become spaces. Whitespace is otherwise kept."""
    if value.isascii() and value.isprintable():
        return value
    out: list[str] = []
    n = len(value)
    for i, ch in enumerate(value):
        if ch in "\t\r\n":
            out.append(" ")
            continue
        cat = unicodedata.category(ch)
        if cat == "Cc":
            continue
        if cat == "Cf":
            if ch in _JOINERS and 0 < i < n - 1 and _is_letter(value[i - 1]) and _is_letter(value[i + 1]):
                out.append(ch)
            continue
        out.append(ch)
    return "".join(out)


def clean_text(value: str | None) -> str:
    """Header text as it may be shown or written: invisible characters removed
    (:func:`strip_invisible`), whitespace runs collapsed to one space, ends stripped.
    ``None`` gives ``""``. Never raises on a string."""
    if not value:
        return ""
    return " ".join(strip_invisible(value).split())


def clean_address(value: str | None) -> str:
    """An addr-spec without invisible characters or whitespace (case kept). ``None`` gives ``""``."""
    if not value:
        return ""
    return "".join(strip_invisible(value).split())


def clean_msgid(value: str | None) -> str | None:
    """A ``Message-ID``-style id (RFC 5322 §3.6.4 ``msg-id``, which holds no whitespace or
    controls) without invisible characters or whitespace; ``None`` when nothing is left."""
    if not value:
        return None
    return clean_address(value) or None


def clean_msgids(values: Iterable[str | None]) -> list[str]:
    """:func:`clean_msgid` of each id, empty ones dropped, duplicates dropped (first kept)."""
    out: list[str] = []
    for v in values:
        c = clean_msgid(v)
        if c and c not in out:
            out.append(c)
    return out


__all__ = ["clean_address", "clean_msgid", "clean_msgids", "clean_text", "strip_invisible"]
