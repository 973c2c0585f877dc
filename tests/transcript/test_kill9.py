"""``kill -9`` of the server while a clerk is typing: after a restart every acknowledged edit is
there (an edit is acknowledged only once it is committed to the database).

The server is ``tingshen serve --demo`` in a child process on loopback; the clerk is a pycrdt
document over a real WebSocket (the ``websockets`` client), speaking the browser's protocol. The
clerk inserts a note and types numbered tokens into it, one edit per message, without waiting
for acknowledgements; the server is killed while edits are in flight.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from pycrdt import Array, Doc, Map, Text

from hearing_server.transcript.model import SegmentKind, SpeakerRef
from hearing_server.transcript.ydoc import NewSegment, segment_map
from tests.serve_process import free_port, start_serve

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
STARTUP_TIMEOUT_S = 60
EDITS_BEFORE_KILL = 40


def _login(base: str, password: str) -> tuple[str, int]:
    with httpx.Client(base_url=base, timeout=STARTUP_TIMEOUT_S) as client:
        response = client.post("/api/auth/login", json={"username": "clerk", "password": password})
        assert response.status_code == 200, response.text
        hearings = client.get("/api/hearings").json()
        hearing_id = int(hearings[0]["id"])
        opened = client.post(f"/api/hearings/{hearing_id}/open")
        assert opened.status_code in (200, 204), opened.text
        return f"tingshen_staff={client.cookies['tingshen_staff']}", hearing_id


async def _type_until_killed(
    url: str, cookie: str, proc: subprocess.Popen[str]
) -> tuple[set[str], set[str]]:
    """Returns (acknowledged tokens, sent tokens)."""
    doc: Doc[Any] = Doc()
    sent: dict[str, str] = {}
    acked: set[str] = set()
    async with websockets.connect(url, additional_headers={"Cookie": cookie}) as ws:
        first = json.loads(await ws.recv())
        doc.apply_update(base64.b64decode(first["state"]))
        segments: Array[Any] = doc.get("segments", type=Array)

        async def send(message_id: str, state: bytes) -> None:
            update = base64.b64encode(doc.get_update(state)).decode()
            await ws.send(json.dumps({"type": "edit", "id": message_id, "update": update}))

        state = doc.get_state()
        nobody = SpeakerRef("", "", "")
        note = segment_map(NewSegment("note-kill9", nobody, 0, 0, "记录：", kind=SegmentKind.NOTE))
        segments.append(note)
        await send("note", state)
        text: Text = segments[len(segments) - 1]["text"]
        n = 0
        try:
            while True:
                n += 1
                token = f"[{n}]"
                state = doc.get_state()
                text.insert(len(str(text).encode()), token)
                sent[f"e{n}"] = token
                await send(f"e{n}", state)
                while True:  # read what has arrived, without waiting for it
                    try:
                        raw = await asyncio.wait_for(ws.recv(), timeout=0.001)
                    except TimeoutError:
                        break
                    message = json.loads(raw)
                    if message["type"] == "ack" and message["id"] in sent:
                        acked.add(sent[message["id"]])
                if len(acked) >= EDITS_BEFORE_KILL and proc.poll() is None:
                    os.kill(proc.pid, signal.SIGKILL)  # edits are in flight right now
        except websockets.ConnectionClosed:
            pass
    return acked, set(sent.values())


def test_every_acknowledged_edit_survives_kill_9(tmp_path: Path) -> None:
    server_dir = tmp_path
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_serve(server_dir, port)
    proc = server.proc
    try:
        cookie, hearing_id = _login(base, server.passwords["clerk"])
        url = f"ws://127.0.0.1:{port}/ws/hearings/{hearing_id}/document"
        acked, sent = asyncio.run(_type_until_killed(url, cookie, proc))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= EDITS_BEFORE_KILL and len(sent) > len(acked)

    restarted = start_serve(server_dir, port).proc
    try:

        async def snapshot() -> str:
            async with websockets.connect(url, additional_headers={"Cookie": cookie}) as ws:
                first = json.loads(await ws.recv())
            doc: Doc[Any] = Doc()
            doc.apply_update(base64.b64decode(first["state"]))
            segments: Array[Any] = doc.get("segments", type=Array)
            return "".join(str(m["text"]) for m in segments if isinstance(m, Map))

        text = asyncio.run(snapshot())
    finally:
        restarted.terminate()
        restarted.wait(timeout=STARTUP_TIMEOUT_S)
        if restarted.stdout is not None:
            restarted.stdout.close()
    lost = sorted(t for t in acked if t not in text)
    assert not lost, f"acknowledged edits lost after kill -9: {lost}"
