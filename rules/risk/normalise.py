"""Normalise inbound text before any risk signal reads it (issue 11, "Normalise before matching").

:func:`normalise` turns one field of an inbound message (subject, display name or body; all of it
client text, possibly already redacted) into a :class:`NormalisedText`:

``text``
    the *folded* form that lexicon rules and the classifier read: NFKC, every invisible character
    removed (zero-width, bidi controls, soft hyphen, variation selectors, Unicode tag characters,
    C0/C1 controls such as NUL), confusable characters mapped to their Latin look-alike
    (``Cyrillic а`` → ``a``), case-folded (``str.casefold``: ``ß`` → ``ss``) and accents stripped
    (NFKD, combining marks dropped: ``réclamation`` → ``reclamation``). ``offsets[i]`` is the index
    in the original field of ``text[i]``, so a match in ``text`` maps back to a span of the
    original with :meth:`NormalisedText.original_span`.
``hidden_text``
    text that an HTML body hides from the reader (``display:none``, ``visibility:hidden``,
    ``font-size`` ≤ 1px, white or transparent text on a light background, text off-screen by
    ``position``/``text-indent``/``margin``, ``opacity`` ≈ 0, ``mso-hide:all``, the ``hidden``
    attribute, zero-size boxes with ``overflow:hidden``, ``<style>`` rules hiding a class/id/tag)
    and HTML comments. Hidden text is scanned like visible text and is suspicious in itself
    (flag ``hidden_html_text``).
``decoded_payloads``
    base64 (standard and URL-safe, line-wrapped too), quoted-printable runs, runs of numeric HTML
    entities, runs of letters spaced out one by one (``i g n o r e   t h e``: at least 12 letters,
    joined; words apart by two or more spaces) and Unicode tag characters found in the field,
    decoded (nested base64 once more);
    each with its span in the original field. Decoded text is scanned like visible text.
``flags``
    what normalisation met, from :data:`FLAGS`; :data:`SUSPICIOUS_FLAGS` are those that are
    suspicious in themselves (used by :mod:`rules.risk.assess`).

Confusables come from Unicode TR39 ``confusables.txt`` as shipped by the ``confusable-homoglyphs``
package (its ``confusables.json``): every non-ASCII character whose listed homoglyphs include one
ASCII letter, digit or punctuation mark maps to it. Only ``text`` is mapped; originals are kept.

Limits: at most :data:`MAX_SCAN_CHARS` characters of a field and :data:`MAX_HTML_CHARS` of HTML
are read (flag ``truncated``, which :mod:`rules.risk.assess` treats as a reason for review).
"""

from __future__ import annotations

import base64
import binascii
import functools
import html as html_lib
import json
import quopri
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

MAX_SCAN_CHARS = 200_000
MAX_HTML_CHARS = 1_000_000

FLAGS = (
    "invisible_chars",  # zero-width / format characters removed
    "invisible_in_word",  # one of them between two letters ("ig\u200bnore")
    "bidi_controls",  # LRM/RLM/ALM marks removed
    "bidi_override",  # embeddings, overrides or isolates (U+202A-202E, U+2066-2069) removed
    "control_chars",  # C0/C1 controls such as NUL removed
    "confusables",  # characters mapped to a Latin look-alike
    "mixed_script",  # a word mixing ASCII letters with look-alikes from another script
    "unicode_tags",  # Unicode tag characters (U+E0000 block), decoded as a payload
    "base64",
    "quoted_printable",
    "html_entities",
    "spaced_letters",  # a run of letters written one by one ("i g n o r e   t h e"), joined
    "encoded_text",  # a decoded payload reads as words (three or more)
    "hidden_html_text",
    "html_comment",
    "truncated",
)
SUSPICIOUS_FLAGS = frozenset(
    {"invisible_in_word", "bidi_override", "mixed_script", "unicode_tags", "encoded_text", "hidden_html_text"}
)

