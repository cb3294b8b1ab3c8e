"""Versioned lexicon rules for the risk categories (``rules/risk_lexicon.toml``), one signal of the risk stage.

File format (validated by :func:`load_lexicon`; the file's own header documents it too)::

    version = "2026.12.1"          # required, recorded with every assessment
    name = "..."
    [[rules]]
    id = "complaint.en.formal"      # <category>.<lang>.<name>, unique
    category = "complaint"          # an id of rules/risk/taxonomy.py
    lang = "en"                     # one of LANGUAGES
    weight = 0.9                    # 0 < weight <= 1
    patterns = ['...']              # Python regexes over folded text (rules/risk/normalise.py)
    unless = ['...']                # optional: drop a match whose sentence matches one of these
    context = ['...']               # optional: keep a match only if its sentence matches one of these

Patterns are matched against the folded text (lower case, no accents, invisible characters
removed, look-alikes mapped), so they must be written in lower case; non-ASCII letters in a
pattern are folded by the loader the same way as the text (``réclamation`` → ``reclamation``,
``weiß`` → ``weiss``). A pattern with an unescaped capital letter is refused (it could never match).

A category's lexicon score is ``1 - prod(1 - weight)`` over the distinct rules of that category
that matched; :mod:`rules.risk.assess` raises the category at :data:`rules.risk.assess.LEXICON_THRESHOLD`.
Errors raise :class:`rules.risk.errors.RiskLexiconError` naming the file, the rule id and the field.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rules.risk.errors import RiskLexiconError
from rules.risk.normalise import NormalisedText, fold
from rules.risk.taxonomy import IDS

DEFAULT_LEXICON_PATH = Path(__file__).resolve().parents[1] / "risk_lexicon.toml"
LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
_ID_RE = re.compile(r"^([a-z_]+)\.([a-z]{2})\.([a-z0-9_]+)$")
_RULE_KEYS = {"id", "category", "lang", "weight", "patterns", "unless", "context"}
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n[ \t]*\n")
_ESCAPE = re.compile(r"\\(?:N\{[^}]*\}|.)", re.S)


@dataclass(frozen=True)
class LexiconRule:
    """One compiled rule (see the module docstring for the fields)."""

    id: str
    category: str
    lang: str
    weight: float
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None
    context: re.Pattern[str] | None


@dataclass(frozen=True)
class LexiconHit:
    """A rule that matched: ``rule_id``, ``category``, ``weight``; where: ``field`` (``subject``,
    ``from_name``, ``body``), ``part`` (``text``: the field itself, ``hidden``: hidden HTML text,
    ``payload:N``: the N-th decoded payload) and ``start``/``end`` (for ``text``, a span of the
    field as given, e.g. the redacted body; otherwise a span of the folded part's text)."""

    rule_id: str
    category: str
    weight: float
    field: str
    part: str
    start: int
    end: int


def _fold_pattern(pattern: str, path: str, rule_id: str, key: str) -> str:
    """Fold the non-ASCII literals of ``pattern``; refuse unescaped capitals (never match folded text)."""
    bare = _ESCAPE.sub("", pattern)
    bare = re.sub(r"\(\?P<[^>]*>|\(\?P=[^)]*\)", "", bare)
    caps = re.findall(r"[A-Z]", bare)
    if caps:
        raise RiskLexiconError(
            path, f"{key}: {pattern!r} has capital letter(s) {''.join(caps)!r}; text is matched in lower case", rule_id=rule_id
        )
    return "".join(ch if ch.isascii() else fold(ch) for ch in pattern)


def _compile(patterns: object, path: str, rule_id: str, key: str, *, required: bool) -> re.Pattern[str] | None:
    if patterns is None and not required:
        return None
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) and p for p in patterns):
        raise RiskLexiconError(path, f"{key} must be a non-empty list of non-empty strings", rule_id=rule_id)
    parts = []
    for p in patterns:
        folded = _fold_pattern(p, path, rule_id, key)
        try:
            re.compile(folded)
        except re.error as e:
            raise RiskLexiconError(path, f"{key}: bad regular expression {p!r}: {e}", rule_id=rule_id) from None
        parts.append(f"(?:{folded})")
    return re.compile("|".join(parts), re.MULTILINE)


