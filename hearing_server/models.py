"""SQLAlchemy 2 models of courts, cases, staff, hearings, participants, sessions and audit.

Times are timezone-aware UTC in Python (``UTCDateTime`` stores them as UTC on every backend).
Enums are stored as their stable ASCII values in plain strings (no native ENUM types), so the
same migration runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StaffRole(enum.StrEnum):
    JUDGE = "judge"
    CLERK = "clerk"
    RECORDER = "recorder"
    COURT_ADMIN = "court_admin"
    FILING_CLERK = "filing_clerk"
    """立案庭: registers cases (the dossier service); no part in hearings."""
    FINANCE = "finance"
    """财务: litigation fees (the fees service): approves refunds, reconciles with the bank."""


class HearingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CourtRole(enum.StrEnum):
    PRESIDING_JUDGE = "presiding_judge"
    JUDGE = "judge"
    CLERK = "clerk"
    PLAINTIFF = "plaintiff"
    DEFENDANT = "defendant"
    THIRD_PARTY = "third_party"
    AGENT = "agent"
    WITNESS = "witness"
    OBSERVER = "observer"
    INTERPRETER = "interpreter"

    @property
    def label_zh(self) -> str:
        return _ROLE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _ROLE_LABELS[self][1]

    @property
    def is_bench(self) -> bool:
        return self in {CourtRole.PRESIDING_JUDGE, CourtRole.JUDGE, CourtRole.CLERK}


_ROLE_LABELS: dict[CourtRole, tuple[str, str]] = {
    CourtRole.PRESIDING_JUDGE: ("审判长", "Presiding judge"),
    CourtRole.JUDGE: ("审判员", "Judge"),
    CourtRole.CLERK: ("书记员", "Clerk"),
    CourtRole.PLAINTIFF: ("原告", "Plaintiff"),
    CourtRole.DEFENDANT: ("被告", "Defendant"),
    CourtRole.THIRD_PARTY: ("第三人", "Third party"),
    CourtRole.AGENT: ("诉讼代理人", "Agent ad litem"),
    CourtRole.WITNESS: ("证人", "Witness"),
    CourtRole.OBSERVER: ("旁听", "Observer"),
    CourtRole.INTERPRETER: ("翻译", "Interpreter"),
}


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class Court(Base):
    __tablename__ = "courts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    case_number: Mapped[str] = mapped_column(String(100), unique=True)
    cause_of_action: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    court: Mapped[Court] = relationship()


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    court: Mapped[Court] = relationship()


class Hearing(Base):
    __tablename__ = "hearings"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    scheduled_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    place: Mapped[str] = mapped_column(String(200))
    status: Mapped[HearingStatus] = mapped_column(_enum(HearingStatus, "hearing_status"))
    version: Mapped[int] = mapped_column(default=1)
    language: Mapped[str] = mapped_column(String(8), default="zh", server_default="zh")
    """What the live ASR recognises: ``zh`` (Mandarin), ``en``, or ``auto`` (per speaker)."""
    public_viewing: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    """The bench allows the public broadcast (庭审公开) at ``/watch/{public_token}``."""
    broadcast_delay_s: Mapped[int | None] = mapped_column(default=None)
    """How far the broadcast runs behind the hearing; ``None``: the server's default."""
    public_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    """The broadcast's public link (made on first opening, kept so the link stays the same)."""
    case: Mapped[Case] = relationship()


