"""The transcript document's WebSocket: watch it and edit it.

WebSocket ``/ws/hearings/{id}/document[?since=SEQ]`` (docs/protocol.md, "Transcript document"):
server → client ``doc`` (snapshot) or the missed ``update``s then ``synced``; then ``update``,
``ack``, ``refused`` and ``awareness``. Client → server ``edit`` and ``awareness``. Who may watch
and edit, and when, is :mod:`hearing_server.transcript.editors`; admission is
:class:`~hearing_server.deps.SocketAdmission`, as for every socket.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError

from hearing_server.context import ServerContext
from hearing_server.deps import ContextDep, DocumentsDep, SocketAdmissionDep
from hearing_server.errors import WS_CLOSE_OVERFLOW
from hearing_server.transcript.actions import Author
from hearing_server.transcript.editors import do_edit_document, socket_author
from hearing_server.transcript.fanout import DocumentRoom, Subscriber

router = APIRouter(tags=["transcript"])
_logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 512 * 1024
MAX_AWARENESS_BYTES = 8 * 1024
MAX_REFUSALS = 5
"""A client whose edits keep being refused is closed (it is broken or hostile)."""


class EditIn(BaseModel):
    type: str = Field(pattern="^(edit|awareness)$")
    id: str = Field(default="", max_length=64)
    update: str = Field(min_length=1, max_length=MAX_MESSAGE_BYTES)


@router.websocket("/ws/hearings/{hearing_id}/document")
async def document_socket(
    websocket: WebSocket,
    hearing_id: int,
    admission: SocketAdmissionDep,
    rooms: DocumentsDep,
    ctx: ContextDep,
    since: int | None = None,
) -> None:
    author = await admission(lambda _, admitted, staff: socket_author(admitted, staff))
    if author is None:
        return
    room = await rooms.get(hearing_id)
    subscriber = room.subscribe()  # before the snapshot: nothing falls between the two
    try:
        await _initial(websocket, room, subscriber, since)
        await _serve(websocket, room, subscriber, author, ctx)
    except WebSocketDisconnect:
        pass
    finally:
        room.unsubscribe(subscriber)


async def _initial(
    websocket: WebSocket, room: DocumentRoom, subscriber: Subscriber, since: int | None
) -> None:
    actions = room.actions
    assert actions is not None
    await actions.catch_up()  # what another process stored and the bus has not brought yet
    if since is None or since < 0 or since > actions.seq:
        seq, state = actions.snapshot()
        await websocket.send_json(
            {"type": "doc", "seq": seq, "state": _b64(state), "reset": since is not None}
        )
    else:
        seq = since
        for item in await actions.missed(since):
            await websocket.send_json(item.message())
            seq = item.seq
        await websocket.send_json({"type": "synced", "seq": seq})
    subscriber.sent_seq = seq
    awareness = room.awareness_snapshot()
    if awareness is not None:
        await websocket.send_json(awareness)


async def _serve(
    websocket: WebSocket,
    room: DocumentRoom,
    subscriber: Subscriber,
    author: Author,
    ctx: ServerContext,
) -> None:
    writer = asyncio.get_running_loop().create_task(_write(websocket, subscriber))
    refusals = 0
    try:
        while not writer.done():
            raw = await websocket.receive_text()
            try:
                message = EditIn.model_validate_json(raw)
                update = base64.b64decode(message.update, validate=True)
            except (ValidationError, binascii.Error, ValueError):
                subscriber.offer({"type": "error", "reason": "malformed message"})
                continue
            if message.type == "awareness":
                if len(update) <= MAX_AWARENESS_BYTES:
                    room.relay_awareness(subscriber, message.update)
                continue
            seq, reason = await do_edit_document(
                room, author, update, session_factory=ctx.session_factory
            )
            if reason is None:
                subscriber.offer({"type": "ack", "id": message.id, "seq": seq})
                continue
            refusals += 1
            subscriber.offer({"type": "refused", "id": message.id, "reason": reason})
            if refusals >= MAX_REFUSALS:
                subscriber.offer(None)
                break
    finally:
        if not writer.done():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(writer), 1.0)
        writer.cancel()


async def _write(websocket: WebSocket, subscriber: Subscriber) -> None:
    while True:
        message = await subscriber.queue.get()
        if message is None:
            await websocket.close(code=WS_CLOSE_OVERFLOW, reason="too slow: reconnect with since")
            return
        seq = message.get("seq")
        if message.get("type") == "update" and isinstance(seq, int):
            if seq <= subscriber.sent_seq:
                continue  # already sent as part of the catch-up
            subscriber.sent_seq = seq
        await websocket.send_json(message)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
