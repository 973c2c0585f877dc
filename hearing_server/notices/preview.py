"""What the notices of a hearing will say, before they go out (the clerk reads, then confirms).

The texts are rendered exactly as the dispatcher will render them (same facts, same locale);
only the join link, which is created when the notices are queued, is shown as a placeholder.
Nothing is written: previewing is not a change of the court record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.context import ServerContext
from hearing_server.errors import InvalidInputError
from hearing_server.models import NoticeChannel, NoticeKind, Participant, StaffUser
from hearing_server.notices.email import mask_email
from hearing_server.notices.outbox import NOTICE_MANAGERS, notice_facts
from hearing_server.notices.render import Locale, NoticeFacts, RenderedNotice, render_notice
from hearing_server.notices.sms import mask_phone

LINK_PLACEHOLDER = "…"
"""Stands for the participant's own token in the previewed join link."""


@dataclass(frozen=True, slots=True)
class NoticePreview:
    participant_id: int
    participant_name: str
    court_role: str
    channel: NoticeChannel
    recipient: str  # masked, as in the notice log
    subject: str
    text: str  # the e-mail body, or the SMS


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """A change not made yet whose notice is previewed (``rescheduled``: the new time)."""

    kind: NoticeKind
    scheduled_at: datetime | None = None
    place: str | None = None
    duration_minutes: int | None = None


def preview_hearing_notices(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing_id: int,
    change: PlannedChange,
) -> list[NoticePreview]:
    """One preview per participant and channel with an address, in participant order."""
    require_staff_role(staff, NOTICE_MANAGERS, "preview notices")
    hearing = hearing_for_staff(session, staff, hearing_id)
    if change.kind is NoticeKind.SIGN_REQUEST:
        raise InvalidInputError.because("preview_kind", kind=change.kind.value)
    if change.kind is NoticeKind.RESCHEDULED and change.scheduled_at is None:
        raise InvalidInputError.because("preview_needs_time")
    locale: Locale = "en" if ctx.settings.notice_locale == "en" else "zh-CN"
    link_base = f"{ctx.settings.public_base_url.rstrip('/')}/join/{LINK_PLACEHOLDER}"
    participants = session.scalars(
        select(Participant).where(Participant.hearing_id == hearing.id).order_by(Participant.id)
    )
    out: list[NoticePreview] = []
    for participant in participants:
        facts = notice_facts(hearing, participant, change.kind, None)
        if change.kind is NoticeKind.RESCHEDULED:
            facts = _moved(facts, change)
        with_link = change.kind is not NoticeKind.CANCELLED and participant.staff_user_id is None
        rendered = render_notice(facts, locale=locale, join_link=link_base if with_link else None)
        if participant.email:
            address = mask_email(participant.email)
            out.append(_preview(participant, NoticeChannel.EMAIL, address, rendered, rendered.body))
        if participant.phone:
            address = mask_phone(participant.phone)
            out.append(_preview(participant, NoticeChannel.SMS, address, rendered, rendered.sms))
    return out


def _moved(facts: NoticeFacts, change: PlannedChange) -> NoticeFacts:
    assert change.scheduled_at is not None
    return replace(
        facts,
        previous_scheduled_at=facts.scheduled_at,
        scheduled_at=change.scheduled_at.astimezone(UTC),
        place=change.place or facts.place,
        duration_minutes=change.duration_minutes or facts.duration_minutes,
    )


def _preview(
    participant: Participant,
    channel: NoticeChannel,
    recipient: str,
    rendered: RenderedNotice,
    text: str,
) -> NoticePreview:
    return NoticePreview(
        participant_id=participant.id,
        participant_name=participant.display_name,
        court_role=participant.court_role.value,
        channel=channel,
        recipient=recipient,
        subject=rendered.subject,
        text=text,
    )
