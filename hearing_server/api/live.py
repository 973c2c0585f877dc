"""Live hearing: WebRTC offer/answer and the transcript WebSocket (docs/protocol.md).

The judge's controls and leaving the room are in :mod:`hearing_server.api.moderation`; who is
admitted is decided by :mod:`hearing_server.live.admission` for both.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field

from hearing_server.accounts import participant_for_token, staff_for_token
from hearing_server.context import ServerContext
from hearing_server.deps import (
    PARTICIPANT_COOKIE,
    STAFF_COOKIE,
    ContextDep,
    OptionalParticipant,
    OptionalStaff,
    SessionDep,
)
from hearing_server.errors import RemovedError, ServerError, websocket_close
from hearing_server.live.admission import REMOVED_MESSAGE, admit, live_for
from hearing_server.live.hub import Message, Speaker, Subscription
from hearing_server.live.moderation import record_presence
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import LiveHearing

router = APIRouter(tags=["live"])
_logger = logging.getLogger(__name__)


class OfferIn(BaseModel):
    sdp: str = Field(min_length=1, max_length=64 * 1024)
    type: str = Field(pattern="^offer$")


class AnswerOut(BaseModel):
    sdp: str
    type: str
    forwarded: dict[str, str]
    """``mid → speaker key`` of the other participants' media on this connection."""


def get_live(request: Request) -> LiveRegistry:
    registry = request.app.state.live
    assert isinstance(registry, LiveRegistry)
    return registry


LiveDep = Annotated[LiveRegistry, Depends(get_live)]


@router.post("/api/hearings/{hearing_id}/rtc/offer")
async def post_offer(
    hearing_id: int,
    body: OfferIn,
    staff: OptionalStaff,
    participant: OptionalParticipant,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
) -> AnswerOut:
    admitted = admit(session, staff, participant, hearing_id)
    live = live_for(registry, session, admitted.hearing)
    speaker = admitted.speaker
    was_present = live.presence.state(speaker.key) == "present"
    answer = await live.answer(speaker, body.sdp)
    if live.presence.state(speaker.key) == "removed":  # removed while the offer was answered
        await live.peers.close(speaker.key)
        raise RemovedError(REMOVED_MESSAGE)
    if not was_present:
        record_presence(session, ctx, admitted=admitted, action="hearing.join")
    return AnswerOut(sdp=answer.sdp, type=answer.type, forwarded=dict(answer.forwarded))


def _ws_admit(websocket: WebSocket, hearing_id: int) -> tuple[Speaker, LiveHearing]:
    """Check the session cookie against the hearing; its live session (started if need be)."""
    ctx = websocket.app.state.context
    registry = websocket.app.state.live
    assert isinstance(ctx, ServerContext) and isinstance(registry, LiveRegistry)
    with ctx.session_factory() as session:
        staff = staff_for_token(session, ctx, websocket.cookies.get(STAFF_COOKIE))
        participant = None
        if staff is None:
            participant = participant_for_token(
                session, ctx, websocket.cookies.get(PARTICIPANT_COOKIE)
            )
        admitted = admit(session, staff, participant, hearing_id)
        return admitted.speaker, live_for(registry, session, admitted.hearing)


@router.websocket("/ws/hearings/{hearing_id}/transcript")
async def transcript_socket(
    websocket: WebSocket,
    hearing_id: int,
    since: int | None = None,
    live_id: Annotated[str | None, Query(max_length=64)] = None,
) -> None:
    await websocket.accept()
    try:
        speaker, live = _ws_admit(websocket, hearing_id)
    except ServerError as exc:
        code, reason = websocket_close(exc)
        await websocket.close(code=code, reason=reason)
        return
    initial, subscription = live.subscribe(speaker, since, live_id)
    try:
        await _serve(websocket, initial, subscription)
    finally:
        live.unsubscribe(speaker, subscription)


async def _serve(websocket: WebSocket, initial: list[Message], subscription: Subscription) -> None:
    async def until_disconnect() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await websocket.receive_text()  # clients send nothing we act on

    listener = asyncio.get_running_loop().create_task(until_disconnect())
    try:
        for first in initial:
            await websocket.send_json(first)
        while True:
            getter = asyncio.ensure_future(subscription.next())
            done, _ = await asyncio.wait({getter, listener}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                return  # the client went away
            message = getter.result()
            if message is None:
                code, reason = subscription.close_code or 1000, subscription.close_reason
                await websocket.close(code=code, reason=reason)
                return
            await websocket.send_json(message)
    except WebSocketDisconnect:
        return
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
            await listener
