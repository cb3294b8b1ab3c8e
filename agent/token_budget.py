"""The prompt's token budget per model, counted offline (issue 14).

Tokens are counted with the model's own BPE encoding through ``tiktoken``, built from the
vocabularies vendored in ``agent/tokenizer_data/`` (checked against the sha256 tiktoken pins;
see the README there): nothing is downloaded at run time, unlike ``tiktoken.get_encoding``,
which fetches its files on first use.

:func:`fit_prompt` renders a prompt that fits ``budget - reserve`` tokens (system + user
messages): the client's latest text always stays; knowledge snippets are kept in rank order and
thread history newest first; what does not fit is cut, oldest message first, lowest-ranked
snippet first; when even the latest text alone is too long it is shortened at the end. The
:class:`BudgetReport` (budget, tokens used, what was cut) is recorded on the draft.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import tiktoken

from agent.models import Prompt

DATA = Path(__file__).parent / "tokenizer_data"

# From tiktoken_ext/openai_public.py (tiktoken 0.14, MIT): the pre-tokeniser patterns, special
# tokens and the sha256 of each vocabulary file.
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PAT = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
ENCODINGS: dict[str, tuple[str, str, str, dict[str, int]]] = {
    "o200k_base": ("o200k_base.tiktoken.gz", "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", _O200K_PAT,
                   {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}),
    "cl100k_base": ("cl100k_base.tiktoken.gz", "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", _CL100K_PAT,
                    {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260,
                     "<|endofprompt|>": 100276}),
}
# Model name prefixes → encoding (tiktoken's model.py table, the families this project configures).
# Anything else is counted with o200k_base (the encoding of every current OpenAI chat model).
_MODEL_PREFIXES = (("gpt-4o", "o200k_base"), ("gpt-4.1", "o200k_base"), ("gpt-4.5", "o200k_base"), ("gpt-5", "o200k_base"),
                   ("o1", "o200k_base"), ("o3", "o200k_base"), ("o4", "o200k_base"), ("gpt-4", "cl100k_base"),
                   ("gpt-3.5", "cl100k_base"))
MESSAGE_OVERHEAD_TOKENS = 8  # per-message framing of the chat format (two messages), counted on top of the text


_built: dict[str, tiktoken.Encoding] = {}
_build_lock = threading.Lock()  # one build per encoding, however many threads ask first


def _build_encoding(name: str) -> tiktoken.Encoding:
    """Read, check and build the encoding ``name`` from its vendored file (about a second for
    o200k_base). Raises KeyError for an unknown name, ValueError when the file's hash is wrong."""
    filename, sha, pat, special = ENCODINGS[name]
    raw = gzip.decompress((DATA / filename).read_bytes())
    if hashlib.sha256(raw).hexdigest() != sha:
        raise ValueError(f"{DATA / filename}: sha256 does not match tiktoken's pinned hash for {name}")
    ranks = {base64.b64decode(tok): int(rank) for tok, rank in (line.split() for line in raw.splitlines() if line)}
    return tiktoken.Encoding(name, pat_str=pat, mergeable_ranks=ranks, special_tokens=special)


def encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken :class:`~tiktoken.Encoding` ``name`` (``"o200k_base"``, ``"cl100k_base"``) from the
    vendored file, built once per process: threads asking together for one not built yet wait for
    a single build (under a lock), later calls take no lock. Raises KeyError for another name,
    ValueError when the file's hash is wrong (nothing is kept then: the next call tries again)."""
    enc = _built.get(name)
    if enc is None:
        with _build_lock:
            enc = _built.get(name)
            if enc is None:
                enc = _built[name] = _build_encoding(name)
    return enc


def clear_encodings() -> None:
    """Forget the built encodings (tests: the next :func:`encoding` call builds again)."""
    with _build_lock:
        _built.clear()


def encoding_name_for(model: str) -> str:
    """The encoding of ``model`` (``"gpt-4o-mini"`` → ``"o200k_base"``, ``"gpt-4"`` → ``"cl100k_base"``)."""
    m = (model or "").lower().rpartition("/")[2]
    for prefix, enc in _MODEL_PREFIXES:
        if m.startswith(prefix):
            return enc
    return "o200k_base"


def count_tokens(text: str, model: str) -> int:
    """Tokens of ``text`` in ``model``'s encoding (special-token text counted as ordinary text)."""
    return len(encoding(encoding_name_for(model)).encode_ordinary(text or ""))