class Participant(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    court_role: Mapped[CourtRole] = mapped_column(_enum(CourtRole, "court_role"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    removed_at: Mapped[datetime | None]
    """Set while the judge has removed the participant from the hearing (cleared on readmission)."""
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    """What this speaker's ASR stream recognises (zh/en/yue); ``None``: the hearing's."""
    interprets_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), default=None)
    """For an interpreter: whose words they interpret (a participant of the same hearing)."""
    case_party_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    """The case's party (``CaseParty.party_ref``) this participant was invited as; ``None``:
    added by hand."""
    hearing: Mapped[Hearing] = relationship()


class CaseParty(Base):
    """A party of a case as the dossier filed it (``case.filed``): whom the clerk can invite to
    a hearing as themselves. Written by :mod:`hearing_server.filed_cases` only."""

    __tablename__ = "case_parties"
    __table_args__ = (UniqueConstraint("case_id", "party_ref", name="uq_case_parties_case_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    party_ref: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    """``plaintiff``, ``defendant``, ``third_party`` or ``agent``."""
    kind: Mapped[str] = mapped_column(String(32))
    """``person``, ``organisation`` or ``lawyer``."""
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    represents_ref: Mapped[str | None] = mapped_column(String(64))
    """For an agent or lawyer: the party they act for."""


class StaffSession(Base):
    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    user: Mapped[StaffUser] = relationship()


class Invitation(Base):
    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    participant: Mapped[Participant] = relationship()
    #: ``join`` (the hearing: /join/<token>) or ``sign`` (reading and signing its record only).
    purpose: Mapped[str] = mapped_column(String(16), default="join", server_default="join")


class OneTimeCode(Base):
    __tablename__ = "one_time_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    consumed_at: Mapped[datetime | None]


class ParticipantSession(Base):
    __tablename__ = "participant_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    participant: Mapped[Participant] = relationship()
    #: ``hearing`` (everything the participant may do) or ``record`` (from a signing link: read
    #: and sign the hearing's record, nothing else).
    scope: Mapped[str] = mapped_column(String(16), default="hearing", server_default="hearing")


class AuditEvent(Base):
    """Append-only: updates and deletes through the ORM raise. Chained by hash
    (:mod:`hearing_server.audit_chain`): ``seq`` is the row's place in the chain, ``prev_hash``
    the hash of the row before it, ``row_hash`` its own."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    details: Mapped[dict[str, Any]]
    seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("seq", name="uq_audit_events_seq"),)


class AuditChainHead(Base):
    """The audit chain's end: one row (``id`` 1), updated with every appended event. Its row lock
    (PostgreSQL) or the write lock it takes (SQLite) orders concurrent appends."""

    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class NoticeChannel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class NoticeKind(enum.StrEnum):
    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    SIGN_REQUEST = "sign_request"
    """Asks a participant to read and sign the frozen transcript (issue 6)."""


class NoticeStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class NoticeOutbox(Base):
    """Transactional outbox of hearing notices: written with the scheduling change, sent later.

    ``payload`` is a snapshot of what the notice says (case, time, place, recipient address) taken
    when the change was made; it never holds a secret (the join link is re-derived at send time
    from ``payload["invitation_id"]``).
    """

    __tablename__ = "notice_outbox"
    __table_args__ = (Index("ix_notice_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    channel: Mapped[NoticeChannel] = mapped_column(_enum(NoticeChannel, "notice_channel"))
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, "notice_kind"))
    payload: Mapped[dict[str, Any]]
    status: Mapped[NoticeStatus] = mapped_column(_enum(NoticeStatus, "notice_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    participant: Mapped[Participant] = relationship()
    hearing: Mapped[Hearing] = relationship()


class HearingHotword(Base):
    """A term added during the hearing (a corrected name, say) that the ASR should prefer."""

    __tablename__ = "hearing_hotwords"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"))
    word: Mapped[str] = mapped_column(String(40))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("hearing_id", "word", name="uq_hearing_hotword"),)


class TranscriptUpdate(Base):
    """One update of a hearing's transcript document (append-only; the history *is* the log)."""

    __tablename__ = "transcript_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"))
    seq: Mapped[int]
    author_key: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("hearing_id", "seq", name="uq_transcript_update_seq"),)