_BIDI_MARKS = {"\u200e", "\u200f", "\u061c"}
_BIDI_OVERRIDES = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}
# Invisible characters that are not in category Cf (which is removed as a whole).
_EXTRA_INVISIBLE = {
    "\u034f",  # combining grapheme joiner
    "\u115f", "\u1160", "\u3164", "\uffa0",  # Hangul fillers
    "\u17b4", "\u17b5",  # Khmer inherent vowels
    *(chr(c) for c in range(0xFE00, 0xFE10)),  # variation selectors
    *(chr(c) for c in range(0xE0100, 0xE01F0)),  # variation selectors supplement
}
_KEEP_WS = {"\t", "\n", "\r"}
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")

# per-character kinds
_K_NORMAL, _K_INVIS, _K_BIDI, _K_OVERRIDE, _K_CONTROL, _K_TAG = range(6)


@functools.lru_cache(maxsize=1)
def confusable_map() -> dict[str, str]:
    """Non-ASCII character → ASCII look-alike, from TR39 via ``confusable_homoglyphs``' data file."""
    import confusable_homoglyphs

    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for ch, glyphs in data.items():
        if len(ch) != 1 or ch.isascii():
            continue
        for g in glyphs:
            c = g["c"]
            if len(c) == 1 and c.isascii() and c.isprintable() and not c.isspace():
                out[ch] = c.lower()
                break
    return out


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def _char(c: str) -> tuple[str, str, int, bool]:
    """One original character → (clean form, folded form, kind, mapped by confusables)."""
    if c in _KEEP_WS:
        return c, c, _K_NORMAL, False
    o = ord(c)
    if 0xE0000 <= o <= 0xE007F:
        return "", "", _K_TAG, False
    if c in _BIDI_MARKS:
        return "", "", _K_BIDI, False
    if c in _BIDI_OVERRIDES:
        return "", "", _K_OVERRIDE, False
    cat = unicodedata.category(c)
    if cat == "Cc":
        if c in "\x0b\x0c\x1c\x1d\x1e\x85":  # vertical whitespace
            return " ", " ", _K_NORMAL, False
        return "", "", _K_CONTROL, False
    if cat == "Cf" or c in _EXTRA_INVISIBLE:
        return "", "", _K_INVIS, False
    if cat.startswith("Z"):
        return " ", " ", _K_NORMAL, False
    clean = unicodedata.normalize("NFKC", c)
    cmap = confusable_map()
    mapped = False
    folded = []
    for x in clean.casefold():
        y = cmap.get(x)
        if y is not None and not _is_latin_letter(x):
            mapped = True
            folded.append(y)
        else:
            folded.append(x)
    return clean, _strip_marks("".join(folded)).casefold(), _K_NORMAL, mapped


def _is_latin_letter(c: str) -> bool:
    return c.isalpha() and "LATIN" in unicodedata.name(c, "")


def fold(text: str) -> str:
    """The folded form of ``text`` (what lexicon patterns are compared with); no offsets, no flags."""
    return _fold(text)[0]


def _fold(text: str) -> tuple[str, list[int] | None, str, list[int] | None, set[str], str]:
    """(folded, folded→original offsets, clean, clean→original offsets, flags, tag payload).

    Offsets are None when they are the identity (pure printable ASCII)."""
    if text.isascii() and not _ASCII_CONTROLS.search(text):
        return text.lower(), None, text, None, set(), ""
    flags: set[str] = set()
    f_parts: list[str] = []
    f_off: list[int] = []
    c_parts: list[str] = []
    c_off: list[int] = []
    tags: list[str] = []
    word_ascii = word_conf = False
    pending_invis = False
    last_alpha = False
    for i, c in enumerate(text):
        clean, folded, kind, mapped = _char(c)
        if kind != _K_NORMAL:
            if kind == _K_TAG:
                flags.add("unicode_tags")
                o = ord(c) - 0xE0000
                if 0x20 <= o <= 0x7E:
                    tags.append(chr(o))
            elif kind == _K_INVIS:
                flags.add("invisible_chars")
                pending_invis = pending_invis or last_alpha
            elif kind == _K_BIDI:
                flags.add("bidi_controls")
            elif kind == _K_OVERRIDE:
                flags.add("bidi_override")
            else:
                flags.add("control_chars")
                pending_invis = pending_invis or last_alpha
            continue
        is_alpha = c.isalpha()
        if pending_invis and is_alpha:
            flags.add("invisible_in_word")
        pending_invis = False
        last_alpha = is_alpha
        if is_alpha:
            if mapped:
                flags.add("confusables")
                word_conf = True
            elif c.isascii():
                word_ascii = True
            if word_ascii and word_conf:
                flags.add("mixed_script")
        else:
            word_ascii = word_conf = False
        if clean:
            c_parts.append(clean)
            c_off.extend([i] * len(clean))
        if folded:
            f_parts.append(folded)
            f_off.extend([i] * len(folded))
    return "".join(f_parts), f_off, "".join(c_parts), c_off, flags, "".join(tags)


