"""A party's correction request (更正申请) and the court's answer (issue 13).

民事诉讼法 art. 150: a participant who finds the record wrong may ask for a correction; a refused
correction is itself put on the record. So:

- :func:`answer_correction`: the clerk or a judge answers an open request, ``accepted`` (the
  record is corrected: by an erratum once it is frozen, see :mod:`.errata`) or ``rejected``, always
  with a reason; who, in which role and when are kept. Audited (before: open, after: the answer).
- :func:`blocking_message`: while any correction request is open the bench cannot sign, so the
  record is not finalised or sealed; the message names who waits for an answer ("被告 李娜").
- :func:`corrections_section`: every request with its answer, as the "更正申请" section printed
  with the record (the TXT record, and the document filed with the case when it is sealed).

Objections (``kind == "objection"``) are statements kept with the record; they need no answer and
block nothing. Only ``correction`` requests do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.closing import records
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, NotFoundError
from hearing_server.models import Hearing, RecordObjection, StaffRole, StaffUser
from hearing_server.transcript.export import COURT_TZ

__all__ = [
    "Decision",
    "answer_correction",
    "blocking_message",
    "corrections_of",
    "corrections_section",
    "open_corrections",
]

Decision = Literal["accepted", "rejected"]
ANSWERERS = (StaffRole.JUDGE, StaffRole.CLERK)
CORRECTION = "correction"
_DECISIONS = {"accepted": "已采纳", "rejected": "不予采纳"}


def corrections_of(session: Session, hearing_id: int) -> list[RecordObjection]:
    """Every correction request and objection filed against the hearing's record, in order."""
    return list(
        session.scalars(
            select(RecordObjection)
            .where(RecordObjection.hearing_id == hearing_id)
            .order_by(RecordObjection.id)
        )
    )


def open_corrections(session: Session, hearing_id: int) -> list[RecordObjection]:
    return [
        r for r in corrections_of(session, hearing_id) if r.kind == CORRECTION and r.answer is None
    ]


def _who(role: str, name: str) -> str:
    return f"{records.role_label(role)} {name}".strip()


def blocking_message(waiting: Sequence[RecordObjection]) -> str:
    """Why the bench cannot sign yet ("" when nothing blocks), naming who waits."""
    if not waiting:
        return ""
    names = "、".join(dict.fromkeys(_who(r.role, r.author_name) for r in waiting))
    return f"{names}的更正申请尚未答复：书记员或审判员答复后，笔录才能签名定稿"


def answer_correction(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing: Hearing,
    request_id: int,
    decision: Decision,
    reason: str,
    answerer_role: str,
) -> RecordObjection:
    """Answer an open correction request (the caller commits nothing; this commits)."""
    require_staff_role(staff, ANSWERERS, "answer a correction request")
    closure = records.frozen_closure(session, hearing.id)
    if closure.completed_at is not None:
        raise ConflictError("the record is complete")
    request = session.get(RecordObjection, request_id)
    if request is None or request.hearing_id != hearing.id:
        raise NotFoundError(f"correction request {request_id} not found")
    if request.kind != CORRECTION:
        raise ConflictError("an objection is kept with the record; only corrections are answered")
    if request.answer is not None:
        raise ConflictError("this correction request has been answered already")
    now = ctx.clock()
    request.answer, request.answer_reason = decision, reason.strip()
    request.answered_by, request.answered_role, request.answered_at = (
        staff.display_name,
        answerer_role,
        now,
    )
    audit.record(
        session, actor=Actor("staff", staff.id), action="closing.correction_answered",
        entity=EntityRef("record_objection", request.id), case_id=hearing.case_id,
        details={"slot": request.slot_key, "before": {"answer": None},
                 "after": {"answer": decision, "reason": request.answer_reason}},
        at=now,
    )  # fmt: skip
    session.commit()
    return request


def _time(at: datetime | None) -> str:
    return at.astimezone(COURT_TZ).strftime("%Y-%m-%d %H:%M") if at is not None else ""


def corrections_section(requests: Sequence[RecordObjection]) -> list[str]:
    """The "更正申请" section: each request, what it asks, and the answer (or that none yet)."""
    if not requests:
        return []
    lines = ["更正申请"]
    for n, r in enumerate(requests, start=1):
        kind = "申请更正" if r.kind == CORRECTION else "异议"
        where = f"（段落 {r.segment_id}）" if r.segment_id else ""
        lines.append(f"{n}. {_who(r.role, r.author_name)} {_time(r.created_at)} {kind}{where}：")
        lines.append(f"   {r.text}")
        if r.kind != CORRECTION:
            continue
        if r.answer is None:
            lines.append("   答复：尚未答复")
        else:
            by = _who(r.answered_role or "", r.answered_by or "")
            decision = _DECISIONS.get(r.answer, r.answer)
            lines.append(
                f"   答复：{decision}。理由：{r.answer_reason}（{by} {_time(r.answered_at)}）"
            )
    return lines
