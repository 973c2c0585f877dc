"""What the court signs itself, with the seal key: the clerk's notes and the final seal.

- :func:`resolve_slot`: the clerk records that a participant refused to sign or was excused. Why
  this is *signed* into the participant's own field: an empty field would leave the record
  forever "incomplete" to a verifier, and the law wants the refusal noted on the record
  (民事诉讼法 art. 150). The court seal key fills that field with an appearance saying
  "拒绝签名" / "未签名" and the clerk's reason, so the note is part of what every later signature
  covers, and the verifier sees who (the court) wrote it and when (timestamped).
- :func:`seal_if_due` / :func:`seal_locked`: after the last bench signature the server applies the
  court seal (the last field, which locks the document), and files the signed PDF and the
  recordings digest list with the case.

Both run under the hearing's lock and land like a signature: file first, then the guarded row.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from hearing_server import audit
from hearing_server.access import require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.closing import records
from hearing_server.closing.corrections import open_corrections
from hearing_server.closing.documents import corrections_file, file_closing_documents
from hearing_server.closing.plan import SEAL_KEY, SignerStatus, Stage, may_resolve, stage_of
from hearing_server.closing.service import ClosingService
from hearing_server.closing.store import sha256_hex
from hearing_server.errors import ConflictError, NotFoundError
from hearing_server.events import publish_transcript_signed
from hearing_server.models import Hearing, StaffRole, StaffUser
from signing.appearance import SignatureAppearance
from signing.pades import sign_with_key

MANAGERS = (StaffRole.CLERK,)
_LABELS = {SignerStatus.REFUSED: "拒绝签名", SignerStatus.EXCUSED: "未签名"}


async def _stamp(
    service: ClosingService, pdf: bytes, field: str, appearance: SignatureAppearance
) -> bytes:
    ca = service.pki.ca
    font: Path = service.font
    return await asyncio.to_thread(
        sign_with_key, pdf, field, ca.seal_cert, ca.seal_key, ca.chain, appearance,
        service.pki.timestamper(), font=font, now=service.ctx.clock(),
    )  # fmt: skip


async def resolve_slot(
    service: ClosingService,
    *,
    staff: StaffUser,
    hearing_id: int,
    key: str,
    status: SignerStatus,
    note: str,
) -> None:
    require_staff_role(staff, MANAGERS, "record a refusal or an excuse")
    ctx = service.ctx
    async with service.lock(hearing_id):
        with ctx.session_factory() as session:
            closure = records.frozen_closure(session, hearing_id)
            if closure.completed_at is not None:
                raise ConflictError("the record is complete")
            rows = records.slot_rows(session, hearing_id)
            verdict = may_resolve(records.to_plan(rows), key, status, note)
            if not verdict.allowed:
                if all(r.key != key for r in rows):
                    raise NotFoundError(verdict.reason)
                raise ConflictError(verdict.reason)
            row = next(r for r in rows if r.key == key)
            name, role = row.name, records.role_label(row.role)
            base_sha, revision = closure.pdf_sha256, closure.revision
            assert base_sha is not None
        label = _LABELS[status]
        appearance = SignatureAppearance(
            name, f"{role}（{label}）", reason=f"{label}：{note.strip()}（书记员记录）"
        )
        pdf = await _stamp(
            service, service.store.read_revision(hearing_id, revision), key, appearance
        )
        service.store.write_revision(hearing_id, revision + 1, pdf)
        new_sha = sha256_hex(pdf)
        with ctx.session_factory() as session:
            records.advance_revision(session, hearing_id, revision, base_sha, new_sha)
            row = next(r for r in records.slot_rows(session, hearing_id) if r.key == key)
            row.status, row.note, row.signed_at = status.value, note.strip(), ctx.clock()
            hearing = session.get(Hearing, hearing_id)
            assert hearing is not None
            audit.record(
                session, actor=Actor("staff", staff.id), action=f"closing.{status.value}",
                entity=EntityRef("hearing", hearing_id), case_id=hearing.case_id,
                details={"slot": key, "note": row.note, "revision": revision + 1,
                         "pdf_sha256": new_sha},
                at=ctx.clock(),
            )  # fmt: skip
            session.commit()


async def seal_if_due(service: ClosingService, hearing_id: int) -> None:
    """Apply the seal if every bench member signed (also at startup, after a crash)."""
    async with service.lock(hearing_id):
        with service.ctx.session_factory() as session:
            closure = records.closure_of(session, hearing_id)
            if closure is None or closure.completed_at is not None or closure.pdf_sha256 is None:
                return
            if stage_of(records.to_plan(records.slot_rows(session, hearing_id))) is not Stage.SEAL:
                return
            if open_corrections(session, hearing_id):
                return  # a correction request waits for its answer (issue 13)
        await seal_locked(service, hearing_id)


async def seal_locked(service: ClosingService, hearing_id: int) -> None:
    ctx, ca = service.ctx, service.pki.ca
    with ctx.session_factory() as session:
        closure = records.frozen_closure(session, hearing_id)
        base_sha, revision = closure.pdf_sha256, closure.revision
        assert base_sha is not None
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        corrections = corrections_file(session, hearing)
    # The requests and answers are filed beside the PDF (it was frozen before any existed); the
    # seal's signed reason names that file and its digest, binding it to the record (issue 13).
    reason = None
    if corrections is not None:
        name, data = corrections
        reason = f"更正申请及答复见案卷文件 {name}（SHA-256 {sha256_hex(data)}）"
    appearance = SignatureAppearance(ca.court_name, "法院印章", reason=reason, seal=True)
    sealed = await _stamp(
        service, service.store.read_revision(hearing_id, revision), SEAL_KEY, appearance
    )
    service.store.write_revision(hearing_id, revision + 1, sealed)
    new_sha = sha256_hex(sealed)
    with ctx.session_factory() as session:
        records.advance_revision(session, hearing_id, revision, base_sha, new_sha)
        now = ctx.clock()
        closure = records.frozen_closure(session, hearing_id)
        closure.completed_at = now
        seal = next(r for r in records.slot_rows(session, hearing_id) if r.key == SEAL_KEY)
        seal.status, seal.signed_at = SignerStatus.SIGNED.value, now
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        filed = file_closing_documents(session, service.store, hearing, sealed, at=now)
        audit.record(
            session, actor=Actor.system(), action="closing.seal",
            entity=EntityRef("hearing", hearing_id), case_id=hearing.case_id,
            details={"revision": revision + 1, "pdf_sha256": new_sha,
                     "case_documents": [d.id for d in filed]},
            at=now,
        )  # fmt: skip
        publish_transcript_signed(
            session, hearing, pdf_sha256=new_sha, revision=revision + 1,
            documents=filed, at=now,
        )  # fmt: skip
        session.commit()
