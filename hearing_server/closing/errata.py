"""Errata: corrections of a frozen record by the clerk or the judge, signed by the court.

Why not edit and re-sign: once the parties have signed, changing the transcript would void
their signatures. A correction found later (a misheard name) is therefore a separate, attributed
statement: segment, text before and after, reason, author and time, as canonical JSON that names
the frozen transcript's SHA-256, signed with the court seal key (ECDSA P-256, SHA-256). Anyone
with the seal certificate can check it; it is listed with the record's status and audited.
"""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.closing import records
from hearing_server.context import ServerContext
from hearing_server.court_pki import CourtPki
from hearing_server.models import Hearing, RecordErratum, StaffRole, StaffUser

FORMAT = "tingshen.record-erratum/1"
AUTHORS = (StaffRole.JUDGE, StaffRole.CLERK)


def canonical_payload(document: dict[str, object]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def verify_erratum(erratum: RecordErratum, seal_public_key: ec.EllipticCurvePublicKey) -> None:
    """Raise ``cryptography.exceptions.InvalidSignature`` unless the court signed this erratum."""
    seal_public_key.verify(
        base64.b64decode(erratum.signature), erratum.payload.encode(), ec.ECDSA(hashes.SHA256())
    )


def add_erratum(
    session: Session,
    ctx: ServerContext,
    pki: CourtPki,
    *,
    staff: StaffUser,
    hearing: Hearing,
    segment_id: str,
    before: str,
    after: str,
    reason: str,
) -> RecordErratum:
    require_staff_role(staff, AUTHORS, "correct the frozen record")
    closure = records.frozen_closure(session, hearing.id)
    now = ctx.clock()
    payload = canonical_payload({
        "format": FORMAT,
        "hearing_id": str(hearing.id),
        "case_number": hearing.case.case_number,
        "transcript_version": closure.frozen_version,
        "transcript_sha256": closure.transcript_sha256,
        "segment_id": segment_id,
        "before": before,
        "after": after,
        "reason": reason,
        "author": staff.display_name,
        "created_at": now.isoformat(),
    })  # fmt: skip
    signature = pki.ca.seal_key.sign(payload, ec.ECDSA(hashes.SHA256()))
    erratum = RecordErratum(
        hearing_id=hearing.id, segment_id=segment_id, before=before, after=after, reason=reason,
        author_staff_id=staff.id, author_name=staff.display_name, created_at=now,
        payload=payload.decode(), signature=base64.b64encode(signature).decode("ascii"),
    )  # fmt: skip
    session.add(erratum)
    session.flush()
    audit.record(
        session, actor=Actor("staff", staff.id), action="closing.erratum",
        entity=EntityRef("record_erratum", erratum.id), case_id=hearing.case_id,
        details={"segment_id": segment_id, "before": before, "after": after, "reason": reason},
        at=now,
    )  # fmt: skip
    session.commit()
    return erratum


def errata_of(session: Session, hearing_id: int) -> list[RecordErratum]:
    return list(
        session.scalars(
            select(RecordErratum)
            .where(RecordErratum.hearing_id == hearing_id)
            .order_by(RecordErratum.id)
        )
    )
