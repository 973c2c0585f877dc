"""Live hearing: WebRTC offer/answer and the live transcript WebSocket (docs/protocol.md).

The judge's controls and leaving the room are in :mod:`hearing_server.api.moderation`; who is
admitted is decided by :mod:`hearing_server.live.admission` for both, and the socket is admitted
by :class:`~hearing_server.deps.SocketAdmission`, as every socket is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from hearing_server.deps import (
    ContextDep,
    LiveDep,
    OptionalParticipant,
    OptionalStaff,
    RevocationsDep,
    SessionDep,
    SocketAdmissionDep,
)
from hearing_server.errors import WS_CLOSE_SESSION_ENDED
from hearing_server.live.admission import Admitted, live_for
from hearing_server.live.hub import Message, Speaker, Subscription
from hearing_server.live.moderation import do_join_media
from hearing_server.live.room import LiveHearing
from hearing_server.socket_limits import (
    MessageBudget,
    SocketLimitError,
    SocketLimits,
    receive_text,
)
from tingshen_platform.bounded import SingleLine

router = APIRouter(tags=["live"])
_logger = logging.getLogger(__name__)


class OfferIn(BaseModel):
    sdp: str = Field(min_length=1, max_length=64 * 1024)
    type: str = Field(pattern="^offer$", max_length=5)
    tab: str | None = Field(default=None, min_length=1, max_length=64, pattern="^[A-Za-z0-9-]+$")
    """The page's id: a newer page of the same person takes the seat (live/seats.py)."""
    screen_mid: Annotated[str, Field(min_length=1, max_length=32), SingleLine] | None = None
    """The m-line sending the caller's shared screen (docs/protocol.md "Screen sharing")."""


class AnswerOut(BaseModel):
    sdp: str
    type: str
    forwarded: dict[str, str]
    """``mid → speaker key`` of the other participants' media on this connection."""
    screens: dict[str, str] = Field(default_factory=dict)
    """``mid → speaker key`` of another participant's shared screen on this connection."""


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
    answer = await do_join_media(
        session,
        ctx,
        registry,
        staff=staff,
        participant=participant,
        hearing_id=hearing_id,
        offer_sdp=body.sdp,
        tab=body.tab,
        screen_mid=body.screen_mid,
    )
    return AnswerOut(
        sdp=answer.sdp,
        type=answer.type,
        forwarded=dict(answer.forwarded),
        screens=dict(answer.screens),
    )


@router.websocket("/ws/hearings/{hearing_id}/transcript")
async def transcript_socket(
    websocket: WebSocket,
    hearing_id: int,
    admission: SocketAdmissionDep,
    registry: LiveDep,
    ctx: ContextDep,
    revocations: RevocationsDep,
    since: int | None = None,
    live_id: Annotated[str | None, Query(max_length=64)] = None,
    tab: Annotated[
        str | None, Query(min_length=1, max_length=64, pattern="^[A-Za-z0-9-]+$")
    ] = None,
) -> None:
    """Its live session is started if need be (only while the hearing is open: else 4409).
    ``tab``: the page's id; a newer page of the same person takes the seat (4412 for the older).
    Client messages go through the per-socket limits (4400, 4413, 4429); logout, expiry and
    withdrawn links close it (4401) and end the person's media, removal closes it (4411)."""

    def seated(session: Session, admitted: Admitted, _: object) -> tuple[Speaker, LiveHearing]:
        live = live_for(registry, session, admitted.hearing)
        live.seat(admitted.speaker, tab)  # SeatTakenError: this page was displaced (4412)
        return admitted.speaker, live

    admitted = await admission(seated)
    if admitted is None:
        return
    speaker, live = admitted
    await live.ready()  # the transcript document is in the snapshot
    initial, subscription = live.subscribe(speaker, since, live_id, tab)

    def revoked(code: int, reason: str) -> None:
        live.end(subscription, code, reason)
        if code == WS_CLOSE_SESSION_ENDED:  # logged out or expired: the media goes too
            live.drop_media(speaker)

    forget = revocations.register(admission.principal, revoked)
    limits = SocketLimits.from_settings(ctx.settings)
    try:
        await _serve(websocket, initial, subscription, MessageBudget(limits), live.end)
    finally:
        forget()
        live.unsubscribe(speaker, subscription)


async def _serve(
    websocket: WebSocket,
    initial: list[Message],
    subscription: Subscription,
    budget: MessageBudget,
    end: Callable[[Subscription, int, str], None],
) -> None:
    async def until_disconnect() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                try:
                    await receive_text(websocket, budget)  # nothing a client sends is acted on
                except SocketLimitError as exc:
                    end(subscription, exc.code, exc.reason)
                    await asyncio.Future()  # the writer closes the socket with the code

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
