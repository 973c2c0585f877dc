"""The closing status as the signing page and the clerk see it (``GET .../closing``).

One read model for everyone admitted to the hearing: the state of the record, each signer slot,
the objections, and ``me`` — what the caller may do now and, when not, why (the page shows the
reason instead of a disabled button without explanation).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.closing import records
from hearing_server.closing.corrections import blocking_message, open_corrections
from hearing_server.closing.errata import errata_of
from hearing_server.closing.plan import Stage, may_sign, stage_of
from hearing_server.closing.records import Caller
from hearing_server.models import (
    Hearing,
    HearingStatus,
    RecordErratum,
    RecordingFile,
    RecordObjection,
    SignatureSlot,
    StaffRole,
)

State = Literal["open", "proofreading", "signing", "complete"]


class SlotOut(BaseModel):
    key: str
    name: str
    role: str
    group: Literal["participant", "bench", "seal"]
    status: Literal["pending", "signed", "refused", "excused"]
    note: str
    signed_at: datetime | None


class MeOut(BaseModel):
    key: str
    role: str
    is_signer: bool
    may_sign: bool
    reason: str
    reason_code: str
    """Stable code of ``reason`` for the page's translations (``sign_reason_<code>``)."""
    has_certificate: bool
    may_freeze: bool
    may_manage: bool


class ObjectionOut(BaseModel):
    id: int
    author_name: str
    role: str
    kind: Literal["objection", "correction"]
    segment_id: str | None
    text: str
    created_at: datetime
    answer: Literal["accepted", "rejected"] | None = None
    """The court's answer to a correction request (issue 13); null: open (or an objection)."""
    answer_reason: str | None = None
    answered_by: str | None = None
    answered_role: str | None = None
    answered_at: datetime | None = None


class ErratumOut(BaseModel):
    id: int
    segment_id: str
    before: str
    after: str
    reason: str
    author_name: str
    created_at: datetime
    payload: str
    """The canonical JSON the court signed."""
    signature: str
    """Base64 DER ECDSA (P-256, SHA-256) of ``payload`` by the court seal key."""


class ClosingStatus(BaseModel):
    state: State
    frozen_version: int | None
    frozen_at: datetime | None
    transcript_sha256: str | None
    stage: Literal["participants", "bench", "seal", "complete"] | None
    slots: list[SlotOut]
    me: MeOut
    objections: list[ObjectionOut]
    errata: list[ErratumOut]
    document_url: str | None
    recorded: bool = False
    """The hearing's recording is finalised: ``GET /api/hearings/{id}/recordings`` answers its
    manifest (else 404); the signing page asks for it, and shows the player, only then."""


def objection_out(o: RecordObjection) -> ObjectionOut:
    return ObjectionOut.model_validate(o, from_attributes=True)


def erratum_out(e: RecordErratum) -> ErratumOut:
    return ErratumOut.model_validate(e, from_attributes=True)


def _slot_out(row: SignatureSlot) -> SlotOut:
    return SlotOut.model_validate(row, from_attributes=True)


def _reason_code(state: str, slot: SignatureSlot | None, stage: Stage | None) -> str:
    if state != "signing":
        return {"open": "not_closed", "proofreading": "proofreading"}.get(state, state)
    if slot is None:
        return "not_signer"
    if slot.status == "signed":
        return "already_signed"
    if slot.status != "pending":
        return "resolved"
    if slot.group == "bench" and stage is Stage.PARTICIPANTS:
        return "participants_first"
    return "seal_later" if slot.group == "seal" else ""


def closing_status(session: Session, hearing: Hearing, caller: Caller) -> ClosingStatus:
    closure = records.closure_of(session, hearing.id)
    frozen = closure is not None and closure.frozen_version is not None
    staff_role = caller.staff.role if caller.staff is not None else None
    may_freeze = (
        staff_role is StaffRole.JUDGE and hearing.status is HearingStatus.CLOSED and closure is None
    )
    rows = records.slot_rows(session, hearing.id) if frozen else []
    plan = records.to_plan(rows)
    mine = next((r for r in rows if r.key == caller.key), None)
    state: State
    if closure is None or not frozen:
        state = "proofreading" if hearing.status is HearingStatus.CLOSED else "open"
    else:
        state = "complete" if closure.completed_at is not None else "signing"
    waiting = open_corrections(session, hearing.id) if state == "signing" else []
    if state == "signing":
        verdict = may_sign(plan, caller.key)
        allowed, reason = verdict.allowed, verdict.reason
        if allowed and mine is not None and mine.group == "bench" and waiting:
            allowed, reason = False, blocking_message(waiting)
    else:
        allowed = False
        reason = {
            "open": "the hearing is not closed yet",
            "proofreading": "the clerk is proofreading; the judge freezes the record for signing",
            "complete": "the record is complete",
        }.get(state, "")
    blocked = waiting and mine is not None and mine.group == "bench" and mine.status == "pending"
    if blocked and stage_of(plan) is Stage.BENCH:
        code = "corrections_open"  # issue 13: a party waits for an answer to a correction
    else:
        code = _reason_code(state, mine, stage_of(plan) if frozen else None)
    objections = (
        session.scalars(
            select(RecordObjection)
            .where(RecordObjection.hearing_id == hearing.id)
            .order_by(RecordObjection.id)
        ).all()
        if frozen
        else []
    )
    return ClosingStatus(
        state=state,
        frozen_version=closure.frozen_version if frozen and closure else None,
        frozen_at=closure.frozen_at if frozen and closure else None,
        transcript_sha256=closure.transcript_sha256 if frozen and closure else None,
        stage=stage_of(plan).value if frozen else None,
        slots=[_slot_out(r) for r in rows],
        me=MeOut(
            key=caller.key,
            role=caller.role,
            is_signer=mine is not None,
            may_sign=allowed,
            reason="" if allowed else reason,
            reason_code="" if allowed else code,
            has_certificate=mine is not None and mine.certificate_pem is not None,
            may_freeze=may_freeze,
            may_manage=staff_role is StaffRole.CLERK and state == "signing",
        ),
        objections=[objection_out(o) for o in objections],
        errata=[erratum_out(e) for e in (errata_of(session, hearing.id) if frozen else [])],
        document_url=f"/api/hearings/{hearing.id}/closing/document.pdf" if frozen else None,
        recorded=session.scalars(
            select(RecordingFile.id).where(RecordingFile.hearing_id == hearing.id).limit(1)
        ).first()
        is not None,
    )