def prompt_tokens(prompt: Prompt, model: str) -> int:
    """Tokens of a prompt's two messages, with :data:`MESSAGE_OVERHEAD_TOKENS` for their framing."""
    return count_tokens(prompt.system, model) + count_tokens(prompt.user, model) + MESSAGE_OVERHEAD_TOKENS


@dataclass
class BudgetReport:
    """What :func:`fit_prompt` did: ``budget`` (tokens for the prompt and the answer), ``reserve``
    (kept for the answer), ``used`` (prompt tokens), the thread messages given / kept (newest
    kept), the snippet ids given / cut, ``latest_truncated`` (the client's text was shortened)."""

    model: str
    encoding: str
    budget: int
    reserve: int
    used: int = 0
    thread_total: int = 0
    thread_kept: int = 0
    snippets_total: int = 0
    snippets_cut: list[str] = field(default_factory=list)
    latest_truncated: bool = False

    @property
    def thread_cut(self) -> int:
        """Thread messages left out (the oldest)."""
        return self.thread_total - self.thread_kept

    def as_record(self) -> dict:
        """A JSON-ready dict for the draft row and the audit event (counts and ids, no text)."""
        return {**asdict(self), "thread_cut": self.thread_cut}


Render = Callable[[list[str], list, str], Prompt]


def fit_prompt(render: Render, *, thread: list[str], snippets: list, latest_text: str, model: str, budget: int, reserve: int) -> tuple[Prompt, BudgetReport]:
    """Render a prompt within ``budget - reserve`` tokens of ``model``'s encoding.

    ``render(thread, snippets, latest_text)`` builds the prompt from the parts given; ``thread`` is
    oldest first, ``snippets`` best first (objects with an ``id``). Snippets are kept in rank order
    while they fit in half of what the fixed parts leave, then thread messages newest first, then
    the remaining snippets; then the result is measured and, while still over, the oldest kept
    message and then the lowest kept snippet are dropped; the latest text is shortened last.
    Returns the prompt and the :class:`BudgetReport`. Raises ValueError when ``budget <= reserve``."""
    if budget <= reserve:
        raise ValueError(f"token budget {budget} must exceed the reserve for the answer ({reserve})")
    enc_name = encoding_name_for(model)
    enc = encoding(enc_name)
    limit = budget - reserve
    report = BudgetReport(model=model, encoding=enc_name, budget=budget, reserve=reserve, thread_total=len(thread), snippets_total=len(snippets))

    def cost(p: Prompt) -> int:
        return len(enc.encode_ordinary(p.system)) + len(enc.encode_ordinary(p.user)) + MESSAGE_OVERHEAD_TOKENS

    base = render([], [], latest_text)
    base_cost = cost(base)
    if base_cost > limit:  # the latest text alone is too long: keep its beginning
        report.latest_truncated = True
        tokens = enc.encode_ordinary(latest_text)
        over = base_cost - limit
        latest_text = enc.decode(tokens[: max(0, len(tokens) - over - 16)]) + " […]"
        base = render([], [], latest_text)
        base_cost = cost(base)
    room = limit - base_cost
    s_costs = [len(enc.encode_ordinary(getattr(s, "text", ""))) + 40 for s in snippets]
    t_costs = [len(enc.encode_ordinary(t)) + 4 for t in thread]
    kept_s: list[int] = []
    spent = 0
    for i, c in enumerate(s_costs):  # best snippets first, within half of the room
        if spent + c <= room // 2:
            kept_s.append(i)
            spent += c
    kept_t: list[int] = []
    for i in range(len(thread) - 1, -1, -1):  # newest message first
        if spent + t_costs[i] > room:
            break
        kept_t.append(i)
        spent += t_costs[i]
    for i, c in enumerate(s_costs):  # what room is left goes to the other snippets, in rank order
        if i not in kept_s and spent + c <= room:
            kept_s.append(i)
            spent += c
    while True:
        kept_t.sort()
        kept_s.sort()
        prompt = render([thread[i] for i in kept_t], [snippets[i] for i in kept_s], latest_text)
        used = cost(prompt)
        if used <= limit or not (kept_t or kept_s):
            break
        if kept_t:
            kept_t.pop(0)  # the oldest message goes first
        else:
            kept_s.pop()  # then the lowest-ranked snippet
    report.used = used
    report.thread_kept = len(kept_t)
    report.snippets_cut = [getattr(snippets[i], "id", str(i)) for i in range(len(snippets)) if i not in kept_s]
    return prompt, report
