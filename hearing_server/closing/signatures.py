"""Signing the frozen record: signer certificates, prepare/finish, and the court seal.

    pem = issue_certificate(session, service, hearing, caller, spki_der)
    request_id, to_be_signed = await prepare(service, hearing_id, caller, png, confirm=True)
    await finish(service, hearing_id, caller, request_id, signature)   # seals after the bench

Why two steps: the signer's key never leaves their browser (WebCrypto, non-extractable), so the
server prepares the revision and the bytes to sign, and embeds the value it gets back
(:mod:`signing.pades`). The prepared state is kept in the database and expires, so a restart
between the steps loses nothing.

Each signature is an incremental revision of the same PDF, so finishing is serialised per
hearing (an asyncio lock) and guarded by the PDF's SHA-256: a signature prepared against an
older revision gets :class:`DocumentChangedError` and the page prepares again. The new revision
file is written (atomically) *before* the row that names it is committed, and the acknowledgement
comes after the commit: an acknowledged signature is never lost, an unacknowledged file is
removed at the next start. pyHanko runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import delete
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.closing import records
from hearing_server.closing.corrections import blocking_message, open_corrections
from hearing_server.closing.plan import SEAL_KEY, SignerStatus, Stage, may_sign, stage_of
from hearing_server.closing.records import Caller
from hearing_server.closing.seal import seal_locked
from hearing_server.closing.service import ClosingService
from hearing_server.closing.store import sha256_hex
from hearing_server.errors import (
    ConflictError,
    DocumentChangedError,
    GoneError,
    InvalidInputError,
    InvalidSignatureError,
    MayNotSignError,
    NotFoundError,
)
from hearing_server.models import Hearing, PendingSignature, SignatureSlot
from signing.appearance import SignatureAppearance
from signing.errors import InvalidIdentityError, SigningError, UnsupportedKeyError
from signing.identity import SignerIdentity
from signing.pades import PreparedSignature, finish_signature, prepare_signature

MAX_HANDWRITING_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CONFIRMATION = "我已阅读笔录，确认无误"


def _actor(caller: Caller) -> Actor:
    if caller.staff is not None:
        return Actor("staff", caller.staff.id)
    assert caller.participant is not None
    return Actor("participant", caller.participant.id)


def _identity_check(caller: Caller) -> str:
    if caller.staff is not None:
        return f"staff-login:{caller.staff.username}"[:64]
    return f"invitation-sms-code:{caller.key}"


def _signer_slot(session: Session, hearing_id: int, caller: Caller) -> SignatureSlot:
    """The caller's slot if they may sign now; else :class:`MayNotSignError` with the reason."""
    closure = records.frozen_closure(session, hearing_id)
    if closure.completed_at is not None:
        raise MayNotSignError("the record is complete: nothing more can be signed")
    rows = records.slot_rows(session, hearing_id)
    verdict = may_sign(records.to_plan(rows), caller.key)
    if not verdict.allowed or caller.key == SEAL_KEY:
        raise MayNotSignError(verdict.reason or "the seal is applied by the court")
    slot = next(r for r in rows if r.key == caller.key)
    waiting = open_corrections(session, hearing_id) if slot.group == "bench" else []
    if waiting:  # issue 13: the record is not finalised while a party waits for an answer
        raise MayNotSignError(blocking_message(waiting))
    return slot


def issue_certificate(
    session: Session, service: ClosingService, hearing: Hearing, caller: Caller, spki_der: bytes
) -> str:
    """Certify the caller's browser key for this record; the identity is their session's."""
    slot = _signer_slot(session, hearing.id, caller)
    try:
        identity = SignerIdentity(
            slot.name[:64], records.role_label(slot.role), hearing.case.case_number,
            str(hearing.id), _identity_check(caller),
        )  # fmt: skip
        cert = service.pki.issue_signer(spki_der, identity)
    except (UnsupportedKeyError, InvalidIdentityError, ValueError) as exc:
        raise InvalidInputError(f"cannot certify this key: {exc}") from None
    slot.certificate_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
    audit.record(
        session, actor=_actor(caller), action="closing.certificate",
        entity=EntityRef("hearing", hearing.id), case_id=hearing.case_id,
        details={"slot": slot.key, "serial": format(cert.serial_number, "x")},
        at=service.ctx.clock(),
    )  # fmt: skip
    session.commit()
    return slot.certificate_pem


