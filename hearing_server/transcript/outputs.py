"""The transcript of record as files: the court-format header read from the database, and the
document rendered in each export format.

    header = header_for(session, hearing, time_zone=zone)  # court, case, bench, parties
    export = await export_document(
        session, rooms, hearing, ExportFormat.PDF, pdf_font=None, time_zone=zone
    )
    export.body, export.version

The formats themselves are :mod:`hearing_server.transcript.export` (pure) and
:mod:`hearing_server.transcript.pdf`; the entries include the recording gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.closing.corrections import corrections_of, corrections_section
from hearing_server.hearing_facts import actual_times, bench_names, bench_of, in_court_time
from hearing_server.models import Hearing, Participant
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


def header_for(
    session: Session,
    hearing: Hearing,
    *,
    time_zone: ZoneInfo,
    bench: list[tuple[str, str]] | None = None,
) -> Header:
    """The header in the court's time zone: the actual opening and closing (the scheduled time
    until the hearing opens), and the bench by name: ``bench`` (``(court role, name)``, the
    signers at freezing) or else who took part (:func:`hearing_server.hearing_facts.bench_of`)."""
    people = session.scalars(
        select(Participant)
        .where(Participant.hearing_id == hearing.id, Participant.removed_at.is_(None))
        .order_by(Participant.id)
    ).all()
    opened, closed = actual_times(session, hearing.id)
    presiding_judge, clerk = bench_names(bench if bench is not None else bench_of(session, hearing))
    return Header(
        court=hearing.case.court.name,
        case_number=hearing.case.case_number,
        cause_of_action=hearing.case.cause_of_action,
        started_at=in_court_time(opened or hearing.scheduled_at, time_zone),
        ended_at=in_court_time(closed, time_zone),
        place=hearing.place,
        presiding_judge=presiding_judge,
        clerk=clerk,
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
    time_zone: ZoneInfo,
) -> Export:
    """The hearing's transcript as it is now, in ``fmt`` (``pdf_font``, ``time_zone``: the
    settings)."""
    room = await rooms.get(hearing.id)
    assert room.actions is not None
    # with recording gaps; without rows that have no words (issue 13)
    segments, version = of_record(room.actions.doc.entries()), room.actions.seq
    header = header_for(session, hearing, time_zone=time_zone)
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
