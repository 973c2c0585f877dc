"""Recognition threads at a lower CPU priority than the media path (asr.priority)."""

from __future__ import annotations

import sys
import threading

import pytest

from asr.priority import current_thread_nice, load_niced, lower_thread_priority

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def test_a_model_loaded_niced_starts_its_threads_niced_and_leaves_the_caller_alone() -> None:
    before = current_thread_nice()
    assert before is not None
    seen: dict[str, int | None] = {}

    def load() -> threading.Thread:
        # What CTranslate2 does when a model loads: start worker threads of its own.
        seen["loader"] = current_thread_nice()
        ready = threading.Event()

        def worker() -> None:
            seen["worker"] = current_thread_nice()
            ready.set()

        thread = threading.Thread(target=worker)
        thread.start()
        ready.wait(10)
        return thread

    thread = load_niced(load, nice=before + 5)
    thread.join(10)
    assert seen == {"loader": before + 5, "worker": before + 5}
    assert current_thread_nice() == before  # the calling thread keeps its priority


def test_never_raises_a_priority_and_zero_means_unchanged() -> None:
    out: dict[str, object] = {}

    def body() -> None:
        start = current_thread_nice()
        assert start is not None
        out["zero"] = lower_thread_priority(0)
        out["lowered"] = lower_thread_priority(start + 3)
        out["raise"] = lower_thread_priority(start + 1)  # below the current value: no change
        out["final"] = current_thread_nice() == start + 3

    thread = threading.Thread(target=body)
    thread.start()
    thread.join(10)
    assert out == {"zero": False, "lowered": True, "raise": False, "final": True}
