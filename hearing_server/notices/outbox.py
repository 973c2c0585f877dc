"""The transactional outbox: notices are added in the scheduling action's own transaction.

A scheduling change and the notices it owes commit together or not at all; the dispatcher
(:mod:`hearing_server.notices.dispatcher`) sends them afterwards and retries. Each notice with a
join link gets its own invitation (created here, in the same transaction); the link itself is
re-derived from the invitation at send time, so no token is stored in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import hearing_for_staff, notice_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError
from hearing_server.models import (
    Hearing,
    HearingStatus,
    Invitation,
    NoticeChannel,
    NoticeKind,
    NoticeOutbox,
    NoticeStatus,
    Participant,
    StaffRole,
    StaffUser,
)
from hearing_server.notices.email import mask_email
from hearing_server.notices.render import NoticeFacts
from hearing_server.notices.sms import mask_phone
from hearing_server.security import InvitationClaims, sign_invitation, token_hash

NOTICE_MANAGERS = (StaffRole.JUDGE, StaffRole.CLERK)
# A join link stays valid at least until this long after the hearing's scheduled end.
LINK_GRACE = timedelta(days=1)


def notice_facts(
    hearing: Hearing,
    participant: Participant,
    kind: NoticeKind,
    previous_scheduled_at: datetime | None,
) -> NoticeFacts:
    case = hearing.case
    return NoticeFacts(
        kind=kind.value,
        court_name=case.court.name,
        case_number=case.case_number,
        cause_of_action=case.cause_of_action,
        recipient_name=participant.display_name,
        role_zh=participant.court_role.label_zh,
        role_en=participant.court_role.label_en,
        scheduled_at=hearing.scheduled_at,
        duration_minutes=hearing.duration_minutes,
        place=hearing.place,
        previous_scheduled_at=previous_scheduled_at,
    )


def _add_invitation(
    session: Session, ctx: ServerContext, *, participant: Participant, hearing: Hearing
) -> Invitation:
    """An invitation for the notice's join link; no commit (the caller's transaction)."""
    now = ctx.clock()
    hearing_end = hearing.scheduled_at + timedelta(minutes=hearing.duration_minutes)
    expires_at = max(now + ctx.invitation_ttl, hearing_end + LINK_GRACE).replace(microsecond=0)
    invitation = Invitation(participant_id=participant.id, created_at=now, expires_at=expires_at)
    session.add(invitation)
    session.flush()
    invitation.token_hash = token_hash(invitation_token(ctx.link_key, invitation, hearing.id))
    audit.record(
        session,
        actor=Actor.system(),
        action="invitation.create",
        entity=EntityRef("invitation", invitation.id),
        case_id=hearing.case_id,
        details={
            "participant_id": participant.id,
            "expires_at": expires_at.isoformat(),
            "for": "notice",
        },
        at=now,
    )
    return invitation


def invitation_token(secret_key: bytes, invitation: Invitation, hearing_id: int) -> str:
    """The signed link token of ``invitation`` (deterministic: HMAC over its claims)."""
    claims = InvitationClaims(
        invitation.id, invitation.participant_id, hearing_id, invitation.expires_at
    )
    return sign_invitation(secret_key, claims)


def enqueue_hearing_notices(
    session: Session,
    ctx: ServerContext,
    *,
    hearing: Hearing,
    kind: NoticeKind,
    participants: list[Participant] | None = None,
    previous_scheduled_at: datetime | None = None,
) -> list[NoticeOutbox]:
    """Add one notice per channel (e-mail, SMS) for each participant with that address.

    ``participants`` defaults to all of the hearing's. Does not commit: the caller's commit makes
    the notices durable together with the change they announce.
    """
    if participants is None:
        participants = list(
            session.scalars(
                select(Participant)
                .where(Participant.hearing_id == hearing.id)
                .order_by(Participant.id)
            )
        )
    now = ctx.clock()
    rows: list[NoticeOutbox] = []
    for participant in participants:
        addresses = [
            (channel, address)
            for channel, address in (
                (NoticeChannel.EMAIL, participant.email),
                (NoticeChannel.SMS, participant.phone),
            )
            if address
        ]
        if not addresses:
            continue
        payload = notice_facts(hearing, participant, kind, previous_scheduled_at).to_payload()
        payload["locale"] = ctx.settings.notice_locale
        # Staff join from their dashboard; parties and lawyers through their own link. A signing
        # request carries a signing link instead (hearing_server.sign_links): the hearing closed.
        joins = kind not in (NoticeKind.CANCELLED, NoticeKind.SIGN_REQUEST)
        if joins and participant.staff_user_id is None:
            invitation = _add_invitation(session, ctx, participant=participant, hearing=hearing)
            payload["invitation_id"] = invitation.id
        for channel, address in addresses:
            row = NoticeOutbox(
                hearing_id=hearing.id,
                participant_id=participant.id,
                channel=channel,
                kind=kind,
                payload={**payload, "to": address},
                status=NoticeStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                last_error=None,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            rows.append(row)
    session.flush()
    if rows:
        audit.record(
            session,
            actor=Actor.system(),
            action="notice.enqueue",
            entity=EntityRef("hearing", hearing.id),
            case_id=hearing.case_id,
            details={"kind": kind.value, "notice_ids": [row.id for row in rows]},
            at=now,
        )
    return rows


@dataclass(frozen=True, slots=True)
class NoticeView:
    """One notice as the clerk sees it (recipient address masked)."""

    id: int
    participant_id: int
    participant_name: str
    channel: NoticeChannel
    kind: NoticeKind
    recipient: str
    status: NoticeStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


def _view(row: NoticeOutbox) -> NoticeView:
    to = str(row.payload.get("to", ""))
    return NoticeView(
        id=row.id,
        participant_id=row.participant_id,
        participant_name=str(row.payload.get("recipient_name", "")),
        channel=row.channel,
        kind=row.kind,
        recipient=mask_email(to) if row.channel is NoticeChannel.EMAIL else mask_phone(to),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status is NoticeStatus.PENDING else None,
        last_error=row.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def list_hearing_notices(
    session: Session, *, staff: StaffUser, hearing_id: int
) -> list[NoticeView]:
    """Every notice of a hearing, oldest first; failed sends show ``status`` failed and why."""
    require_staff_role(staff, NOTICE_MANAGERS, "see notices")
    hearing = hearing_for_staff(session, staff, hearing_id)
    rows = session.scalars(
        select(NoticeOutbox).where(NoticeOutbox.hearing_id == hearing.id).order_by(NoticeOutbox.id)
    )
    return [_view(row) for row in rows]


def do_send_hearing_notices(
    session: Session, ctx: ServerContext, *, staff: StaffUser, hearing_id: int
) -> list[NoticeOutbox]:
    """(Re)send the notice of a scheduled hearing to all its participants ("send notices")."""
    require_staff_role(staff, NOTICE_MANAGERS, "send notices")
    hearing = hearing_for_staff(session, staff, hearing_id)
    if hearing.status is not HearingStatus.SCHEDULED:
        raise ConflictError.because("notices_need_scheduled", status=hearing.status.value)
    rows = enqueue_hearing_notices(session, ctx, hearing=hearing, kind=NoticeKind.SCHEDULED)
    session.commit()
    return rows


def do_retry_notice(
    session: Session, ctx: ServerContext, *, staff: StaffUser, notice_id: int
) -> NoticeOutbox:
    """Put a failed (or pending) notice back to be sent now, with a fresh attempt budget."""
    require_staff_role(staff, NOTICE_MANAGERS, "retry notices")
    row = notice_for_staff(session, staff, notice_id)  # same court, else 404
    hearing = hearing_for_staff(session, staff, row.hearing_id)
    if row.status is NoticeStatus.SENT:
        raise ConflictError.because("notice_already_sent", notice_id=notice_id)
    now = ctx.clock()
    previous = row.status
    row.status = NoticeStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.updated_at = now
    audit.record(
        session,
        actor=Actor("staff", staff.id),
        action="notice.retry",
        entity=EntityRef("notice", row.id),
        case_id=hearing.case_id,
        details={"previous_status": previous.value, "last_error": row.last_error},
        at=now,
    )
    session.commit()
    return row
