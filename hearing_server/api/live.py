"""Live hearing: WebRTC offer/answer, mute, and the transcript WebSocket (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.access import hearing_for_participant, hearing_for_staff
from hearing_server.accounts import participant_for_token, staff_for_token
from hearing_server.context import ServerContext
from hearing_server.deps import (
    PARTICIPANT_COOKIE,
    STAFF_COOKIE,
    OptionalParticipant,
    OptionalStaff,
    SessionDep,
    require_role,
)
from hearing_server.errors import ConflictError, NotAuthenticatedError, NotFoundError, ServerError
from hearing_server.live.hub import Message, Speaker, Subscription
from hearing_server.live.room import LiveHearing, LiveRegistry, LiveSpec
from hearing_server.models import Hearing, HearingStatus, Participant, StaffRole, StaffUser

router = APIRouter(tags=["live"])
_logger = logging.getLogger(__name__)

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_OPEN = 4409
JudgeStaff = Annotated[StaffUser, Depends(require_role(StaffRole.JUDGE))]


class OfferIn(BaseModel):
    sdp: str = Field(min_length=1, max_length=64 * 1024)
    type: str = Field(pattern="^offer$")


class AnswerOut(BaseModel):
    sdp: str
    type: str
    forwarded: dict[str, str]
    """``mid → speaker key`` of the other participants' media on this connection."""


class MuteIn(BaseModel):
    muted: bool = True


class MuteOut(BaseModel):
    participant_id: int
    muted: bool


def get_live(request: Request) -> LiveRegistry:
    registry = request.app.state.live
    assert isinstance(registry, LiveRegistry)
    return registry


LiveDep = Annotated[LiveRegistry, Depends(get_live)]


def participant_speaker(participant: Participant) -> Speaker:
    return Speaker(
        key=f"participant-{participant.id}",
        participant_id=participant.id,
        role=participant.court_role.value,
        display_name=participant.display_name,
    )


def _speaker(
    session: Session, staff: StaffUser | None, participant: Participant | None, hearing_id: int
) -> tuple[Hearing, Speaker]:
    """Who is asking, checked against the hearing (staff of its court or one of its parties)."""
    if staff is not None:
        hearing = hearing_for_staff(session, staff, hearing_id)
        own = session.scalars(
            select(Participant).where(
                Participant.hearing_id == hearing_id, Participant.staff_user_id == staff.id
            )
        ).first()
        if own is not None:
            return hearing, participant_speaker(own)
        return hearing, Speaker(f"staff-{staff.id}", None, staff.role.value, staff.display_name)
    if participant is not None:
        return hearing_for_participant(session, participant, hearing_id), participant_speaker(
            participant
        )
    raise NotAuthenticatedError("please log in or join through your invitation link")


def _spec(session: Session, hearing: Hearing) -> LiveSpec:
    """The case vocabulary as hotwords: the participants' names and the cause of action."""
    names = session.scalars(
        select(Participant.display_name).where(Participant.hearing_id == hearing.id)
    ).all()
    words = [*names, hearing.case.cause_of_action]
    return LiveSpec(hearing_id=hearing.id, hotwords=tuple(dict.fromkeys(w for w in words if w)))


def _live(registry: LiveRegistry, session: Session, hearing: Hearing) -> LiveHearing:
    """The hearing's live session; started on first use while the hearing is open."""
    live = registry.get(hearing.id)
    if live is not None and not live.closed:
        return live
    if hearing.status != HearingStatus.OPEN:
        raise ConflictError("the hearing is not open")
    return registry.get_or_create(hearing.id, lambda: _spec(session, hearing))


@router.post("/api/hearings/{hearing_id}/rtc/offer")
async def post_offer(
    hearing_id: int,
    body: OfferIn,
    staff: OptionalStaff,
    participant: OptionalParticipant,
    session: SessionDep,
    registry: LiveDep,
) -> AnswerOut:
    hearing, speaker = _speaker(session, staff, participant, hearing_id)
    if hearing.status != HearingStatus.OPEN:
        raise ConflictError("the hearing is not open")
    live = _live(registry, session, hearing)
    answer = await live.answer(speaker, body.sdp)
    return AnswerOut(sdp=answer.sdp, type=answer.type, forwarded=dict(answer.forwarded))


@router.post("/api/hearings/{hearing_id}/participants/{participant_id}/mute")
async def mute_participant(
    hearing_id: int,
    participant_id: int,
    body: MuteIn,
    staff: JudgeStaff,
    session: SessionDep,
    registry: LiveDep,
) -> MuteOut:
    hearing = hearing_for_staff(session, staff, hearing_id)
    target = session.get(Participant, participant_id)
    if target is None or target.hearing_id != hearing.id:
        raise NotFoundError(f"participant {participant_id} not found in hearing {hearing_id}")
    live = _live(registry, session, hearing)
    live.set_muted(participant_speaker(target).key, body.muted)
    return MuteOut(participant_id=participant_id, muted=body.muted)


def _ws_admit(websocket: WebSocket, hearing_id: int) -> None:
    """Check the session cookie against the hearing; make sure its live session exists."""
    ctx = websocket.app.state.context
    assert isinstance(ctx, ServerContext)
    with ctx.session_factory() as session:
        staff = staff_for_token(session, ctx, websocket.cookies.get(STAFF_COOKIE))
        participant = None
        if staff is None:
            participant = participant_for_token(
                session, ctx, websocket.cookies.get(PARTICIPANT_COOKIE)
            )
        hearing, _ = _speaker(session, staff, participant, hearing_id)
        registry = websocket.app.state.live
        assert isinstance(registry, LiveRegistry)
        _live(registry, session, hearing)


@router.websocket("/ws/hearings/{hearing_id}/transcript")
async def transcript_socket(
    websocket: WebSocket, hearing_id: int, since: int | None = None
) -> None:
    await websocket.accept()
    try:
        _ws_admit(websocket, hearing_id)
    except ServerError as exc:
        code = CLOSE_NOT_OPEN if isinstance(exc, ConflictError) else CLOSE_FORBIDDEN
        await websocket.close(code=code, reason=f"{exc.code}: {exc.message}"[:120])
        return
    registry = websocket.app.state.live
    assert isinstance(registry, LiveRegistry)
    live = registry.get(hearing_id)
    assert live is not None
    initial, subscription = live.hub.subscribe(since)
    try:
        await _serve(websocket, initial, subscription)
    finally:
        live.hub.unsubscribe(subscription)


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
