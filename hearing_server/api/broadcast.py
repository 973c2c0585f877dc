"""Public broadcast (庭审公开): the bench's switch, and what observers fetch.

Bench (judge or clerk of the hearing's court): ``GET|PUT /api/hearings/{id}/broadcast``.
Observers (no account, the public link): ``GET /api/watch/{token}`` (state and the delayed
transcript; polled), ``GET /watch/{token}/live.m3u8`` and ``GET /watch/{token}/media/{run}/{name}``
(HLS, with caching headers). After the first request of a link, observer requests are answered
from this process's memory and files, without the database.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import object_session

from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.broadcast.control import BENCH, do_set_public_viewing, hearing_by_public_token
from hearing_server.broadcast.service import BroadcastService, Config
from hearing_server.context import ServerContext
from hearing_server.deps import ContextDep, CurrentStaff, ServicesDep, SessionDep
from hearing_server.errors import NotFoundError
from hearing_server.models import Hearing, Participant
from hearing_server.settings import Settings

router = APIRouter(tags=["broadcast"])

SEGMENT_NAME = re.compile(r"^seg\d{5}\.ts$")
PLAYLIST_CACHE = "public, max-age=1"
SEGMENT_CACHE = "public, max-age=86400, immutable"


class BroadcastIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    public_viewing: bool
    delay_s: int | None = Field(default=None, ge=2, le=600)


class BroadcastOut(BaseModel):
    public_viewing: bool
    delay_s: int
    watch_url: str | None
    on_air: bool
    observers: int


class WatchLineOut(BaseModel):
    id: str
    role: str
    display_name: str
    text: str
    start_at: str
    interprets_role: str = ""
    interprets_name: str = ""


class WatchOut(BaseModel):
    public: bool
    on_air: bool
    delay_s: int
    court: str
    case_number: str
    cause_of_action: str
    playlist: str | None
    lines: list[WatchLineOut]


def _service(services: ServicesDep) -> BroadcastService:
    if services.broadcast is None:
        raise NotFoundError("public broadcast is not available on this server")
    return services.broadcast


BroadcastDep = Annotated[BroadcastService, Depends(_service)]


def _sync(service: BroadcastService, hearing: Hearing, settings: Settings) -> Config:
    config = Config(
        hearing_id=hearing.id,
        token=hearing.public_token,
        public=hearing.public_viewing,
        delay_s=hearing.broadcast_delay_s or settings.broadcast_delay_s,
        court=hearing.case.court.name,
        case_number=hearing.case.case_number,
        cause_of_action=hearing.case.cause_of_action,
        interpreters=_interpreters(hearing),
    )
    if service.config(hearing.id) != config:
        service.configure(config)
    return config


def _interpreters(hearing: Hearing) -> tuple[tuple[str, str, str], ...]:
    session = object_session(hearing)
    if session is None:
        return ()
    rows = session.scalars(
        select(Participant).where(
            Participant.hearing_id == hearing.id, Participant.interprets_id.is_not(None)
        )
    ).all()
    out: list[tuple[str, str, str]] = []
    for row in rows:
        of = session.get(Participant, row.interprets_id)
        if of is not None:
            out.append((f"participant-{row.id}", of.court_role.value, of.display_name))
    return tuple(out)


def _out(service: BroadcastService, config: Config, settings: Settings) -> BroadcastOut:
    base = settings.public_base_url.rstrip("/")
    return BroadcastOut(
        public_viewing=config.public,
        delay_s=config.delay_s,
        watch_url=f"{base}/watch/{config.token}" if config.token else None,
        on_air=config.public and service.on_air(config.hearing_id),
        observers=service.observers(config.hearing_id),
    )


@router.get("/api/hearings/{hearing_id}/broadcast")
async def broadcast_state(
    hearing_id: int,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
    service: BroadcastDep,
) -> BroadcastOut:
    require_staff_role(staff, BENCH, "see the public broadcast")
    hearing = hearing_for_staff(session, staff, hearing_id)
    return _out(service, _sync(service, hearing, ctx.settings), ctx.settings)


@router.put("/api/hearings/{hearing_id}/broadcast")
async def set_broadcast(
    hearing_id: int,
    body: BroadcastIn,
    staff: CurrentStaff,
    session: SessionDep,
    ctx: ContextDep,
    service: BroadcastDep,
) -> BroadcastOut:
    hearing = do_set_public_viewing(
        session,
        ctx,
        staff=staff,
        hearing_id=hearing_id,
        public=body.public_viewing,
        delay_s=body.delay_s,
    )
    return _out(service, _sync(service, hearing, ctx.settings), ctx.settings)


def _public(service: BroadcastService, ctx: ServerContext, token: str) -> Config:
    """The link's hearing; from memory once this process has seen the link (the bench's
    changes go through this process's ``configure``), else from the database."""
    if len(token) > 64:
        raise NotFoundError("no such public hearing")
    hearing_id = service.known(token)
    config = service.config(hearing_id) if hearing_id is not None else None
    if config is not None:
        return config
    with ctx.session_factory() as session:
        hearing = hearing_by_public_token(session, token)
        if hearing is None:
            raise NotFoundError("no such public hearing")
        return _sync(service, hearing, ctx.settings)


@router.get("/api/watch/{token}")
async def watch_state(
    token: str,
    ctx: ContextDep,
    service: BroadcastDep,
    viewer: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{8,64}$", max_length=64)] = None,
) -> WatchOut:
    """What an observer's page shows; ``viewer`` (a random id the page makes) is counted."""
    config = _public(service, ctx, token)
    if viewer is not None:
        service.viewed(config.hearing_id, viewer)
    lines = await service.lines(config.hearing_id) if config.public else []
    playlist = service.playlist(config.hearing_id) if config.public else None
    return WatchOut(
        public=config.public,
        on_air=config.public and service.on_air(config.hearing_id),
        delay_s=config.delay_s,
        court=config.court,
        case_number=config.case_number,
        cause_of_action=config.cause_of_action,
        playlist=f"/watch/{token}/live.m3u8" if playlist is not None else None,
        lines=[
            WatchLineOut(
                id=line.id,
                role=line.role,
                display_name=line.display_name,
                text=line.text,
                start_at=line.start_at,
                interprets_role=line.interprets_role,
                interprets_name=line.interprets_name,
            )
            for line in lines
        ],
    )


@router.get("/watch/{token}/live.m3u8", include_in_schema=False)
async def watch_playlist(token: str, ctx: ContextDep, service: BroadcastDep) -> Response:
    config = _public(service, ctx, token)
    text = service.playlist(config.hearing_id) if config.public else None
    if text is None:
        raise NotFoundError("the public broadcast has not started or has ended")
    return Response(
        text,
        media_type="application/vnd.apple.mpegurl",
        headers={"Cache-Control": PLAYLIST_CACHE},
    )


@router.get("/watch/{token}/media/{run}/{name}", include_in_schema=False)
async def watch_segment(
    token: str, run: int, name: str, ctx: ContextDep, service: BroadcastDep
) -> FileResponse:
    config = _public(service, ctx, token)
    path = (
        service.segment(config.hearing_id, run, name)
        if config.public and SEGMENT_NAME.match(name)
        else None
    )
    if path is None:
        raise NotFoundError("no such broadcast segment")
    return FileResponse(path, media_type="video/mp2t", headers={"Cache-Control": SEGMENT_CACHE})
