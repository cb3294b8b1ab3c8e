"""The versioned policy pack: checks every restored draft (and the inbound mail) before routing.

The pack is a TOML file (default ``rules/policy_pack.toml``) with a top-level ``version``
and ``name`` and one table per rule family. :func:`load_policy_pack` validates it and
compiles every regular expression once; :meth:`PolicyPack.check` returns
:class:`~agent.models.Finding` objects whose ``start``/``end`` index the text named by
``target`` (``"draft"`` or ``"inbound"``) exactly: ``text[start:end] == excerpt`` unless
the excerpt was cut to :data:`EXCERPT_MAX` characters (then it is the prefix).

Families (rule ids are ``<family>`` or ``<family>.<name>``, so routing can match on the
family with :func:`family_of`):

``prohibited`` (draft), ``commitments`` (draft), ``prompt_injection`` (inbound)
    Arrays of tables ``{id, severity, message, patterns, unless?, context?, case_sensitive?}``.
    Patterns are Python regular expressions, compiled case-insensitive and multi-line.
    A match is dropped when its sentence matches one of ``unless`` (for example a
    question, or "no investment is risk-free"), and is kept only when its sentence
    matches one of ``context`` if that list is given. Overlapping matches of one entry
    count once.
``disclosures``
    Array of tables ``{id, severity, message, topics, required, translations?}``: when the inbound
    mail or the draft mentions a topic (regexes), the draft must contain the sentence
    ``required`` (compared case-insensitively with whitespace and quotes normalised) or one of
    its ``translations`` (a table ``{de = "...", fr = "..."}``, ISO 639-1 codes; ``required`` is
    English). The drafting step appends the text in the draft's language (:mod:`agent.disclosure`).
    The finding's span is the first topic mention (in the draft if there is one, else
    in the inbound mail).
``pii_leak`` (draft)
    Table ``{id, severity, message, ignore_entities?}``: a PII value Presidio found in the
    draft that the client did not send (see :meth:`PolicyPack.check`).
``unrestored_placeholder`` (draft)
    Table like a pattern entry; default pattern ``<[A-Z][A-Z_]*_\\d+>``, case-sensitive.
``link_domain`` (draft)
    Table ``{id, severity, message, allow_domains?}``: links whose host is not an allowed
    domain or a subdomain of one. Links are found by ``linkify-it-py`` (the link finder of
    markdown-it), as a mail client would make them clickable: ``https://…``, ``www.…`` and
    bare host names (``evil.example/login``, ``Go to evil.example.``) whose last label is a
    top-level domain of the Public Suffix List snapshot bundled with ``tldextract`` (no
    download) or one of the names reserved by RFC 2606 / RFC 6761 (``example``, ``test``,
    ``invalid``, ``localhost``). A file name whose extension is also a TLD (``README.md``,
    ``setup.py``, ``invoice.zip``) counts as a link too, as in most mail clients. E-mail
    addresses are not links here (the ``pii_leak`` rule covers them).
``model_chatter`` (draft, optional in a pack)
    Table ``{id, severity, message}``: the model's answer had text around the email (a
    preamble such as "Here is a draft email:", a subject line, a code fence or trailing
    commentary) that :mod:`agent.model_answer` removed; the caller passes what kinds were
    removed. One finding, span ``(0, 0)``. A pack without the table gets
    :data:`DEFAULT_MODEL_CHATTER`.
``language_mismatch`` (draft)
    Table ``{id, severity, message}``: draft and inbound language (ISO 639 primary subtag)
    differ, both known. The span is the whole draft.
``grounding`` (draft, optional in a pack)
    Unsupported claims, citations of snippets that were not retrieved, readability and
    disclosures missing in the draft's language: see :mod:`rules.grounding_checks`. Checked only
    when the caller passes ``grounding`` facts. A pack without the section gets the shipped one's.
``tone`` (draft)
    ``[tone.shouting]`` ``{id, severity, message, min_words}`` (a run of at least
    ``min_words`` all-capital words of two letters or more; single capitals such as "I"
    neither count nor break a run) and ``[tone.exclamations]`` ``{id, severity, message,
    max_count}`` (more than ``max_count`` "!" in the draft; span from the first to the last).

Severities are the names of :class:`agent.models.Severity` (info, low, medium, high,
critical). Errors in the file raise :class:`agent.errors.PolicyPackError` naming the file
and the entry.

Besides :meth:`PolicyPack.check`, :meth:`PolicyPack.check_inbound` runs the
prompt-injection rules alone (before any model sees the mail) and
:meth:`PolicyPack.missing_disclosures` lists the disclosure rules a draft lacks, whose sentences the
drafting step appends (:mod:`agent.disclosure`) before :meth:`PolicyPack.check` runs.
``PolicyPack.version``, ``name`` and ``sha256`` identify the pack for the audit trail.
Detection rates of the injection rules: ``benchmarks/injection_eval.py``.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tldextract
from linkify_it import LinkifyIt

from agent.errors import PolicyPackError
from agent.models import Finding, Severity
from rules.draft_safety import DraftCheckFacts, DraftSafetyRules
from rules.grounding_checks import GroundingFacts, GroundingRules
from rules.grounding_checks import Rule as GroundingRule

EXCERPT_MAX = 120
FAMILIES = (
    "prohibited",
    "disclosures",
    "commitments",
    "pii_leak",
    "unrestored_placeholder",
    "link_domain",
    "prompt_injection",
    "language_mismatch",
    "tone",
    "model_chatter",
    "draft_safety",
    "grounding",
)
_FLAGS = re.IGNORECASE | re.MULTILINE
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)*$")
_UNKNOWN_LANG = {"", "und", "unknown", "zz", "xx", "mul"}

# Top-level names reserved for documentation and tests (RFC 2606 §2, RFC 6761 §6): not in
# the Public Suffix List, but a mail client still makes "evil.example/login" clickable.
RESERVED_TLDS = ("example", "test", "invalid", "localhost")

# http(s) URLs and bare "www." hosts (for telling whether a PII *value* is a URL; links in a
# draft are found by :func:`find_links`). Stops at whitespace, quotes, brackets and angle
# brackets so that Markdown links and <url> forms keep only the URL.
URL_RE = re.compile(r"""(?:\bhttps?://|\bwww\.)[^\s<>"'`{}|\\^\[\]()]+""", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_GAP_OK = re.compile(r"[^\w\n]*")
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s\"'”’)\]]|$)|\n[ \t]*\n")


