"""Explorer results in flask-caching, keyed by plain strings, surviving a cache that is down.

Keys carry a generation token that every import replaces, so an import invalidates what it
changed without tracking positions. The token is stored without expiry and is a fresh
random value each time, never a counter: if the cache loses it (expiry, eviction, pruning)
a new token is drawn, and answers cached under an earlier one can never come back. When the cache server is unreachable the explorer
answers uncached and logs one warning, then retries the cache after a pause.

Every key, the generation's too, starts with the database's store id (webapp.db.store):
two databases behind one cache folder or Redis database never see each other's answers.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from webapp.extensions import cache

T = TypeVar("T")
log = logging.getLogger(__name__)

GENERATION_KEY = "generation"
RETRY_AFTER_S = 5.0
_MISSING = object()


class _Health:
    """Whether the cache answered last time; process-wide, holds no user data."""

    down_since: float | None = None
    warned: bool = False


def _usable() -> bool:
    if _Health.down_since is None:
        return True
    return time.monotonic() - _Health.down_since > RETRY_AFTER_S


def _failed(error: Exception) -> None:
    _Health.down_since = time.monotonic()
    if not _Health.warned:
        log.warning("cache unavailable, answering uncached until it returns: %s", error)
        _Health.warned = True


def _recovered() -> None:
    if _Health.down_since is not None:
        log.warning("cache reachable again")
    _Health.down_since = None
    _Health.warned = False


def cache_get(key: str) -> object:
    """The cached value, or _MISSING (also when the cache is down)."""
    if not _usable():
        return _MISSING
    try:
        boxed = cache.get(key)
    except Exception as error:  # noqa: BLE001 - any backend failure means "uncached"
        _failed(error)
        return _MISSING
    _recovered()
    if not isinstance(boxed, tuple) or len(boxed) != 1:  # absent, or not written by us
        return _MISSING
    return boxed[0]


def cache_set(key: str, value: object, timeout: int | None = None) -> None:
    """Store value under key (timeout None: the configured default; 0: no expiry)."""
    if not _usable():
        return
    try:
        cache.set(key, (value,), timeout=timeout)  # boxed: None and empty results cache too
    except Exception as error:  # noqa: BLE001
        _failed(error)


def _new_generation() -> str:
    return uuid.uuid4().hex[:16]


def store_prefix() -> str:
    """The key prefix of the current app's database: 'explorer:<store id>'."""
    from webapp.db.store import store_id
    from webapp.extensions import db

    return f"explorer:{store_id(db.engine)}"


def generation() -> str:
    """The current generation token; draws and stores a new one when the cache has none."""
    key = f"{store_prefix()}:{GENERATION_KEY}"
    value = cache_get(key)
    if value is _MISSING:
        value = _new_generation()
        cache_set(key, value, timeout=0)
    return str(value)


def bump_generation() -> None:
    """Invalidate every cached explorer answer of this database (called after an import lands)."""
    cache_set(f"{store_prefix()}:{GENERATION_KEY}", _new_generation(), timeout=0)


def memoized(key: str, compute: Callable[[], T]) -> T:
    """compute() through the cache under `key`, this database and the current generation."""
    full_key = f"{store_prefix()}:{generation()}:{key}"
    value = cache_get(full_key)
    if value is not _MISSING:
        return value  # type: ignore[return-value]
    result = compute()
    cache_set(full_key, result)
    return result


def cache_reachable() -> bool:
    """Whether the cache answers a round trip right now (for /health)."""
    try:
        cache.set("health:ping", (1,))
        return cache.get("health:ping") == (1,)
    except Exception:  # noqa: BLE001
        return False
