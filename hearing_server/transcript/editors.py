"""Who edits the transcript, and when: the rules every edit path shares (the document socket,
re-transcription decisions), and the one action behind an editor's Yjs update.

    author = socket_author(admitted, staff)               # as the document socket admits them
    transcript_editable(hearing)                          # when: open, or closed and not frozen
    seq, refusal = await do_edit_document(room, author, update, session_factory=sessions)

Everyone admitted to the hearing may watch; the judge, the clerk and recorders may edit while
:func:`transcript_editable` says so (the judge may also lock); a reader's edit is refused.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, object_session, sessionmaker

from hearing_server.closing.records import is_frozen
from hearing_server.live.admission import Admitted
from hearing_server.models import Hearing, HearingStatus, StaffRole, StaffUser
from hearing_server.transcript.actions import Author, EditRefusedError
from hearing_server.transcript.fanout import DocumentRoom
from hearing_server.transcript.policy import EditorRole

__all__ = ["do_edit_document", "socket_author", "staff_author", "transcript_editable"]

EDITOR_ROLES = {
    StaffRole.JUDGE: EditorRole.JUDGE,
    StaffRole.CLERK: EditorRole.CLERK,
    StaffRole.RECORDER: EditorRole.RECORDER,
}


def transcript_editable(hearing: Hearing | None) -> bool:
    """Whether the transcript takes edits now: while the hearing is open, and after it closed,
    because the clerk proofreads the record (with the judge and recorders) before the parties
    sign it, until the judge freezes it for signing (then what is signed must not change).
    Who may edit is the editor policy's question (parties never may); this is *when*.
    """
    if hearing is None or hearing.status not in (HearingStatus.OPEN, HearingStatus.CLOSED):
        return False
    session = object_session(hearing)
    return session is None or not is_frozen(session, hearing.id)


def staff_author(staff: StaffUser) -> Author:
    """A staff member as the author of a change to the transcript."""
    return Author(
        f"user-{staff.id}", staff.display_name, EDITOR_ROLES.get(staff.role, EditorRole.READER)
    )


def socket_author(admitted: Admitted, staff: StaffUser | None) -> Author:
    """The author of a document socket's edits: staff edit as ``user-<id>`` with their role's
    rights under the name they have in the hearing; everyone else reads."""
    role = EDITOR_ROLES.get(staff.role, EditorRole.READER) if staff else EditorRole.READER
    key = f"user-{staff.id}" if staff is not None else admitted.speaker.key
    return Author(key, admitted.speaker.display_name, role)


def _editable_now(session_factory: sessionmaker[Session], hearing_id: int) -> bool:
    with session_factory() as session:
        return transcript_editable(session.get(Hearing, hearing_id))


async def do_edit_document(
    room: DocumentRoom,
    author: Author,
    update: bytes,
    *,
    session_factory: sessionmaker[Session],
) -> tuple[int, str | None]:
    """``(seq, None)`` once the edit is durable (and broadcast), or ``(0, why not)``."""
    if author.role is EditorRole.READER:
        return 0, "only the judge, the clerk and recorders may edit the transcript"
    if not _editable_now(session_factory, room.hearing_id):
        return 0, "the transcript cannot be edited now (the hearing is not open or closed)"
    assert room.actions is not None
    try:
        return await room.actions.edit(author, update), None
    except EditRefusedError as exc:
        return 0, str(exc)