@functools.lru_cache(maxsize=1)
def _linkifier() -> LinkifyIt:
    """linkify-it with every Public Suffix List TLD (bundled snapshot, never downloaded) and
    the reserved names of :data:`RESERVED_TLDS` accepted for links without a scheme."""
    psl = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
    tlds = {t.rsplit(".", 1)[-1].lower() for t in psl.tlds if t} | set(RESERVED_TLDS)
    return LinkifyIt().tlds(sorted(tlds), True)


def find_links(text: str) -> list[tuple[int, int, str]]:
    """Links a mail client would make clickable in ``text``: ``(start, end, url)``, left to right.

    ``text[start:end]`` is the link as written (``evil.example/login``); ``url`` has a scheme
    (``http://evil.example/login``). E-mail addresses (``mailto:``) are left out."""
    if not text:
        return []
    return [(m.index, m.last_index, m.url) for m in _linkifier().match(text) or [] if m.schema.lower() != "mailto:"]


def family_of(rule_id: str) -> str:
    """The family of a rule id (``"prompt_injection.override"`` → ``"prompt_injection"``)."""
    return rule_id.split(".", 1)[0]


# Greeting words the small spaCy model sometimes includes in a PERSON span ("Dear Bob Simple").
_SALUTATION = re.compile(r"^(?:(?:dear|hi|hello|hey|mr|mrs|ms|dr)\.?\s+)+")


def _norm(value: str) -> str:
    """Case-folded, whitespace-collapsed, typographic quotes made plain."""
    value = value.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(value.split()).casefold()


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


class _Sentences:
    """Sentence windows of one text, for ``unless``/``context`` checks (boundaries: . ! ? and blank lines)."""

    def __init__(self, text: str):
        self.text = text
        self._ends = [m.end() for m in _SENTENCE_END.finditer(text)]

    def around(self, start: int, end: int) -> str:
        i = bisect.bisect_right(self._ends, start) - 1
        s = self._ends[i] if i >= 0 else 0
        j = bisect.bisect_left(self._ends, end)
        e = self._ends[j] if j < len(self._ends) else len(self.text)
        return self.text[s:e]


def _finding(
    rule_id: str, severity: Severity, target: str, text: str, start: int, end: int, message: str
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=severity,
        target=target,
        start=start,
        end=end,
        excerpt=text[start:end][:EXCERPT_MAX],
        message=message,
    )


@dataclass(frozen=True)
class PatternRule:
    """A regex rule: the first family of checks (prohibited, commitments, prompt_injection, placeholders)."""

    id: str
    severity: Severity
    message: str
    patterns: tuple[re.Pattern[str], ...]
    target: str = "draft"
    unless: tuple[re.Pattern[str], ...] = ()
    context: tuple[re.Pattern[str], ...] = ()

    def find(self, text: str, sentences: _Sentences | None = None) -> list[Finding]:
        """Findings in ``text``, left to right, overlapping matches merged (first one kept)."""
        if not text:
            return []
        spans: list[tuple[int, int]] = []
        for pat in self.patterns:
            for m in pat.finditer(text):
                if m.end() > m.start():
                    spans.append((m.start(), m.end()))
        if not spans:
            return []
        sentences = sentences or _Sentences(text)
        out: list[Finding] = []
        last_end = -1
        for start, end in sorted(spans, key=lambda se: (se[0], -se[1])):
            if start < last_end:
                continue
            if self.unless or self.context:
                sent = sentences.around(start, end)
                if any(u.search(sent) for u in self.unless):
                    continue
                if self.context and not any(c.search(sent) for c in self.context):
                    continue
            out.append(_finding(self.id, self.severity, self.target, text, start, end, self.message))
            last_end = end
        return out


