"""The hearings of each case, from the hearing server's ``hearing.*`` events (consumer
``dossier.hearings``): one row per hearing, matched to the register by case number.

Idempotent: a row keeps the highest ``version`` it was told of, so a re-delivered or late
event (an older version) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from court_events.hearing import HEARING_EVENTS
from dossier.consumers import orm_session
from dossier.register.tables import DossierHearing
from tingshen_platform.events import Event

__all__ = ["HANDLERS", "hearings_of", "on_hearing_changed"]


_BY_NAME = {event_type.name: event_type for event_type in HEARING_EVENTS.values()}


def on_hearing_changed(connection: Connection, event: Event) -> None:
    changed = event.parse(_BY_NAME[event.type])
    with orm_session(connection) as session:
        row = session.scalars(
            select(DossierHearing).where(DossierHearing.hearing_id == changed.hearing_id)
        ).first()
        if row is None:
            row = DossierHearing(hearing_id=changed.hearing_id, version=-1)
            session.add(row)
        if changed.version <= row.version:
            return
        row.case_number = changed.case_number
        row.status = changed.status
        row.scheduled_at = changed.scheduled_at
        row.duration_minutes = changed.duration_minutes
        row.place = changed.place[:200]
        row.version = changed.version
        row.updated_at = event.occurred_at


def hearings_of(session: Session, case_number: str) -> list[DossierHearing]:
    return list(
        session.scalars(
            select(DossierHearing)
            .where(DossierHearing.case_number == case_number)
            .order_by(DossierHearing.scheduled_at, DossierHearing.hearing_id)
        )
    )


HANDLERS: Mapping[str, Callable[[Connection, Event], None]] = dict.fromkeys(
    _BY_NAME, on_hearing_changed
)
