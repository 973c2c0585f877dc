"""Asking to speak: a person raises or lowers their own hand; the bench grants the floor, lowers
someone's hand, or takes the floor back. Checked, audited and applied to the live session.

    do_hand(session, ctx, registry, staff=s, participant=p, hearing_id=h, raised=True)
    do_floor(session, ctx, registry, staff=judge, hearing_id=h, action="grant", speaker_key=k)

Anyone admitted to the open hearing raises their own hand; only judges (staff role ``judge`` of the
hearing's court) grant the floor, lower another's hand and end the floor. The floor is granted to
someone in the room: a participant of the hearing or staff present in its live session. Each
change is audited (``floor.hand``, ``floor.grant``, ``floor.lower``, ``floor.end``).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import NotFoundError
from hearing_server.live.admission import admit, live_for, participant_speaker, require_open
from hearing_server.live.hub import Speaker
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import LiveHearing
from hearing_server.models import Hearing, Participant, StaffRole, StaffUser

__all__ = ["FloorAction", "do_floor", "do_hand"]

FloorAction = Literal["grant", "lower", "end"]


def _audit(
    session: Session, ctx: ServerContext, actor: Actor, hearing: Hearing, action: str, key: str
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        entity=EntityRef("hearing", hearing.id),
        case_id=hearing.case_id,
        details={"speaker": key},
        at=ctx.clock(),
    )
    session.commit()


def do_hand(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser | None,
    participant: Participant | None,
    hearing_id: int,
    raised: bool,
) -> None:
    """The caller raises (or lowers) their own hand in the open hearing."""
    admitted = admit(session, staff, participant, hearing_id)
    require_open(admitted.hearing)
    live = live_for(registry, session, admitted.hearing)
    speaker = admitted.speaker
    changed = live.floor.raise_hand(speaker) if raised else live.floor.lower_hand(speaker.key)
    if changed:
        action = "floor.hand" if raised else "floor.lower"
        _audit(session, ctx, admitted.actor, admitted.hearing, action, speaker.key)


def _speaker_in(session: Session, live: LiveHearing, hearing: Hearing, key: str) -> Speaker:
    """Who ``key`` is: a participant of the hearing, or someone in its live session."""
    kind, _, number = key.partition("-")
    if kind == "participant" and number.isdigit():
        participant = session.get(Participant, int(number))
        if participant is not None and participant.hearing_id == hearing.id:
            return participant_speaker(participant)
    presence = live.presence.get(key)
    if presence is not None:
        return presence.speaker
    raise NotFoundError(f"{key} is not in hearing {hearing.id}")


def do_floor(
    session: Session,
    ctx: ServerContext,
    registry: LiveRegistry,
    *,
    staff: StaffUser,
    hearing_id: int,
    action: FloorAction,
    speaker_key: str | None,
) -> None:
    """The judge grants the floor to ``speaker_key``, lowers their hand, or ends the floor."""
    require_staff_role(staff, (StaffRole.JUDGE,), "give the floor")
    hearing = hearing_for_staff(session, staff, hearing_id)
    require_open(hearing)
    live = live_for(registry, session, hearing)
    if action == "end":
        holder = live.floor.holder
        if live.floor.end() and holder is not None:
            _audit(session, ctx, Actor("staff", staff.id), hearing, "floor.end", holder.key)
        return
    if not speaker_key:
        raise NotFoundError("no speaker given")
    speaker = _speaker_in(session, live, hearing, speaker_key)
    changed = live.floor.grant(speaker) if action == "grant" else live.floor.lower_hand(speaker.key)
    if changed:
        _audit(session, ctx, Actor("staff", staff.id), hearing, f"floor.{action}", speaker.key)
