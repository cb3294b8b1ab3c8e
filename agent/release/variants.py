"""Variants: what each one resolves to, and the one place an item's variant is chosen.

:meth:`VariantSet.choose` is called once per item by :meth:`agent.stages.analyse.Analyser.prepare`
(before the prompt is rendered, so before drafting) with the item's conversation key
(:func:`conversation_key`: the source and the message's thread, the key the runners keep
conversations in order by). The chosen :class:`Variant` travels in ``Prepared`` → ``Drafted`` →
``Analysis`` to the recorder, which writes it on the draft (``draft_provenance``), in the
``drafted`` audit event, and its prompt, pack and model configuration in the registry.

Which variant: the conversation's bucket (:func:`agent.release.assign.bucket`, salted with
``[release] salt``) falls in a variant's slice (its ``share``), else the default. The default and
the stopped variants come from the database (``variant_events``, replayed by
:func:`storage.release.release_state`) through ``state_reader``, read again at most every
``[release] state_refresh_seconds``; without a reader (tests, ``draft --dry-run`` without a
database) the config's default is used and nothing is stopped.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from agent.config import ModelConfig, Settings
from agent.drafting import Drafter
from agent.errors import ConfigError
from agent.models import InboundMessage
from agent.prompts import TEMPLATE_ROOT, template_hash
from agent.release.assign import bucket, pick
from agent.release.config import VariantConfig
from rules.policy import PolicyPack, load_policy_pack

#: (default, stopped variants) of the variant set, as the database says
StateReader = Callable[[], tuple[str, frozenset[str]]]
#: builds a drafter for a model configuration (the composition root's, with the shared limits)
DrafterFactory = Callable[[ModelConfig], Drafter]


def conversation_key(msg: InboundMessage) -> str:
    """The key a variant is chosen by: ``source NUL thread key`` (Graph ``conversationId``,
    Salesforce case id, else the root of ``References``; :attr:`InboundMessage.thread_key`), the
    same key the runners order conversations by, so every message of a thread gets one variant."""
    return f"{msg.source}\x00{msg.thread_key}"


def _sha(text: str | bytes) -> str:
    return hashlib.sha256(text if isinstance(text, bytes) else text.encode("utf-8")).hexdigest()


@dataclass
class Variant:
    """One resolved variant. ``prompt_template``: the prompt id rendered; ``drafter``: who
    drafts; ``policy``: the pack that checks; ``model_config``: the model settings as recorded
    in the registry (no secrets: endpoint host, model name, temperature, drafter kind)."""

    name: str
    salt: str
    prompt_template: str
    drafter: Drafter
    policy: PolicyPack
    model_config: dict
    _texts: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def model_json(self) -> str:
        """The model configuration as canonical JSON (the registry's content)."""
        return json.dumps(self.model_config, sort_keys=True, separators=(",", ":"))

    @property
    def model_sha256(self) -> str:
        """sha256 of :attr:`model_json`."""
        return _sha(self.model_json)

    def prompt_text(self, sha256: str | None = None) -> tuple[str, str] | None:
        """(sha256, full text) of the prompt template file: the text whose hash is ``sha256``
        (the one a draft recorded) when it is still known, else None; without ``sha256`` the
        file as it is now. Texts once read are kept for the process, so a template edited
        after an item rendered it still yields the text that item used."""
        with self._lock:
            if sha256 is not None and sha256 in self._texts:
                return sha256, self._texts[sha256]
            raw = (TEMPLATE_ROOT / f"{self.prompt_template}.j2").read_bytes()
            now = _sha(raw)
            self._texts[now] = raw.decode("utf-8")
            if sha256 is not None and sha256 != now:
                return None
            return now, self._texts[now]

    def pack_text(self) -> str:
        """The policy pack file's text (its hash is ``policy.sha256``)."""
        with self._lock:
            key = f"pack:{self.policy.sha256}"
            if key not in self._texts:
                raw = Path(self.policy.path).read_bytes()
                if _sha(raw) != self.policy.sha256:
                    raise ConfigError(f"policy pack {self.policy.path} changed since it was loaded; restart to load it", key="policy.pack")
                self._texts[key] = raw.decode("utf-8")
            return self._texts[key]


def definition_fingerprint(settings: Settings, name: str) -> str:
    """sha256 of variant ``name``'s definition: its prompt template file's hash, its policy
    pack file's hash and its model settings (drafter kind, model name, temperature; not the
    endpoint, so the evaluation against the local scripted model vouches for the same
    definition). What the evaluation gate vouches for: a changed prompt, pack or model needs a
    new gate run. KeyError for an unknown variant; ConfigError for a missing file."""
    vc = settings.release.variant(name)
    prompt_id = vc.prompt_template or settings.model.prompt_template
    pack = settings.resolve(vc.policy_pack) if vc.policy_pack is not None else settings.policy_pack_path()
    if not pack.is_file():
        raise ConfigError(f"{pack}: no policy pack there (variant {name!r})", key="release.variants.policy_pack")
    model = {
        "drafter": vc.drafter,
        "model": vc.model or settings.model.name,
        "temperature": vc.temperature if vc.temperature is not None else settings.model.temperature,
    }
    try:
        prompt_sha = template_hash(prompt_id)
    except ConfigError:
        if vc.prompt_template is None:  # the [model] template itself
            raise
        raise ConfigError(f"variant {name!r}: no prompt template {prompt_id!r} (agent/prompt_templates/{prompt_id}.j2)", key="release.variants") from None
    return _sha(json.dumps([prompt_sha, _sha(pack.read_bytes()), model], sort_keys=True))


class VariantSet:
    """The configured variants (``[release]``) resolved against the base drafter and pack.

    ``make_drafter`` builds a drafter for a variant that overrides the model name or
    temperature (None: such a variant is a :class:`ConfigError`). Thread-safe."""

    def __init__(
        self,
        settings: Settings,
        *,
        drafter: Drafter,
        policy: PolicyPack,
        make_drafter: DrafterFactory | None = None,
        state_reader: StateReader | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.cfg = settings.release
        self._base_drafter = drafter
        self._base_policy = policy
        self._make_drafter = make_drafter
        self._reader = state_reader
        self._clock = clock
        self._lock = threading.Lock()
        self._variants: dict[str, Variant] = {}
        self._state: tuple[str, frozenset[str]] | None = None
        self._state_at = 0.0
        self._forced: str | None = None
        for name in self.cfg.names():  # resolve every variant now: a bad override fails at start
            self.get(name)

    # ------------------------------------------------------------------ resolution
    def get(self, name: str) -> Variant:
        """The resolved variant ``name``. KeyError for an unknown name; ConfigError for a model
        override without a drafter factory or a missing pack file."""
        with self._lock:
            v = self._variants.get(name)
            if v is None:
                v = self._variants[name] = self._resolve(self.cfg.variant(name))
            return v

    def _resolve(self, vc: VariantConfig) -> Variant:
        base = self.settings.model
        model_cfg = base.model_copy(update={k: val for k, val in (("name", vc.model), ("temperature", vc.temperature)) if val is not None})
        templates = self._base_drafter.templates
        if vc.drafter == "template":
            drafter = Drafter(None, templates)
        elif (vc.model is None and vc.temperature is None) or self._base_drafter.model is None:
            drafter = self._base_drafter  # same endpoint and settings: share its circuit breaker
        elif self._make_drafter is None:
            raise ConfigError(f"variant {vc.name!r} overrides the model but this process cannot build a model client", key="release.variants")
        else:
            drafter = self._make_drafter(model_cfg)
        if vc.policy_pack is not None:
            path = self.settings.resolve(vc.policy_pack)
            if not path.is_file():
                raise ConfigError(f"{path}: no policy pack there (variant {vc.name!r})", key="release.variants.policy_pack")
            policy = load_policy_pack(path)
        else:
            policy = self._base_policy
        prompt_template = vc.prompt_template or base.prompt_template
        definition_fingerprint(self.settings, vc.name)  # ConfigError for an unknown template or pack, at start
        uses_model = drafter.model is not None
        host = urlsplit(base.base_url).netloc if uses_model else ""
        model_config = {
            "drafter": "model" if uses_model else "template",
            "endpoint_host": host,
            "model": getattr(drafter.model, "model", None) if uses_model else None,
            "temperature": model_cfg.temperature if uses_model else None,
            "template_drafter": templates.model,
        }
        return Variant(vc.name, self.cfg.salt, prompt_template, drafter, policy, model_config)

    # ------------------------------------------------------------------ state and choice
    def force(self, name: str | None) -> None:
        """Give every item ``name`` (``main.py eval --variant``); None ends it. KeyError for an
        unknown name."""
        if name is not None:
            self.get(name)
        self._forced = name

    def state(self) -> tuple[str, frozenset[str]]:
        """(default, stopped) now: from the state reader (cached for
        ``state_refresh_seconds``), else the config's default with nothing stopped."""
        if self._reader is None:
            return self.cfg.default_name(), frozenset()
        now = self._clock()
        with self._lock:
            if self._state is not None and now - self._state_at < self.cfg.state_refresh_seconds:
                return self._state
        state = self._reader()
        with self._lock:
            self._state, self._state_at = state, now
        return state

    def invalidate(self) -> None:
        """Forget the cached state (the next choice reads it again)."""
        with self._lock:
            self._state = None

    def shares(self) -> list[tuple[str, float]]:
        """(name, configured share) in config order."""
        return [(v.name, v.share) for v in self.cfg.variants]

    def choose(self, key: str) -> Variant:
        """The variant for the conversation ``key`` (:func:`conversation_key`): the forced one,
        else the one whose slice holds the key's bucket (not stopped), else the default."""
        if self._forced is not None:
            return self.get(self._forced)
        default, stopped = self.state()
        if not self.cfg.variants:
            return self.get(default)
        return self.get(pick(bucket(key, self.cfg.salt), self.shares(), default, stopped))