@dataclass(frozen=True)
class DecodedPayload:
    """An encoded run found in a field: ``kind`` (``base64``, ``quoted_printable``,
    ``html_entities``, ``unicode_tags``), its span ``start``/``end`` in the original field
    (``unicode_tags``: the whole field), the decoded ``text`` and its folded form ``folded``."""

    kind: str
    start: int
    end: int
    text: str
    folded: str


@dataclass(frozen=True)
class NormalisedText:
    """One field after normalisation (see the module docstring for every attribute).

    ``original`` is the field as given; ``text`` the folded form; ``offsets`` maps each index of
    ``text`` to an index of ``original`` (None: identity); ``hidden_text`` the folded hidden HTML
    text and ``hidden_parts`` its pieces as written; ``flags`` a frozenset of :data:`FLAGS`."""

    original: str
    text: str
    offsets: list[int] | None
    hidden_text: str = ""
    hidden_parts: tuple[str, ...] = ()
    decoded_payloads: tuple[DecodedPayload, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that ``text[start:end]`` came from (``end`` exclusive)."""
        if self.offsets is None:
            return start, end
        if start >= end:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.original)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    @property
    def suspicious(self) -> frozenset[str]:
        """The flags that are suspicious in themselves (:data:`SUSPICIOUS_FLAGS`)."""
        return self.flags & SUSPICIOUS_FLAGS

    def scan_texts(self) -> list[tuple[str, str]]:
        """Every folded text to scan, as ``(part, folded)``: ``"text"``, ``"hidden"``, ``"payload:N"``."""
        out = [("text", self.text)]
        if self.hidden_text:
            out.append(("hidden", self.hidden_text))
        out += [(f"payload:{k}", p.folded) for k, p in enumerate(self.decoded_payloads)]
        return out

    def all_folded(self) -> str:
        """Visible, hidden and decoded text joined by newlines (the classifier's input for the field)."""
        return "\n".join(t for _, t in self.scan_texts() if t)


# --- encoded payloads -------------------------------------------------------------------------

_B64_RUN = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]{4,}={0,2})*")
_QP_LINE = re.compile(r"[^\n]*=[0-9A-Fa-f]{2}[^\n]*")
_QP_ESC = re.compile(r"=[0-9A-Fa-f]{2}")
_ENTITY = r"&#(?:\d{2,7}|[xX][0-9A-Fa-f]{2,6});?"
_ENTITY_RUN = re.compile(_ENTITY + r"(?:[^&\n]{0,3}" + _ENTITY + r"){3,}")
_WORDS = re.compile(r"[^\W\d_]{2,}")
# at least 12 single letters each followed by one space, words apart by 2-6 spaces or " / ";
# decoded by dropping the single spaces ("P l e a s e   i g n o r e" -> "Please ignore")
_SPACED_RUN = re.compile(r"(?<![^\W\d_])(?:[^\W\d_](?: |  {1,5}| / )){11,}[^\W\d_](?![^\W\d_])")


def _readable(s: str) -> bool:
    if not s:
        return False
    printable = sum(1 for c in s if c.isprintable() or c in "\n\r\t")
    letters = sum(1 for c in s if c.isalpha())
    return printable / len(s) >= 0.85 and letters >= 4