@dataclass(frozen=True)
class DisclosureRule:
    """A required disclosure sentence, triggered by topic patterns in the inbound mail or the draft."""

    id: str
    severity: Severity
    message: str
    topics: tuple[re.Pattern[str], ...]
    required: str
    translations: tuple[tuple[str, str], ...] = ()

    def text_for(self, language: str | None) -> tuple[str, bool]:
        """``(sentence, in_language)``: the disclosure in ``language`` (English: ``required``) and
        whether the pack has it in that language (False: ``required`` is given instead)."""
        lang = _primary_lang(language) or "en"
        if lang == "en":
            return self.required, True
        for code, text in self.translations:
            if code == lang:
                return text, True
        return self.required, False

    def triggered(self, text: str) -> re.Match[str] | None:
        """The earliest topic match in ``text``, or None."""
        best: re.Match[str] | None = None
        for pat in self.topics:
            m = pat.search(text)
            if m and (best is None or m.start() < best.start()):
                best = m
        return best

    def present_in(self, draft_text: str) -> bool:
        """True when the draft contains the required sentence or one of its translations
        (normalised; final punctuation optional)."""
        have = _norm(draft_text)
        for sentence in (self.required, *(t for _, t in self.translations)):
            need = _norm(sentence).rstrip(".!?")
            if need and need in have:
                return True
        return False


