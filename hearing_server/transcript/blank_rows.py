"""Removing an empty row from a hearing's transcript (issue 13).

Earlier versions let the recogniser's empty commits through: segments with a speaker and no
words. None can be made any more (:meth:`TranscriptActions.commit_asr` refuses them); the ones
already in a document are removed here, one at a time, by the judge, the clerk or a recorder,
while the transcript is editable. The document keeps the revision (who, when, the text before:
empty, or punctuation only) and the audit trail the action, with before and after. Every editor
tab sees the row go through the document socket, like any other change.

    seq = await delete_blank_row(session, ctx, rooms, staff=staff, hearing=hearing,
                                 segment_id="seg-12")
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, ForbiddenError, NotFoundError
from hearing_server.models import Hearing, StaffUser
from hearing_server.transcript.actions import EditRefusedError
from hearing_server.transcript.editors import staff_author, transcript_editable
from hearing_server.transcript.fanout import DocumentRooms
from hearing_server.transcript.policy import may_edit

__all__ = ["delete_blank_row"]


async def delete_blank_row(
    session: Session,
    ctx: ServerContext,
    rooms: DocumentRooms,
    *,
    staff: StaffUser,
    hearing: Hearing,
    segment_id: str,
) -> int:
    """Remove ``segment_id`` if it has no words; the document's sequence number after it."""
    author = staff_author(staff)
    if not may_edit(author.role):
        raise ForbiddenError("only the judge, the clerk and recorders may edit the transcript")
    if not transcript_editable(hearing):
        raise ConflictError("the transcript cannot be edited now (frozen for signing, or closed)")
    room = await rooms.get(hearing.id)
    assert room.actions is not None
    await room.actions.catch_up()
    view = room.actions.doc.get(segment_id)
    if view is None:
        raise NotFoundError(f"segment {segment_id} not found")
    try:
        seq = await room.actions.delete_blank_segment(author, segment_id)
    except EditRefusedError as exc:
        raise ConflictError(str(exc)) from None
    audit.record(
        session, actor=Actor("staff", staff.id), action="transcript.segment_deleted",
        entity=EntityRef("hearing", hearing.id), case_id=hearing.case_id,
        details={"segment_id": segment_id, "speaker": view.speaker.key,
                 "before": view.text, "after": "", "seq": seq},
        at=ctx.clock(),
    )  # fmt: skip
    session.commit()
    return seq
