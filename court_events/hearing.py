"""Events of the hearing server: cases entered, hearings scheduled and held, records signed.

A payload names things by id *and* by what people read (case number, court), so that a consumer
never has to call back into the hearing server to show them. Times are UTC (ISO 8601 in JSON).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from tingshen_platform.events import EventType

__all__ = [
    "CASE_CREATED",
    "HEARING_EVENTS",
    "NOTICE_SENT",
    "RECORDING_FINALIZED",
    "TRANSCRIPT_SIGNED",
    "CaseCreated",
    "FiledDocument",
    "HearingChanged",
    "NoticeSent",
    "RecordingFinalized",
    "TranscriptSigned",
]


class CaseCreated(BaseModel):
    case_id: int
    court_id: int
    case_number: str
    cause_of_action: str
    court_name: str = ""
    """The court's name (added to v1 compatibly; empty in events written before it)."""


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


class FiledDocument(BaseModel):
    """A file the hearing server filed with the case, readable by the side services in the
    shared document store under ``blob_key`` (check ``sha256`` on reading)."""

    document_id: int
    kind: str
    """``signed_transcript``, ``recording_digests``, ``corrections`` …"""
    filename: str
    media_type: str
    sha256: str
    size_bytes: int
    blob_key: str


class TranscriptSigned(BaseModel):
    hearing_id: int
    case_id: int
    case_number: str
    pdf_sha256: str
    revision: int
    case_document_ids: list[int]
    documents: list[FiledDocument] = []
    """The same documents as ``case_document_ids``, with where to read them (added to v1 in a
    compatible way: a consumer of the older payload ignores it)."""


class NoticeSent(BaseModel):
    """A notice (hearing notice, change, cancellation, signing request) went out to one person:
    what the dossier files as the notice sent (and, later, delivery as proof of service)."""

    notice_id: int
    hearing_id: int
    case_id: int
    case_number: str
    kind: str
    """``hearing_notice``, ``reschedule_notice``, ``cancel_notice``, ``sign_request`` …"""
    channel: str
    """``sms`` or ``email``."""
    recipient_name: str
    recipient_role: str
    sent_to: str
    """The address as the notice log shows it (masked phone or e-mail)."""
    subject: str | None
    body_text: str
    """The text as sent."""
    sent_at: datetime


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
NOTICE_SENT = EventType("notice.sent", 1, NoticeSent, "a notice went out to one participant")
RECORDING_FINALIZED = EventType(
    "recording.finalized", 1, RecordingFinalized, "the hearing's recording files are final"
)
