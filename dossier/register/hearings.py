"""The hearings of each case, from the hearing server's events.

- ``hearing.*`` (consumer ``dossier.hearings``): one row per hearing, matched to the register by
  case number. Idempotent: a row keeps the highest ``version`` it was told of, so a re-delivered
  or late event (an older version) changes nothing.
- ``transcript.signed`` (consumer ``dossier.records``): the hearing's record is signed and sealed,
  which no ``hearing.*`` event says (the hearing stays ``closed``). One row per hearing in
  ``dossier_hearing_records``, keeping the highest ``revision``: a re-delivery changes nothing.
  It needs no hearing row (a consumer of its own, so it may come first, and a consumer new to a
  running court reads the records signed before it from the start of the outbox); the case page
  joins the two by hearing id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from court_events.hearing import HEARING_EVENTS, TRANSCRIPT_SIGNED
from dossier.register.tables import DossierHearing, DossierHearingRecord
from tingshen_platform.events import Event, orm_session

__all__ = [
    "HANDLERS",
    "RECORD_HANDLERS",
    "hearings_of",
    "on_hearing_changed",
    "on_record_signed",
    "records_of",
]


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


def on_record_signed(connection: Connection, event: Event) -> None:
    signed = event.parse(TRANSCRIPT_SIGNED)
    with orm_session(connection) as session:
        row = session.scalars(
            select(DossierHearingRecord).where(DossierHearingRecord.hearing_id == signed.hearing_id)
        ).first()
        if row is None:
            row = DossierHearingRecord(hearing_id=signed.hearing_id, revision=-1)
            session.add(row)
        if signed.revision <= row.revision:
            return
        row.case_number = signed.case_number
        row.revision = signed.revision
        row.pdf_sha256 = signed.pdf_sha256
        row.signed_at = event.occurred_at


def records_of(session: Session, hearing_ids: list[int]) -> dict[int, DossierHearingRecord]:
    """The signed records of these hearings, by hearing id (a hearing without one is absent)."""
    if not hearing_ids:
        return {}
    rows = session.scalars(
        select(DossierHearingRecord).where(DossierHearingRecord.hearing_id.in_(hearing_ids))
    )
    return {row.hearing_id: row for row in rows}


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
RECORD_HANDLERS: Mapping[str, Callable[[Connection, Event], None]] = {
    TRANSCRIPT_SIGNED.name: on_record_signed
}
