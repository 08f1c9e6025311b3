"""This process's caches, each bounded by an approximate size in bytes, not a count.

A count bounds nothing when one entry can be a kilobyte or a hundred megabytes (an inbox
whose cases carry a long text is as large as those texts). Each cache here is a
least-recently-used :class:`cachetools.LRUCache` whose ``maxsize`` is a number of bytes
and whose entries are weighed once, when stored, by a function that estimates what the
entry keeps alive (:func:`text_bytes` and the like: ``sys.getsizeof`` of the texts, plus
a measured overhead per object). An entry larger than its whole budget is not kept.

``ALUR_CACHE_MB`` (default 64) is what the caches of one process may hold in all, in MiB;
:func:`configure` (called when the web app is created) shares it out:

========================  =====  ============================================================
cache                     share  holds
========================  =====  ============================================================
``inboxes``               1/2    each person's inbox, per office (:mod:`alur.tenants.cases.inbox`)
``definitions``           1/4    parsed pinned SOP definitions (:mod:`alur.tenants.cases.store`)
``graphql_documents``     1/8    parsed and validated GraphQL documents (alur.graphql)
``sop_documents``         1/8    rendered SOP documents for the case page (alur.web)
========================  =====  ============================================================

Caches that live for one request (a service's contexts, a GraphQL request's loaders) are
not here: they go with their request.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

from cachetools import LRUCache

from alur.core.errors import N_, AlurError

MIB = 1024 * 1024
DEFAULT_MB = 64
MIN_MB, MAX_MB = 8, 65536

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ALL: list[ByteBoundedCache] = []
_total = DEFAULT_MB * MIB  # as configured (caches created later take their share of it)


class CacheConfigError(AlurError):
    code = "cache_config"
    template = N_(
        "ALUR_CACHE_MB {value!r} is not usable: give what the caches of one process may hold, "
        "in MiB, as a whole number from {low} to {high} (default {default})"
    )


class ByteBoundedCache(Generic[K, V]):
    """The most recently used entries, at most ``share`` of the process's budget in bytes,
    each weighing ``weigh(value)`` bytes."""

    def __init__(self, name: str, share: float, weigh: Callable[[V], int]) -> None:
        self.name = name
        self.share = share
        self.weigh = weigh
        self._lru: LRUCache[K, V] = LRUCache(max(1, int(_total * share)), getsizeof=weigh)
        _ALL.append(self)

    @property
    def budget(self) -> int:
        """The most this cache holds, in (estimated) bytes."""
        return int(self._lru.maxsize)

    @property
    def size(self) -> int:
        """What it holds now, in (estimated) bytes."""
        return int(self._lru.currsize)

    def __len__(self) -> int:
        return len(self._lru)

    def get(self, key: K) -> V | None:
        return self._lru.get(key)

    def put(self, key: K, value: V) -> None:
        """Keep ``value`` under ``key`` (instead of what was there), making room by dropping
        the least recently used entries; a value larger than the budget is not kept."""
        if self.weigh(value) > self._lru.maxsize:
            self._lru.pop(key, None)
            return
        self._lru[key] = value

    def pop(self, key: K) -> None:
        self._lru.pop(key, None)

    def clear(self) -> None:
        self._lru.clear()

    def resize(self, total_bytes: int) -> None:
        """Take this cache's share of ``total_bytes`` (emptying it)."""
        self._lru = LRUCache(max(1, int(total_bytes * self.share)), getsizeof=self.weigh)


def all_caches() -> tuple[ByteBoundedCache, ...]:
    return tuple(_ALL)


def budget_mb(environ: Mapping[str, str] | None = None) -> int:
    """``ALUR_CACHE_MB``: what this process's caches may hold in all, in MiB."""
    env = os.environ if environ is None else environ
    raw = env.get("ALUR_CACHE_MB", "").strip() or str(DEFAULT_MB)
    if not raw.isdigit() or not MIN_MB <= int(raw) <= MAX_MB:
        raise CacheConfigError(value=raw, low=MIN_MB, high=MAX_MB, default=DEFAULT_MB)
    return int(raw)


def configure(environ: Mapping[str, str] | None = None) -> None:
    """Size every cache of this process from ``ALUR_CACHE_MB`` (emptying them)."""
    global _total
    _total = budget_mb(environ) * MIB
    for cache in _ALL:
        cache.resize(_total)


# --- weighing ------------------------------------------------------------------------------

OBJECT_BYTES = 64  # a small object without its attributes' values (slots or a compact dict)


def text_bytes(*texts: str | None) -> int:
    """What the texts take in memory (each counted, even when shared with another entry:
    an estimate that errs on the large side)."""
    return sum(sys.getsizeof(t) for t in texts if t is not None)
