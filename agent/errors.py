"""One hierarchy of draftguard errors, so callers can catch at the level they care about.

Every error names the input it is about and what is wrong with it. ``transient``
tells the pipeline whether a retry with backoff may help (network faults,
throttling) or whether the item must go straight to quarantine (bad input).
"""

from __future__ import annotations


class DraftguardError(Exception):
    """Base class. ``transient`` is True when a retry may succeed."""

    transient: bool = False


class ConfigError(DraftguardError):
    """The config file is missing, unreadable or invalid.

    ``key`` is the dotted path of the offending key (``"model.timeout_seconds"``) or
    ``None`` when the whole file is at fault.
    """

    def __init__(self, message: str, *, key: str | None = None, path: str | None = None):
        self.key = key
        self.path = path
        where = f"{path}: " if path else ""
        what = f"{key}: " if key else ""
        super().__init__(f"{where}{what}{message}")


class BadInputError(DraftguardError):
    """An inbound item cannot be processed as it is (unparseable MIME, empty or huge body).

    Never transient: the item is quarantined with this message.
    """

    def __init__(self, item: str, problem: str):
        self.item = item
        self.problem = problem
        super().__init__(f"{item}: {problem}")


class SourceError(DraftguardError):
    """A source system (Maildir, Graph, Salesforce) failed to answer as expected."""

    def __init__(self, source: str, problem: str, *, transient: bool = False):
        self.source = source
        self.transient = transient
        super().__init__(f"{source}: {problem}")


class SourceThrottledError(SourceError):
    """The source's API refused work for a while (Salesforce ``REQUEST_LIMIT_EXCEEDED``, Graph 429
    after the client's retries). The pipeline pauses the whole source until ``until`` (an aware
    UTC datetime), leaves the item pending (never quarantined) and delivers it automatically once
    the pause is over. ``until`` is the server's Retry-After, or the connector's configured pause.
    ``reason`` is the cause in a few words without the end time (``"REQUEST_LIMIT_EXCEEDED on create
    EmailMessage"``), shown in the one-line pause notice; it defaults to ``problem``."""

    def __init__(self, source: str, problem: str, *, until, reason: str | None = None):
        self.until = until
        self.reason = reason or problem
        super().__init__(source, problem, transient=False)


class RedactionError(DraftguardError):
    """The PII analyzer could not run. The item must not go to any model (fail closed)."""


class DrafterError(DraftguardError):
    """The model endpoint failed or answered with something unusable."""

    def __init__(self, problem: str, *, transient: bool = True):
        self.transient = transient
        super().__init__(problem)


class DeliveryError(DraftguardError):
    """Writing the draft (Drafts folder, case) failed."""

    def __init__(self, target: str, problem: str, *, transient: bool = False):
        self.target = target
        self.transient = transient
        super().__init__(f"{target}: {problem}")


class NotifyError(DraftguardError):
    """A reviewer notification could not be delivered (kept and retried later)."""

    transient = True


class PolicyPackError(DraftguardError):
    """The policy pack file is invalid; names the file and the entry at fault."""


class AuditChainError(DraftguardError):
    """The audit chain failed verification; ``seq`` is the first broken link."""

    def __init__(self, seq: int, problem: str):
        self.seq = seq
        super().__init__(f"audit event seq={seq}: {problem}")


class StorageError(DraftguardError):
    """The database cannot be opened: bad URL, missing driver, server down, or (for read-only
    commands) no database yet. The message names the URL with its password hidden."""


class StorageFullError(StorageError):
    """The database refused a write because its disk (or quota) is full: SQLite ``SQLITE_FULL``
    ("database or disk is full"), PostgreSQL SQLSTATE ``53100`` (disk_full). Raised in place of
    the driver error by :mod:`storage.db` for every statement and commit; it ends a run (exit 4)
    instead of quarantining items, whose work is rolled back and retried by the next run."""