@dataclass(frozen=True)
class SimpleRule:
    """A rule with fixed logic and pack-configured id, severity, message and options."""

    id: str
    severity: Severity
    message: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyPack:
    """A loaded, validated policy pack. Build with :func:`load_policy_pack`.

    ``version`` and ``name`` come from the file; ``path`` is where it was read;
    ``sha256`` is the hash of the file's bytes (record it with the findings).
    """

    version: str
    name: str
    path: str
    sha256: str
    prohibited: tuple[PatternRule, ...]
    disclosures: tuple[DisclosureRule, ...]
    commitments: tuple[PatternRule, ...]
    pii_leak: SimpleRule
    unrestored_placeholder: PatternRule
    link_domain: SimpleRule
    prompt_injection: tuple[PatternRule, ...]
    language_mismatch: SimpleRule
    tone_shouting: SimpleRule
    tone_exclamations: SimpleRule
    model_chatter: SimpleRule
    draft_safety: DraftSafetyRules
    grounding: GroundingRules = None  # type: ignore[assignment]  # set by load_policy_pack (the shipped section when absent)

    @property
    def rule_ids(self) -> list[str]:
        """Every rule id in the pack, in file order per family."""
        ids = (
            [r.id for r in self.prohibited]
            + [r.id for r in self.disclosures]
            + [r.id for r in self.commitments]
        )
        ids += [self.pii_leak.id, self.unrestored_placeholder.id, self.link_domain.id]
        ids += [r.id for r in self.prompt_injection]
        ids += [self.language_mismatch.id, self.tone_shouting.id, self.tone_exclamations.id, self.model_chatter.id]
        return ids + self.draft_safety.rule_ids + (self.grounding.rule_ids if self.grounding else [])

    # ------------------------------------------------------------------ public checks

    def check(
        self,
        *,
        draft_text: str,
        inbound_text: str,
        draft_language: str | None,
        inbound_language: str | None,
        inbound_pii_values: set[str],
        draft_pii: list[tuple[str, int, int, str]],
        allowed_link_domains: set[str],
        org_values: set[str],
        model_chatter: list[str] | tuple[str, ...] = (),
        draft_facts: DraftCheckFacts | None = None,
        grounding: GroundingFacts | None = None,
    ) -> list[Finding]:
        """Run every rule of the pack on one restored draft and its inbound mail.

        ``draft_pii`` holds ``(entity_type, start, end, value)`` that Presidio found in the
        restored ``draft_text`` (the caller runs the analyzer). ``inbound_pii_values``
        are the values the client sent: Presidio's values from the inbound mail, and the
        caller should add the sender's display name and address (the greeting uses them).
        ``org_values`` are our own names, domains and addresses (never a leak; an e-mail
        address or URL on one of these domains counts as ours). ``allowed_link_domains``
        is merged with the pack's ``link_domain.allow_domains``. ``model_chatter`` names the
        kinds of text :func:`agent.model_answer.strip_model_chatter` removed from the model's
        answer (``["preamble", "commentary"]``); non-empty gives one ``model_chatter`` finding.
        ``draft_facts`` (:meth:`rules.draft_safety.DraftCheckFacts.of`) are the client's own
        contact details, the firm's allow-list and every client text, for the ``draft_safety``
        rules; None checks the draft with none of them (every identifier is a finding, no
        copied-instruction check). Unlike ``pii_leak``, ``draft_safety`` exempts nothing the
        client merely wrote. ``grounding`` (:class:`rules.grounding_checks.GroundingFacts`: support
        texts, retrieved and cited snippet ids, style) runs the ``grounding`` checks; None skips them.

        Returns findings grouped by family in :data:`FAMILIES` order, each group left to
        right. Never raises on any text.
        """
        findings: list[Finding] = []
        draft_sent = _Sentences(draft_text)
        for rule in self.prohibited:
            findings += rule.find(draft_text, draft_sent)
        findings += self.check_disclosures(draft_text=draft_text, inbound_text=inbound_text)
        for rule in self.commitments:
            findings += rule.find(draft_text, draft_sent)
        findings += self._pii_leak(draft_text, inbound_text, inbound_pii_values, draft_pii, org_values, grounding.published if grounding else ())
        findings += self.unrestored_placeholder.find(draft_text, draft_sent)
        findings += self._link_domain(draft_text, allowed_link_domains)
        findings += self.check_inbound(inbound_text)
        findings += self._language_mismatch(draft_text, draft_language, inbound_language)
        findings += self._shouting(draft_text) + self._exclamations(draft_text)
        if model_chatter:
            rule = self.model_chatter
            kinds = ", ".join(dict.fromkeys(k.replace("_", " ") for k in model_chatter))
            findings.append(_finding(rule.id, rule.severity, "draft", draft_text, 0, 0, f"{rule.message} ({kinds})"))
        findings += self.draft_safety.check(draft_text, draft_facts or DraftCheckFacts(), draft_pii, excerpt_max=EXCERPT_MAX)
        if grounding is not None and self.grounding is not None:
            findings += self.grounding.check(draft_text, draft_language, grounding)
        return findings

    def check_inbound(self, inbound_text: str) -> list[Finding]:
        """Prompt-injection findings on the inbound mail alone (usable before any model is called)."""
        sent = _Sentences(inbound_text)
        out: list[Finding] = []
        for rule in self.prompt_injection:
            out += rule.find(inbound_text, sent)
        return sorted(out, key=lambda f: (f.start, f.rule_id))

    def check_disclosures(self, *, draft_text: str, inbound_text: str) -> list[Finding]:
        """Missing required disclosures (see the module docstring)."""
        out: list[Finding] = []
        for rule in self.disclosures:
            if rule.present_in(draft_text):
                continue
            m = rule.triggered(draft_text)
            target, text = "draft", draft_text
            if m is None:
                m = rule.triggered(inbound_text)
                target, text = "inbound", inbound_text
            if m is not None:
                out.append(_finding(rule.id, rule.severity, target, text, m.start(), m.end(), rule.message))
        return out

    def required_disclosures(self, inbound_text: str, draft_text: str = "") -> list[str]:
        """The disclosure sentences a draft for this mail must contain (for drafters to append)."""
        return [
            r.required
            for r in self.disclosures
            if r.triggered(inbound_text) or (draft_text and r.triggered(draft_text))
        ]

    def missing_disclosures(self, *, draft_text: str, inbound_text: str) -> list[DisclosureRule]:
        """The disclosure rules :meth:`check_disclosures` would report for this draft (a topic in
        the draft or the inbound text, the sentence absent), in pack order. Used by
        :func:`agent.disclosure.add_required_disclosures` to append their ``required`` text."""
        return [
            r
            for r in self.disclosures
            if not r.present_in(draft_text) and (r.triggered(draft_text) or r.triggered(inbound_text))
        ]

    # ------------------------------------------------------------------ fixed-logic rules

    def _pii_leak(
        self,
        draft_text: str,
        inbound_text: str,
        inbound_pii_values: set[str],
        draft_pii: list[tuple[str, int, int, str]],
        org_values: set[str],
        published: tuple[str, ...] = (),
    ) -> list[Finding]:
        """``pii_leak`` findings: values Presidio found in the draft that the client did not
        send, that are not ours (``org_values``) and that the draft does not quote from a cited
        knowledge article (``published``: the firm's own texts, e.g. an ombudsman's name)."""
        rule = self.pii_leak
        published_norm = [_norm(t) for t in published]
        ignore = {e.upper() for e in rule.options.get("ignore_entities", [])}
        sent = {_norm(v) for v in inbound_pii_values if v and v.strip()}
        sent_digits = {_digits(v) for v in sent if len(_digits(v)) >= 6}
        org = {_norm(v) for v in org_values if v and v.strip()}
        org_domains = {o.lstrip("@") for o in org if "." in o and " " not in o and "@" not in o.lstrip("@")}
        inbound_norm = _norm(inbound_text)
        out: list[Finding] = []
        seen: set[tuple[int, int]] = set()
        for entity, start, end, value in draft_pii:
            if entity.upper() in ignore:
                continue
            v = _SALUTATION.sub("", _norm(value))  # the NER span may take in "Dear"
            if not v or v in sent or v in org:
                continue
            if entity.upper() == "URL" and any(v in o for o in org):
                continue  # a piece of one of our own links (a cited article's URL cut short by the recogniser)
            d = _digits(v)
            if len(d) >= 6 and d in sent_digits:
                continue
            host = _value_domain(v)
            if host and any(host == od or host.endswith("." + od) for od in org_domains):
                continue
            if re.search(r"(?<!\w)" + re.escape(v) + r"(?!\w)", inbound_norm):
                continue  # the client wrote it, although the analyzer did not flag it there
            if any(re.search(r"(?<!\w)" + re.escape(v) + r"(?!\w)", t) for t in published_norm):
                continue  # quoted from a cited article of ours
            s, e = _locate(draft_text, start, end, value)
            if (s, e) in seen:
                continue
            seen.add((s, e))
            out.append(
                _finding(rule.id, rule.severity, "draft", draft_text, s, e, f"{rule.message} ({entity})")
            )
        return sorted(out, key=lambda f: f.start)

    def _link_domain(self, draft_text: str, allowed: set[str]) -> list[Finding]:
        rule = self.link_domain
        allow = {_norm_host(d) for d in [*allowed, *rule.options.get("allow_domains", [])] if d and d.strip()}
        allow.discard("")
        out: list[Finding] = []
        for start, end, url in find_links(draft_text):
            host = _url_host(url)
            if host and any(host == d or host.endswith("." + d) for d in allow):
                continue
            why = f"host {host}" if host else "no parsable host"
            out.append(_finding(rule.id, rule.severity, "draft", draft_text, start, end, f"{rule.message} ({why})"))
        return out

    def _language_mismatch(
        self, draft_text: str, draft_lang: str | None, inbound_lang: str | None
    ) -> list[Finding]:
        a, b = _primary_lang(draft_lang), _primary_lang(inbound_lang)
        if not a or not b or a == b or not draft_text:
            return []
        rule = self.language_mismatch
        return [
            _finding(
                rule.id,
                rule.severity,
                "draft",
                draft_text,
                0,
                len(draft_text),
                f"{rule.message} (draft {a}, inbound {b})",
            )
        ]

    def _shouting(self, text: str) -> list[Finding]:
        rule = self.tone_shouting
        min_words = int(rule.options.get("min_words", 3))
        out: list[Finding] = []
        run: list[re.Match[str]] = []
        prev_end = 0

        def flush() -> None:
            if len(run) >= min_words:
                out.append(
                    _finding(
                        rule.id, rule.severity, "draft", text, run[0].start(), run[-1].end(), rule.message
                    )
                )
            run.clear()

        for m in _WORD_RE.finditer(text):
            w = m.group(0)
            gap = text[prev_end : m.start()]
            prev_end = m.end()
            if run and not _GAP_OK.fullmatch(gap):
                flush()
            if not w.isupper():
                flush()
            elif len(w.replace("'", "").replace("’", "")) >= 2:
                run.append(m)
            # a single capital ("I", "A") neither counts nor breaks the run
        flush()
        return out

    def _exclamations(self, text: str) -> list[Finding]:
        rule = self.tone_exclamations
        limit = int(rule.options.get("max_count", 2))
        marks = [i for i, ch in enumerate(text) if ch in "!！"]
        if len(marks) <= limit:
            return []
        return [
            _finding(
                rule.id,
                rule.severity,
                "draft",
                text,
                marks[0],
                marks[-1] + 1,
                f"{rule.message} ({len(marks)} found)",
            )
        ]


