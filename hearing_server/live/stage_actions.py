"""Court stages and identity checks: actions that check, write the marker row into the transcript
document, record the change and its audit event, and commit.

    state = stage_state(session, hearing)                  # current stage, history, identities
    await do_set_stage(session, ctx, rooms, registry, staff=judge, hearing_id=h, code="debate")
    await do_check_identity(session, ctx, rooms, registry, staff=clerk, hearing_id=h,
                            participant_id=p, id_type="resident_id", last4="1234", note="")

Only judges move the hearing through its stages (:mod:`hearing_server.live.stages`); only the
clerk records identity checks, and only during the stage 核对身份. Both need an open hearing.

The database row and its audit event are committed first, then the marker row
(``SegmentKind.MARKER``) is written to the transcript document, durable: the document, which every
process and every room page follows, is what tells the room that something changed
(docs/protocol.md), so a page that reads the state on a marker finds it committed; and the
document's write never waits on an open database transaction (SQLite has one writer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, InvalidInputError, NotFoundError
from hearing_server.live.admission import existing_live, require_open
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.stages import (
    IDENTITY_STAGE,
    Stage,
    id_type_by_code,
    identity_marker_id,
    identity_marker_text,
    stage_by_code,
    stage_marker_id,
    stage_marker_text,
)
from hearing_server.models import (
    CourtRole,
    Hearing,
    HearingStageChange,
    IdentityCheck,
    Participant,
    StaffRole,
    StaffUser,
)
from hearing_server.transcript.bridge import live_start
from hearing_server.transcript.editors import staff_author
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.log import Author
from hearing_server.transcript.model import SegmentKind, SpeakerRef
from hearing_server.transcript.ydoc import NewSegment

__all__ = [
    "StageState",
    "checkable",
    "current_stage",
    "do_check_identity",
    "do_set_stage",
    "stage_state",
    "write_marker",
]

NOT_CHECKED_ROLES = frozenset(
    {CourtRole.PRESIDING_JUDGE, CourtRole.JUDGE, CourtRole.CLERK, CourtRole.OBSERVER}
)
"""The bench is not identity-checked, nor are observers (旁听)."""


@dataclass(frozen=True)
class StageState:
    current: str | None
    history: list[HearingStageChange]
    checks: dict[int, IdentityCheck]
    """Participant id → their latest identity check."""
    checkable: list[Participant]


def checkable(session: Session, hearing_id: int) -> list[Participant]:
    """The people whose identity the clerk checks: parties, agents, witnesses (not removed)."""
    people = session.scalars(
        select(Participant)
        .where(Participant.hearing_id == hearing_id, Participant.removed_at.is_(None))
        .order_by(Participant.id)
    ).all()
    return [p for p in people if p.court_role not in NOT_CHECKED_ROLES]


def current_stage(session: Session, hearing_id: int) -> str | None:
    return session.scalars(
        select(HearingStageChange.stage)
        .where(HearingStageChange.hearing_id == hearing_id)
        .order_by(HearingStageChange.id.desc())
        .limit(1)
    ).first()


def stage_state(session: Session, hearing: Hearing) -> StageState:
    history = list(
        session.scalars(
            select(HearingStageChange)
            .where(HearingStageChange.hearing_id == hearing.id)
            .order_by(HearingStageChange.id)
        ).all()
    )
    checks: dict[int, IdentityCheck] = {}
    for check in session.scalars(
        select(IdentityCheck)
        .where(IdentityCheck.hearing_id == hearing.id)
        .order_by(IdentityCheck.id)
    ).all():
        checks[check.participant_id] = check
    return StageState(
        current=history[-1].stage if history else None,
        history=history,
        checks=checks,
        checkable=checkable(session, hearing.id),
    )


async def write_marker(
    rooms: DocumentRooms,
    registry: LiveRegistry,
    *,
    author: Author,
    hearing_id: int,
    marker_id: str,
    text: str,
    at: datetime,
) -> None:
    """A marker row (a stage, an identity check, evidence shown), at its place in time on the
    segments' clock (ms from the live start), attributed to ``author``; durable on return."""
    room = await rooms.get(hearing_id)
    assert room.actions is not None
    live = existing_live(registry, hearing_id)
    start: datetime | None
    if live is not None:
        await live.ready()
        start = live.started_at
    else:
        start = live_start(room.actions.doc)
    offset_ms = max(0, round((at - start).total_seconds() * 1000)) if start is not None else 0
    marker = NewSegment(
        marker_id,
        SpeakerRef("", "", ""),
        offset_ms,
        offset_ms,
        text,
        kind=SegmentKind.MARKER,
        start_utc=at.isoformat(),
    )
    if await room.actions.add_marker(author, marker) is None:
        raise ConflictError("changed at the same moment by someone else; try again")


