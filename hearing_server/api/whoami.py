"""``GET /api/session``: who the caller's session is, court staff or a party, in one answer.

The pages that staff and parties both open (the hearing room, the transcript editor, the signing
page) ask this once. They used to try ``GET /api/auth/me`` first, which refuses a party's session
(403), and then ``GET /api/join/me``: every party's page load logged a failed request. Here
either kind of session is a 200:

- ``{"kind": "staff", ...}``: the fields of ``GET /api/auth/me`` (:class:`StaffOut`);
- ``{"kind": "party", ...}``: the fields of ``GET /api/join/me`` (:class:`ParticipantMeOut`),
  ``scope`` ``record`` for a signing link's session.

A browser carrying both cookies is the staff member (as the pages decided before). Without a
live session of either kind: 401 ``not_authenticated``. Those two routes stay as they are.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from pydantic import Field

from hearing_server.accounts import participant_session_for_token, staff_for_token
from hearing_server.api.party_session import participant_me_out
from hearing_server.api.views import staff_out
from hearing_server.deps import PARTICIPANT_COOKIE, STAFF_COOKIE, ContextDep, SessionDep
from hearing_server.errors import NotAuthenticatedError
from hearing_server.schemas import ParticipantMeOut, StaffOut

router = APIRouter(prefix="/api", tags=["auth"])


class StaffSessionOut(StaffOut):
    """A court staff member's session (the fields of ``GET /api/auth/me``)."""

    kind: Literal["staff"] = "staff"


class PartySessionOut(ParticipantMeOut):
    """A party's session from a join link or a signing link (the fields of
    ``GET /api/join/me``)."""

    kind: Literal["party"] = "party"


SessionOut = Annotated[StaffSessionOut | PartySessionOut, Field(discriminator="kind")]


@router.get("/session", response_model=SessionOut)
def who_is_calling(
    request: Request, session: SessionDep, ctx: ContextDep
) -> StaffSessionOut | PartySessionOut:
    """Who the session cookie is: staff (``kind: staff``) or a party (``kind: party``); 401
    only when there is no live session of either kind."""
    staff = staff_for_token(session, ctx, request.cookies.get(STAFF_COOKIE))
    if staff is not None:
        return StaffSessionOut(**staff_out(staff).model_dump())
    row = participant_session_for_token(session, ctx, request.cookies.get(PARTICIPANT_COOKIE))
    if row is None:
        raise NotAuthenticatedError("please log in, or open your invitation link again")
    me = participant_me_out(row.participant, "record" if row.scope == "record" else "hearing")
    return PartySessionOut(**me.model_dump())
