"""Joining and leaving a hearing's media: actions that admit, change the live session, and audit.

    answer = await do_join_media(session, ctx, registry, staff=s, participant=p,
                                 hearing_id=h, offer_sdp=sdp)          # SDP answer, audited join
    await do_leave_media(session, ctx, registry, staff=s, participant=p, hearing_id=h)

Admission is :func:`~hearing_server.live.admission.admit` (case, hearing, role; removed?), the
audit rows are :func:`~hearing_server.live.moderation.record_presence` (one commit each).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hearing_server.context import ServerContext
from hearing_server.errors import RemovedError
from hearing_server.live.admission import REMOVED_MESSAGE, admit, existing_live, live_for
from hearing_server.live.moderation import record_presence
from hearing_server.live.registry import LiveRegistry
from hearing_server.models import Participant, StaffUser
from hearing_server.rtc.peer import Answer

__all__ = ["do_join_media", "do_leave_media"]


async def do_join_media(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser | None,
    participant: Participant | None,
    hearing_id: int,
    offer_sdp: str,
) -> Answer:
    """Answer the caller's WebRTC offer in the hearing's live session (started if need be; only
    while the hearing is open). A first join, or a join after leaving, is audited; a re-offer
    (page reload, network drop) replaces the connection and is not."""
    admitted = admit(session, staff, participant, hearing_id)
    live = live_for(registry, session, admitted.hearing)
    speaker = admitted.speaker
    was_present = live.presence.state(speaker.key) == "present"
    answer = await live.answer(speaker, offer_sdp)
    if live.presence.state(speaker.key) == "removed":  # removed while the offer was answered
        await live.peers.close(speaker.key)
        raise RemovedError(REMOVED_MESSAGE)
    if not was_present:
        record_presence(session, ctx, admitted=admitted, action="hearing.join")
    return answer


async def do_leave_media(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser | None,
    participant: Participant | None,
    hearing_id: int,
) -> None:
    """The caller leaves the hearing's media (their page stops following it). Leaving when not
    in the room (never joined, already left, hearing not open) changes nothing."""
    admitted = admit(session, staff, participant, hearing_id)
    live = existing_live(registry, hearing_id)
    if live is None or live.presence.state(admitted.speaker.key) != "present":
        return
    await live.leave(admitted.speaker)
    record_presence(session, ctx, admitted=admitted, action="hearing.leave")
