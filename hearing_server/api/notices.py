"""Notices of a hearing for the judge and clerk: list (failed sends visible), send, retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from hearing_server.deps import ContextDep, CurrentStaff, SessionDep
from hearing_server.models import NoticeKind
from hearing_server.notices.outbox import (
    NoticeView,
    do_retry_notice,
    do_send_hearing_notices,
    list_hearing_notices,
)
from hearing_server.notices.preview import PlannedChange, preview_hearing_notices
from hearing_server.paging import PageDep, cut
from tingshen_platform.bounded import CourtDatetime, SingleLine

router = APIRouter(prefix="/api", tags=["notices"])


class NoticeOut(BaseModel):
    id: int
    participant_id: int
    participant_name: str
    channel: str
    kind: str
    recipient: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


def notice_out(view: NoticeView) -> NoticeOut:
    return NoticeOut(
        id=view.id,
        participant_id=view.participant_id,
        participant_name=view.participant_name,
        channel=view.channel.value,
        kind=view.kind.value,
        recipient=view.recipient,
        status=view.status.value,
        attempts=view.attempts,
        next_attempt_at=view.next_attempt_at,
        last_error=view.last_error,
        created_at=view.created_at,
        updated_at=view.updated_at,
    )


@router.get("/hearings/{hearing_id}/notices")
def list_notices(
    hearing_id: int, staff: CurrentStaff, session: SessionDep, page: PageDep, response: Response
) -> list[NoticeOut]:
    views = list_hearing_notices(session, staff=staff, hearing_id=hearing_id)
    shown = page.answer(response, cut(views, lambda v: (v.id,), page), lambda v: (v.id,))
    return [notice_out(view) for view in shown]


class NoticePreviewOut(BaseModel):
    participant_id: int
    participant_name: str
    court_role: str
    channel: str
    recipient: str
    subject: str
    text: str


@router.get("/hearings/{hearing_id}/notices/preview")
def preview_notices(
    hearing_id: int,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
    kind: Literal["scheduled", "rescheduled", "cancelled"] = "scheduled",
    scheduled_at: CourtDatetime | None = None,
    place: Annotated[Annotated[str, SingleLine] | None, Query(min_length=1, max_length=200)] = None,
    duration_minutes: int | None = Query(default=None, gt=0, le=24 * 60),
) -> list[NoticePreviewOut]:
    """The notices as they will be sent (``kind`` rescheduled: with the new time), unsent."""
    change = PlannedChange(NoticeKind(kind), scheduled_at, place, duration_minutes)
    previews = preview_hearing_notices(
        session, ctx, staff=staff, hearing_id=hearing_id, change=change
    )
    return [
        NoticePreviewOut(
            participant_id=p.participant_id,
            participant_name=p.participant_name,
            court_role=p.court_role,
            channel=p.channel.value,
            recipient=p.recipient,
            subject=p.subject,
            text=p.text,
        )
        for p in previews
    ]


@router.post("/hearings/{hearing_id}/notices", status_code=202)
def send_notices(
    hearing_id: int, staff: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> list[NoticeOut]:
    """Queue the hearing notice again for every participant with an e-mail or phone."""
    rows = do_send_hearing_notices(session, ctx, staff=staff, hearing_id=hearing_id)
    ids = {row.id for row in rows}
    views = list_hearing_notices(session, staff=staff, hearing_id=hearing_id)
    return [notice_out(view) for view in views if view.id in ids]


@router.post("/notices/{notice_id}/retry", status_code=202)
def retry_notice(
    notice_id: int, staff: CurrentStaff, session: SessionDep, ctx: ContextDep
) -> NoticeOut:
    row = do_retry_notice(session, ctx, staff=staff, notice_id=notice_id)
    views = list_hearing_notices(session, staff=staff, hearing_id=row.hearing_id)
    return notice_out(next(view for view in views if view.id == row.id))
