"""A bounded, least-recently-used cache of compiled networks.

A network is compiled per scope (the rule-set versions of the candidate's and the employer's
gemeente, their regions, national law, and the parameter values), and costs about 0.5-1 MiB
with its durable_rules host. Arbitrary (woongemeente, vestigingsgemeente) pairs would grow an
unbounded cache without limit, so the least recently used network is evicted beyond the cap and
released (its C ruleset freed); it is compiled again when a check needs it.

The cap: the Engine argument `network_cache`, else the environment variable
ARRANGEUR_NETWORK_CACHE, else DEFAULT_CAP. A cap below the networks a workload touches
recompiles on most checks: the benchmark's 5,000 placements over the ~20 gemeenten with rule
sets touch 274 networks, and at a cap of 64 three checks in four compiled a network. 512 keeps
them all and bounds the cache at roughly half a gigabyte (docs/performance.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import LRUCache

from engine.errors import SettingError

DEFAULT_CAP = 512
ENV_VAR = "ARRANGEUR_NETWORK_CACHE"

V = TypeVar("V")


def configured_cap(cap: int | None = None) -> int:
    """The cap asked for, else the environment's, else DEFAULT_CAP; at least 1."""
    if cap is None:
        raw = os.environ.get(ENV_VAR, "").strip()
        if not raw:
            return DEFAULT_CAP
        try:
            cap = int(raw)
        except ValueError:
            raise SettingError(
                f"{ENV_VAR}={raw!r}: verwacht een geheel getal (aantal netwerken), "
                f"bijvoorbeeld {DEFAULT_CAP}"
            ) from None
    if cap < 1:
        raise SettingError(f"de cache voor netwerken moet minstens 1 netwerk bevatten, niet {cap}")
    return cap


class _Evicting(LRUCache):
    """cachetools' LRU, noting what it evicts (released by the caller, outside its lock)."""

    def __init__(self, maxsize: int):
        super().__init__(maxsize)
        self.evicted: list[object] = []

    def popitem(self) -> tuple[object, object]:
        key, value = super().popitem()
        self.evicted.append(value)
        return key, value


class NetworkCache(Generic[V]):
    """key → compiled network, at most `cap` entries; `release` is called on each evicted one."""

    def __init__(self, cap: int | None = None, release: Callable[[V], None] | None = None):
        self.cap = configured_cap(cap)
        self._release = release
        self._items = _Evicting(self.cap)
        self._lock = threading.Lock()  # checks on several threads share one engine
        self.inserts = 0
        self._evictions = 0

    @property
    def evictions(self) -> int:
        return self._evictions

    def get(self, key: str) -> V | None:
        with self._lock:
            value: V | None = self._items.get(key)  # a hit becomes the most recently used
            return value

    def __setitem__(self, key: str, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self.inserts += 1
            evicted, self._items.evicted = self._items.evicted, []
        self._evictions += len(evicted)
        for old in evicted:  # outside the lock: releasing waits for a check still running on it
            if self._release is not None:
                self._release(old)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def clear(self) -> None:
        with self._lock:
            items = list(self._items.values())
            self._items.clear()
            self._items.evicted.clear()
        for old in items:
            if self._release is not None:
                self._release(old)