def _primary_lang(code: str | None) -> str | None:
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    return None if primary in _UNKNOWN_LANG else primary


def _norm_host(host: str) -> str:
    host = host.strip().lower().lstrip("*.").lstrip("@").rstrip(".")
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def _url_host(url: str) -> str | None:
    try:
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = parts.hostname
    except ValueError:
        return None
    return _norm_host(host) if host else None


def _value_domain(value: str) -> str | None:
    """The domain of an e-mail address or URL value, else None."""
    if "@" in value and " " not in value:
        return _norm_host(value.rpartition("@")[2])
    if URL_RE.match(value):
        return _url_host(value)
    return None


def _locate(text: str, start: int, end: int, value: str) -> tuple[int, int]:
    """``(start, end)`` when they index ``value`` in ``text``, else the value's first occurrence, else (0, 0)."""
    if 0 <= start < end <= len(text) and _norm(text[start:end]) == _norm(value):
        return start, end
    m = re.search(re.escape(value.strip()), text, re.IGNORECASE)
    return (m.start(), m.end()) if m else (0, 0)


# ---------------------------------------------------------------------- loading


class _Loader:
    def __init__(self, path: Path):
        self.path = path
        self.ids: dict[str, str] = {}

    def fail(self, where: str, problem: str) -> PolicyPackError:
        return PolicyPackError(f"{self.path}: {where}: {problem}")

    def table(self, data: dict, family: str, where: str | None = None) -> dict:
        value = data.get(family)
        if not isinstance(value, dict):
            raise self.fail(where or family, "missing table" if value is None else "must be a table")
        return value

    def array(self, data: dict, family: str) -> list[dict]:
        value = data.get(family, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(family, "must be an array of tables ([[" + family + "]])")
        return value

    def common(
        self, entry: dict, where: str, family: str, allowed: set[str]
    ) -> tuple[str, Severity, str, str]:
        unknown = set(entry) - allowed - {"id", "severity", "message"}
        rid = entry.get("id")
        if not isinstance(rid, str) or not rid.strip():
            raise self.fail(where, "missing or empty 'id'")
        where = f"{where} (id {rid!r})"
        if unknown:
            raise self.fail(where, f"unknown key(s) {sorted(unknown)}")
        if not _ID_RE.match(rid) or family_of(rid) != family:
            raise self.fail(
                where, f"id must be {family!r} or start with '{family}.' (lower case, dots between parts)"
            )
        if rid in self.ids:
            raise self.fail(where, f"duplicate id (first used at {self.ids[rid]})")
        self.ids[rid] = where
        sev = entry.get("severity")
        if not isinstance(sev, str) or sev not in Severity.__members__:
            raise self.fail(where, f"unknown severity {sev!r} (one of {', '.join(Severity.__members__)})")
        msg = entry.get("message")
        if not isinstance(msg, str) or not msg.strip():
            raise self.fail(where, "missing or empty 'message'")
        return rid, Severity[sev], msg.strip(), where

    def regexes(
        self, entry: dict, key: str, where: str, *, required: bool, flags: int
    ) -> tuple[re.Pattern[str], ...]:
        raw = entry.get(key)
        if raw is None:
            if required:
                raise self.fail(where, f"missing {key!r}")
            return ()
        if (
            not isinstance(raw, list)
            or not all(isinstance(p, str) and p for p in raw)
            or (required and not raw)
        ):
            raise self.fail(where, f"{key!r} must be a non-empty list of non-empty strings")
        out = []
        for i, p in enumerate(raw):
            try:
                out.append(re.compile(p, flags))
            except re.error as exc:
                raise self.fail(where, f"bad regex in {key}[{i}] {p!r}: {exc}") from exc
            if out[-1].search("") is not None:
                raise self.fail(where, f"regex in {key}[{i}] {p!r} matches the empty string")
        return tuple(out)

    def pattern_rule(self, entry: dict, where: str, family: str, target: str) -> PatternRule:
        rid, sev, msg, where = self.common(
            entry, where, family, {"patterns", "unless", "context", "case_sensitive"}
        )
        cs = entry.get("case_sensitive", False)
        if not isinstance(cs, bool):
            raise self.fail(where, "'case_sensitive' must be true or false")
        flags = re.MULTILINE if cs else _FLAGS
        return PatternRule(
            id=rid,
            severity=sev,
            message=msg,
            patterns=self.regexes(entry, "patterns", where, required=True, flags=flags),
            target=target,
            unless=self.regexes(entry, "unless", where, required=False, flags=_FLAGS),
            context=self.regexes(entry, "context", where, required=False, flags=_FLAGS),
        )

    def simple(self, entry: dict, where: str, family: str, options: dict[str, type]) -> SimpleRule:
        rid, sev, msg, where = self.common(entry, where, family, set(options))
        opts: dict[str, Any] = {}
        for key, typ in options.items():
            if key in entry:
                val = entry[key]
                ok = isinstance(val, typ) and not (typ is int and isinstance(val, bool))
                if ok and typ is list:
                    ok = all(isinstance(v, str) for v in val)
                if ok and typ is int:
                    ok = val >= 0
                if not ok:
                    raise self.fail(
                        where,
                        f"{key!r} must be {'a list of strings' if typ is list else 'a whole number >= 0'}",
                    )
                opts[key] = val
        return SimpleRule(id=rid, severity=sev, message=msg, options=opts)


#: The ``model_chatter`` rule of a pack that does not configure one.
DEFAULT_MODEL_CHATTER = SimpleRule(
    id="model_chatter",
    severity=Severity.low,
    message="Text around the email in the model's answer was removed",
)


def load_policy_pack(path: str | Path) -> PolicyPack:
    """Read, validate and compile a policy pack TOML file.

    Raises :class:`PolicyPackError` naming the file and the entry (``prohibited[2] (id
    'prohibited.x')``) for: an unreadable or non-TOML file, a missing ``version``/``name``
    or family table, an unknown key, an id that is empty, duplicated or not prefixed by its
    family, an unknown severity, a missing message, or a regex that does not compile or
    matches the empty string.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise PolicyPackError(f"{p}: cannot read policy pack: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyPackError(f"{p}: not a valid UTF-8 TOML file: {exc}") from exc

    ld = _Loader(p)
    for key in ("version", "name"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise ld.fail(key, "missing or empty (a string at the top of the file)")
    unknown = set(data) - set(FAMILIES) - {"version", "name", "description"}
    if unknown:
        raise ld.fail("top level", f"unknown key(s) {sorted(unknown)}")

    def patterns(family: str, target: str) -> tuple[PatternRule, ...]:
        return tuple(
            ld.pattern_rule(e, f"{family}[{i}]", family, target) for i, e in enumerate(ld.array(data, family))
        )

    prohibited = patterns("prohibited", "draft")
    disclosures = []
    for i, e in enumerate(ld.array(data, "disclosures")):
        rid, sev, msg, where = ld.common(e, f"disclosures[{i}]", "disclosures", {"topics", "required", "translations"})
        req = e.get("required")
        if not isinstance(req, str) or not req.strip():
            raise ld.fail(where, "missing or empty 'required' (the disclosure sentence)")
        topics = ld.regexes(e, "topics", where, required=True, flags=_FLAGS)
        tr = e.get("translations", {})
        if not isinstance(tr, dict) or not all(isinstance(k, str) and re.fullmatch(r"[a-z]{2}", k) and isinstance(v, str) and v.strip() for k, v in tr.items()):
            raise ld.fail(where, "'translations' must be a table of ISO 639-1 codes to non-empty sentences ({de = \"...\"})")
        translations = tuple((k, " ".join(v.split())) for k, v in sorted(tr.items()))
        disclosures.append(DisclosureRule(rid, sev, msg, topics, " ".join(req.split()), translations))
    commitments = patterns("commitments", "draft")
    pii_leak = ld.simple(ld.table(data, "pii_leak"), "pii_leak", "pii_leak", {"ignore_entities": list})
    placeholder = ld.pattern_rule(
        ld.table(data, "unrestored_placeholder"), "unrestored_placeholder", "unrestored_placeholder", "draft"
    )
    link = ld.simple(ld.table(data, "link_domain"), "link_domain", "link_domain", {"allow_domains": list})
    injection = patterns("prompt_injection", "inbound")
    language = ld.simple(ld.table(data, "language_mismatch"), "language_mismatch", "language_mismatch", {})
    tone = ld.table(data, "tone")
    extra = set(tone) - {"shouting", "exclamations"}
    if extra:
        raise ld.fail(
            "tone", f"unknown key(s) {sorted(extra)} (expected [tone.shouting] and [tone.exclamations])"
        )
    shouting = ld.simple(
        ld.table(tone, "shouting", "tone.shouting"), "tone.shouting", "tone", {"min_words": int}
    )
    exclamations = ld.simple(
        ld.table(tone, "exclamations", "tone.exclamations"), "tone.exclamations", "tone", {"max_count": int}
    )

    if "model_chatter" in data:
        chatter = ld.simple(ld.table(data, "model_chatter"), "model_chatter", "model_chatter", {})
    else:
        chatter = DEFAULT_MODEL_CHATTER
    draft_safety = _draft_safety(ld, ld.table(data, "draft_safety")) if "draft_safety" in data else shipped_draft_safety()
    grounding = _grounding(ld, ld.table(data, "grounding")) if "grounding" in data else shipped_grounding()
    return PolicyPack(
        version=data["version"].strip(),
        name=data["name"].strip(),
        path=str(p),
        sha256=hashlib.sha256(raw).hexdigest(),
        prohibited=prohibited,
        disclosures=tuple(disclosures),
        commitments=commitments,
        pii_leak=pii_leak,
        unrestored_placeholder=placeholder,
        link_domain=link,
        prompt_injection=injection,
        language_mismatch=language,
        tone_shouting=shouting,
        tone_exclamations=exclamations,
        model_chatter=chatter,
        draft_safety=draft_safety,
        grounding=grounding,
    )


_GROUNDING_RULES = ("unsupported_claim", "unknown_citation", "readability", "disclosure_language")


def _grounding(ld: _Loader, section: dict) -> GroundingRules:
    """The ``[grounding]`` section (see :mod:`rules.grounding_checks`); errors name the key."""
    unknown = set(section) - {*_GROUNDING_RULES, "products", "commitments", "readability_min_words"}
    if unknown:
        raise ld.fail("grounding", f"unknown key(s) {sorted(unknown)}")
    rules = {}
    for key in _GROUNDING_RULES:
        rid, sev, msg, _ = ld.common(ld.table(section, key, f"grounding.{key}"), f"grounding.{key}", "grounding", set())
        rules[key] = GroundingRule(rid, sev, msg)
    words = section.get("readability_min_words", 40)
    if not isinstance(words, int) or isinstance(words, bool) or words < 0:
        raise ld.fail("grounding.readability_min_words", "must be a whole number >= 0")
    return GroundingRules(
        **rules,
        products=ld.regexes(section, "products", "grounding", required=False, flags=re.MULTILINE),
        commitments=ld.regexes(section, "commitments", "grounding", required=False, flags=_FLAGS),
        readability_min_words=words,
        excerpt_max=EXCERPT_MAX,
    )


@functools.lru_cache(maxsize=1)
def shipped_grounding() -> GroundingRules:
    """The ``[grounding]`` section of the shipped pack, for a pack without one."""
    data = tomllib.loads(DEFAULT_PACK_PATH.read_text(encoding="utf-8"))
    return _grounding(_Loader(DEFAULT_PACK_PATH), data["grounding"])


_DRAFT_SAFETY_KEYS = {
    "min_words": int,
    "min_quoted_words": int,
    "account_words": list,
    "card_words": list,
    "cues": list,
    "not_instructions": list,
    "payment_identifier": dict,
    "contact_detail": dict,
    "copied_instruction": dict,
    "requests": list,
}


def _draft_safety(ld: _Loader, section: dict) -> DraftSafetyRules:
    """The ``[draft_safety]`` section (see :mod:`rules.draft_safety`); errors name the key."""
    unknown = set(section) - set(_DRAFT_SAFETY_KEYS)
    if unknown:
        raise ld.fail("draft_safety", f"unknown key(s) {sorted(unknown)}")
    missing = [k for k in _DRAFT_SAFETY_KEYS if k not in section and k != "not_instructions"]
    if missing:
        raise ld.fail("draft_safety", f"missing key(s) {missing}")
    sizes = {}
    for key in ("min_words", "min_quoted_words"):
        val = section[key]
        if not isinstance(val, int) or isinstance(val, bool) or val < 2:
            raise ld.fail(f"draft_safety.{key}", "must be a whole number >= 2")
        sizes[key] = val

    def fixed(key: str) -> tuple[str, Severity, str]:
        entry = ld.table(section, key, f"draft_safety.{key}")
        rid, sev, msg, _ = ld.common(entry, f"draft_safety.{key}", "draft_safety", set())
        return rid, sev, msg

    account = ld.regexes(section, "account_words", "draft_safety", required=True, flags=_FLAGS)
    for i, rx in enumerate(account):
        if "number" not in rx.groupindex:
            raise ld.fail("draft_safety", f"account_words[{i}] needs a (?P<number>...) group")
    requests = section["requests"]
    if not isinstance(requests, list) or not requests or not all(isinstance(e, dict) for e in requests):
        raise ld.fail("draft_safety.requests", "must be a non-empty array of tables ([[draft_safety.requests]])")
    return DraftSafetyRules(
        payment=fixed("payment_identifier"),
        contact=fixed("contact_detail"),
        copied=fixed("copied_instruction"),
        account_words=account,
        card_words=ld.regexes(section, "card_words", "draft_safety", required=True, flags=_FLAGS),
        requests=tuple(
            ld.pattern_rule(e, f"draft_safety.requests[{i}]", "draft_safety", "draft") for i, e in enumerate(requests)
        ),
        cues=ld.regexes(section, "cues", "draft_safety", required=True, flags=_FLAGS),
        not_instructions=ld.regexes(section, "not_instructions", "draft_safety", required=False, flags=_FLAGS),
        min_words=sizes["min_words"],
        min_quoted_words=sizes["min_quoted_words"],
    )


@functools.lru_cache(maxsize=1)
def shipped_draft_safety() -> DraftSafetyRules:
    """The ``[draft_safety]`` section of the shipped pack: a pack without one gets these checks
    (an older custom pack never silently loses them)."""
    data = tomllib.loads(DEFAULT_PACK_PATH.read_text(encoding="utf-8"))
    return _draft_safety(_Loader(DEFAULT_PACK_PATH), data["draft_safety"])


#: The pack that ships with draftguard (``[policy] pack`` in the config points here by default).
DEFAULT_PACK_PATH = Path(__file__).with_name("policy_pack.toml")
