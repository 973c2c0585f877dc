"""Case documents over HTTP: the files filed with a case (signed transcripts, digest lists).

``GET /api/cases/{case_id}/documents`` lists them, ``.../documents/{id}`` downloads one. Court
staff of the case's court and the case's participants may read; others get 404.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from hearing_server.closing.documents import case_documents, case_for_reader
from hearing_server.deps import CaseFilesDep, OptionalStaff, RecordParticipant, SessionDep
from hearing_server.errors import NotFoundError
from hearing_server.models import CaseDocument
from hearing_server.paging import PageDep, cut
from hearing_server.schemas import file_answer

router = APIRouter(prefix="/api/cases/{case_id}/documents", tags=["case documents"])


class CaseDocumentOut(BaseModel):
    id: int
    hearing_id: int | None
    kind: str
    filename: str
    sha256: str
    size_bytes: int
    created_at: datetime


@router.get("")
def list_documents(
    case_id: int,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
    page: PageDep,
    response: Response,
) -> list[CaseDocumentOut]:
    case_for_reader(session, staff, participant, case_id)
    documents = cut(case_documents(session, case_id), lambda d: (d.id,), page)
    return [
        CaseDocumentOut.model_validate(d, from_attributes=True)
        for d in page.answer(response, documents, lambda d: (d.id,))
    ]


@router.get("/{document_id}", response_class=Response, responses=file_answer("*/*"))
def get_document(
    case_id: int,
    document_id: int,
    files: CaseFilesDep,
    session: SessionDep,
    staff: OptionalStaff,
    participant: RecordParticipant,
) -> Response:
    case_for_reader(session, staff, participant, case_id)
    document = session.get(CaseDocument, document_id)
    if document is None or document.case_id != case_id:
        raise NotFoundError(f"document {document_id} not found")
    data = files.read_case_file(document.storage_path)
    return Response(
        data,
        media_type=document.media_type,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )
