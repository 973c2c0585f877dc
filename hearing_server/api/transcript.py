"""The transcript document over HTTP: exports, a segment's history, and hotwords.

- ``GET /api/hearings/{id}/transcript.{txt|json|srt|vtt|pdf}``: everyone admitted to the hearing
  (parties get their copy); the PDF is the court-format transcript (笔录).
- ``GET /api/hearings/{id}/transcript/revisions[?segment=ID]``: who changed what, when; paged
  (:mod:`hearing_server.paging`), oldest first, each page rebuilt from the stored changes, so a
  history of any length is read in pages of bounded size. ``before``/``after`` are null for a
  revision whose text was not kept (the hearing's revision budget: ``detail`` false).
- ``DELETE /api/hearings/{id}/transcript/segments/{segment}``: the judge, the clerk or a recorder
  removes a segment with no words (an empty row); audited, seen live in every editor.
- ``POST /api/hearings/{id}/hotwords``: the judge, the clerk or a recorder adds terms (a name the
  ASR got wrong) that every stream uses for the rest of the hearing; audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, StringConstraints

from hearing_server.deps import (
    ContextDep,
    CurrentStaff,
    DocumentsDep,
    LiveDep,
    OptionalParticipant,
    OptionalStaff,
    SessionDep,
)
from hearing_server.live.admission import admit
from hearing_server.live.hotwords import do_add_hotwords
from hearing_server.paging import PageDep
from hearing_server.schemas import file_answer
from hearing_server.transcript.blank_rows import delete_blank_row
from hearing_server.transcript.outputs import ExportFormat, export_document
from hearing_server.transcript.store import SqlUpdateStore
from tingshen_platform.bounded import SingleLine

router = APIRouter(prefix="/api/hearings/{hearing_id}", tags=["transcript"])

MEDIA_TYPES = {
    ExportFormat.TXT: "text/plain; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.SRT: "application/x-subrip; charset=utf-8",
    ExportFormat.VTT: "text/vtt; charset=utf-8",
    ExportFormat.PDF: "application/pdf",
}


class RevisionOut(BaseModel):
    id: int
    segment_id: str
    field: str
    detail: bool
    """False: the hearing's revision budget was spent; who, when and the lengths are kept."""
    before: str | None
    after: str | None
    before_chars: int
    after_chars: int
    author: str
    author_name: str
    at: datetime
    seq: int


Term = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine
]


class HotwordsIn(BaseModel):
    words: list[Term] = Field(min_length=1, max_length=20)


class HotwordsOut(BaseModel):
    hotwords: list[str]


@router.get(
    "/transcript.{fmt}", response_class=Response, responses=file_answer(*MEDIA_TYPES.values())
)
async def export_transcript(
    hearing_id: int,
    fmt: ExportFormat,
    rooms: DocumentsDep,
    session: SessionDep,
    ctx: ContextDep,
    staff: OptionalStaff,
    participant: OptionalParticipant,
) -> Response:
    admitted = admit(session, staff, participant, hearing_id)
    export = await export_document(
        session,
        rooms,
        admitted.hearing,
        fmt,
        pdf_font=ctx.settings.pdf_font,
        time_zone=ctx.settings.court_zone,
    )
    filename = f"transcript-{hearing_id}-v{export.version}.{fmt.value}"
    return Response(
        export.body,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/transcript/revisions")
def revisions(
    hearing_id: int,
    session: SessionDep,
    ctx: ContextDep,
    staff: OptionalStaff,
    participant: OptionalParticipant,
    page: PageDep,
    response: Response,
    segment: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> list[RevisionOut]:
    admit(session, staff, participant, hearing_id)
    session.close()  # the page is read in its own short session; hold no connection meanwhile
    store = SqlUpdateStore(ctx.session_factory)
    entries = store.revision_page(
        hearing_id,
        after_id=page.after_id(),
        limit=page.limit + 1,
        segment_id=segment,
    )
    return [
        RevisionOut(
            id=r.id,
            segment_id=r.segment_id,
            field=r.field,
            detail=r.detail,
            before=r.before,
            after=r.after,
            before_chars=r.before_chars,
            after_chars=r.after_chars,
            author=r.author,
            author_name=r.author_name,
            at=r.at,
            seq=r.seq,
        )
        for r in page.answer(response, entries, lambda r: (r.id,))
    ]


class DeletedOut(BaseModel):
    seq: int


@router.delete("/transcript/segments/{segment_id}")
async def delete_empty_segment(
    hearing_id: int,
    segment_id: Annotated[str, Path(min_length=1, max_length=64)],
    rooms: DocumentsDep,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
) -> DeletedOut:
    admitted = admit(session, staff, None, hearing_id)
    seq = await delete_blank_row(
        session, ctx, rooms, staff=staff, hearing=admitted.hearing, segment_id=segment_id
    )
    return DeletedOut(seq=seq)


@router.post("/hotwords")
def add_hotwords(
    hearing_id: int,
    body: HotwordsIn,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
    registry: LiveDep,
) -> HotwordsOut:
    words = do_add_hotwords(
        session, ctx, registry, staff=staff, hearing_id=hearing_id, words=body.words
    )
    return HotwordsOut(hotwords=list(words))
