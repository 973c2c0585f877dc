"""The transcript document over HTTP: exports, a segment's history, and hotwords.

- ``GET /api/hearings/{id}/transcript.{txt|json|srt|vtt|pdf}``: everyone admitted to the hearing
  (parties get their copy); the PDF is the court-format transcript (笔录).
- ``GET /api/hearings/{id}/transcript/revisions[?segment=ID]``: who changed what, when.
- ``POST /api/hearings/{id}/hotwords``: the judge, the clerk or a recorder adds terms (a name the
  ASR got wrong) that every stream uses for the rest of the hearing; audited.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.access import require_staff_role
from hearing_server.api.live import LiveDep
from hearing_server.audit import EntityRef, record
from hearing_server.deps import ContextDep, OptionalParticipant, OptionalStaff, SessionDep
from hearing_server.errors import NotAuthenticatedError
from hearing_server.live.admission import admit, existing_live, hearing_hotwords
from hearing_server.models import CourtRole, Hearing, HearingHotword, Participant, StaffRole
from hearing_server.transcript.export import Header, role_label, to_json, to_srt, to_txt, to_vtt
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.pdf import find_cjk_font, render_pdf
from hearing_server.transcript.store import SqlUpdateStore

router = APIRouter(prefix="/api/hearings/{hearing_id}", tags=["transcript"])

EDITOR_STAFF = (StaffRole.JUDGE, StaffRole.CLERK, StaffRole.RECORDER)


class ExportFormat(StrEnum):
    TXT = "txt"
    JSON = "json"
    SRT = "srt"
    VTT = "vtt"
    PDF = "pdf"


MEDIA_TYPES = {
    ExportFormat.TXT: "text/plain; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.SRT: "application/x-subrip; charset=utf-8",
    ExportFormat.VTT: "text/vtt; charset=utf-8",
    ExportFormat.PDF: "application/pdf",
}


class RevisionOut(BaseModel):
    segment_id: str
    field: str
    before: str
    after: str
    author: str
    author_name: str
    at: datetime
    seq: int


Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class HotwordsIn(BaseModel):
    words: list[Term] = Field(min_length=1, max_length=20)


class HotwordsOut(BaseModel):
    hotwords: list[str]


def _rooms(request: Request) -> DocumentRooms:
    rooms = request.app.state.documents
    assert isinstance(rooms, DocumentRooms)
    return rooms


def header_for(session: Session, hearing: Hearing) -> Header:
    people = session.scalars(
        select(Participant)
        .where(Participant.hearing_id == hearing.id, Participant.removed_at.is_(None))
        .order_by(Participant.id)
    ).all()

    def first(*roles: CourtRole) -> str:
        return next((p.display_name for p in people if p.court_role in roles), "")

    return Header(
        court=hearing.case.court.name,
        case_number=hearing.case.case_number,
        cause_of_action=hearing.case.cause_of_action,
        started_at=hearing.scheduled_at,
        place=hearing.place,
        presiding_judge=first(CourtRole.PRESIDING_JUDGE, CourtRole.JUDGE),
        clerk=first(CourtRole.CLERK),
        participants=tuple(
            (role_label(p.court_role.value), p.display_name)
            for p in people
            if not p.court_role.is_bench
        ),
    )


@router.get("/transcript.{fmt}")
async def export_transcript(
    hearing_id: int,
    fmt: ExportFormat,
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    staff: OptionalStaff,
    participant: OptionalParticipant,
) -> Response:
    admitted = admit(session, staff, participant, hearing_id)
    room = await _rooms(request).get(hearing_id)
    assert room.actions is not None
    segments, version = room.actions.doc.entries(), room.actions.seq  # with recording gaps
    header = header_for(session, admitted.hearing)
    if fmt is ExportFormat.PDF:
        font = find_cjk_font(ctx.settings.pdf_font)
        body: bytes | str = render_pdf(header, segments, version=version, font=font)
    elif fmt is ExportFormat.JSON:
        body = to_json(header, segments, version=version)
    elif fmt is ExportFormat.SRT:
        body = to_srt(segments)
    elif fmt is ExportFormat.VTT:
        body = to_vtt(segments)
    else:
        body = to_txt(header, segments)
    filename = f"transcript-{hearing_id}-v{version}.{fmt.value}"
    return Response(
        body,
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
    segment: str | None = None,
) -> list[RevisionOut]:
    admit(session, staff, participant, hearing_id)
    store = SqlUpdateStore(ctx.session_factory)
    return [
        RevisionOut(
            segment_id=r.segment_id,
            field=r.field.value,
            before=r.before,
            after=r.after,
            author=r.author,
            author_name=r.author_name,
            at=r.at,
            seq=r.seq,
        )
        for r in store.revisions(hearing_id, segment)
    ]


@router.post("/hotwords")
def add_hotwords(
    hearing_id: int,
    body: HotwordsIn,
    session: SessionDep,
    ctx: ContextDep,
    staff: OptionalStaff,
    registry: LiveDep,
) -> HotwordsOut:
    if staff is None:
        raise NotAuthenticatedError("please log in")
    require_staff_role(staff, EDITOR_STAFF, "add hotwords")
    admitted = admit(session, staff, None, hearing_id)
    words = tuple(dict.fromkeys(body.words))
    known = set(hearing_hotwords(session, admitted.hearing))
    for word in words:
        if word not in known:
            session.add(
                HearingHotword(
                    hearing_id=hearing_id,
                    word=word,
                    added_by=f"user-{staff.id}",
                    added_at=ctx.clock(),
                )
            )
    record(
        session,
        actor=admitted.actor,
        action="hearing.hotwords",
        entity=EntityRef("hearing", hearing_id),
        case_id=admitted.hearing.case_id,
        details={"added": list(words)},
        at=ctx.clock(),
    )
    session.commit()
    result = hearing_hotwords(session, admitted.hearing)
    live = existing_live(registry, hearing_id)
    if (
        live is not None
    ):  # the running streams use them from now on; a later live session reads them
        live.add_hotwords(result)
    return HotwordsOut(hotwords=list(result))
