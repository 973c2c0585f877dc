"""``POST /api/service/party-links``: the party portal asks for a party's hearing links
(:mod:`hearing_server.party_links`); authenticated by the request's HMAC signature, not by a
session: no browser calls it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from hearing_server.context import ServerContext
from hearing_server.deps import ContextDep, SessionDep
from hearing_server.party_links import PartyLinksIn, SignatureState, check_request, links_of

router = APIRouter(prefix="/api/service", tags=["service to service"])


class PartyHearingOut(BaseModel):
    case_number: str
    cause_of_action: str
    court_name: str
    scheduled_at: datetime
    duration_minutes: int
    place: str
    status: str
    role_zh: str
    role_en: str
    join_url: str | None
    """The participant's join link, while the hearing has not closed (asks for the SMS code)."""
    sign_url: str | None
    """The signing link, while the participant's signature on the record is pending."""
    signature: SignatureState | None = None
    """The participant's signature on the frozen record (their slot's status); null before the
    record is frozen, or for a participant who signs nothing."""
    signed_at: datetime | None = None
    """When they signed (aware, UTC), while ``signature`` is ``signed``."""


class PartyLinksOut(BaseModel):
    hearings: list[PartyHearingOut]


def _answer(session: Session, ctx: ServerContext, asked: PartyLinksIn) -> PartyLinksOut:
    return PartyLinksOut(
        hearings=[
            PartyHearingOut(
                case_number=found.hearing.case.case_number,
                cause_of_action=found.hearing.case.cause_of_action,
                court_name=found.hearing.case.court.name,
                scheduled_at=found.hearing.scheduled_at,
                duration_minutes=found.hearing.duration_minutes,
                place=found.hearing.place,
                status=found.hearing.status.value,
                role_zh=found.participant.court_role.label_zh,
                role_en=found.participant.court_role.label_en,
                join_url=found.join_url,
                sign_url=found.sign_url,
                signature=found.signature,
                signed_at=found.signed_at,
            )
            for found in links_of(session, ctx, asked)
        ]
    )


@router.post("/party-links")
async def party_links(
    request: Request,
    session: SessionDep,
    ctx: ContextDep,
    x_tingshen_timestamp: str = Header(default=""),
    x_tingshen_signature: str = Header(default=""),
) -> PartyLinksOut:
    """The party's hearings of the case with their links (the body: ``case_number``, ``name``,
    ``phone``, optional ``id_number``); 401 for a missing, wrong or stale signature, 503 while
    the key is not configured."""
    asked = check_request(ctx, await request.body(), x_tingshen_timestamp, x_tingshen_signature)
    return await run_in_threadpool(_answer, session, ctx, asked)
