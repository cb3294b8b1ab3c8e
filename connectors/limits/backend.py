"""One limits backend per process: where the shared limiters keep their state.

``[limits] backend``:

* ``"memory"`` (default): state in this process; every thread and every connector built from
  the same config shares it. Right for one process (``[limits] concurrency`` threads).
* ``"redis"``: state in Redis, shared by every process and machine that points at the same
  server and ``namespace`` (Celery workers, several schedulers in tests). The URL is
  ``DRAFTGUARD_REDIS_URL`` when set, else ``[limits] redis_url``, else
  ``redis://127.0.0.1:6379/0`` (the server on this machine; see docs/limits.md).

:func:`backend_for` returns the process-wide backend for a config (built once per
(kind, URL, namespace)); tests build private ones with :class:`LimitsBackend` directly.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit, urlunsplit

from limits.storage import MemoryStorage

from connectors.limits.model_rate import MemoryState, ModelRateLimiter
from connectors.limits.slots import MemorySlots, RedisLeaseSlots

if TYPE_CHECKING:
    from agent.config import LimitsConfig, ModelConfig

DEFAULT_NAMESPACE = "draftguard"
DEFAULT_MAX_WAIT_SECONDS = 120.0

# pause end (epoch s) raised only when later; PX so a stale pause disappears by itself
_EXTEND_PAUSE = """
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
"""


def safe_redis_url(url: str) -> str:
    """``url`` without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class RedisState:
    """:class:`connectors.limits.model_rate.SharedState` in Redis: ``<ns>:model:<key>:pause``
    (epoch seconds as text) and ``<ns>:model:<key>:debt`` (an integer)."""

    def __init__(self, client, namespace: str, key: str, window_seconds: int):
        self.client = client
        self._pause = f"{namespace}:model:{key}:pause"
        self._debt = f"{namespace}:model:{key}:debt"
        self._window = window_seconds
        self._extend = client.register_script(_EXTEND_PAUSE)

    def pause_until(self) -> float:
        value = self.client.get(self._pause)
        return float(value) if value else 0.0

    def extend_pause(self, until: float) -> None:
        ttl_ms = max(1, int((until - time.time()) * 1000) + 1000)
        self._extend(keys=[self._pause], args=[repr(until), ttl_ms])

    def add_debt(self, tokens: int) -> None:
        pipe = self.client.pipeline()
        pipe.incrby(self._debt, int(tokens))
        pipe.expire(self._debt, 2 * self._window)
        pipe.execute()

    def take_debt(self) -> int:
        value = self.client.getdel(self._debt)
        return max(0, int(value)) if value else 0


class LimitsBackend:
    """The limiters of one store. ``kind`` "memory" or "redis"; ``redis_url`` for "redis";
    ``namespace`` prefixes every Redis key (tests use a random one); ``max_wait_seconds`` bounds
    any one wait; ``model_window_seconds`` is the window of the per-minute model limits (60; tests
    shorten it). Raises ``ValueError`` for an unknown kind."""

    def __init__(
        self,
        kind: Literal["memory", "redis"] = "memory",
        *,
        redis_url: str = "redis://127.0.0.1:6379/0",
        namespace: str = DEFAULT_NAMESPACE,
        max_wait_seconds: float = DEFAULT_MAX_WAIT_SECONDS,
        model_window_seconds: int = 60,
    ):
        if kind not in ("memory", "redis"):
            raise ValueError(f"limits backend must be 'memory' or 'redis', not {kind!r}")
        self.kind = kind
        self.namespace = namespace
        self.max_wait_seconds = max_wait_seconds
        self.model_window_seconds = model_window_seconds
        self.url = safe_redis_url(redis_url) if kind == "redis" else "memory://"
        self._lock = threading.Lock()
        self._model: dict[str, ModelRateLimiter] = {}
        self._states: dict[str, MemoryState] = {}
        if kind == "redis":
            import redis
            from limits.storage import RedisStorage

            self.client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
            self.storage = RedisStorage(redis_url, key_prefix=f"{namespace}:limits",
                                        socket_timeout=5, socket_connect_timeout=5)
            self.slots: MemorySlots | RedisLeaseSlots = RedisLeaseSlots(
                self.client, namespace=namespace, max_wait_seconds=max_wait_seconds, url=self.url
            )
        else:
            self.client = None
            self.storage = MemoryStorage()
            self.slots = MemorySlots(max_wait_seconds=max_wait_seconds)

    def model_limiter(self, cfg: ModelConfig) -> ModelRateLimiter:
        """The limiter of the endpoint ``cfg`` names (``base_url`` + model ``name``), built once
        per backend; its limits are ``cfg.requests_per_minute`` / ``cfg.tokens_per_minute``."""
        key = f"{cfg.base_url.rstrip('/')}|{cfg.name}"
        rpm = getattr(cfg, "requests_per_minute", None)
        tpm = getattr(cfg, "tokens_per_minute", None)
        cache_key = f"{key}|{rpm}|{tpm}"
        with self._lock:
            limiter = self._model.get(cache_key)
            if limiter is None:
                state = (RedisState(self.client, self.namespace, key, self.model_window_seconds)
                         if self.kind == "redis" else self._memory_state(key))
                limiter = self._model[cache_key] = ModelRateLimiter(
                    storage=self.storage,
                    state=state,
                    key=key,
                    requests_per_window=rpm,
                    tokens_per_window=tpm,
                    max_wait_seconds=self.max_wait_seconds,
                    window_seconds=self.model_window_seconds,
                    store_url=self.url,
                )
            return limiter

    def _memory_state(self, key: str) -> MemoryState:
        return self._states.setdefault(key, MemoryState())


_REGISTRY: dict[tuple[str, str, str, float], LimitsBackend] = {}
_REGISTRY_LOCK = threading.Lock()


def backend_for(cfg: LimitsConfig | None = None) -> LimitsBackend:
    """The process-wide backend for ``cfg`` (``None``: the default in-memory one)."""
    if cfg is None:
        kind, url, namespace, max_wait = "memory", "", DEFAULT_NAMESPACE, DEFAULT_MAX_WAIT_SECONDS
    else:
        kind, namespace, max_wait = cfg.backend, cfg.namespace, cfg.max_wait_seconds
        url = cfg.resolved_redis_url() if kind == "redis" else ""
    key = (kind, url, namespace, max_wait)
    with _REGISTRY_LOCK:
        backend = _REGISTRY.get(key)
        if backend is None:
            kwargs = {"redis_url": url} if kind == "redis" else {}
            backend = _REGISTRY[key] = LimitsBackend(kind, namespace=namespace, max_wait_seconds=max_wait, **kwargs)
        return backend