def _serial(
    session: Session,
    table: type[HearingStageChange] | type[IdentityCheck],
    hearing_id: int,
    now: datetime,
) -> str:
    """A marker id's unique part: the row's number in the hearing and the time in ms."""
    count = session.scalar(
        select(func.count()).select_from(table).where(table.hearing_id == hearing_id)
    )
    return f"{(count or 0) + 1}.{round(now.timestamp() * 1000)}"


def _open_hearing(session: Session, staff: StaffUser, hearing_id: int) -> Hearing:
    hearing = hearing_for_staff(session, staff, hearing_id)
    require_open(hearing)
    return hearing


async def do_set_stage(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    *,
    staff: StaffUser,
    hearing_id: int,
    code: str,
) -> HearingStageChange | None:
    """Move the hearing to the stage ``code``; None when it is there already (no marker)."""
    require_staff_role(staff, (StaffRole.JUDGE,), "move the hearing to another stage")
    stage: Stage | None = stage_by_code(code)
    if stage is None:
        raise InvalidInputError(f"unknown stage {code!r}")
    hearing = _open_hearing(session, staff, hearing_id)
    if current_stage(session, hearing.id) == stage.code:
        return None
    now = ctx.clock()
    marker_id = stage_marker_id(stage, _serial(session, HearingStageChange, hearing.id, now))
    change = HearingStageChange(
        hearing_id=hearing.id,
        stage=stage.code,
        staff_user_id=staff.id,
        actor_name=staff.display_name,
        changed_at=now,
        marker_id=marker_id,
    )
    session.add(change)
    audit.record(
        session,
        actor=Actor("staff", staff.id),
        action="hearing.stage",
        entity=EntityRef("hearing", hearing.id),
        case_id=hearing.case_id,
        details={"stage": stage.code, "marker_id": marker_id},
        at=now,
    )
    session.commit()
    await write_marker(
        rooms,
        registry,
        author=staff_author(staff),
        hearing_id=hearing.id,
        marker_id=marker_id,
        text=stage_marker_text(stage, now),
        at=now,
    )
    return change


async def do_check_identity(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    registry: LiveRegistry,
    *,
    staff: StaffUser,
    hearing_id: int,
    participant_id: int,
    id_type: str,
    last4: str,
    note: str,
) -> IdentityCheck:
    """The clerk saw the participant's identity document on camera: recorded, and a marker row
    "核对当事人身份：原告 张三（身份证 ****1234）已核对 10:35" in the transcript."""
    require_staff_role(staff, (StaffRole.CLERK,), "record identity checks")
    kind = id_type_by_code(id_type)
    if kind is None:
        raise InvalidInputError(f"unknown identity document type {id_type!r}")
    if len(last4) != 4 or not last4.isascii() or not last4.isalnum():
        raise InvalidInputError("the last four characters of the document number are needed")
    hearing = _open_hearing(session, staff, hearing_id)
    if current_stage(session, hearing.id) != IDENTITY_STAGE:
        raise ConflictError("identity checks are recorded during the stage 核对身份")
    target = next((p for p in checkable(session, hearing.id) if p.id == participant_id), None)
    if target is None:
        raise NotFoundError(f"no participant {participant_id} to check in hearing {hearing_id}")
    now = ctx.clock()
    last4 = last4.upper()
    marker_id = identity_marker_id(target.id, _serial(session, IdentityCheck, hearing.id, now))
    text = identity_marker_text(
        target.court_role.label_zh, target.display_name, kind, last4, note, now
    )
    check = IdentityCheck(
        hearing_id=hearing.id,
        participant_id=target.id,
        id_type=kind.code,
        id_last4=last4,
        note=note,
        staff_user_id=staff.id,
        actor_name=staff.display_name,
        checked_at=now,
        marker_id=marker_id,
    )
    session.add(check)
    audit.record(
        session,
        actor=Actor("staff", staff.id),
        action="participant.identity_check",
        entity=EntityRef("participant", target.id),
        case_id=hearing.case_id,
        details={"hearing_id": hearing.id, "id_type": kind.code, "marker_id": marker_id},
        at=now,
    )
    session.commit()
    await write_marker(
        rooms,
        registry,
        author=staff_author(staff),
        hearing_id=hearing.id,
        marker_id=marker_id,
        text=text,
        at=now,
    )
    return check
