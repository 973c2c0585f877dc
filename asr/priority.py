"""Recognition yields the CPU to the media path: the threads that run the model get a lower
scheduling priority (a higher ``nice`` value) than the event loop that receives, records and
forwards the hearing's audio.

    engine = load_niced(lambda: Engine(path), nice=10)   # every thread the model starts inherits it
    ThreadPoolExecutor(1, initializer=lower_thread_priority, initargs=(10,))

When the CPU is short, the kernel then runs the event loop first: the recording does not lose
audio and the forwarded media does not stall, while recognition falls behind (its scheduler
decodes larger steps and, beyond its bound, reports a ``backlog`` gap: nothing is lost silently).
When the CPU is free, a niced thread runs at full speed: ``nice`` only orders who waits.

Linux keeps a nice value per thread and a new thread inherits its creator's: CTranslate2 starts
its worker and OpenMP threads when the model is loaded or first used, from the thread that loads
or calls it. So the model is loaded on a fresh thread that lowered its own priority first (then
exits), and the inference thread lowers its own. Raising a priority back needs privileges; nothing
here ever raises one. Where threads have no nice value of their own (not Linux), this does nothing.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["current_thread_nice", "load_niced", "lower_thread_priority"]

_logger = logging.getLogger(__name__)
T = TypeVar("T")


def current_thread_nice() -> int | None:
    """This thread's nice value (None where threads have none of their own)."""
    if not sys.platform.startswith("linux"):
        return None
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def lower_thread_priority(nice: int) -> bool:
    """Make this thread (and every thread it starts from now on) run at ``nice`` or lower priority;
    True if it did. A ``nice`` of 0 or less, or one below the thread's current value, changes
    nothing (lowering is always allowed, raising is not)."""
    current = current_thread_nice()
    if current is None or nice <= 0 or nice <= current:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(nice, 19))
    except OSError as exc:  # e.g. a seccomp policy; recognition then competes at equal priority
        _logger.warning("could not lower the recognition threads' priority: %s", exc)
        return False
    return True


def load_niced(load: Callable[[], T], *, nice: int) -> T:
    """Run ``load`` on a fresh thread whose priority was lowered to ``nice`` first, and return its
    result (blocking: call it through ``asyncio.to_thread``). The thread ends afterwards, so no
    thread of a shared pool is left at the lower priority."""
    with ThreadPoolExecutor(
        max_workers=1,
        thread_name_prefix="asr-load",
        initializer=lower_thread_priority,
        initargs=(nice,),
    ) as pool:
        return pool.submit(load).result()