def _b64_decode(run: str) -> str | None:
    s = re.sub(r"\s+", "", run)
    if not (re.search(r"[A-Z]", s) and re.search(r"[a-z0-9]", s)):
        return None
    s = s.rstrip("=")
    if len(s) % 4 == 1:
        return None
    s += "=" * (-len(s) % 4)
    try:
        raw = base64.urlsafe_b64decode(s) if ("-" in s or "_" in s) else base64.b64decode(s, validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return text if _readable(text) else None


def _payloads(clean: str, depth: int = 0) -> list[tuple[str, int, int, str]]:
    """(kind, start, end in ``clean``, decoded text) for every payload; nested base64 once more."""
    out: list[tuple[str, int, int, str]] = []
    for m in _B64_RUN.finditer(clean):
        text = _b64_decode(m.group())
        if text is not None:
            out.append(("base64", m.start(), m.end(), text))
            if depth < 1:
                out += [(k, m.start(), m.end(), t) for k, _, _, t in _payloads(text, depth + 1)]
    if "=" in clean:
        # at least 3 escapes, none of them a control byte: "=19" in a URL query ("__utma=193350514")
        # is not quoted-printable, which escapes "=", spaces, line ends and non-ASCII bytes
        lines = [
            m
            for m in _QP_LINE.finditer(clean)
            if len(esc := _QP_ESC.findall(m.group())) >= 3 and not any(int(e[1:], 16) < 0x20 and e[1:] not in ("09", "0A", "0D", "0a", "0d") for e in esc)
        ]
        k = 0
        while k < len(lines):  # join consecutive lines (soft line breaks)
            start, end = lines[k].start(), lines[k].end()
            while k + 1 < len(lines) and lines[k + 1].start() == end + 1:
                k += 1
                end = lines[k].end()
            k += 1
            chunk = clean[start:end]
            try:
                text = quopri.decodestring(chunk.encode("utf-8")).decode("utf-8", "replace")
            except ValueError:
                continue
            if text != chunk and _readable(text):
                out.append(("quoted_printable", start, end, text))
    for m in _SPACED_RUN.finditer(clean):
        words = [w.replace(" ", "") for w in re.split(r" {2,}| / ", m.group())]
        text = " ".join(w for w in words if w)
        if _readable(text):
            out.append(("spaced_letters", m.start(), m.end(), text))
    if "&#" in clean:
        for m in _ENTITY_RUN.finditer(clean):
            text = html_lib.unescape(m.group())
            if _readable(text):
                out.append(("html_entities", m.start(), m.end(), text))
    return out


# --- hidden HTML text -------------------------------------------------------------------------

_LOOKS_HTML = re.compile(r"<(?:html|body|div|span|p|font|table|td|style|!--)[\s>/]", re.IGNORECASE)
_NAMED_LIGHT = {"white", "snow", "ivory", "whitesmoke", "ghostwhite", "floralwhite", "mintcream", "azure",
                "aliceblue", "seashell", "linen", "honeydew", "lavenderblush", "oldlace", "cornsilk"}
_NAMED_DARK = {"black", "navy", "darkblue", "maroon", "darkgreen", "midnightblue", "darkslategray", "dimgray"}
_HIDDEN_TAGS = {"script", "style", "head", "title", "meta", "link", "noscript", "template"}
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?(?:([.#])([\w-]+))?$", re.IGNORECASE)


def _decls(style: str) -> dict[str, str]:
    out = {}
    for part in style.split(";"):
        if ":" in part:
            k, v = part.split(":", 1)
            out[k.strip().lower()] = v.replace("!important", "").strip().lower()
    return out


def _rgb(value: str) -> tuple[float, float, float, float] | None:
    """(r, g, b, alpha) in 0..1 for a CSS colour, or None when unknown."""
    v = value.strip().lower()
    if v == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if v in _NAMED_LIGHT:
        return (1.0, 1.0, 1.0, 1.0)
    if v in _NAMED_DARK:
        return (0.0, 0.0, 0.0, 1.0)
    m = re.fullmatch(r"#([0-9a-f]{3,8})", v)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) not in (6, 8):
            return None
        a = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, a)
    m = re.fullmatch(r"rgba?\(([^)]*)\)", v)
    if m:
        parts = [p.strip() for p in re.split(r"[,\s/]+", m.group(1)) if p.strip()]
        try:
            nums = [float(p[:-1]) / 100 if p.endswith("%") else float(p) / 255 for p in parts[:3]]
            a = float(parts[3].rstrip("%")) / (100 if parts[3].endswith("%") else 1) if len(parts) > 3 else 1.0
        except (ValueError, IndexError):
            return None
        if len(nums) == 3:
            return (*nums, a)
    return None


def _light(rgb: tuple[float, float, float, float] | None) -> bool:
    return rgb is not None and 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] >= 0.9


def _length(value: str) -> tuple[float, str] | None:
    m = re.match(r"^(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh|in|cm|mm)?", value.strip())
    return (float(m.group(1)), m.group(2) or "px") if m else None


def _hides(d: dict[str, str]) -> str | None:
    """Why these declarations hide an element's text, or None."""
    if d.get("display", "").startswith("none"):
        return "display:none"
    if d.get("visibility", "") in ("hidden", "collapse"):
        return "visibility:hidden"
    if d.get("mso-hide", "") == "all":
        return "mso-hide:all"
    fs = _length(d.get("font-size", ""))
    if fs and ((fs[1] in ("px", "pt") and fs[0] <= 1) or (fs[1] in ("em", "rem") and fs[0] <= 0.1) or (fs[1] == "%" and fs[0] <= 10)):
        return "font-size:0"
    op = d.get("opacity")
    if op is not None:
        try:
            if float(op.rstrip("%")) / (100 if op.endswith("%") else 1) <= 0.05:
                return "opacity:0"
        except ValueError:
            pass
    if d.get("position", "") in ("absolute", "fixed"):
        for side in ("left", "top", "right", "bottom"):
            ln = _length(d.get(side, ""))
            if ln and ln[1] in ("px", "pt", "em", "rem") and (ln[0] <= -500 or ln[0] >= 5000):
                return "off-screen"
    for prop in ("text-indent", "margin-left", "margin-top"):
        ln = _length(d.get(prop, ""))
        if ln and ln[1] in ("px", "pt", "em", "rem") and ln[0] <= -500:
            return "off-screen"
    if "hidden" in d.get("overflow", ""):
        for prop in ("width", "height", "max-height", "max-width"):
            ln = _length(d.get(prop, ""))
            if ln and ln[0] <= 1:
                return "zero-size"
    if re.search(r"rect\(\s*0", d.get("clip", "")):
        return "clip"
    if re.search(r"scale\(\s*0(?:\.0+)?\s*[,)]", d.get("transform", "")):
        return "scale(0)"
    return None


def _style_rules(doc) -> list[tuple[str | None, str | None, str | None, dict[str, str]]]:
    """Simple ``<style>`` rules as (tag, '.' or '#', name, declarations)."""
    rules = []
    for st in doc.iter("style"):
        css = re.sub(r"/\*.*?\*/", "", st.text or "", flags=re.S)
        for sel, body in _CSS_RULE.findall(css):
            d = _decls(body)
            if not d:
                continue
            for one in sel.split(","):
                m = _SIMPLE_SELECTOR.match(one.strip())
                if m and (m.group(1) or m.group(3)):
                    rules.append(((m.group(1) or "").lower() or None, m.group(2), m.group(3), d))
    return rules


def hidden_html_text(html: str) -> tuple[list[str], list[str]]:
    """(hidden text pieces, HTML comment pieces) of ``html``, as written (whitespace collapsed).

    Raises nothing: unparseable HTML gives no pieces. Reads at most :data:`MAX_HTML_CHARS`."""
    import lxml.etree
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html[:MAX_HTML_CHARS])
    except (lxml.etree.ParserError, ValueError):
        return [], []
    rules = _style_rules(doc)
    hidden: list[str] = []
    comments: list[str] = []

    def own_decls(el) -> dict[str, str]:
        d: dict[str, str] = {}
        classes = set((el.get("class") or "").split())
        ident = el.get("id")
        for tag, kind, name, decls in rules:
            if tag and tag != el.tag:
                continue
            if kind == "." and name not in classes:
                continue
            if kind == "#" and name != ident:
                continue
            d.update(decls)
        d.update(_decls(el.get("style") or ""))
        if el.tag == "font" and el.get("color"):
            d.setdefault("color", el.get("color").lower())
        if el.get("bgcolor"):
            d.setdefault("background-color", el.get("bgcolor").lower())
        if el.get("hidden") is not None:
            d["display"] = "none"
        return d

    def text_of(el) -> str:
        parts = []
        for node in el.iter():
            if not isinstance(node.tag, str) or node.tag in _HIDDEN_TAGS:
                continue
            if node.text:
                parts.append(node.text)
            for child in node:
                if child.tail and (isinstance(child.tag, str) and child.tag not in _HIDDEN_TAGS):
                    parts.append(child.tail)
        return " ".join(" ".join(parts).split())

    def walk(el, color, bg) -> None:
        for child in el:
            if child.tag is lxml.etree.Comment:
                txt = " ".join((child.text or "").split())
                if txt and not txt.startswith("[if") and not txt.startswith("[endif") and len(_WORDS.findall(txt)) >= 2:
                    comments.append(txt)
                continue
            if not isinstance(child.tag, str) or child.tag in _HIDDEN_TAGS:
                continue
            d = own_decls(child)
            c = _rgb(d["color"]) if "color" in d else color
            bgv = d.get("background-color") or (d.get("background") or "").split(" ")[0] or None
            b = _rgb(bgv) if bgv else bg
            why = _hides(d)
            if why is None and c is not None:
                if c[3] <= 0.05:
                    why = "transparent text"
                elif _light(c) and (b is None or _light(b)):
                    why = "white-on-white"
                elif b is not None and c[:3] == b[:3]:
                    why = "same colour as background"
            if why:
                txt = text_of(child)
                if len(_WORDS.findall(txt)) >= 1:
                    hidden.append(txt)
                continue
            walk(child, c, b)

    body = doc.find("body")
    walk(body if body is not None else doc, None, None)
    for node in doc.iter(lxml.etree.Comment):  # comments outside <body> too
        if body is not None and any(a is body for a in node.iterancestors()):
            continue
        txt = " ".join((node.text or "").split())
        if txt and not txt.startswith("[if") and len(_WORDS.findall(txt)) >= 2:
            comments.append(txt)
    return hidden, comments