async def prepare(
    service: ClosingService, hearing_id: int, caller: Caller, handwriting_png: bytes
) -> tuple[str, bytes]:
    """Add the caller's signature appearance and placeholder; ``(request_id, to_be_signed)``."""
    if len(handwriting_png) > MAX_HANDWRITING_BYTES or not handwriting_png.startswith(PNG_MAGIC):
        raise InvalidInputError("the handwritten signature must be a PNG of at most 512 KB")
    ctx = service.ctx
    with ctx.session_factory() as session:
        slot = _signer_slot(session, hearing_id, caller)
        if slot.certificate_pem is None:
            raise MayNotSignError("request your signing certificate first")
        closure = records.frozen_closure(session, hearing_id)
        base_sha, revision = closure.pdf_sha256, closure.revision
        name, role, pem = slot.name, records.role_label(slot.role), slot.certificate_pem
        key = slot.key
    pdf = service.store.read_revision(hearing_id, revision)
    if sha256_hex(pdf) != base_sha:
        raise ConflictError("the stored document does not match its digest; contact the court")
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    appearance = SignatureAppearance(name, role, handwriting_png, reason=CONFIRMATION)
    now = ctx.clock()
    try:
        prepared = await asyncio.to_thread(
            prepare_signature, pdf, key, cert, service.pki.ca.chain, appearance,
            font=service.font, now=now,
        )  # fmt: skip
    except (SigningError, ValueError, OSError) as exc:
        raise InvalidInputError(f"cannot prepare the signature: {exc}") from None
    request_id = secrets.token_hex(16)
    with ctx.session_factory() as session:
        session.add(
            PendingSignature(
                id=request_id, hearing_id=hearing_id, slot_key=key, base_sha256=base_sha,
                state=prepared.to_bytes().decode("ascii"), created_at=now,
                expires_at=now + timedelta(minutes=ctx.settings.signature_prepare_ttl_minutes),
            )
        )  # fmt: skip
        session.commit()
    return request_id, prepared.to_be_signed


async def finish(
    service: ClosingService, hearing_id: int, caller: Caller, request_id: str, value: bytes
) -> None:
    """Embed the browser's signature value as the next revision; seal after the last judge."""
    ctx = service.ctx
    async with service.lock(hearing_id):
        with ctx.session_factory() as session:
            pending = session.get(PendingSignature, request_id)
            if pending is None or pending.hearing_id != hearing_id:
                raise NotFoundError("no such prepared signature: prepare again")
            if pending.slot_key != caller.key:
                raise NotFoundError("no such prepared signature: prepare again")
            if pending.expires_at < ctx.clock():
                session.delete(pending)
                session.commit()
                raise GoneError("the prepared signature expired: prepare again")
            closure = records.frozen_closure(session, hearing_id)
            if closure.pdf_sha256 != pending.base_sha256:
                session.delete(pending)
                session.commit()
                raise DocumentChangedError("another signature was added meanwhile: prepare again")
            _signer_slot(session, hearing_id, caller)
            prepared = PreparedSignature.from_bytes(pending.state.encode("ascii"))
            base_sha, revision = pending.base_sha256, closure.revision
        try:
            pdf = await asyncio.to_thread(
                finish_signature, prepared, value, service.pki.timestamper()
            )
        except SigningError as exc:  # SignatureValueError is one
            raise InvalidSignatureError(f"the signature does not verify: {exc}") from None
        _commit_revision(service, hearing_id, revision, base_sha, pdf, caller, request_id)
        with ctx.session_factory() as session:
            sealing = stage_of(records.to_plan(records.slot_rows(session, hearing_id)))
        if sealing is Stage.SEAL:
            await seal_locked(service, hearing_id)


def _commit_revision(
    service: ClosingService,
    hearing_id: int,
    revision: int,
    base_sha: str,
    pdf: bytes,
    caller: Caller,
    request_id: str,
) -> None:
    ctx = service.ctx
    service.store.write_revision(hearing_id, revision + 1, pdf)  # durable before the row
    new_sha = sha256_hex(pdf)
    with ctx.session_factory() as session:
        records.advance_revision(session, hearing_id, revision, base_sha, new_sha)
        slot = next(r for r in records.slot_rows(session, hearing_id) if r.key == caller.key)
        slot.status, slot.signed_at = SignerStatus.SIGNED.value, ctx.clock()
        session.execute(delete(PendingSignature).where(PendingSignature.id == request_id))
        hearing = session.get(Hearing, hearing_id)
        assert hearing is not None
        audit.record(
            session, actor=_actor(caller), action="closing.sign",
            entity=EntityRef("hearing", hearing_id), case_id=hearing.case_id,
            details={"slot": caller.key, "revision": revision + 1, "pdf_sha256": new_sha},
            at=ctx.clock(),
        )  # fmt: skip
        session.commit()
