"""The portal's tables (their own metadata and Alembic version table ``alembic_version_portal``).

What the portal learns from events (cases and their parties from ``case.filed``, documents
from ``delivery.document_served``), its accounts with their codes and sessions, lawyers'
representations, file reviews, the rate-limit hits and the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tingshen_platform.sqltypes import UTCDateTime

__all__ = [
    "Base",
    "PortalAccount",
    "PortalAudit",
    "PortalCase",
    "PortalCode",
    "PortalDocument",
    "PortalParty",
    "PortalRateHit",
    "PortalReview",
    "PortalSession",
    "Representation",
]


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class PortalCase(Base):
    """A filed case, as ``case.filed`` told it."""

    __tablename__ = "portal_cases"
    dossier_case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    court_id: Mapped[int] = mapped_column(index=True)
    court_name: Mapped[str] = mapped_column(String(200))
    case_number: Mapped[str] = mapped_column(String(100), index=True)
    cause_of_action: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[datetime]


class PortalParty(Base):
    __tablename__ = "portal_parties"
    __table_args__ = (UniqueConstraint("dossier_case_id", "party_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_case_id: Mapped[int] = mapped_column(ForeignKey("portal_cases.dossier_case_id"))
    party_ref: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    licence_number: Mapped[str | None] = mapped_column(String(32))
    represents_ref: Mapped[str | None] = mapped_column(String(32))


class PortalAccount(Base):
    """A real-name account: a person (a party) or a lawyer (with a licence number)."""

    __tablename__ = "portal_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """``person`` or ``lawyer``."""
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    licence_number: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    verified_at: Mapped[datetime]
    """When the identity provider confirmed name and ID number."""
    created_at: Mapped[datetime]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]


class PortalCode(Base):
    """An SMS code (only its hash): for registering a phone, or the second step of a login."""

    __tablename__ = "portal_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_accounts.id"))
    challenge_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]


class PortalSession(Base):
    __tablename__ = "portal_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_accounts.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class PortalPasskey(Base):
    """A passkey (WebAuthn credential) an account registered to log in with."""

    __tablename__ = "portal_passkeys"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_accounts.id"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    """base64url, as the browser names it (``rawId``)."""
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    """COSE-encoded, as the authenticator gave it."""
    sign_count: Mapped[int]
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class PortalPasskeyCeremony(Base):
    """A WebAuthn challenge handed out (registration or login), used once, for minutes."""

    __tablename__ = "portal_passkey_ceremonies"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("portal_accounts.id"))
    challenge: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Representation(Base):
    """A lawyer's request to act for a party of a case, which a clerk or judge confirms on the
    power of attorney (授权委托书)."""

    __tablename__ = "portal_representations"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_accounts.id"), index=True)
    dossier_case_id: Mapped[int] = mapped_column(ForeignKey("portal_cases.dossier_case_id"))
    party_ref: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """``requested``, ``confirmed`` or ``refused``."""
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))


class PortalDocument(Base):
    """A document served on one recipient (``delivery.document_served``), or a material of the
    dossier the judge published to one party (``dossier.material_published``)."""

    __tablename__ = "portal_documents"
    __table_args__ = (
        UniqueConstraint("publication_id", name="uq_portal_documents_publication_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(unique=True)
    """The delivery service's service; ``None`` for a published material."""
    publication_id: Mapped[int | None]
    """The dossier's publication; ``None`` for a served document."""
    dossier_case_id: Mapped[int] = mapped_column(index=True)
    case_number: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    recipient_party_ref: Mapped[str | None] = mapped_column(String(32))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    channels: Mapped[list[str]]
    sent_at: Mapped[datetime]
    opened_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("portal_accounts.id"))


class PortalReview(Base):
    """An application for online file review (网上阅卷) and its decision."""

    __tablename__ = "portal_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("portal_accounts.id"), index=True)
    dossier_case_id: Mapped[int] = mapped_column(ForeignKey("portal_cases.dossier_case_id"))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    """``requested``, ``approved`` or ``refused``."""
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    valid_until: Mapped[datetime | None]
    allow_download: Mapped[bool] = mapped_column(default=False)


class PortalRateHit(Base):
    __tablename__ = "portal_rate_hits"
    __table_args__ = (Index("ix_portal_rate_hits_bucket_at", "bucket", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime]


class PortalAudit(Base):
    """Every state change and every view: who (role and name), what, which case; ID numbers
    only masked."""

    __tablename__ = "portal_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    dossier_case_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict[str, Any]]
