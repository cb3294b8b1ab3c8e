"""Deterministic variant assignment: a conversation's bucket in [0, 1) and the variant it falls in.

``bucket(key, salt)`` is the first 8 bytes of ``sha256(salt NUL key)`` read as an unsigned
integer over 2**64: uniform for any keys, the same on every process and machine (unlike
Python's salted ``hash``), and independent between variant sets with different salts. The same
conversation key always lands in the same bucket, so a thread never flips while the variant set
is unchanged. Each variant owns the slice ``[start, start + share)``, in config order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

_SCALE = float(2**64)


def bucket(key: str, salt: str) -> float:
    """The bucket of ``key`` under ``salt``: a float in [0, 1)."""
    digest = hashlib.sha256(salt.encode("utf-8") + b"\x00" + key.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def pick(u: float, shares: Iterable[tuple[str, float]], default: str, stopped: frozenset[str] | set[str] = frozenset()) -> str:
    """The variant of bucket ``u``: the variant whose slice holds ``u`` (slices in the order of
    ``shares``, each ``share`` wide), unless it is stopped; ``default`` when no slice holds it."""
    start = 0.0
    for name, share in shares:
        if share > 0 and start <= u < start + share:
            return default if name in stopped else name
        start += share
    return default
