"""Cases, hearings, participants and invitations: keyword-only actions that write, audit, commit.

Scheduling changes owe notices: scheduling, rescheduling and cancelling a hearing, and adding a
participant to a scheduled hearing, add rows to the notice outbox in the same transaction
(:mod:`hearing_server.notices.outbox`); the dispatcher sends them afterwards.

Authorisation of the *target* (court, role) happens here, through :mod:`hearing_server.access`,
so every caller gets the same rules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import (
    case_for_staff,
    hearing_for_staff,
    require_staff_role,
)
from hearing_server.audit import Actor, EntityRef
from hearing_server.case_parties import from_case_party
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, InvalidInputError
from hearing_server.events import publish_case_created, publish_hearing
from hearing_server.models import (
    Case,
    CourtRole,
    Hearing,
    HearingStatus,
    NoticeKind,
    Participant,
    StaffRole,
    StaffUser,
)
from hearing_server.notices.outbox import enqueue_hearing_notices

SCHEDULERS = (StaffRole.JUDGE, StaffRole.CLERK)
CASE_CREATORS = (StaffRole.JUDGE, StaffRole.CLERK, StaffRole.COURT_ADMIN)


def _actor(staff: StaffUser) -> Actor:
    return Actor("staff", staff.id)


def _hearing_snapshot(hearing: Hearing) -> dict[str, Any]:
    return {
        "scheduled_at": hearing.scheduled_at.isoformat(),
        "duration_minutes": hearing.duration_minutes,
        "place": hearing.place,
        "status": hearing.status.value,
        "version": hearing.version,
        "language": hearing.language,
    }


def do_create_case(
    session: Session, ctx: ServerContext, *, staff: StaffUser, case_number: str, cause: str
) -> Case:
    require_staff_role(staff, CASE_CREATORS, "create cases")
    if session.scalars(select(Case.id).where(Case.case_number == case_number)).first():
        raise ConflictError(f"case {case_number} already exists")
    now = ctx.clock()
    case = Case(
        court_id=staff.court_id, case_number=case_number, cause_of_action=cause, created_at=now
    )
    session.add(case)
    session.flush()
    audit.record(
        session,
        actor=_actor(staff),
        action="case.create",
        entity=EntityRef("case", case.id),
        case_id=case.id,
        details={"case_number": case_number, "cause_of_action": cause},
        at=now,
    )
    publish_case_created(session, case, at=now)
    session.commit()
    return case


def _future_utc(ctx: ServerContext, when: datetime) -> datetime:
    if when.tzinfo is None:
        raise InvalidInputError("scheduled_at needs a timezone")
    if when <= ctx.clock():
        raise InvalidInputError.because("scheduled_in_past")
    return when.astimezone(UTC)


def do_schedule_hearing(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    case_id: int,
    scheduled_at: datetime,
    duration_minutes: int,
    place: str,
    language: str = "zh",
) -> Hearing:
    require_staff_role(staff, SCHEDULERS, "schedule hearings")
    case = case_for_staff(session, staff, case_id)
    scheduled_at = _future_utc(ctx, scheduled_at)
    hearing = Hearing(
        case_id=case.id,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        place=place,
        status=HearingStatus.SCHEDULED,
        version=1,
        language=language,
    )
    session.add(hearing)
    session.flush()
    audit.record(
        session,
        actor=_actor(staff),
        action="hearing.schedule",
        entity=EntityRef("hearing", hearing.id),
        case_id=case.id,
        details={"after": _hearing_snapshot(hearing)},
        at=ctx.clock(),
    )
    # A new hearing usually has no participants yet; they get theirs when they are added.
    enqueue_hearing_notices(session, ctx, hearing=hearing, kind=NoticeKind.SCHEDULED)
    publish_hearing(session, "schedule", hearing, at=ctx.clock())
    session.commit()
    return hearing


def _change_hearing(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing: Hearing,
    action: str,
    expected_version: int | None,
    allowed_from: tuple[HearingStatus, ...],
    changes: dict[str, Any],
    notice: NoticeKind | None = None,
) -> Hearing:
    if expected_version is not None and expected_version != hearing.version:
        raise ConflictError.because(
            "hearing_changed", hearing_id=hearing.id, version=hearing.version
        )
    if hearing.status not in allowed_from:
        raise ConflictError.because("hearing_status", action=action, status=hearing.status.value)
    before = _hearing_snapshot(hearing)
    for name, value in changes.items():
        setattr(hearing, name, value)
    hearing.version += 1
    audit.record(
        session,
        actor=_actor(staff),
        action=f"hearing.{action}",
        entity=EntityRef("hearing", hearing.id),
        case_id=hearing.case_id,
        details={"before": before, "after": _hearing_snapshot(hearing)},
        at=ctx.clock(),
    )
    if notice is not None:
        previous = datetime.fromisoformat(before["scheduled_at"])
        enqueue_hearing_notices(
            session, ctx, hearing=hearing, kind=notice, previous_scheduled_at=previous
        )
    publish_hearing(session, action, hearing, at=ctx.clock())
    session.commit()
    return hearing


def do_reschedule_hearing(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing_id: int,
    scheduled_at: datetime,
    duration_minutes: int | None,
    place: str | None,
    expected_version: int | None,
) -> Hearing:
    require_staff_role(staff, SCHEDULERS, "reschedule hearings")
    hearing = hearing_for_staff(session, staff, hearing_id)
    changes: dict[str, Any] = {"scheduled_at": _future_utc(ctx, scheduled_at)}
    if duration_minutes is not None:
        changes["duration_minutes"] = duration_minutes
    if place is not None:
        changes["place"] = place
    return _change_hearing(
        session,
        ctx,
        staff=staff,
        hearing=hearing,
        action="reschedule",
        expected_version=expected_version,
        allowed_from=(HearingStatus.SCHEDULED,),
        changes=changes,
        notice=NoticeKind.RESCHEDULED,
    )


_TRANSITIONS: dict[str, tuple[tuple[StaffRole, ...], tuple[HearingStatus, ...], HearingStatus]] = {
    "cancel": (SCHEDULERS, (HearingStatus.SCHEDULED,), HearingStatus.CANCELLED),
    "open": ((StaffRole.CLERK,), (HearingStatus.SCHEDULED,), HearingStatus.OPEN),
    "close": ((StaffRole.CLERK,), (HearingStatus.OPEN,), HearingStatus.CLOSED),
}


def do_transition_hearing(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing_id: int,
    action: str,
    expected_version: int | None,
) -> Hearing:
    """``cancel`` (judge, clerk), ``open`` and ``close`` (clerk)."""
    roles, allowed_from, target = _TRANSITIONS[action]
    require_staff_role(staff, roles, f"{action} hearings")
    hearing = hearing_for_staff(session, staff, hearing_id)
    return _change_hearing(
        session,
        ctx,
        staff=staff,
        hearing=hearing,
        action=action,
        expected_version=expected_version,
        allowed_from=allowed_from,
        changes={"status": target},
        notice=NoticeKind.CANCELLED if action == "cancel" else None,
    )


def do_add_participant(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing_id: int,
    display_name: str | None,
    court_role: CourtRole | None,
    staff_user_id: int | None,
    phone: str | None,
    email: str | None,
    notify: bool = True,
    language: str | None = None,
    interprets_id: int | None = None,
    case_party_ref: str | None = None,
) -> Participant:
    """Add a participant; on a scheduled hearing (and ``notify``) their notice is queued too.
    ``case_party_ref``: a party of the hearing's case, invited as themselves (name, role, phone
    and e-mail are the party's unless given)."""
    require_staff_role(staff, SCHEDULERS, "add participants")
    hearing = hearing_for_staff(session, staff, hearing_id)
    if hearing.status in (HearingStatus.CLOSED, HearingStatus.CANCELLED):
        raise ConflictError(f"hearing {hearing.id} is {hearing.status.value}")
    fields = from_case_party(
        session,
        case_id=hearing.case_id,
        case_party_ref=case_party_ref,
        display_name=display_name,
        court_role=court_role,
        phone=phone,
        email=email,
    )
    display_name, court_role = fields.display_name, fields.court_role
    phone, email = fields.phone, fields.email
    if staff_user_id is not None:
        linked = session.get(StaffUser, staff_user_id)
        if linked is None or linked.court_id != staff.court_id:
            raise InvalidInputError(f"staff user {staff_user_id} is not staff of this court")
    participant = Participant(
        hearing_id=hearing.id,
        display_name=display_name,
        court_role=court_role,
        staff_user_id=staff_user_id,
        phone=phone,
        email=email,
        language=language,
        case_party_ref=fields.case_party_ref,
    )
    if interprets_id is not None:  # an interpreter names whom they interpret (same hearing)
        interpreted = session.get(Participant, interprets_id)
        if interpreted is None or interpreted.hearing_id != hearing.id:
            raise InvalidInputError(f"participant {interprets_id} is not in this hearing")
        if court_role is not CourtRole.INTERPRETER:
            raise InvalidInputError("only an interpreter interprets for another participant")
        participant.interprets_id = interprets_id
    session.add(participant)
    session.flush()
    audit.record(
        session,
        actor=_actor(staff),
        action="participant.add",
        entity=EntityRef("participant", participant.id),
        case_id=hearing.case_id,
        details={
            "display_name": display_name,
            "court_role": court_role.value,
            **({"language": language} if language else {}),
            **({"interprets_id": interprets_id} if interprets_id else {}),
            **({"case_party_ref": fields.case_party_ref} if fields.case_party_ref else {}),
        },
        at=ctx.clock(),
    )
    if notify and hearing.status is HearingStatus.SCHEDULED:
        enqueue_hearing_notices(
            session, ctx, hearing=hearing, kind=NoticeKind.SCHEDULED, participants=[participant]
        )
    session.commit()
    return participant