# --- entry point ------------------------------------------------------------------------------


def normalise(text: str, *, html: str | None = None) -> NormalisedText:
    """Normalise one field (see the module docstring).

    ``text`` is the field as plain text; ``html`` the HTML part it came from, if any (its hidden
    text is extracted; when ``html`` is None and ``text`` itself looks like HTML, ``text`` is
    read as HTML for hidden text too). Raises ``TypeError`` when ``text`` is not a str."""
    if not isinstance(text, str):
        raise TypeError(f"normalise: text must be str, not {type(text).__name__}")
    flags: set[str] = set()
    scan = text
    if len(scan) > MAX_SCAN_CHARS:
        scan = scan[:MAX_SCAN_CHARS]
        flags.add("truncated")
    folded, f_off, clean, c_off, fl, tags = _fold(scan)
    flags |= fl
    payloads: list[DecodedPayload] = []
    for kind, s, e, decoded in _payloads(clean):
        if c_off is not None:
            s, e = (c_off[s], c_off[e - 1] + 1) if e > s else (c_off[s], c_off[s])
        payloads.append(DecodedPayload(kind, s, e, decoded, fold(decoded)))
        flags.add(kind)
    if tags:
        payloads.append(DecodedPayload("unicode_tags", 0, len(scan), tags, fold(tags)))
    for p in payloads:
        if len(_WORDS.findall(p.text)) >= 3:
            flags.add("encoded_text")
    source = html if html is not None else (text if _LOOKS_HTML.search(text[:MAX_HTML_CHARS]) else None)
    hidden_parts: list[str] = []
    if source:
        if len(source) > MAX_HTML_CHARS:
            flags.add("truncated")
        hidden, comments = hidden_html_text(source)
        if hidden:
            flags.add("hidden_html_text")
        if comments:
            flags.add("html_comment")
        hidden_parts = hidden + comments
    return NormalisedText(
        original=text,
        text=folded,
        offsets=f_off,
        hidden_text=fold("\n".join(hidden_parts)),
        hidden_parts=tuple(hidden_parts),
        decoded_payloads=tuple(payloads),
        flags=frozenset(flags),
    )
