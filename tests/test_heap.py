"""The garbage collector during a batch (engine/heap.py): what exists before a batch is left out
of full collections while it runs, and nothing stays frozen or uncollected after it."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest

from engine.heap import batch_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_a_batch_freezes_what_exists_and_unfreezes_after():
    gc.collect()
    before = _Node()
    with batch_heap():
        assert gc.get_freeze_count() > 0
        gone = weakref.ref(before)
        del before
        gc.collect()
        assert gone() is not None  # frozen: not collected during the batch
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None  # collected after it


def test_nested_and_failing_batches_unfreeze_once_the_last_ends():
    with pytest.raises(RuntimeError), batch_heap():
        with batch_heap():
            pass
        assert gc.get_freeze_count() > 0  # the outer batch still runs
        raise RuntimeError("a batch that fails")
    assert gc.get_freeze_count() == 0


def test_batches_on_two_threads_share_one_freeze():
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with batch_heap():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    inside.wait(5)
    with batch_heap():
        pass
    assert gc.get_freeze_count() > 0  # the other thread's batch still runs
    release.set()
    thread.join(5)
    assert gc.get_freeze_count() == 0
