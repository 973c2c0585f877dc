"""Windowed attempt counters (tingshen_platform.counters) on SQLite and PostgreSQL: worked
examples with a test clock, the sliding budget, and threads and processes racing."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.platform.conftest import START, Clock
from tests.platform.lease_child import HITS, LIMIT
from tingshen_platform.counters import Counters, sliding_budget, window_start

REPO = Path(__file__).resolve().parents[2]
WINDOW = timedelta(minutes=15)
DEADLINE_S = 60


@pytest.fixture
def counters(engine: Engine, clock: Clock) -> Counters:
    return Counters(engine, clock=clock)


def test_windows_are_aligned_to_the_epoch() -> None:
    at = datetime(2026, 12, 5, 8, 7, 30, tzinfo=UTC)
    assert window_start(at, WINDOW) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    assert window_start(at, timedelta(hours=1)) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    odd = timedelta(minutes=7)  # 08:07 is a multiple of 7 minutes after the epoch
    assert window_start(at, odd) == datetime(2026, 12, 5, 8, 7, tzinfo=UTC)
    assert window_start(at - timedelta(seconds=31), odd) == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="positive"):
        window_start(at, timedelta(0))


def test_the_sliding_budget_weighs_the_previous_window() -> None:
    assert sliding_budget(10, 0, timedelta(0), WINDOW) == 10
    assert sliding_budget(10, 10, timedelta(0), WINDOW) == 0
    assert sliding_budget(10, 10, timedelta(minutes=5), WINDOW) == 4  # 10 - floor(6.67)
    assert sliding_budget(10, 10, timedelta(minutes=14, seconds=59), WINDOW) == 10


def test_a_fixed_window_allows_the_limit_then_refuses(counters: Counters, clock: Clock) -> None:
    allowed = [counters.hit("login:judge-li", 3, WINDOW, sliding=False) for _ in range(5)]
    assert allowed == [True, True, True, False, False]
    assert counters.count("login:judge-li", WINDOW) == 3  # refused attempts are not counted
    assert counters.hit("login:clerk-wang", 3, WINDOW, sliding=False)  # keys are independent
    clock.advance(minutes=15)  # the next window
    assert counters.hit("login:judge-li", 3, WINDOW, sliding=False)
    assert counters.count("login:judge-li", WINDOW) == 1


def test_the_sliding_approximation_spans_the_window_boundary(
    counters: Counters, clock: Clock
) -> None:
    clock.advance(minutes=14)  # 08:14: the end of the window 08:00–08:15
    assert all(counters.hit("sms:138", 10, WINDOW) for _ in range(10))
    assert not counters.hit("sms:138", 10, WINDOW)
    clock.advance(minutes=1)  # 08:15: a fixed window would allow 10 more at once
    assert not counters.hit("sms:138", 10, WINDOW)
    clock.advance(minutes=5)  # 08:20: a third of the new window: 10 - floor(6.67) = 4
    assert [counters.hit("sms:138", 10, WINDOW) for _ in range(5)] == [True] * 4 + [False]
    clock.advance(minutes=15)  # 08:35: the previous window (4) weighs 4 × 2/3 → 2
    assert [counters.hit("sms:138", 10, WINDOW) for _ in range(9)] == [True] * 8 + [False]


def test_a_limit_of_zero_refuses_everything(counters: Counters) -> None:
    assert not counters.hit("closed", 0, WINDOW)
    assert counters.count("closed", WINDOW) == 0


def test_reset_and_purge(counters: Counters, clock: Clock) -> None:
    for _ in range(3):
        counters.hit("a", 3, WINDOW)
    counters.hit("b", 3, WINDOW)
    assert not counters.hit("a", 3, WINDOW)
    counters.reset("a")
    assert counters.count("a", WINDOW) == 0 and counters.count("b", WINDOW) == 1
    assert counters.hit("a", 3, WINDOW)
    clock.advance(hours=1)
    counters.hit("b", 3, WINDOW)
    assert counters.purge(START + timedelta(minutes=30)) == 2  # a and b of 08:00
    assert counters.count("b", WINDOW) == 1  # 09:00 stays
    assert counters.purge(START) == 0


def test_eight_threads_racing_are_counted_exactly(counters: Counters) -> None:
    start = threading.Barrier(8)
    allowed = [0] * 8

    def hammer(n: int) -> None:
        start.wait()
        allowed[n] = sum(counters.hit("race", 100, WINDOW) for _ in range(50))

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE_S)
    assert sum(allowed) == 100
    assert counters.count("race", WINDOW) == 100


def test_processes_racing_are_counted_exactly(engine: Engine, database_url: str) -> None:
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.platform.lease_child", database_url, "counter", f"p{i}"],
            cwd=REPO,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.communicate()[1][-3000:]
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        allowed = []
        for child in children:
            out, err = child.communicate(timeout=DEADLINE_S)
            assert child.returncode == 0, err[-3000:]
            allowed.append(int(out))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert 4 * HITS > LIMIT  # the race is over the limit
    assert sum(allowed) == LIMIT
