"""Signing requests: an SMS / e-mail asking each participant signer to read and sign the record.

They go through the notice outbox in the caller's transaction (with the freeze, or the clerk's
reminder), so a request is sent if and only if the change that owes it is committed. Each
carries a fresh signing link (:mod:`hearing_server.sign_links`: ``/sign/<token>``, then the
one-time code, then a session that reads and signs this record only); the outbox keeps the id of
its invitation (``sign_invitation_id``) and the dispatcher derives the link at send time, so no
token is stored. ``sign_link`` in the payload is the signing page of a session one already has.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from hearing_server.closing.plan import SignerGroup, SignerSlot
from hearing_server.context import ServerContext
from hearing_server.models import Hearing, NoticeKind, NoticeOutbox, Participant
from hearing_server.notices.outbox import enqueue_hearing_notices
from hearing_server.sign_links import add_sign_link

_PREFIX = "participant-"


def sign_link(ctx: ServerContext, hearing_id: int) -> str:
    return f"{ctx.settings.public_base_url.rstrip('/')}/sign/{int(hearing_id)}"


def enqueue_sign_requests(
    session: Session, ctx: ServerContext, *, hearing: Hearing, slots: Sequence[SignerSlot]
) -> list[NoticeOutbox]:
    """Queue a request to every *pending* participant signer among ``slots``; no commit."""
    people: list[Participant] = []
    for slot in slots:
        if slot.group is not SignerGroup.PARTICIPANT or slot.resolved:
            continue
        if not slot.key.startswith(_PREFIX):
            continue
        participant = session.get(Participant, int(slot.key[len(_PREFIX) :]))
        if participant is not None and participant.hearing_id == hearing.id:
            people.append(participant)
    if not people:
        return []
    rows = enqueue_hearing_notices(
        session, ctx, hearing=hearing, kind=NoticeKind.SIGN_REQUEST, participants=people
    )
    link = sign_link(ctx, hearing.id)
    invitations: dict[int, int] = {}  # one signing link per person, for e-mail and SMS alike
    for person in people:
        if any(row.participant_id == person.id for row in rows):
            invitation = add_sign_link(session, ctx, participant=person, hearing=hearing)
            invitations[person.id] = invitation.id
    for row in rows:  # a new dict: the JSON column notices replacement, not mutation
        row.payload = {
            **row.payload,
            "sign_link": link,
            "sign_invitation_id": invitations[row.participant_id],
        }
    return rows
