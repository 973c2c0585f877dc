"""``POST /tsa`` is limited per client address (a token bucket: 429 with ``Retry-After``) and in
all (a concurrency bound: 503 with ``Retry-After``), before the body is read or a serial fsync'd."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hearing_server.app import create_app
from hearing_server.rate_limit import ConcurrencyGate, TokenBuckets
from hearing_server.settings import Settings
from tests.server.live_fakes import FakeStreams
from tests.server.tsa_query import TSQ, timestamp_query

QUERY = timestamp_query(hashlib.sha256(b"record").digest())


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    settings = Settings(data_dir=tmp_path, tsa_burst=3, tsa_rate_per_minute=6, tsa_max_concurrent=1)
    app = create_app(settings, stream_factory=FakeStreams())
    yield app
    app.state.services.context.engine.dispose()


def test_a_client_over_its_burst_gets_429_with_retry_after(app: FastAPI) -> None:
    serial = app.state.services.context.settings.data_dir / "ca" / "tsa-serial"
    with TestClient(app) as client:
        for _ in range(2):
            assert client.post("/tsa", content=QUERY, headers=TSQ).status_code == 200
        assert client.post("/tsa", content=b"x", headers={}).status_code == 415  # counts too
        stamped = serial.read_bytes()
        refused = client.post("/tsa", content=QUERY, headers=TSQ)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert 8 <= int(refused.headers["Retry-After"]) <= 10  # 6 a minute: a token in 10 s
        assert serial.read_bytes() == stamped  # refused before any serial was taken

        with app.state.services.tsa_limits.concurrency.enter() as admitted:
            assert admitted  # the one slot is taken: another client is refused at once
            other = TestClient(app, client=("127.0.0.9", 5000))
            other.portal = client.portal
            busy = other.post("/tsa", content=QUERY, headers=TSQ)
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert other.post("/tsa", content=QUERY, headers=TSQ).status_code == 200  # own bucket


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_token_buckets_refill_per_client_and_stay_bounded() -> None:
    ticks = Ticks()
    buckets = TokenBuckets(rate_per_s=0.5, burst=2, max_clients=3, clock=ticks)
    assert buckets.take("a") == 0.0 and buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(2.0)  # half a token a second: one in 2 s
    assert buckets.take("b") == 0.0  # another address has its own bucket
    ticks.now += 1.0
    assert buckets.take("a") == pytest.approx(1.0)  # half a token back, still short
    ticks.now += 1.0
    assert buckets.take("a") == 0.0
    for client in ("c", "d", "e"):
        buckets.take(client)
    assert len(buckets) == 3  # the quietest addresses were dropped
    assert buckets.retry_after_s(0.2) == 1 and buckets.retry_after_s(2.01) == 3


def test_the_concurrency_gate_admits_its_limit_and_frees_slots() -> None:
    gate = ConcurrencyGate(2)
    with gate.enter() as first, gate.enter() as second, gate.enter() as third:
        assert (first, second, third) == (True, True, False)
        assert gate.active == 2
    assert gate.active == 0
    with gate.enter() as again:
        assert again
