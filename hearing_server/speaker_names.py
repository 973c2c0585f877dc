"""Who a media key names: ``participant-N`` / ``staff-N`` → role and name, for pages and files
that would otherwise show the internal key (issue 13, defect 6)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.models import Case, Hearing, Participant, StaffUser


def _key_id(key: str, prefix: str) -> int | None:
    rest = key.removeprefix(prefix)
    return int(rest) if rest != key and rest.isdigit() else None


def speaker_names(
    session: Session, hearing_id: int, keys: Iterable[str]
) -> dict[str, dict[str, str]]:
    """``{key: {"role": ..., "display_name": ...}}`` for each key that names a participant of
    this hearing or a staff member of its court (the court role they hold in the hearing when
    they are on its participant list, else their staff role); other keys are left out."""
    court_id = session.scalars(
        select(Case.court_id)
        .join(Hearing, Hearing.case_id == Case.id)
        .where(Hearing.id == hearing_id)
    ).first()
    participants = session.scalars(select(Participant).where(Participant.hearing_id == hearing_id))
    by_id: dict[int, Participant] = {}
    by_staff: dict[int, Participant] = {}
    for p in participants:
        by_id[p.id] = p
        if p.staff_user_id is not None:
            by_staff[p.staff_user_id] = p
    out: dict[str, dict[str, str]] = {}
    for key in keys:
        participant_id = _key_id(key, "participant-")
        if participant_id is not None and participant_id in by_id:
            p = by_id[participant_id]
            out[key] = {"role": p.court_role.value, "display_name": p.display_name}
            continue
        staff_id = _key_id(key, "staff-")
        staff = session.get(StaffUser, staff_id) if staff_id is not None else None
        if staff is None or staff.court_id != court_id:
            continue
        own = by_staff.get(staff.id)
        role = own.court_role.value if own is not None else staff.role.value
        out[key] = {"role": role, "display_name": staff.display_name}
    return out
