"""Case documents: what the closing workflow files with the case, and who may read it.

When the record is complete the signed transcript PDF and a JSON list of the recordings' digests
are filed as case documents (files in the document store, rows in ``case_documents``), in the
sealing transaction. Court staff of the case's court and the case's participants may list and
download them; anyone else gets 404, so a case's existence is not revealed.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.access import case_for_staff
from hearing_server.closing.corrections import corrections_of, corrections_section
from hearing_server.closing.store import DocumentStore, sha256_hex
from hearing_server.errors import NotAuthenticatedError, NotFoundError
from hearing_server.models import Case, CaseDocument, Hearing, Participant, StaffUser
from hearing_server.recording_archive import recording_digests

SIGNED_TRANSCRIPT = "signed_transcript"
RECORDING_DIGESTS = "recording_digests"
CORRECTION_REQUESTS = "correction_requests"
"""The parties' correction requests and the court's answers (issue 13), filed when there are."""


def _add(
    session: Session,
    store: DocumentStore,
    hearing: Hearing,
    *,
    kind: str,
    filename: str,
    media_type: str,
    data: bytes,
    at: datetime,
) -> CaseDocument:
    digest = sha256_hex(data)
    stored = store.write_case_file(hearing.case_id, f"{digest[:16]}-{filename}", data)
    document = CaseDocument(
        case_id=hearing.case_id, hearing_id=hearing.id, kind=kind, filename=filename,
        media_type=media_type, storage_path=stored, sha256=digest, size_bytes=len(data),
        created_at=at,
    )  # fmt: skip
    session.add(document)
    return document


def recordings_json(session: Session, hearing_id: int) -> bytes:
    """The hearing's recordings with their digests, as filed next to the signed transcript."""
    payload = {
        "format": "tingshen.recording-digests/1",
        "hearing_id": hearing_id,
        "recordings": [
            {"name": r.name, "sha256": r.sha256, "size_bytes": r.size_bytes,
             "duration_ms": r.duration_ms, "finalized_at": r.finalized_at.isoformat()}
            for r in recording_digests(session, hearing_id)
        ],
    }  # fmt: skip
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode()


def corrections_file(session: Session, hearing: Hearing) -> tuple[str, bytes] | None:
    """The parties' correction requests with the court's answers as filed with the case (file
    name, bytes), or None when nobody asked; the seal names its digest (issue 13)."""
    requests = corrections_of(session, hearing.id)
    if not requests:
        return None
    text = "\n".join([f"案号：{hearing.case.case_number}", "", *corrections_section(requests)])
    return f"hearing-{hearing.id}-correction-requests.txt", (text + "\n").encode()


def file_closing_documents(
    session: Session, store: DocumentStore, hearing: Hearing, signed_pdf: bytes, *, at: datetime
) -> list[CaseDocument]:
    """File the signed transcript and the recordings digest list; no commit."""
    documents = [
        _add(
            session, store, hearing, kind=SIGNED_TRANSCRIPT,
            filename=f"hearing-{hearing.id}-transcript-signed.pdf",
            media_type="application/pdf", data=signed_pdf, at=at,
        ),
        _add(
            session, store, hearing, kind=RECORDING_DIGESTS,
            filename=f"hearing-{hearing.id}-recordings.json",
            media_type="application/json", data=recordings_json(session, hearing.id), at=at,
        ),
    ]  # fmt: skip
    corrections = corrections_file(session, hearing)
    if corrections is not None:
        name, data = corrections
        media = "text/plain; charset=utf-8"
        documents.append(
            _add(
                session,
                store,
                hearing,
                kind=CORRECTION_REQUESTS,
                filename=name,
                media_type=media,
                data=data,
                at=at,
            )
        )
    session.flush()
    return documents


def case_for_reader(
    session: Session, staff: StaffUser | None, participant: Participant | None, case_id: int
) -> Case:
    """The case if the caller may read its documents (its court's staff, its participants)."""
    if staff is not None:
        return case_for_staff(session, staff, case_id)
    if participant is None:
        raise NotAuthenticatedError("please log in or join through your invitation link")
    if participant.hearing.case_id != case_id:
        raise NotFoundError(f"case {case_id} not found")
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"case {case_id} not found")
    return case


def case_documents(session: Session, case_id: int) -> list[CaseDocument]:
    return list(
        session.scalars(
            select(CaseDocument).where(CaseDocument.case_id == case_id).order_by(CaseDocument.id)
        )
    )
