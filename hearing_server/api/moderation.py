"""The judge's controls (mute, remove, readmit) and leaving the room (docs/protocol.md).

Each endpoint calls one action of :mod:`hearing_server.live.moderation` (check, audit, commit,
then apply to the running live session).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hearing_server.deps import (
    ContextDep,
    DocumentsDep,
    JudgeStaff,
    LiveDep,
    OptionalParticipant,
    OptionalStaff,
    RevocationsDep,
    SessionDep,
)
from hearing_server.errors import WS_CLOSE_REMOVED
from hearing_server.evidence.access import Who
from hearing_server.evidence.screen import end_share_of
from hearing_server.live.admission import REMOVED_MESSAGE, admit
from hearing_server.live.floor_actions import do_floor, do_hand
from hearing_server.live.moderation import do_leave_media, do_set_muted, do_set_removed
from hearing_server.revocation import participant_key
from tingshen_platform.bounded import SingleLine

router = APIRouter(prefix="/api/hearings/{hearing_id}", tags=["live"])


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
    await do_set_muted(
        session,
        ctx,
        registry,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        muted=body.muted,
    )
    return MuteOut(participant_id=participant_id, muted=body.muted)


@router.post("/participants/{participant_id}/remove")
async def remove_participant(
    hearing_id: int,
    participant_id: int,
    staff: JudgeStaff,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
    revocations: RevocationsDep,
) -> RemovalOut:
    """Close the participant's media and every socket of theirs (4411, in every server process:
    the transcript document too); they cannot rejoin, nor read the hearing, until readmitted."""
    await do_set_removed(
        session,
        ctx,
        registry,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        removed=True,
    )
    reason = f"removed: {REMOVED_MESSAGE}"
    await revocations.revoke([participant_key(participant_id)], WS_CLOSE_REMOVED, reason)
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
    await do_set_removed(
        session,
        ctx,
        registry,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        removed=False,
    )
    return RemovalOut(participant_id=participant_id, removed=False)


@router.post("/leave", status_code=204)
async def leave_hearing(
    hearing_id: int,
    staff: OptionalStaff,
    participant: OptionalParticipant,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
    rooms: DocumentsDep,
) -> None:
    """The caller leaves the hearing's media (their page stops following it). Leaving when not
    in the room (never joined, already left, hearing not open) changes nothing. A screen the
    caller shares stops being shared."""
    await do_leave_media(
        session, ctx, registry, staff=staff, participant=participant, hearing_id=hearing_id
    )
    who = Who(admit(session, staff, participant, hearing_id), staff)
    await end_share_of(session, ctx, rooms, registry, who)


class HandIn(BaseModel):
    raised: bool = True


class FloorIn(BaseModel):
    action: Literal["grant", "lower", "end"]
    speaker: Annotated[str, Field(min_length=1, max_length=64), SingleLine] | None = None
    """The speaker key (``participant-7``, ``staff-3``); not needed to end the floor."""


@router.post("/floor/hand", status_code=204)
async def raise_hand(
    hearing_id: int,
    body: HandIn,
    staff: OptionalStaff,
    participant: OptionalParticipant,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
) -> None:
    """举手: the caller raises (or lowers) their own hand."""
    do_hand(
        session,
        ctx,
        registry,
        staff=staff,
        participant=participant,
        hearing_id=hearing_id,
        raised=body.raised,
    )


@router.post("/floor", status_code=204)
async def give_floor(
    hearing_id: int,
    body: FloorIn,
    staff: JudgeStaff,
    session: SessionDep,
    ctx: ContextDep,
    registry: LiveDep,
) -> None:
    """The judge grants the floor, lowers a raised hand, or ends the floor."""
    do_floor(
        session,
        ctx,
        registry,
        staff=staff,
        hearing_id=hearing_id,
        action=body.action,
        speaker_key=body.speaker,
    )