class TranscriptRevision(Base):
    """Who changed which segment, when, and the change it made (append-only).

    Stored as the change, not as the texts before and after
    (:mod:`hearing_server.transcript.revdiff`): the common prefix and suffix lengths and the
    replaced text, with the full text (``base``) at the start of each stretch of a segment's chain.
    ``detail`` False: the hearing's revision budget was spent, only who/when/where is kept.
    """

    __tablename__ = "transcript_revision_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"))
    seq: Mapped[int]
    segment_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(16))
    author_key: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    prefix_chars: Mapped[int]
    suffix_chars: Mapped[int]
    removed: Mapped[str] = mapped_column(Text)
    inserted: Mapped[str] = mapped_column(Text)
    base: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[bool]
    before_chars: Mapped[int]
    after_chars: Mapped[int]
    after_digest: Mapped[str] = mapped_column(String(32))
    rows_since_base: Mapped[int]
    bytes_since_base: Mapped[int]
    spent_bytes: Mapped[int]
    """The hearing's stored detail bytes up to and including this revision (its budget)."""
    __table_args__ = (
        Index("ix_revision_change_hearing", "hearing_id", "id"),
        Index("ix_revision_change_chain", "hearing_id", "segment_id", "field", "id"),
    )


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
@event.listens_for(TranscriptUpdate, "before_update")
@event.listens_for(TranscriptUpdate, "before_delete")
@event.listens_for(TranscriptRevision, "before_update")
@event.listens_for(TranscriptRevision, "before_delete")
def _refuse_audit_change(*_: object) -> None:
    raise RuntimeError("audit events and transcript history are append-only")


class RecordingFile(Base):
    """One finalised recording file of a hearing (a track or the mix) and its SHA-256 digest.

    Stored with the hearing so the signed transcript can bind the recordings by digest without
    reading the recording store; a re-finalisation replaces a hearing's rows in one transaction.
    ``name`` is the track key (``participant-N`` / ``staff-N``) or ``mix``; ``participant_id`` /
    ``staff_user_id`` say whose voice the track is when the key names them.
    """

    __tablename__ = "recording_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"))
    name: Mapped[str] = mapped_column(String(64))
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    origin_utc: Mapped[datetime]
    finalized_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("hearing_id", "name", name="uq_recording_file_name"),)


class RetranscriptionState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SuggestionState(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    STALE = "stale"
    """The segment changed (or was locked or deleted) after the proposal: never applied."""


class RetranscriptionJob(Base):
    """A closed hearing's recording re-transcribed with a chosen model, in the background."""

    __tablename__ = "retranscription_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    model: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    requested_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    state: Mapped[RetranscriptionState] = mapped_column(
        _enum(RetranscriptionState, "retranscription_state")
    )
    progress: Mapped[float] = mapped_column(default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class TranscriptSuggestion(Base):
    """A re-transcription's proposed text for a segment, or a new segment (``segment_id`` null)."""

    __tablename__ = "transcript_suggestions"
    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("retranscription_jobs.id"), index=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    segment_id: Mapped[str | None] = mapped_column(String(64))
    speaker_key: Mapped[str] = mapped_column(String(64))
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    start_utc: Mapped[str] = mapped_column(String(40))
    current_text: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str] = mapped_column(Text)
    words: Mapped[list[list[Any]]] = mapped_column(JSON)
    state: Mapped[SuggestionState] = mapped_column(_enum(SuggestionState, "suggestion_state"))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


# ---------------------------------------------------------------- closing workflow (issue 6)


class TranscriptClosure(Base):
    """A closed hearing's frozen transcript and its signed PDF, one row per hearing.

    ``revision`` names the current PDF file in the document store (``rev-<n>.pdf``); it and
    ``pdf_sha256`` move together in one UPDATE guarded by the previous digest, so two signatures
    can never both land on the same revision. ``frozen_version`` is null while the freeze is being
    rendered: the row already stops edits then.
    """

    __tablename__ = "transcript_closures"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), unique=True)
    frozen_version: Mapped[int | None]
    frozen_at: Mapped[datetime]
    frozen_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    transcript_sha256: Mapped[str | None] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=0)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None]


