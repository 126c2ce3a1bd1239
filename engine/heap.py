"""The garbage collector during a batch of thousands of checks (a sweep, a re-check).

A long-running process (the API server, a worker) holds hundreds of thousands of objects that
a batch never frees: the rule base, the compiled networks, the engine's caches. Every full
collection during the batch walks all of them again; in a process that had checked 5,000
placements before, the full collections of one region report took 0.74-0.78 s of its ~10 s
(issue 26, docs/performance.md). `batch_heap()` moves what exists before the batch out of the
collector's sight (`gc.freeze`) and back afterwards (`gc.unfreeze`): nothing is lost, cyclic
garbage among those older objects is merely collected after the batch instead of during it.
Batches on several threads share one freeze: the last to end unfreezes.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_batches = 0  # batches running in this process


@contextmanager
def batch_heap() -> Iterator[None]:
    global _batches
    with _lock:
        _batches += 1
        gc.freeze()  # also when already frozen: what the other batch made since then
    try:
        yield
    finally:
        with _lock:
            _batches -= 1
            if _batches == 0:
                gc.unfreeze()
