"""Court stages and identity checks over HTTP (docs/protocol.md "Court stages").

- ``GET /api/hearings/{id}/stages``: everyone admitted to the hearing: the stage list (with its
  legal source), the current stage and its history, and whose identity was checked.
- ``POST /api/hearings/{id}/stage``: a judge moves the hearing to a stage; audited, and a marker
  row "【法庭调查】 10:32" in the transcript tells everyone in the room.
- ``POST /api/hearings/{id}/participants/{pid}/identity``: the clerk records that the
  participant's identity document was shown on camera (type, last four characters, a note);
  only during 核对身份; audited, and a marker row in the transcript.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints

from hearing_server.deps import (
    ClerkStaff,
    ContextDep,
    DocumentsDep,
    JudgeStaff,
    LiveDep,
    OptionalParticipant,
    OptionalStaff,
    SessionDep,
)
from hearing_server.live.admission import admit
from hearing_server.live.stage_actions import do_check_identity, do_set_stage, stage_state
from hearing_server.live.stages import ID_TYPES, STAGE_SOURCE, STAGES
from tingshen_platform.bounded import MultiLine

router = APIRouter(prefix="/api/hearings/{hearing_id}", tags=["stages"])


class StageOut(BaseModel):
    code: str
    order: int
    zh: str
    en: str


class IdTypeOut(BaseModel):
    code: str
    zh: str
    en: str


class StageChangeOut(BaseModel):
    stage: str
    at: datetime
    actor_name: str
    marker_id: str


class IdentityOut(BaseModel):
    participant_id: int
    court_role: str
    display_name: str
    checked: bool
    id_type: str | None = None
    id_last4: str | None = None
    note: str | None = None
    checked_at: datetime | None = None
    checked_by: str | None = None


class StagesOut(BaseModel):
    stages: list[StageOut]
    source: str
    id_types: list[IdTypeOut]
    current: str | None
    history: list[StageChangeOut]
    identities: list[IdentityOut]


class StageIn(BaseModel):
    stage: str = Field(pattern=r"^[a-z_]{1,32}$", max_length=32)


class IdentityIn(BaseModel):
    id_type: str = Field(pattern=r"^[a-z_]{1,32}$", max_length=32)
    id_last4: str = Field(pattern=r"^[0-9A-Za-z]{4}$", max_length=4)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), MultiLine] = ""


@router.get("/stages")
def get_stages(
    hearing_id: int,
    session: SessionDep,
    staff: OptionalStaff,
    participant: OptionalParticipant,
) -> StagesOut:
    admitted = admit(session, staff, participant, hearing_id)
    state = stage_state(session, admitted.hearing)
    identities = []
    for person in state.checkable:
        check = state.checks.get(person.id)
        identities.append(
            IdentityOut(
                participant_id=person.id,
                court_role=person.court_role.value,
                display_name=person.display_name,
                checked=check is not None,
                id_type=check.id_type if check else None,
                id_last4=check.id_last4 if check else None,
                note=check.note if check else None,
                checked_at=check.checked_at if check else None,
                checked_by=check.actor_name if check else None,
            )
        )
    return StagesOut(
        stages=[StageOut(code=s.code, order=s.order, zh=s.zh, en=s.en) for s in STAGES],
        source=STAGE_SOURCE,
        id_types=[IdTypeOut(code=t.code, zh=t.zh, en=t.en) for t in ID_TYPES],
        current=state.current,
        history=[
            StageChangeOut(
                stage=c.stage, at=c.changed_at, actor_name=c.actor_name, marker_id=c.marker_id
            )
            for c in state.history
        ],
        identities=identities,
    )


@router.post("/stage")
async def set_stage(
    hearing_id: int,
    body: StageIn,
    staff: JudgeStaff,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
) -> StagesOut:
    await do_set_stage(
        session, ctx, rooms, registry, staff=staff, hearing_id=hearing_id, code=body.stage
    )
    return get_stages(hearing_id, session, staff, None)


@router.post("/participants/{participant_id}/identity")
async def check_identity(
    hearing_id: int,
    participant_id: int,
    body: IdentityIn,
    staff: ClerkStaff,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
) -> StagesOut:
    await do_check_identity(
        session,
        ctx,
        rooms,
        registry,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        id_type=body.id_type,
        last4=body.id_last4,
        note=body.note,
    )
    return get_stages(hearing_id, session, staff, None)
