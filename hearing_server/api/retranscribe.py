"""Re-transcription of a closed hearing's recording, and its suggestions (issue 5).

- ``GET  /api/hearings/{id}/retranscription/models``: the models this server offers, and whether
  each is here and can hear the hearing's language.
- ``POST /api/hearings/{id}/retranscription/jobs`` ``{"model": "base"}``: queue a job (201); 409
  when one is already queued or running for the hearing, or there is no finalised recording.
- ``GET  /api/hearings/{id}/retranscription/jobs``: the hearing's jobs with progress, newest first.
- ``POST /api/hearings/{id}/retranscription/jobs/{job}/cancel``
- ``GET  /api/hearings/{id}/retranscription/suggestions[?state=pending]``: each with the segment
  as it is now (text, touched, locked), so the page can show the difference and what applies.
- ``POST /api/hearings/{id}/retranscription/suggestions/{s}/accept`` (409 ``suggestion_stale``
  when the segment changed since the proposal or is locked), ``…/{s}/reject``,
  ``…/suggestions/accept-untouched``.

Everything is for the judge, the clerk and recorders of the hearing's court (parties get 403,
other courts 404); decisions also need the transcript to be editable now
(:func:`~hearing_server.transcript.editors.transcript_editable`); both rules are in
:mod:`hearing_server.retranscribe.review`. State changes are audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from hearing_server.audit import Actor
from hearing_server.deps import (
    ContextDep,
    CurrentStaff,
    DocumentsDep,
    RecordingsDep,
    RetranscriptionDep,
    SessionDep,
)
from hearing_server.models import RetranscriptionJob, RetranscriptionState, SuggestionState
from hearing_server.paging import PageDep, cut
from hearing_server.retranscribe.decisions import (
    accept_all_untouched,
    accept_suggestion,
    reject_suggestion,
)
from hearing_server.retranscribe.jobs import cancel_job, job_for_hearing, start_job
from hearing_server.retranscribe.review import (
    editor_hearing,
    hearing_jobs,
    model_choices,
    require_editable,
    suggestions_now,
)
from hearing_server.transcript.editors import staff_author
from tingshen_platform.bounded import SingleLine

router = APIRouter(prefix="/api/hearings/{hearing_id}/retranscription", tags=["retranscription"])


class ModelOut(BaseModel):
    name: str
    available: bool
    multilingual: bool
    usable: bool
    """Here, and able to hear the hearing's language."""


class JobIn(BaseModel):
    model: Annotated[str, Field(min_length=1, max_length=200), SingleLine]


class JobOut(BaseModel):
    id: int
    hearing_id: int
    model: str
    language: str
    state: RetranscriptionState
    progress: float
    error: str | None
    requested_by: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SuggestionOut(BaseModel):
    id: int
    job_id: int
    segment_id: str | None
    speaker_key: str
    start_ms: int
    end_ms: int
    start_utc: str
    current_text: str
    proposed_text: str
    state: SuggestionState
    decided_by: str | None
    decided_at: datetime | None
    segment_text_now: str | None
    """The segment's text now (None: a new segment, or the segment was deleted)."""
    segment_touched: bool
    segment_locked: bool


class DecisionOut(BaseModel):
    id: int
    state: SuggestionState


class AcceptAllOut(BaseModel):
    accepted: int
    stale: int
    skipped: int


def _job_out(job: RetranscriptionJob) -> JobOut:
    return JobOut.model_validate(job, from_attributes=True)


@router.get("/models")
def models(
    hearing_id: int, session: SessionDep, ctx: ContextDep, staff: CurrentStaff
) -> list[ModelOut]:
    hearing = editor_hearing(session, staff, hearing_id)
    choices = model_choices(ctx.settings.retranscribe_models, hearing.language)
    return [ModelOut.model_validate(choice, from_attributes=True) for choice in choices]


