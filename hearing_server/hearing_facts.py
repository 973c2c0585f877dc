"""What the record's header states about a hearing as it happened (issue 13): when it actually
opened and closed, and who sat as the bench.

    opened, closed = actual_times(session, hearing_id)      # UTC, from the audit trail
    bench = bench_of(session, hearing)                      # [(court role, name), ...]
    local = in_court_time(opened, ZoneInfo("Asia/Shanghai"))

The scheduled time is a plan; the record states the instants the hearing was opened (开庭) and
closed (闭庭), which the audit trail holds (``hearing.open`` / ``hearing.close``, written in the
transaction of the change). The bench is the judges and the clerk on the participant list, and
else the staff who opened or closed the hearing, as the signing plan takes them
(:func:`hearing_server.closing.freeze.attendees`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.models import AuditEvent, Hearing, Participant, StaffRole, StaffUser

__all__ = ["actual_times", "bench_names", "bench_of", "in_court_time"]

_STAFF_AS_BENCH = {StaffRole.JUDGE: "judge", StaffRole.CLERK: "clerk"}
_JUDGES = ("presiding_judge", "judge")


def actual_times(session: Session, hearing_id: int) -> tuple[datetime | None, datetime | None]:
    """The first opening and the last closing of the hearing (UTC), or None if none yet."""
    events = session.execute(
        select(AuditEvent.action, AuditEvent.at)
        .where(
            AuditEvent.entity_type == "hearing",
            AuditEvent.entity_id == hearing_id,
            AuditEvent.action.in_(("hearing.open", "hearing.close")),
        )
        .order_by(AuditEvent.id)
    ).all()
    opened = next((at for action, at in events if action == "hearing.open"), None)
    closed = next((at for action, at in reversed(events) if action == "hearing.close"), None)
    return opened, closed


def bench_of(session: Session, hearing: Hearing) -> list[tuple[str, str]]:
    """``(court role, name)`` of the judges and the clerk who took part."""
    people = session.scalars(
        select(Participant)
        .where(Participant.hearing_id == hearing.id, Participant.removed_at.is_(None))
        .order_by(Participant.id)
    ).all()
    listed = [(p.court_role.value, p.display_name) for p in people if p.court_role.is_bench]
    if listed:
        return listed
    staff_ids = session.scalars(
        select(AuditEvent.actor_id)
        .where(
            AuditEvent.entity_type == "hearing",
            AuditEvent.entity_id == hearing.id,
            AuditEvent.action.in_(("hearing.open", "hearing.close")),
            AuditEvent.actor_kind == "staff",
        )
        .order_by(AuditEvent.id)
    ).all()
    bench: list[tuple[str, str]] = []
    for staff_id in dict.fromkeys(i for i in staff_ids if i is not None):
        staff = session.get(StaffUser, staff_id)
        role = _STAFF_AS_BENCH.get(staff.role) if staff is not None else None
        if staff is not None and role is not None:
            bench.append((role, staff.display_name))
    return bench


def bench_names(bench: list[tuple[str, str]]) -> tuple[str, str]:
    """The presiding judge (or else a judge) and the clerk, by name ("" if none)."""
    presiding = next((n for r, n in bench if r == "presiding_judge"), "") or next(
        (n for r, n in bench if r in _JUDGES), ""
    )
    clerk = next((n for r, n in bench if r == "clerk"), "")
    return presiding, clerk


def in_court_time(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)
