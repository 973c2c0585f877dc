"""The judge's controls (mute, remove, readmit) and leaving the room (docs/protocol.md).

Each endpoint checks and audits through :mod:`hearing_server.live.moderation` (one committed
transaction), then applies the change to the running live session: peers, presence, sockets.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from hearing_server.api.live import LiveDep
from hearing_server.deps import (
    ContextDep,
    OptionalParticipant,
    OptionalStaff,
    SessionDep,
    require_role,
)
from hearing_server.live.admission import (
    REMOVED_MESSAGE,
    admit,
    existing_live,
    live_for,
    participant_speaker,
)
from hearing_server.live.moderation import do_set_muted, do_set_removed, record_presence
from hearing_server.models import StaffRole, StaffUser

router = APIRouter(prefix="/api/hearings/{hearing_id}", tags=["live"])
JudgeStaff = Annotated[StaffUser, Depends(require_role(StaffRole.JUDGE))]


class MuteIn(BaseModel):
    muted: bool = True


class MuteOut(BaseModel):
    participant_id: int
    muted: bool


class RemovalOut(BaseModel):
    participant_id: int
    removed: bool


@router.post("/participants/{participant_id}/mute")
async def mute_participant(
    hearing_id: int,
    participant_id: int,
    body: MuteIn,
    staff: JudgeStaff,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
) -> MuteOut:
    target = do_set_muted(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        muted=body.muted,
    )
    live = live_for(registry, session, target.hearing)
    live.set_muted(participant_speaker(target), body.muted)
    return MuteOut(participant_id=participant_id, muted=body.muted)


@router.post("/participants/{participant_id}/remove")
async def remove_participant(
    hearing_id: int,
    participant_id: int,
    staff: JudgeStaff,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
) -> RemovalOut:
    """Close the participant's media and transcript sockets; they cannot rejoin until readmitted."""
    target = do_set_removed(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        removed=True,
    )
    live = existing_live(registry, hearing_id)
    if live is not None:
        await live.remove(participant_speaker(target), f"removed: {REMOVED_MESSAGE}")
    return RemovalOut(participant_id=participant_id, removed=True)


@router.post("/participants/{participant_id}/readmit")
async def readmit_participant(
    hearing_id: int,
    participant_id: int,
    staff: JudgeStaff,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
) -> RemovalOut:
    target = do_set_removed(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        removed=False,
    )
    live = existing_live(registry, hearing_id)
    if live is not None:
        live.readmit(participant_speaker(target))
    return RemovalOut(participant_id=participant_id, removed=False)


@router.post("/leave", status_code=204)
async def leave_hearing(
    hearing_id: int,
    staff: OptionalStaff,
    participant: OptionalParticipant,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
) -> None:
    """The caller leaves the hearing's media (their page stops following it). Leaving when not
    in the room (never joined, already left, hearing not open) changes nothing."""
    admitted = admit(session, staff, participant, hearing_id)
    live = existing_live(registry, hearing_id)
    if live is None or live.presence.state(admitted.speaker.key) != "present":
        return
    await live.leave(admitted.speaker)
    record_presence(session, ctx, admitted=admitted, action="hearing.leave")
