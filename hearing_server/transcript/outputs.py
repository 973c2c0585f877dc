"""The transcript of record as files: the court-format header read from the database, and the
document rendered in each export format.

    header = header_for(session, hearing)                 # court, case, bench, parties
    export = await export_document(session, rooms, hearing, ExportFormat.PDF, pdf_font=None)
    export.body, export.version

The formats themselves are :mod:`hearing_server.transcript.export` (pure) and
:mod:`hearing_server.transcript.pdf`; the entries include the recording gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.closing.corrections import corrections_of, corrections_section
from hearing_server.models import CourtRole, Hearing, Participant
from hearing_server.transcript.export import Header, role_label, to_json, to_srt, to_txt, to_vtt
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.model import of_record
from hearing_server.transcript.pdf import find_cjk_font, render_pdf

__all__ = ["Export", "ExportFormat", "export_document", "header_for"]


class ExportFormat(StrEnum):
    TXT = "txt"
    JSON = "json"
    SRT = "srt"
    VTT = "vtt"
    PDF = "pdf"


@dataclass(frozen=True)
class Export:
    body: bytes | str
    version: int
    """The document's sequence number the export shows."""


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


async def export_document(
    session: Session,
    rooms: DocumentRooms,
    hearing: Hearing,
    fmt: ExportFormat,
    *,
    pdf_font: Path | None,
) -> Export:
    """The hearing's transcript as it is now, in ``fmt`` (``pdf_font``: the setting)."""
    room = await rooms.get(hearing.id)
    assert room.actions is not None
    # with recording gaps; without rows that have no words (issue 13)
    segments, version = of_record(room.actions.doc.entries()), room.actions.seq
    header = header_for(session, hearing)
    if fmt is ExportFormat.PDF:
        font = find_cjk_font(pdf_font)
        body: bytes | str = render_pdf(header, segments, version=version, font=font)
    elif fmt is ExportFormat.JSON:
        body = to_json(header, segments, version=version)
    elif fmt is ExportFormat.SRT:
        body = to_srt(segments)
    elif fmt is ExportFormat.VTT:
        body = to_vtt(segments)
    else:
        # the parties' correction requests and the court's answers, with the record (issue 13)
        section = corrections_section(corrections_of(session, hearing.id))
        body = to_txt(header, segments) + "".join(f"\n{line}" for line in section)
    return Export(body, version)
