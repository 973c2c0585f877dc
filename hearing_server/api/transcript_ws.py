"""The transcript document: a WebSocket to watch and edit it, exports, history and hotwords.

WebSocket ``/ws/hearings/{id}/document[?since=SEQ]`` (docs/protocol.md, "Transcript document"):
server → client ``doc`` (snapshot) or the missed ``update``s then ``synced``; then ``update``,
``ack``, ``refused`` and ``awareness``. Client → server ``edit`` and ``awareness``. Everyone
admitted to the hearing may watch; the judge, the clerk and recorders may edit while
:func:`transcript_editable` says so (the judge may also lock); a reader's edit is refused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import object_session

from hearing_server.accounts import participant_for_token, staff_for_token
from hearing_server.closing.records import is_frozen
from hearing_server.context import ServerContext
from hearing_server.deps import PARTICIPANT_COOKIE, STAFF_COOKIE
from hearing_server.errors import WS_CLOSE_OVERFLOW, ServerError, websocket_close
from hearing_server.live.admission import admit
from hearing_server.models import Hearing, HearingStatus, StaffRole, StaffUser
from hearing_server.transcript.actions import Author, EditRefusedError
from hearing_server.transcript.fanout import DocumentRoom, DocumentRooms, Subscriber
from hearing_server.transcript.policy import EditorRole

router = APIRouter(tags=["transcript"])
_logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 512 * 1024
MAX_AWARENESS_BYTES = 8 * 1024
MAX_REFUSALS = 5
"""A client whose edits keep being refused is closed (it is broken or hostile)."""

_EDITOR_ROLES = {
    StaffRole.JUDGE: EditorRole.JUDGE,
    StaffRole.CLERK: EditorRole.CLERK,
    StaffRole.RECORDER: EditorRole.RECORDER,
}


class EditIn(BaseModel):
    type: str = Field(pattern="^(edit|awareness)$")
    id: str = Field(default="", max_length=64)
    update: str = Field(min_length=1, max_length=MAX_MESSAGE_BYTES)


def transcript_editable(hearing: Hearing | None) -> bool:
    """Whether the transcript takes edits now: while the hearing is open, and after it closed,
    because the clerk proofreads the record (with the judge and recorders) before the parties
    sign it, until the judge freezes it for signing (then what is signed must not change).
    Who may edit is the editor policy's question (parties never may); this is *when*.
    """
    if hearing is None or hearing.status not in (HearingStatus.OPEN, HearingStatus.CLOSED):
        return False
    session = object_session(hearing)
    return session is None or not is_frozen(session, hearing.id)


def staff_author(staff: StaffUser) -> Author:
    """A staff member as the author of a change to the transcript."""
    return Author(
        f"user-{staff.id}", staff.display_name, _EDITOR_ROLES.get(staff.role, EditorRole.READER)
    )


def _admit_author(websocket: WebSocket, hearing_id: int) -> Author:
    ctx = websocket.app.state.context
    assert isinstance(ctx, ServerContext)
    with ctx.session_factory() as session:
        staff = staff_for_token(session, ctx, websocket.cookies.get(STAFF_COOKIE))
        participant = None
        if staff is None:
            participant = participant_for_token(
                session, ctx, websocket.cookies.get(PARTICIPANT_COOKIE)
            )
        admitted = admit(session, staff, participant, hearing_id)
        role = _EDITOR_ROLES.get(staff.role, EditorRole.READER) if staff else EditorRole.READER
        key = f"user-{staff.id}" if staff is not None else admitted.speaker.key
        return Author(key, admitted.speaker.display_name, role)


def _rooms(websocket: WebSocket) -> DocumentRooms:
    rooms = websocket.app.state.documents
    assert isinstance(rooms, DocumentRooms)
    return rooms


@router.websocket("/ws/hearings/{hearing_id}/document")
async def document_socket(websocket: WebSocket, hearing_id: int, since: int | None = None) -> None:
    await websocket.accept()
    try:
        author = _admit_author(websocket, hearing_id)
    except ServerError as exc:
        code, reason = websocket_close(exc)
        await websocket.close(code=code, reason=reason)
        return
    room = await _rooms(websocket).get(hearing_id)
    subscriber = room.subscribe()  # before the snapshot: nothing falls between the two
    try:
        await _initial(websocket, room, subscriber, since)
        await _serve(websocket, room, subscriber, author)
    except WebSocketDisconnect:
        pass
    finally:
        room.unsubscribe(subscriber)


async def _initial(
    websocket: WebSocket, room: DocumentRoom, subscriber: Subscriber, since: int | None
) -> None:
    actions = room.actions
    assert actions is not None
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
            seq, reason = await _edit(websocket, room, author, update)
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


async def _edit(
    websocket: WebSocket, room: DocumentRoom, author: Author, update: bytes
) -> tuple[int, str | None]:
    """``(seq, None)`` once the edit is durable, or ``(0, why not)``."""
    if author.role is EditorRole.READER:
        return 0, "only the judge, the clerk and recorders may edit the transcript"
    if not _editable(websocket, room.hearing_id):
        return 0, "the transcript cannot be edited now (the hearing is not open or closed)"
    assert room.actions is not None
    try:
        return await room.actions.edit(author, update), None
    except EditRefusedError as exc:
        return 0, str(exc)


def _editable(websocket: WebSocket, hearing_id: int) -> bool:
    ctx = websocket.app.state.context
    assert isinstance(ctx, ServerContext)
    with ctx.session_factory() as session:
        return transcript_editable(session.get(Hearing, hearing_id))


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
