"""The clerk's part of closing and the participants' objections.

- (the clerk's refusals and excuses are signed into the record: :mod:`hearing_server.closing.seal`)
- :func:`remind`: the clerk sends the signing request again to who has not signed yet.
- :func:`add_objection`: a participant signer, before signing, asks for a correction or objects;
  the objection is kept with the record and shown to everyone, whatever the court decides.

Every change is audited in its own transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.closing import records
from hearing_server.closing.plan import (
    SignerGroup,
    SignerStatus,
    outstanding,
)
from hearing_server.closing.records import Caller
from hearing_server.closing.sign_requests import enqueue_sign_requests
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, MayNotSignError
from hearing_server.models import Hearing, RecordObjection, StaffRole, StaffUser

MANAGERS = (StaffRole.CLERK,)


def _open_closure(session: Session, hearing_id: int) -> None:
    closure = records.frozen_closure(session, hearing_id)
    if closure.completed_at is not None:
        raise ConflictError("the record is complete")


def remind(
    session: Session, ctx: ServerContext, *, staff: StaffUser, hearing: Hearing, key: str
) -> int:
    """Queue the signing request again for ``key``; returns how many notices were queued."""
    require_staff_role(staff, MANAGERS, "send signing reminders")
    _open_closure(session, hearing.id)
    slots = [s for s in outstanding(records.to_plan(records.slot_rows(session, hearing.id)))]
    chosen = [s for s in slots if s.key == key and s.group is SignerGroup.PARTICIPANT]
    if not chosen:
        raise ConflictError(f"{key} is not a participant who still has to sign")
    rows = enqueue_sign_requests(session, ctx, hearing=hearing, slots=chosen)
    audit.record(
        session, actor=Actor("staff", staff.id), action="closing.remind",
        entity=EntityRef("hearing", hearing.id), case_id=hearing.case_id,
        details={"slot": key, "notices": [r.id for r in rows]}, at=ctx.clock(),
    )  # fmt: skip
    session.commit()
    return len(rows)


def add_objection(
    session: Session,
    ctx: ServerContext,
    *,
    hearing: Hearing,
    caller: Caller,
    kind: str,
    segment_id: str | None,
    text: str,
) -> RecordObjection:
    _open_closure(session, hearing.id)
    rows = records.slot_rows(session, hearing.id)
    slot = next((r for r in rows if r.key == caller.key), None)
    if slot is None or slot.group != "participant":
        raise MayNotSignError("only the parties and other participants who sign may object")
    if slot.status != SignerStatus.PENDING.value:
        raise MayNotSignError("an objection is raised before signing")
    objection = RecordObjection(
        hearing_id=hearing.id, slot_key=caller.key, author_name=slot.name, role=slot.role,
        kind=kind, segment_id=segment_id, text=text.strip(), created_at=ctx.clock(),
    )  # fmt: skip
    session.add(objection)
    session.flush()
    audit.record(
        session, actor=Actor("participant", caller.participant.id if caller.participant else None),
        action="closing.objection", entity=EntityRef("record_objection", objection.id),
        case_id=hearing.case_id, details={"kind": kind, "segment_id": segment_id},
        at=ctx.clock(),
    )  # fmt: skip
    session.commit()
    return objection
