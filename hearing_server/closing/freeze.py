"""Freezing a closed hearing's transcript for signing.

    closure = await freeze(service, staff=judge, hearing_id=7)

The judge freezes once the clerk has proofread the record. From then on the transcript takes no
edits (:func:`hearing_server.transcript.editors.transcript_editable` asks :func:`is_frozen`), and
what is signed is fixed: the canonical transcript JSON (with the recording gaps) and its
SHA-256, the court-format PDF rendered from it, and the record binding (transcript version and
the recordings' digests) with a signature page and one empty field per signer slot.

Order of the steps, so that a crash never leaves a half-frozen record: the closure row is
committed first with ``frozen_version`` null (edits stop at once); then the snapshot is taken and
rendered, the files are written, and the row is completed with its slots, the audit event and
the signing requests in one transaction. A failure removes the row again; a crash leaves it
incomplete and :meth:`ClosingService.recover` removes it at the next start.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.closing import records
from hearing_server.closing.plan import SEAL_KEY, Attendee, SignerGroup, SignerSlot, plan_signers
from hearing_server.closing.service import ClosingService
from hearing_server.closing.sign_requests import enqueue_sign_requests
from hearing_server.closing.store import sha256_hex
from hearing_server.errors import ConflictError
from hearing_server.models import (
    AuditEvent,
    Hearing,
    HearingStatus,
    Participant,
    StaffRole,
    StaffUser,
    TranscriptClosure,
)
from hearing_server.recording_archive import recording_digests
from hearing_server.transcript.export import to_json
from hearing_server.transcript.model import of_record
from hearing_server.transcript.outputs import header_for
from hearing_server.transcript.pdf import render_pdf
from signing.binding import RecordingDigest
from signing.pades_document import SignerSlot as FieldSlot
from signing.pades_document import prepare_document, signature_page_count

FREEZERS = (StaffRole.JUDGE,)


def attendees(session: Session, hearing: Hearing, freezer: StaffUser) -> list[Attendee]:
    """Who signs: the hearing's participants with their court roles; the bench as the staff on
    the participant list, or else the staff who opened or closed the hearing and the judge
    freezing it."""
    people = session.scalars(
        select(Participant).where(Participant.hearing_id == hearing.id).order_by(Participant.id)
    ).all()
    out: list[Attendee] = []
    for p in people:
        if p.court_role.is_bench and p.staff_user_id is not None:
            out.append(Attendee(f"staff-{p.staff_user_id}", p.display_name, p.court_role.value))
        else:
            out.append(Attendee(f"participant-{p.id}", p.display_name, p.court_role.value))
    if any(a.role in ("presiding_judge", "judge", "clerk") for a in out):
        return out
    staff_ids = session.scalars(
        select(AuditEvent.actor_id)
        .where(
            AuditEvent.entity_type == "hearing",
            AuditEvent.entity_id == hearing.id,
            AuditEvent.action.in_(("hearing.open", "hearing.close")),
            AuditEvent.actor_kind == "staff",
        )
        .order_by(AuditEvent.id)
    ).all()
    for staff in [freezer, *(session.get(StaffUser, i) for i in staff_ids if i is not None)]:
        role = records.staff_court_role(staff) if staff is not None else None
        if staff is not None and role is not None:
            out.append(Attendee(f"staff-{staff.id}", staff.display_name, role))
    return out


@dataclass(frozen=True)
class _Rendered:
    transcript_json: bytes
    pdf: bytes
    version: int


async def freeze(service: ClosingService, *, staff: StaffUser, hearing_id: int) -> None:
    """Under the hearing's closing lock, so that a process starting meanwhile never takes this
    freeze for one a crash left unfinished (:meth:`ClosingService.recover`)."""
    async with service.lock(hearing_id):
        await _freeze(service, staff=staff, hearing_id=hearing_id)


async def _freeze(service: ClosingService, *, staff: StaffUser, hearing_id: int) -> None:
    ctx = service.ctx
    with ctx.session_factory() as session:
        hearing = hearing_for_staff(session, staff, hearing_id)  # another court's: 404
        require_staff_role(staff, FREEZERS, "freeze the transcript")
        if hearing.status is not HearingStatus.CLOSED:
            raise ConflictError("only a closed hearing's transcript can be frozen")
        try:
            slots = plan_signers(
                attendees(session, hearing, staff), court_name=hearing.case.court.name
            )
        except ValueError as exc:
            raise ConflictError(str(exc)) from None
        session.add(
            TranscriptClosure(
                hearing_id=hearing_id, frozen_version=None, frozen_at=ctx.clock(),
                frozen_by=staff.id, transcript_sha256=None, revision=0, pdf_sha256=None,
                completed_at=None,
            )
        )  # fmt: skip
        try:
            session.commit()
        except IntegrityError:
            raise ConflictError("the transcript is already frozen") from None
    try:
        rendered = await _render(service, hearing_id, slots)
        service.store.write_transcript(hearing_id, rendered.transcript_json)
        service.store.write_revision(hearing_id, 0, rendered.pdf)
        _complete(service, staff, hearing_id, slots, rendered)
    except BaseException:
        with ctx.session_factory() as session:
            closure = records.closure_of(session, hearing_id)
            if closure is not None and closure.frozen_version is None:
                session.delete(closure)
                session.commit()
        raise


async def _render(service: ClosingService, hearing_id: int, slots: list[SignerSlot]) -> _Rendered:
    room = await service.rooms.get(hearing_id)
    assert room.actions is not None
    await room.actions.catch_up()  # every edit stored by any process, not only this one's
    entries, version = of_record(room.actions.doc.entries()), room.actions.seq  # no empty rows
    with service.ctx.session_factory() as session:
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        bench = [(s.role, s.name) for s in slots if s.group is SignerGroup.BENCH]
        header = header_for(
            session, hearing, time_zone=service.ctx.settings.court_zone, bench=bench
        )
        case_number = hearing.case.case_number
        recordings = [
            RecordingDigest(r.name, r.sha256, r.duration_ms)
            for r in recording_digests(session, hearing_id)
        ]
    canonical = json.dumps(
        json.loads(to_json(header, entries, version=version)),
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    ).encode()  # fmt: skip
    fields = [
        FieldSlot(s.key, f"{records.role_label(s.role)} {s.name}", seal=s.key == SEAL_KEY)
        for s in slots
    ]
    font = service.font

    def work() -> bytes:
        extra = signature_page_count(recordings, fields)  # "共 M 页" counts them too
        transcript = render_pdf(header, entries, version=version, font=font, extra_pages=extra)
        return prepare_document(
            transcript, hearing_id=str(hearing_id), case_number=case_number,
            transcript_version=version, recordings=recordings, slots=fields, font=font,
        )  # fmt: skip

    pdf = await asyncio.to_thread(work)
    return _Rendered(canonical, pdf, version)


def _complete(
    service: ClosingService,
    staff: StaffUser,
    hearing_id: int,
    slots: list[SignerSlot],
    rendered: _Rendered,
) -> None:
    ctx = service.ctx
    with ctx.session_factory() as session:
        closure = records.closure_of(session, hearing_id)
        hearing = session.get(Hearing, hearing_id)
        assert closure is not None and hearing is not None
        closure.frozen_version = rendered.version
        closure.transcript_sha256 = sha256_hex(rendered.transcript_json)
        closure.pdf_sha256 = sha256_hex(rendered.pdf)
        closure.revision = 0
        records.add_slots(session, hearing_id, slots)
        audit.record(
            session,
            actor=Actor("staff", staff.id),
            action="closing.freeze",
            entity=EntityRef("hearing", hearing_id),
            case_id=hearing.case_id,
            details={
                "version": rendered.version,
                "transcript_sha256": closure.transcript_sha256,
                "pdf_sha256": closure.pdf_sha256,
                "signers": [s.key for s in slots],
            },
            at=ctx.clock(),
        )
        enqueue_sign_requests(session, ctx, hearing=hearing, slots=slots)
        session.commit()