@router.post("/jobs", status_code=201)
def start(
    hearing_id: int,
    body: JobIn,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
    recordings: RecordingsDep,
    worker: RetranscriptionDep,
) -> JobOut:
    hearing = editor_hearing(session, staff, hearing_id)
    job = start_job(
        session,
        hearing=hearing,
        staff=staff,
        model=body.model,
        allowed=ctx.settings.retranscribe_models,
        recordings=recordings,
        now=ctx.clock(),
    )
    worker.wake()
    return _job_out(job)


@router.get("/jobs")
def jobs(
    hearing_id: int, session: SessionDep, staff: CurrentStaff, page: PageDep, response: Response
) -> list[JobOut]:
    """Newest first."""
    editor_hearing(session, staff, hearing_id)
    chosen = cut(hearing_jobs(session, hearing_id), lambda j: (-j.id,), page)
    return [_job_out(job) for job in page.answer(response, chosen, lambda j: (-j.id,))]


@router.post("/jobs/{job_id}/cancel")
def cancel(
    hearing_id: int,
    job_id: int,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
    worker: RetranscriptionDep,
) -> JobOut:
    editor_hearing(session, staff, hearing_id)
    job = job_for_hearing(session, hearing_id, job_id)
    cancel_job(session, job, Actor("staff", staff.id), ctx.clock())
    worker.wake()
    return _job_out(job)


@router.get("/suggestions")
async def suggestions(
    hearing_id: int,
    session: SessionDep,
    staff: CurrentStaff,
    rooms: DocumentsDep,
    page: PageDep,
    response: Response,
    state: SuggestionState | None = None,
) -> list[SuggestionOut]:
    editor_hearing(session, staff, hearing_id)
    found = await suggestions_now(session, rooms, hearing_id, state)
    chosen = cut(found, lambda s: (s[0].start_ms, s[0].id), page)
    return [
        SuggestionOut(
            id=row.id,
            job_id=row.job_id,
            segment_id=row.segment_id,
            speaker_key=row.speaker_key,
            start_ms=row.start_ms,
            end_ms=row.end_ms,
            start_utc=row.start_utc,
            current_text=row.current_text,
            proposed_text=row.proposed_text,
            state=row.state,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            segment_text_now=view.text if view is not None else None,
            segment_touched=view.touched if view is not None else False,
            segment_locked=view.locked if view is not None else False,
        )
        for row, view in page.answer(response, chosen, lambda s: (s[0].start_ms, s[0].id))
    ]


@router.post("/suggestions/accept-untouched")
async def accept_untouched(
    hearing_id: int, session: SessionDep, ctx: ContextDep, staff: CurrentStaff, rooms: DocumentsDep
) -> AcceptAllOut:
    hearing = editor_hearing(session, staff, hearing_id)
    require_editable(hearing)
    result = await accept_all_untouched(
        session,
        rooms,
        hearing=hearing,
        author=staff_author(staff),
        actor=Actor("staff", staff.id),
        now=ctx.clock(),
    )
    return AcceptAllOut(accepted=result.accepted, stale=result.stale, skipped=result.skipped)


@router.post("/suggestions/{suggestion_id}/accept")
async def accept(
    hearing_id: int,
    suggestion_id: int,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
    rooms: DocumentsDep,
) -> DecisionOut:
    hearing = editor_hearing(session, staff, hearing_id)
    require_editable(hearing)
    state = await accept_suggestion(
        session,
        rooms,
        hearing=hearing,
        suggestion_id=suggestion_id,
        author=staff_author(staff),
        actor=Actor("staff", staff.id),
        now=ctx.clock(),
    )
    return DecisionOut(id=suggestion_id, state=state)


@router.post("/suggestions/{suggestion_id}/reject")
def reject(
    hearing_id: int,
    suggestion_id: int,
    session: SessionDep,
    ctx: ContextDep,
    staff: CurrentStaff,
) -> DecisionOut:
    hearing = editor_hearing(session, staff, hearing_id)
    require_editable(hearing)
    state = reject_suggestion(
        session,
        hearing=hearing,
        suggestion_id=suggestion_id,
        author=staff_author(staff),
        actor=Actor("staff", staff.id),
        now=ctx.clock(),
    )
    return DecisionOut(id=suggestion_id, state=state)
