"""Everyone who took part in a hearing: its participants and the court staff who joined its room.

    people = took_part(session, hearing)     # [TookPart(key, role, name), ...]

The transcript editor offers these when a segment's speaker is changed (issue 13, defect 8): the
parties on the participant list, and the judges and clerks who are not on it but joined the
hearing's media (their ``hearing.join`` audit events name them), by role and name. Participants
come first in list order, then staff in the order they first joined.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.models import AuditEvent, Hearing, Participant, StaffUser

__all__ = ["TookPart", "took_part"]


@dataclass(frozen=True, slots=True)
class TookPart:
    key: str
    """The speaker key of the live protocol and the transcript (``participant-7``/``staff-3``)."""
    role: str
    name: str


def took_part(session: Session, hearing: Hearing) -> list[TookPart]:
    participants = session.scalars(
        select(Participant).where(Participant.hearing_id == hearing.id).order_by(Participant.id)
    ).all()
    people = [
        TookPart(f"participant-{p.id}", p.court_role.value, p.display_name) for p in participants
    ]
    joins = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == "hearing.join",
            AuditEvent.entity_type == "hearing",
            AuditEvent.entity_id == hearing.id,
            AuditEvent.actor_kind == "staff",
        )
        .order_by(AuditEvent.id)
    ).all()
    seen = {person.key for person in people}
    for event in joins:
        key = str(event.details.get("speaker", ""))
        if not key.startswith("staff-") or key in seen or event.actor_id is None:
            continue
        staff = session.get(StaffUser, event.actor_id)
        if staff is None:
            continue
        seen.add(key)
        people.append(TookPart(key, staff.role.value, staff.display_name))
    return people
