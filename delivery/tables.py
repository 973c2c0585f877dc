"""The delivery service's tables (own metadata, Alembic version table ``alembic_version_delivery``).

Cases and parties as filed (``case.filed``); each party's confirmation of addresses and consent
to electronic service (送达地址确认书); documents to serve; one *service* per document and
recipient with its state (:mod:`delivery.states`); one *attempt* per channel of a service; every
step that fed the state (``delivery_steps``: sent, a courier's tracking event, the opening in the
portal), and the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tingshen_platform.sqltypes import UTCDateTime

__all__ = [
    "AddressConsent",
    "Attempt",
    "Base",
    "DeliveryAudit",
    "DeliveryCase",
    "DeliveryParty",
    "Document",
    "Service",
    "Step",
    "Trace",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class DeliveryCase(Base):
    __tablename__ = "delivery_cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_case_id: Mapped[int] = mapped_column(unique=True)
    court_id: Mapped[int] = mapped_column(index=True)
    court_name: Mapped[str] = mapped_column(String(200))
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    cause_name: Mapped[str] = mapped_column(String(200))
    judge_user_id: Mapped[int | None]
    clerk_user_id: Mapped[int | None]
    filed_at: Mapped[datetime]


class DeliveryParty(Base):
    __tablename__ = "delivery_parties"
    __table_args__ = (UniqueConstraint("case_id", "party_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("delivery_cases.id"), index=True)
    party_ref: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    id_number: Mapped[str | None] = mapped_column(String(18))


class AddressConsent(Base):
    """送达地址确认书: the addresses a party confirmed for this case and whether they consent to
    electronic service; the latest confirmation counts (earlier ones stay in the audit)."""

    __tablename__ = "delivery_consents"
    __table_args__ = (UniqueConstraint("case_id", "party_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("delivery_cases.id"), index=True)
    party_ref: Mapped[str] = mapped_column(String(32))
    electronic: Mapped[bool]
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    postal_address: Mapped[str | None] = mapped_column(String(300))
    postal_recipient: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime]
    confirmed_by: Mapped[str] = mapped_column(String(100))
    """The staff member who recorded the party's signed confirmation."""


class Document(Base):
    __tablename__ = "delivery_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("delivery_cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    blob_key: Mapped[str] = mapped_column(String(300))
    """In the host's exchange store (the portal reads it from there)."""
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class Service(Base):
    """One document served on one recipient."""

    __tablename__ = "delivery_services"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("delivery_cases.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("delivery_documents.id"))
    party_ref: Mapped[str | None] = mapped_column(String(32))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_role: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    channels: Mapped[list[str]]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    opened_by: Mapped[str | None] = mapped_column(String(200))
    collected_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    """When it failed or was returned."""
    served_event: Mapped[bool] = mapped_column(default=False)
    """``delivery.document_served`` was published."""
    needs_attention: Mapped[bool] = mapped_column(default=False)
    suggestion: Mapped[str | None] = mapped_column(String(16))
    """The next channel suggested to the clerk after a failure or a returned letter."""
    proof_blob_key: Mapped[str | None] = mapped_column(String(300))
    proof_sha256: Mapped[str | None] = mapped_column(String(64))


class Attempt(Base):
    """One channel of a service: where it went and what became of it."""

    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("delivery_services.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    """``queued``, ``sent``, ``arrived``, ``collected``, ``failed``, ``returned``."""
    waybill: Mapped[str | None] = mapped_column(String(64), unique=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Step(Base):
    """Everything that fed a service's state, in order; ``external_id`` (a courier's event id)
    makes a repeated callback a no-op."""

    __tablename__ = "delivery_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("delivery_services.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_attempts.id"))
    step: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    details: Mapped[dict[str, Any]]


class DeliveryAudit(Base):
    __tablename__ = "delivery_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(index=True)
    service_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any]]


class Trace(Base):
    """留痕: a recording of a service call (from the court's recording phones) with the clerk's
    note, kept with the attempt; transcribed offline (``asr``) so that it can be searched."""

    __tablename__ = "delivery_traces"
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("delivery_services.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_attempts.id"))
    note: Mapped[str] = mapped_column(Text)
    blob_key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    uploaded_at: Mapped[datetime]
    uploaded_by: Mapped[str] = mapped_column(String(200))
    transcript_state: Mapped[str] = mapped_column(String(16))
    """``queued``, ``done`` or ``failed`` (the audio could not be decoded)."""
    transcript: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
