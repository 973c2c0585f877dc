"""The hearing server's events: what the side services (dossier, fees, delivery, ledger) learn of
cases and hearings, written into the platform's outbox in the transaction of the change they
report (``tingshen_platform.events``). The types and payloads are in the leaf package
:mod:`court_events.hearing` (which the side services read); this module publishes them.
Documented, with their payloads, in ``docs/events.md``.

A payload names things by id *and* by what people read (case number, court), so that a consumer
never has to call back into the hearing server to show them. Times are UTC (ISO 8601 in JSON).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from court_events.hearing import (
    CASE_CREATED,
    HEARING_EVENTS,
    RECORDING_FINALIZED,
    TRANSCRIPT_SIGNED,
    CaseCreated,
    FiledDocument,
    HearingChanged,
    RecordingFinalized,
    TranscriptSigned,
)
from hearing_server.models import Case, CaseDocument, Hearing
from tingshen_platform.events import publish

__all__ = [
    "CASE_CREATED",
    "HEARING_EVENTS",
    "RECORDING_FINALIZED",
    "TRANSCRIPT_SIGNED",
    "CaseCreated",
    "FiledDocument",
    "HearingChanged",
    "RecordingFinalized",
    "TranscriptSigned",
    "publish_case_created",
    "publish_hearing",
    "publish_transcript_signed",
]


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
            court_name=case.court.name,
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
    documents: list[CaseDocument],
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
            case_document_ids=[d.id for d in documents],
            documents=[
                FiledDocument(
                    document_id=d.id,
                    kind=d.kind,
                    filename=d.filename,
                    media_type=d.media_type,
                    sha256=d.sha256,
                    size_bytes=d.size_bytes,
                    blob_key=d.storage_path,
                )
                for d in documents
            ],
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
