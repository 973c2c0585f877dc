"""Who may take part in a hearing's live session, as whom, and which live session that is.

    admitted = admit(session, staff, participant, hearing_id)   # raises 401/403/404
    admitted.hearing, admitted.speaker, admitted.actor
    live = live_for(registry, session, admitted.hearing)        # raises 409 unless open

Staff of the hearing's court are admitted (as their participant entry when they are on the
participant list, else as ``staff-<id>``); a participant only to their own hearing, and not while
the judge has removed them (:class:`RemovedError`). Every HTTP and WebSocket endpoint of the live
hearing goes through :func:`admit`, so case, hearing and role are checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.access import hearing_for_participant, hearing_for_staff
from hearing_server.audit import Actor
from hearing_server.errors import ConflictError, NotAuthenticatedError, RemovedError
from hearing_server.live.hub import Speaker
from hearing_server.live.registry import LiveRegistry
from hearing_server.live.room import LiveHearing, LiveSpec
from hearing_server.models import (
    Hearing,
    HearingHotword,
    HearingStatus,
    Participant,
    StaffUser,
)

__all__ = ["Admitted", "admit", "live_for", "live_spec", "participant_speaker"]

REMOVED_MESSAGE = "the judge has removed you from this hearing; wait until you are readmitted"


@dataclass(frozen=True)
class Admitted:
    hearing: Hearing
    speaker: Speaker
    actor: Actor


def participant_speaker(participant: Participant, *, session: Session | None = None) -> Speaker:
    """The participant as a speaker; with ``session``, an interpreter names whom they interpret."""
    interpreted = (
        session.get(Participant, participant.interprets_id)
        if session is not None and participant.interprets_id is not None
        else None
    )
    return Speaker(
        key=f"participant-{participant.id}",
        participant_id=participant.id,
        role=participant.court_role.value,
        display_name=participant.display_name,
        language=participant.language,
        interprets=participant_speaker(interpreted) if interpreted is not None else None,
    )


def admit(
    session: Session, staff: StaffUser | None, participant: Participant | None, hearing_id: int
) -> Admitted:
    """Who is asking, checked against the hearing (staff of its court or one of its parties)."""
    if staff is not None:
        hearing = hearing_for_staff(session, staff, hearing_id)
        own = session.scalars(
            select(Participant).where(
                Participant.hearing_id == hearing_id, Participant.staff_user_id == staff.id
            )
        ).first()
        speaker = (
            participant_speaker(own, session=session)
            if own is not None
            else Speaker(f"staff-{staff.id}", None, staff.role.value, staff.display_name)
        )
        return Admitted(hearing, speaker, Actor("staff", staff.id))
    if participant is not None:
        hearing = hearing_for_participant(session, participant, hearing_id)
        if participant.removed_at is not None:
            raise RemovedError(REMOVED_MESSAGE)
        return Admitted(
            hearing,
            participant_speaker(participant, session=session),
            Actor("participant", participant.id),
        )
    raise NotAuthenticatedError("please log in or join through your invitation link")


COURT_TERMS = ("审判长", "书记员", "原告", "被告", "诉讼代理人", "质证")
"""A few terms every Chinese hearing uses, as hotwords (kept short: they lengthen the prompt)."""


def hearing_hotwords(session: Session, hearing: Hearing) -> tuple[str, ...]:
    """The case vocabulary: participants' names, the cause of action, court terms, and terms
    added during the hearing (``HearingHotword``)."""
    participants = session.scalars(
        select(Participant).where(Participant.hearing_id == hearing.id).order_by(Participant.id)
    ).all()
    added = session.scalars(
        select(HearingHotword.word)
        .where(HearingHotword.hearing_id == hearing.id)
        .order_by(HearingHotword.id)
    ).all()
    words = [
        *(p.display_name for p in participants),
        hearing.case.cause_of_action,
        *COURT_TERMS,
        *added,
    ]
    return tuple(dict.fromkeys(w for w in words if w))


def live_spec(session: Session, hearing: Hearing) -> LiveSpec:
    """Hotwords (the case vocabulary) and who is removed, read once."""
    participants = session.scalars(
        select(Participant).where(Participant.hearing_id == hearing.id).order_by(Participant.id)
    ).all()
    return LiveSpec(
        hearing_id=hearing.id,
        hotwords=hearing_hotwords(session, hearing),
        language=None if hearing.language == "auto" else hearing.language,
        removed=tuple(participant_speaker(p) for p in participants if p.removed_at is not None),
    )


def require_open(hearing: Hearing) -> None:
    if hearing.status != HearingStatus.OPEN:
        raise ConflictError("the hearing is not open (the clerk opens it)")


def live_for(registry: LiveRegistry, session: Session, hearing: Hearing) -> LiveHearing:
    """The hearing's live session, started on first use; only while the hearing is open."""
    require_open(hearing)
    return registry.get_or_create(hearing.id, lambda: live_spec(session, hearing))


def existing_live(registry: LiveRegistry, hearing_id: int) -> LiveHearing | None:
    """The running live session, if any (actions that need not start one)."""
    live = registry.get(hearing_id)
    return live if live is not None and not live.closed else None
