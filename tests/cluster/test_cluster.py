"""Two ``tingshen serve`` processes behind HAProxy, sharing PostgreSQL and Redis on loopback.

The clerk's edit made through process 1 reaches the judge's socket on process 2; the live
hearing runs on one process (the other names it, close 4421) and the proxy routes ``?node=`` to
it; after ``kill -9`` of that process another takes the hearing over, and the acknowledged edit
is still there. Prints the failover time (the benchmark in docs/benchmarks.md repeats it).
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Array, Doc, Map, Text
from sqlalchemy import select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from hearing_server.cluster import Cluster, ClusterPlan, Frontend, Node
from hearing_server.db import make_engine
from hearing_server.demo import DemoSeed, seed_demo
from hearing_server.models import AuditEvent
from hearing_server.services import build_context
from hearing_server.settings import Settings
from hearing_server.transcript.actions import TranscriptActions
from hearing_server.transcript.model import SpeakerRef
from hearing_server.transcript.store import SqlUpdateStore
from tests.conftest import REDIS_URL, _redis_reachable
from tests.serve_process import free_port
from tests.server.conftest import postgres_schema

JUDGE = SpeakerRef("user-1", "审判长", "审判长")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Cluster, DemoSeed]]:
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        pytest.fail("haproxy is not installed (.ci/run installs it)")
    if not _redis_reachable():
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    with postgres_schema() as database_url:
        front = Frontend("127.0.0.1", free_port())
        public = f"http://{front.host}:{front.port}"
        settings = Settings(data_dir=tmp_path, database_url=database_url, public_base_url=public)
        context = build_context(settings)
        try:
            seed = seed_demo(context)
            store = SqlUpdateStore(context.session_factory)

            async def first_words() -> None:
                actions = await TranscriptActions.load(seed.hearing_id, store, lambda _m: None)
                await actions.commit_asr(JUDGE, 0, 1500, "现在开庭。")

            asyncio.run(first_words())
        finally:
            context.engine.dispose()
        nodes = [Node("p1", "127.0.0.1", free_port()), Node("p2", "127.0.0.1", free_port())]
        env = {
            "TINGSHEN_NOTICE_DISPATCH_ENABLED": "false",
            "TINGSHEN_BUS_PREFIX": f"test-{uuid.uuid4().hex[:12]}:",
        }
        plan = ClusterPlan(front, nodes, tmp_path, database_url, REDIS_URL, extra_env=env)
        with Cluster(plan) as running:
            yield running, seed


def _login(base: str, username: str, password: str, headers: dict[str, str] | None = None) -> str:
    response = httpx.post(
        f"{base}/api/auth/login",
        json={"username": username, "password": password},
        headers=headers,
        timeout=10,
    )
    response.raise_for_status()
    return f"tingshen_staff={response.cookies['tingshen_staff']}"


def _last_login_ip(database_url: str) -> str:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            details = connection.execute(
                select(AuditEvent.details)
                .where(AuditEvent.action == "staff.login")
                .order_by(AuditEvent.id.desc())
            ).scalar()
    finally:
        engine.dispose()
    assert details is not None
    return str(details["ip"])


def _socket(url: str, cookie: str) -> ClientConnection:
    return connect(url, additional_headers={"Cookie": cookie}, open_timeout=10)


def _receive(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if message["type"] == kind:
            return message
        assert message["type"] not in ("refused", "error"), message


def _typing(state: bytes, text: str) -> tuple[bytes, Doc[Any]]:
    client: Doc[Any] = Doc()
    client.apply_update(state)
    before = client.get_state()
    segment = client.get("segments", type=Array)[0]
    assert isinstance(segment, Map)
    target: Text = segment["text"]
    target.insert(len(str(target).encode()), text)  # pycrdt counts UTF-8 bytes
    return bytes(client.get_update(before)), client


def _segment_text(doc: Doc[Any]) -> str:
    segment = doc.get("segments", type=Array)[0]
    assert isinstance(segment, Map)
    return str(segment["text"])


def ws_host(node: Node) -> str:
    return f"ws://{node.host}:{node.port}"


def test_two_processes_share_edits_and_a_hearing_survives_its_owner(cluster) -> None:
    running, seed = cluster
    p1, p2 = running.plan.nodes
    hid = seed.hearing_id
    # The processes believe their proxy's X-Forwarded-For, and the proxy drops a client's own.
    spoofed = {"X-Forwarded-For": "203.0.113.9", "Forwarded": "for=203.0.113.9"}
    clerk = _login(running.url, "clerk", seed.new_passwords["clerk"], spoofed)
    assert _last_login_ip(running.plan.database_url) == "127.0.0.1"
    judge = _login(running.url, "judge", seed.new_passwords["judge"])
    opened = httpx.post(
        f"{running.url}/api/hearings/{hid}/open", headers={"Cookie": clerk}, timeout=10
    )
    assert opened.status_code == 200, opened.text

    # The clerk edits through process 1; the judge watches through process 2.
    with (
        _socket(f"{ws_host(p1)}/ws/hearings/{hid}/document", clerk) as editor,
        _socket(f"{ws_host(p2)}/ws/hearings/{hid}/document", judge) as watcher,
    ):
        state = base64.b64decode(_receive(editor, "doc")["state"])
        watched: Doc[Any] = Doc()
        watched.apply_update(base64.b64decode(_receive(watcher, "doc")["state"]))
        update, _ = _typing(state, "请坐。")
        editor.send(
            json.dumps({"type": "edit", "id": "e1", "update": base64.b64encode(update).decode()})
        )
        ack = _receive(editor, "ack")
        seen = _receive(watcher, "update")
        assert seen["seq"] <= ack["seq"]
        watched.apply_update(base64.b64decode(seen["update"]))
        assert _segment_text(watched) == "现在开庭。请坐。"

    # The live hearing runs on the first process asked; the other names it.
    path = f"/ws/hearings/{hid}/transcript"
    with _socket(f"{ws_host(p1)}{path}", judge) as owner_socket:
        assert _receive(owner_socket, "snapshot")
    with _socket(f"{ws_host(p2)}{path}", judge) as refused:
        with pytest.raises(ConnectionClosed) as closed:
            refused.recv(timeout=10)
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4421, "p1")
    proxied = f"ws://{running.plan.frontend.host}:{running.plan.frontend.port}{path}?node=p1"
    with _socket(proxied, judge) as routed:
        assert _receive(routed, "snapshot")

    # kill -9 of the owner: through the proxy, another process takes the hearing over.
    killed_at = time.monotonic()
    running.kill("p1")
    deadline = killed_at + 30
    taken_over_s = None
    while time.monotonic() < deadline and taken_over_s is None:
        try:
            with _socket(proxied, judge) as again:
                _receive(again, "snapshot")
                taken_over_s = time.monotonic() - killed_at
        except (ConnectionClosed, OSError, TimeoutError):
            time.sleep(0.2)  # the lease of the dead owner has not run out yet: ask again
    assert taken_over_s is not None, "no process took the hearing over within 30 s"
    print(f"\nfailover: the hearing was served again {taken_over_s:.1f} s after kill -9")

    # The acknowledged edit survived the owner's death.
    with _socket(f"{ws_host(p2)}/ws/hearings/{hid}/document", judge) as late:
        doc: Doc[Any] = Doc()
        doc.apply_update(base64.b64decode(_receive(late, "doc")["state"]))
        assert _segment_text(doc) == "现在开庭。请坐。"
