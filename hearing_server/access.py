"""Who may see what: lookups that enforce court, hearing and role.

Staff see only their own court; a record of another court (case, hearing, participant,
invitation, notice) is reported as not found in the very words used for an id that does not
exist, so its existence is not revealed. Participants see only their own hearing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from hearing_server.errors import ForbiddenError, NotFoundError
from hearing_server.models import (
    Case,
    Hearing,
    Invitation,
    NoticeOutbox,
    Participant,
    StaffRole,
    StaffUser,
)


def require_staff_role(staff: StaffUser, roles: Iterable[StaffRole], action: str) -> None:
    allowed = frozenset(roles)
    if staff.role not in allowed:
        names = ", ".join(sorted(role.value for role in allowed))
        raise ForbiddenError(f"only {names} may {action}")


def case_for_staff(session: Session, staff: StaffUser, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.court_id != staff.court_id:
        raise NotFoundError(f"case {case_id} not found")
    return case


def hearing_for_staff(session: Session, staff: StaffUser, hearing_id: int) -> Hearing:
    hearing = session.get(Hearing, hearing_id)
    if hearing is None or hearing.case.court_id != staff.court_id:
        raise NotFoundError(f"hearing {hearing_id} not found")
    return hearing


def participant_for_staff(session: Session, staff: StaffUser, participant_id: int) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.hearing.case.court_id != staff.court_id:
        raise NotFoundError(f"participant {participant_id} not found")
    return participant


def invitation_for_staff(session: Session, staff: StaffUser, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.participant.hearing.case.court_id != staff.court_id:
        raise NotFoundError(f"invitation {invitation_id} not found")
    return invitation


def notice_for_staff(session: Session, staff: StaffUser, notice_id: int) -> NoticeOutbox:
    notice = session.get(NoticeOutbox, notice_id)
    hearing = session.get(Hearing, notice.hearing_id) if notice is not None else None
    if notice is None or hearing is None or hearing.case.court_id != staff.court_id:
        raise NotFoundError(f"notice {notice_id} not found")
    return notice


def hearing_for_participant(session: Session, participant: Participant, hearing_id: int) -> Hearing:
    if participant.hearing_id != hearing_id:
        raise ForbiddenError("you may only access the hearing you were invited to")
    hearing = session.get(Hearing, hearing_id)
    if hearing is None:
        raise NotFoundError(f"hearing {hearing_id} not found")
    return hearing
