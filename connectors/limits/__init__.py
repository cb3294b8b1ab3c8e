"""Limits of outside systems that must hold however many items run at once (issue 12).

* :mod:`.model_rate`: the model endpoint's requests and tokens per minute (``[model]
  requests_per_minute``, ``tokens_per_minute``) and shared pauses after a 429 (every caller
  waits, not only the one that got it). Wired into the HTTP client of
  ``connectors/llm_openai.py``, so every request that leaves, retries included, passes it.
* :mod:`.slots`: at most 4 Graph requests in flight per app and mailbox (Microsoft Graph's
  Outlook service limit), used by ``connectors/outlook/auth.py: GraphConnection``.
* :mod:`.backend`: where their state lives (``[limits] backend = "memory" | "redis"``): one
  process's threads, or every process and machine on one Redis.

Setup and guarantees: docs/limits.md.
"""

from connectors.limits.backend import LimitsBackend, backend_for
from connectors.limits.errors import LimitError, LimitStoreUnavailable, LimitWaitTooLong

__all__ = ["LimitError", "LimitStoreUnavailable", "LimitWaitTooLong", "LimitsBackend", "backend_for"]
