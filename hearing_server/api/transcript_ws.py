"""The transcript document's WebSocket: watch it and edit it.

WebSocket ``/ws/hearings/{id}/document[?since=SEQ]`` (docs/protocol.md, "Transcript document"):
server → client ``doc`` (snapshot) or the missed ``update``s then ``synced``, then ``presence``
(who is editing, built by the server); then ``update``, ``ack``, ``refused`` and ``presence``.
Client → server ``edit`` and ``cursor`` (bounded integers only). Who may watch and edit, and
when, is :mod:`hearing_server.transcript.editors`; admission is
:class:`~hearing_server.deps.SocketAdmission`, as for every socket. Every message goes through
the per-socket limits (:mod:`hearing_server.socket_limits`), and the socket is registered with
:class:`~hearing_server.revocation.Revocations` (logout, expiry, withdrawn links, removal).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from hearing_server.context import ServerContext
from hearing_server.deps import ContextDep, DocumentsDep, RevocationsDep, SocketAdmissionDep
from hearing_server.errors import WS_CLOSE_REFUSED
from hearing_server.socket_limits import (
    MessageBudget,
    SocketLimitError,
    SocketLimits,
    receive_text,
)
from hearing_server.transcript.actions import Author
from hearing_server.transcript.editors import do_edit_document, socket_author
from hearing_server.transcript.fanout import DocumentRoom, Subscriber
from hearing_server.transcript.presence import MAX_OFFSET, SEGMENT_ID, Cursor

router = APIRouter(tags=["transcript"])
_logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 512 * 1024
MAX_REFUSALS = 5
"""A client whose edits keep being refused is closed (4422: broken or hostile, no reconnect)."""
MALFORMED: dict[str, Any] = {"type": "error", "reason": "malformed message"}


class EditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["edit"]
    id: str = Field(default="", max_length=64)
    update: str = Field(min_length=1, max_length=MAX_MESSAGE_BYTES)


class CursorIn(BaseModel):
    """Where the sender's cursor is: three bounded numbers and a segment id, nothing else (the
    name, role and colour others see are the server's: transcript/presence.py)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["cursor"]
    segment: str | None = Field(default=None, pattern=SEGMENT_ID.pattern)
    anchor: int = Field(default=0, ge=0, le=MAX_OFFSET, strict=True)
    head: int = Field(default=0, ge=0, le=MAX_OFFSET, strict=True)


ClientMessage = TypeAdapter(Annotated[EditIn | CursorIn, Field(discriminator="type")])


@router.websocket("/ws/hearings/{hearing_id}/document")
async def document_socket(
    websocket: WebSocket,
    hearing_id: int,
    admission: SocketAdmissionDep,
    rooms: DocumentsDep,
    ctx: ContextDep,
    revocations: RevocationsDep,
    since: int | None = None,
) -> None:
    author = await admission(lambda _, admitted, staff: socket_author(admitted, staff))
    if author is None:
        return
    room = await rooms.get(hearing_id)
    subscriber = room.subscribe()  # before the snapshot: nothing falls between the two
    forget = revocations.register(admission.principal, subscriber.end)
    try:
        room.join_presence(subscriber, author)
        await _initial(websocket, room, subscriber, since)
        await _serve(websocket, room, subscriber, author, ctx)
    except WebSocketDisconnect:
        pass
    finally:
        forget()
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
    await websocket.send_json(room.presence_snapshot(subscriber))


async def _serve(
    websocket: WebSocket,
    room: DocumentRoom,
    subscriber: Subscriber,
    author: Author,
    ctx: ServerContext,
) -> None:
    writer = asyncio.get_running_loop().create_task(_write(websocket, subscriber))
    budget = MessageBudget(SocketLimits.from_settings(ctx.settings))
    refusals = 0
    try:
        while not writer.done():
            try:
                raw = await receive_text(websocket, budget)
            except SocketLimitError as exc:
                subscriber.end(exc.code, exc.reason)
                break
            if subscriber.ended():
                break  # revoked or too slow meanwhile: nothing more it sends is acted on
            try:
                message = ClientMessage.validate_json(raw)
            except ValidationError:
                subscriber.offer(MALFORMED)
                continue
            if isinstance(message, CursorIn):
                cursor = (
                    Cursor(message.segment, message.anchor, message.head)
                    if message.segment is not None
                    else None
                )
                room.move_cursor(subscriber, cursor)
                continue
            try:
                update = base64.b64decode(message.update, validate=True)
            except (binascii.Error, ValueError):
                subscriber.offer(MALFORMED)
                continue
            seq, reason = await do_edit_document(
                room, author, update, session_factory=ctx.session_factory
            )
            if subscriber.ended():
                break  # revoked while the edit was stored: it is not acknowledged here
            if reason is None:
                subscriber.offer({"type": "ack", "id": message.id, "seq": seq})
                continue
            refusals += 1
            subscriber.offer({"type": "refused", "id": message.id, "reason": reason})
            if refusals >= MAX_REFUSALS:
                subscriber.end(WS_CLOSE_REFUSED, "edits refused: do not reconnect")
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
            await websocket.close(code=subscriber.close_code, reason=subscriber.close_reason)
            return
        seq = message.get("seq")
        if message.get("type") == "update" and isinstance(seq, int):
            if seq <= subscriber.sent_seq:
                continue  # already sent as part of the catch-up
            subscriber.sent_seq = seq
        await websocket.send_json(message)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