@dataclass(frozen=True)
class Lexicon:
    """The loaded lexicon: ``version``, ``name``, ``sha256`` of the file, ``path`` and ``rules``."""

    version: str
    name: str
    sha256: str
    path: str
    rules: tuple[LexiconRule, ...]

    def scan(self, nt: NormalisedText, field: str) -> list[LexiconHit]:
        """Every rule match in one normalised field (visible text, hidden text, decoded payloads).

        Each rule reports each distinct span once; ``unless`` is tested on the sentence
        around the match, ``context`` on that sentence and the one before it (sentence ends: ``.``,
        ``!``, ``?`` before a space, blank lines)."""
        hits: list[LexiconHit] = []
        for part, text in nt.scan_texts():
            if not text:
                continue
            bounds = None
            for rule in self.rules:
                for m in rule.pattern.finditer(text):
                    if m.end() == m.start():
                        continue
                    if rule.unless is not None or rule.context is not None:
                        if bounds is None:
                            bounds = [0] + [e.end() for e in _SENTENCE_END.finditer(text)] + [len(text)]
                        sentence = _sentence(text, bounds, m.start(), m.end())
                        if rule.unless is not None and rule.unless.search(sentence):
                            continue
                        if rule.context is not None and not rule.context.search(
                            _sentence(text, bounds, m.start(), m.end(), before=1)
                        ):
                            continue
                    if part == "text":
                        s, e = nt.original_span(m.start(), m.end())
                    else:
                        s, e = m.start(), m.end()
                    hits.append(LexiconHit(rule.id, rule.category, rule.weight, field, part, s, e))
        return hits

    @staticmethod
    def scores(hits: list[LexiconHit]) -> dict[str, float]:
        """Category → ``1 - prod(1 - weight)`` over the distinct rules that matched (0..1)."""
        seen: dict[str, float] = {}
        for h in hits:
            seen[h.rule_id] = h.weight
        out: dict[str, float] = {}
        for rule_id, w in seen.items():
            cat = rule_id.split(".", 1)[0]
            out[cat] = 1 - (1 - out.get(cat, 0.0)) * (1 - w)
        return out


def _sentence(text: str, bounds: list[int], start: int, end: int, before: int = 0) -> str:
    """The sentence around ``text[start:end]`` (with ``before`` sentences before it)."""
    i = bisect.bisect_right(bounds, start) - 1 - before
    j = bisect.bisect_left(bounds, end)
    lo = bounds[max(i, 0)]
    hi = bounds[min(j, len(bounds) - 1)]
    return text[lo:hi].strip()


def load_lexicon(path: str | Path = DEFAULT_LEXICON_PATH) -> Lexicon:
    """Load and compile a lexicon file; raises :class:`RiskLexiconError` naming the file, rule and field."""
    p = Path(path)
    where = str(p)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise RiskLexiconError(where, f"cannot read: {e.strerror or e}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise RiskLexiconError(where, f"not valid TOML: {e}") from None
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise RiskLexiconError(where, "top-level 'version' (a non-empty string) is required")
    extra = set(data) - {"version", "name", "rules"}
    if extra:
        raise RiskLexiconError(where, f"unknown top-level key(s): {', '.join(sorted(extra))}")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise RiskLexiconError(where, "no [[rules]] entries")
    rules: list[LexiconRule] = []
    seen: set[str] = set()
    for n, entry in enumerate(entries, 1):
        rule_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(rule_id, str):
            raise RiskLexiconError(where, f"rule #{n} has no string 'id'")
        unknown = set(entry) - _RULE_KEYS
        if unknown:
            raise RiskLexiconError(where, f"unknown key(s): {', '.join(sorted(unknown))}", rule_id=rule_id)
        m = _ID_RE.match(rule_id)
        if not m:
            raise RiskLexiconError(where, "id must look like <category>.<lang>.<name>", rule_id=rule_id)
        if rule_id in seen:
            raise RiskLexiconError(where, "duplicate id", rule_id=rule_id)
        seen.add(rule_id)
        category, lang = entry.get("category"), entry.get("lang")
        if category not in IDS:
            raise RiskLexiconError(where, f"category {category!r} is not in the taxonomy ({', '.join(IDS)})", rule_id=rule_id)
        if m.group(1) != category:
            raise RiskLexiconError(where, f"id must start with its category {category!r}", rule_id=rule_id)
        if lang not in LANGUAGES or m.group(2) != lang:
            raise RiskLexiconError(where, f"lang {lang!r} must be one of {', '.join(LANGUAGES)} and match the id", rule_id=rule_id)
        weight = entry.get("weight")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
            raise RiskLexiconError(where, f"weight must be a number in (0, 1], not {weight!r}", rule_id=rule_id)
        rules.append(
            LexiconRule(
                id=rule_id,
                category=category,
                lang=lang,
                weight=float(weight),
                pattern=_compile(entry.get("patterns"), where, rule_id, "patterns", required=True),
                unless=_compile(entry.get("unless"), where, rule_id, "unless", required=False),
                context=_compile(entry.get("context"), where, rule_id, "context", required=False),
            )
        )
    return Lexicon(
        version=version.strip(),
        name=str(data.get("name", "")),
        sha256=hashlib.sha256(raw).hexdigest(),
        path=where,
        rules=tuple(rules),
    )


@functools.lru_cache(maxsize=4)
def default_lexicon(path: str = str(DEFAULT_LEXICON_PATH)) -> Lexicon:
    """The lexicon at ``path`` (default the shipped file), loaded once per process."""
    return load_lexicon(path)
