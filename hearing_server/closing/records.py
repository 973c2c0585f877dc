"""Database access of the closing workflow: the closure row, signer slots and who the caller is.

Kept apart from the actions so that they read as rules: the slot rows convert to and from the
pure :class:`hearing_server.closing.plan.SignerSlot` used by :mod:`~hearing_server.closing.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hearing_server.closing.plan import SignerGroup, SignerSlot, SignerStatus
from hearing_server.errors import ConflictError, DocumentChangedError
from hearing_server.models import (
    CourtRole,
    Participant,
    SignatureSlot,
    StaffRole,
    StaffUser,
    TranscriptClosure,
)

_GROUP_NAMES = {
    SignerGroup.PARTICIPANT: "participant",
    SignerGroup.BENCH: "bench",
    SignerGroup.SEAL: "seal",
}
_GROUPS = {name: group for group, name in _GROUP_NAMES.items()}
_STAFF_ROLE_AS_COURT_ROLE = {StaffRole.JUDGE: "judge", StaffRole.CLERK: "clerk"}


def group_name(group: SignerGroup) -> str:
    return _GROUP_NAMES[group]


def role_label(role: str) -> str:
    """The Chinese label of a court role (``seal``: 法院印章) as printed on the signature page."""
    if role == "seal":
        return "法院印章"
    try:
        return CourtRole(role).label_zh
    except ValueError:
        return role


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, as a signer key: ``staff-<id>`` for staff, ``participant-<id>`` otherwise."""

    key: str
    name: str
    role: str
    staff: StaffUser | None
    participant: Participant | None


def caller_of(
    session: Session, hearing_id: int, staff: StaffUser | None, participant: Participant | None
) -> Caller:
    """The caller (already admitted to the hearing) as a signer of it."""
    if staff is not None:
        own = session.scalars(
            select(Participant).where(
                Participant.hearing_id == hearing_id, Participant.staff_user_id == staff.id
            )
        ).first()
        role = (
            own.court_role.value
            if own is not None and own.court_role.is_bench
            else _STAFF_ROLE_AS_COURT_ROLE.get(staff.role, staff.role.value)
        )
        return Caller(f"staff-{staff.id}", staff.display_name, role, staff, None)
    assert participant is not None
    return Caller(
        f"participant-{participant.id}",
        participant.display_name,
        participant.court_role.value,
        None,
        participant,
    )


def staff_court_role(staff: StaffUser) -> str | None:
    return _STAFF_ROLE_AS_COURT_ROLE.get(staff.role)


def is_frozen(session: Session, hearing_id: int) -> bool:
    """Whether the judge froze the transcript (from then on it takes no edits)."""
    return closure_of(session, hearing_id) is not None


def closure_of(session: Session, hearing_id: int) -> TranscriptClosure | None:
    return session.scalars(
        select(TranscriptClosure).where(TranscriptClosure.hearing_id == hearing_id)
    ).first()


def frozen_closure(session: Session, hearing_id: int) -> TranscriptClosure:
    """The closure of a frozen transcript, or 409."""
    closure = closure_of(session, hearing_id)
    if closure is None or closure.frozen_version is None or closure.pdf_sha256 is None:
        raise ConflictError("the transcript has not been frozen for signing yet")
    return closure


def slot_rows(session: Session, hearing_id: int) -> list[SignatureSlot]:
    return list(
        session.scalars(
            select(SignatureSlot)
            .where(SignatureSlot.hearing_id == hearing_id)
            .order_by(SignatureSlot.position)
        )
    )


def to_plan(rows: list[SignatureSlot]) -> list[SignerSlot]:
    return [
        SignerSlot(r.key, r.name, r.role, _GROUPS[r.group], SignerStatus(r.status), r.note)
        for r in rows
    ]


def add_slots(session: Session, hearing_id: int, slots: list[SignerSlot]) -> None:
    for position, slot in enumerate(slots):
        session.add(
            SignatureSlot(
                hearing_id=hearing_id,
                position=position,
                key=slot.key,
                name=slot.name,
                role=slot.role,
                group=group_name(slot.group),
                status=slot.status.value,
                note=slot.note,
                signed_at=None,
                certificate_pem=None,
            )
        )


def advance_revision(
    session: Session, hearing_id: int, revision: int, base_sha: str, new_sha: str
) -> None:
    """Move the closure to the next revision unless someone else already did (409)."""
    moved = session.execute(
        update(TranscriptClosure)
        .where(
            TranscriptClosure.hearing_id == hearing_id,
            TranscriptClosure.pdf_sha256 == base_sha,
            TranscriptClosure.revision == revision,
        )
        .values(revision=revision + 1, pdf_sha256=new_sha)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise DocumentChangedError("another signature was added meanwhile: prepare again")
