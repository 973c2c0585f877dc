"""Screen sharing as evidence on screen over HTTP (docs/protocol.md "Screen sharing").

- ``GET /api/hearings/{id}/screen``: who shares now (``sharing`` null: nobody), and ``version``.
- ``POST /api/hearings/{id}/screen/start``: the caller shares (409 while someone else does,
  unless the caller is a judge; 403 for observers); then the caller's page re-offers with
  ``screen_mid``.
- ``POST /api/hearings/{id}/screen/stop``: the sharer or a judge ends the share.

Each answers like the GET.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from hearing_server.deps import (
    ContextDep,
    DocumentsDep,
    HearingCaller,
    LiveDep,
    SessionDep,
)
from hearing_server.evidence.screen import do_share_start, do_share_stop, sharing
from hearing_server.live.registry import LiveRegistry

router = APIRouter(prefix="/api/hearings/{hearing_id}/screen", tags=["evidence"])


class SharingOut(BaseModel):
    key: str
    role: str
    name: str
    started_at: datetime


class ScreenOut(BaseModel):
    sharing: SharingOut | None
    version: int
    """Grows with every start and stop in the live session."""


def _state(registry: LiveRegistry, hearing_id: int) -> ScreenOut:
    share, version = sharing(registry, hearing_id)
    out = None
    if share is not None:
        out = SharingOut(
            key=share.key, role=share.role, name=share.name, started_at=share.started_at
        )
    return ScreenOut(sharing=out, version=version)


@router.get("")
def get_screen(
    hearing_id: int,
    session: SessionDep,
    registry: LiveDep,
    who: HearingCaller,
) -> ScreenOut:
    return _state(registry, who.admitted.hearing.id)


@router.post("/start")
async def start(
    hearing_id: int,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
    who: HearingCaller,
) -> ScreenOut:
    await do_share_start(session, ctx, rooms, registry, who)
    return _state(registry, who.admitted.hearing.id)


@router.post("/stop")
async def stop(
    hearing_id: int,
    session: SessionDep,
    ctx: ContextDep,
    rooms: DocumentsDep,
    registry: LiveDep,
    who: HearingCaller,
) -> ScreenOut:
    await do_share_stop(session, ctx, rooms, registry, who)
    return _state(registry, who.admitted.hearing.id)
