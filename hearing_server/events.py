"""The hearing server's events: what the side services (dossier, fees, delivery, ledger) learn of
cases and hearings, written into the platform's outbox in the transaction of the change they
report (``tingshen_platform.events``). Documented, with their payloads, in ``docs/events.md``.

A payload names things by id *and* by what people read (case number, court), so that a consumer
never has to call back into the hearing server to show them. Times are UTC (ISO 8601 in JSON).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from hearing_server.models import Case, Hearing
from tingshen_platform.events import EventType, publish

__all__ = [
    "CASE_CREATED",
    "HEARING_EVENTS",
    "RECORDING_FINALIZED",
    "TRANSCRIPT_SIGNED",
    "CaseCreated",
    "HearingChanged",
    "RecordingFinalized",
    "TranscriptSigned",
    "publish_case_created",
    "publish_hearing",
    "publish_transcript_signed",
]


class CaseCreated(BaseModel):
    case_id: int
    court_id: int
    case_number: str
    cause_of_action: str


class HearingChanged(BaseModel):
    hearing_id: int
    case_id: int
    case_number: str
    status: str
    scheduled_at: datetime
    duration_minutes: int
    place: str
    language: str
    version: int


class TranscriptSigned(BaseModel):
    hearing_id: int
    case_id: int
    case_number: str
    pdf_sha256: str
    revision: int
    case_document_ids: list[int]


class RecordingFinalized(BaseModel):
    hearing_id: int
    case_id: int
    files: int
    duration_ms: int
    mix_sha256: str


CASE_CREATED = EventType("case.created", 1, CaseCreated, "a case was entered")
HEARING_EVENTS = {
    action: EventType(f"hearing.{name}", 1, HearingChanged, description)
    for action, name, description in (
        ("schedule", "scheduled", "a hearing was scheduled"),
        ("reschedule", "rescheduled", "a hearing's time or place changed"),
        ("cancel", "cancelled", "a scheduled hearing was cancelled"),
        ("open", "opened", "the clerk opened the hearing"),
        ("close", "closed", "the clerk closed the hearing"),
    )
}
TRANSCRIPT_SIGNED = EventType(
    "transcript.signed", 1, TranscriptSigned, "every signature and the court seal are on it"
)
RECORDING_FINALIZED = EventType(
    "recording.finalized", 1, RecordingFinalized, "the hearing's recording files are final"
)


def _case_number(session: Session, hearing: Hearing) -> str:
    case = session.get(Case, hearing.case_id)
    assert case is not None, f"hearing {hearing.id} has no case"
    return case.case_number


def publish_case_created(session: Session, case: Case, *, at: datetime) -> None:
    publish(
        session.connection(),
        CASE_CREATED,
        CaseCreated(
            case_id=case.id,
            court_id=case.court_id,
            case_number=case.case_number,
            cause_of_action=case.cause_of_action,
        ),
        occurred_at=at,
        stream=f"case:{case.id}",
    )


def publish_transcript_signed(
    session: Session,
    hearing: Hearing,
    *,
    pdf_sha256: str,
    revision: int,
    case_document_ids: list[int],
    at: datetime,
) -> None:
    publish(
        session.connection(),
        TRANSCRIPT_SIGNED,
        TranscriptSigned(
            hearing_id=hearing.id,
            case_id=hearing.case_id,
            case_number=_case_number(session, hearing),
            pdf_sha256=pdf_sha256,
            revision=revision,
            case_document_ids=case_document_ids,
        ),
        occurred_at=at,
        stream=f"hearing:{hearing.id}",
    )


def publish_hearing(session: Session, action: str, hearing: Hearing, *, at: datetime) -> None:
    """``hearing.scheduled`` / ``rescheduled`` / ``cancelled`` / ``opened`` / ``closed``."""
    publish(
        session.connection(),
        HEARING_EVENTS[action],
        HearingChanged(
            hearing_id=hearing.id,
            case_id=hearing.case_id,
            case_number=_case_number(session, hearing),
            status=hearing.status.value,
            scheduled_at=hearing.scheduled_at,
            duration_minutes=hearing.duration_minutes,
            place=hearing.place,
            language=hearing.language,
            version=hearing.version,
        ),
        occurred_at=at,
        stream=f"hearing:{hearing.id}",
    )
