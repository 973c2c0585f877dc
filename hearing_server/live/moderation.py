"""The judge's control of the room, and people joining and leaving it: actions that check,
write the audit trail (and the participant row), commit, and apply the change to the running
live session (peers, presence, sockets).

    answer = await do_join_media(session, ctx, registry, staff=s, participant=p,
                                 hearing_id=h, offer_sdp=sdp)          # SDP answer, audited join
    await do_leave_media(session, ctx, registry, staff=s, participant=p, hearing_id=h)
    await do_set_removed(session, ctx, registry, staff=judge, hearing_id=h, participant_id=p,
                         removed=True)                       # False: readmit
    await do_set_muted(session, ctx, registry, staff=judge, hearing_id=h, participant_id=p,
                       muted=True)

Who joins is decided by :func:`~hearing_server.live.admission.admit` (case, hearing, role;
removed?); joining and leaving are audited by :func:`record_presence` (one commit each).

Only judges (staff role ``judge`` of the hearing's court) mute, remove and readmit; court staff
on the participant list are not removed (the clerk and the judges run the hearing). Removing
needs a hearing that is scheduled or open; muting needs it open (muting is live state).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError, NotFoundError, RemovedError
from hearing_server.live.admission import (
    REMOVED_MESSAGE,
    Admitted,
    admit,
    existing_live,
    live_for,
    participant_speaker,
    require_open,
)
from hearing_server.live.registry import LiveRegistry
from hearing_server.models import Hearing, HearingStatus, Participant, StaffRole, StaffUser
from hearing_server.rtc.peer import Answer

__all__ = [
    "do_join_media",
    "do_leave_media",
    "do_set_muted",
    "do_set_removed",
    "record_presence",
]

MODERATORS = (StaffRole.JUDGE,)


def _target(
    session: Session, staff: StaffUser, hearing_id: int, participant_id: int, action: str
) -> tuple[Hearing, Participant]:
    require_staff_role(staff, MODERATORS, action)
    hearing = hearing_for_staff(session, staff, hearing_id)
    target = session.get(Participant, participant_id)
    if target is None or target.hearing_id != hearing.id:
        raise NotFoundError(f"participant {participant_id} not found in hearing {hearing_id}")
    return hearing, target


async def do_set_removed(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser,
    hearing_id: int,
    participant_id: int,
    removed: bool,
) -> None:
    """Remove a participant: their media and transcript sockets close, and they cannot rejoin
    until readmitted (``removed=False``)."""
    target = _write_removed(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        participant_id=participant_id,
        removed=removed,
    )
    live = existing_live(registry, hearing_id)
    if live is None:
        return
    if removed:
        await live.remove(participant_speaker(target), f"removed: {REMOVED_MESSAGE}")
    else:
        live.readmit(participant_speaker(target))


def _write_removed(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing_id: int,
    participant_id: int,
    removed: bool,
) -> Participant:
    """Remove a participant from the hearing (``removed=False``: readmit). Idempotent: a
    repeated request changes nothing and writes no audit event."""
    verb = "remove participants" if removed else "readmit participants"
    hearing, target = _target(session, staff, hearing_id, participant_id, verb)
    if hearing.status not in (HearingStatus.SCHEDULED, HearingStatus.OPEN):
        raise ConflictError(f"hearing {hearing.id} is {hearing.status.value}")
    if target.staff_user_id is not None:
        raise ConflictError("court staff on the participant list cannot be removed")
    if (target.removed_at is not None) == removed:
        return target
    now = ctx.clock()
    target.removed_at = now if removed else None
    audit.record(
        session,
        actor=Actor("staff", staff.id),
        action="participant.remove" if removed else "participant.readmit",
        entity=EntityRef("participant", target.id),
        case_id=hearing.case_id,
        details={"hearing_id": hearing.id, "display_name": target.display_name},
        at=now,
    )
    session.commit()
    return target


async def do_set_muted(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser,
    hearing_id: int,
    participant_id: int,
    muted: bool,
) -> None:
    """The judge mutes (or unmutes) a participant of an open hearing: nothing of theirs is
    heard or transcribed (the hearing's live session is started if need be)."""
    target = _write_muted(
        session, ctx, staff=staff, hearing_id=hearing_id, participant_id=participant_id, muted=muted
    )
    live = live_for(registry, session, target.hearing)
    live.set_muted(participant_speaker(target), muted)


def _write_muted(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing_id: int,
    participant_id: int,
    muted: bool,
) -> Participant:
    """Check and audit the judge muting (or unmuting) a participant of an open hearing."""
    hearing, target = _target(session, staff, hearing_id, participant_id, "mute participants")
    require_open(hearing)
    audit.record(
        session,
        actor=Actor("staff", staff.id),
        action="participant.mute" if muted else "participant.unmute",
        entity=EntityRef("participant", target.id),
        case_id=hearing.case_id,
        details={"hearing_id": hearing.id},
        at=ctx.clock(),
    )
    session.commit()
    return target


def record_presence(
    session: Session,
    ctx: ServerContext,
    *,
    admitted: Admitted,
    action: Literal["hearing.join", "hearing.leave"],
) -> None:
    """Audit someone joining the hearing's media (first time, or after leaving) or leaving it."""
    speaker = admitted.speaker
    audit.record(
        session,
        actor=admitted.actor,
        action=action,
        entity=EntityRef("hearing", admitted.hearing.id),
        case_id=admitted.hearing.case_id,
        details={"speaker": speaker.key, "role": speaker.role},
        at=ctx.clock(),
    )
    session.commit()


async def do_join_media(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser | None,
    participant: Participant | None,
    hearing_id: int,
    offer_sdp: str,
    tab: str | None = None,
    screen_mid: str | None = None,
) -> Answer:
    """Answer the caller's WebRTC offer in the hearing's live session (started if need be; only
    while the hearing is open). A first join, or a join after leaving, is audited; a re-offer
    (page reload, network drop) replaces the connection and is not. ``tab``: the page's id
    (:mod:`hearing_server.live.seats`). ``screen_mid``: the offer sends the caller's shared
    screen there (only while the caller holds the share)."""
    admitted = admit(session, staff, participant, hearing_id)
    live = live_for(registry, session, admitted.hearing)
    speaker = admitted.speaker
    live.seat(speaker, tab)  # SeatTakenError: a newer page of theirs has the seat (409)
    if screen_mid is not None and not live.screen.shares(speaker.key):
        raise ConflictError("you are not sharing your screen")
    was_present = live.presence.state(speaker.key) == "present"
    answer = await live.answer(speaker, offer_sdp, screen_mid=screen_mid)
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