class SignatureSlot(Base):
    """One signer of a frozen transcript (:mod:`hearing_server.closing.plan`), in document order."""

    __tablename__ = "signature_slots"
    __table_args__ = (UniqueConstraint("hearing_id", "key", name="uq_signature_slot_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    group: Mapped[str] = mapped_column("signer_group", String(16))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None]
    certificate_pem: Mapped[str | None] = mapped_column(Text)
    """The certificate issued for the signer's browser key (public data)."""


class PendingSignature(Base):
    """A prepared signature awaiting the browser's value; survives a restart, expires."""

    __tablename__ = "pending_signatures"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    slot_key: Mapped[str] = mapped_column(String(64))
    base_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(Text)
    """:meth:`signing.pades.PreparedSignature.to_bytes` (the PDF and public data; no key)."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class RecordObjection(Base):
    """A participant's objection to, or correction of, the frozen record (kept and shown)."""

    __tablename__ = "record_objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    slot_key: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    segment_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    # The court's answer to a correction request (issue 13); all null while it is open.
    answer: Mapped[str | None] = mapped_column(String(16))
    """``accepted`` or ``rejected``."""
    answer_reason: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    answered_role: Mapped[str | None] = mapped_column(String(32))
    answered_at: Mapped[datetime | None]


class CaseDocument(Base):
    """A file filed with a case (the signed transcript, its recordings digest list)."""

    __tablename__ = "case_documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearings.id"))
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    storage_path: Mapped[str] = mapped_column(String(500))
    """Relative to the document store's root."""
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class RecordErratum(Base):
    """A correction of the frozen record made after freezing, signed with the court seal key.

    The signed PDF is not touched: the erratum is a separate statement, ``payload`` (canonical
    JSON naming the frozen transcript's SHA-256) and ``signature`` (base64 DER ECDSA P-256 by the
    seal key), which anyone holding the court's seal certificate can check.
    """

    __tablename__ = "record_errata"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    segment_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    author_staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)


class HearingStageChange(Base):
    """The judge moved the hearing to a stage (``hearing_server.live.stages``; append-only)."""

    __tablename__ = "hearing_stage_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime]
    marker_id: Mapped[str] = mapped_column(String(64))
    """The marker row of the transcript document that shows the change."""


class IdentityCheck(Base):
    """The clerk checked a participant's identity document on camera (append-only: a second check
    of the same person is a new row; the latest counts)."""

    __tablename__ = "identity_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    id_type: Mapped[str] = mapped_column(String(32))
    id_last4: Mapped[str] = mapped_column(String(4))
    """Only the last four characters of the document's number are kept."""
    note: Mapped[str] = mapped_column(String(200))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    checked_at: Mapped[datetime]
    marker_id: Mapped[str] = mapped_column(String(64))


@event.listens_for(HearingStageChange, "before_update")
@event.listens_for(HearingStageChange, "before_delete")
@event.listens_for(IdentityCheck, "before_update")
@event.listens_for(IdentityCheck, "before_delete")
def _refuse_stage_record_change(*_: object) -> None:
    raise RuntimeError("stage changes and identity checks are append-only")


class EvidenceMaterial(Base):
    """A file shown on screen during the hearing (举证质证): a PDF or an image, its SHA-256, who
    uploaded it; numbered per hearing (证据1, 证据2, …)."""

    __tablename__ = "evidence_materials"
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), index=True)
    number: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))
    """Where the file comes from: ``upload`` (a participant's file); ``dossier`` once the case
    dossier exists (its material shown the same way: an original and a page count)."""
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int]
    blob_key: Mapped[str] = mapped_column(String(500))
    uploader_key: Mapped[str] = mapped_column(String(64))
    """Speaker key of who uploaded it (``participant-7``, ``staff-3``)."""
    uploader_role: Mapped[str] = mapped_column(String(32))
    uploader_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]
    presented_at: Mapped[datetime | None]
    """First shown to the room: from then on everyone in the hearing may see it."""
    __table_args__ = (UniqueConstraint("hearing_id", "number", name="uq_evidence_number"),)


class EvidencePresentation(Base):
    """What is on everyone's screen in a hearing now (one row per hearing; ``material_id`` None:
    nothing). ``version`` grows with every change, so a page never goes back to an older state."""

    __tablename__ = "evidence_presentations"
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"), primary_key=True)
    material_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_materials.id"))
    page: Mapped[int]
    presenter_key: Mapped[str] = mapped_column(String(64))
    presenter_role: Mapped[str] = mapped_column(String(32))
    presenter_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    updated_at: Mapped[datetime]
