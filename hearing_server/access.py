"""Who may see what: lookups that enforce court, hearing and role.

Staff see only their own court; a case or hearing of another court is reported as not found, so
its existence is not revealed. Participants see only their own hearing.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from hearing_server.errors import ForbiddenError, NotFoundError
from hearing_server.models import Case, Hearing, Participant, StaffRole, StaffUser


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


def hearing_for_participant(session: Session, participant: Participant, hearing_id: int) -> Hearing:
    if participant.hearing_id != hearing_id:
        raise ForbiddenError("you may only access the hearing you were invited to")
    hearing = session.get(Hearing, hearing_id)
    if hearing is None:
        raise NotFoundError(f"hearing {hearing_id} not found")
    return hearing
