"""Signing links (issue 13): check the link, get a one-time code by SMS, verify it for a session
that reads and signs the hearing's record only (:mod:`hearing_server.sign_links`).

- ``GET /api/sign-links/{token}``: who the link is for, the hearing, whether the record is
  complete (then the page opens the finished record, read-only).
- ``POST /api/sign-links/{token}/code``: send the code (the joining mechanism and its limits).
- ``POST /api/sign-links/{token}/verify``: check it; sets the participant cookie of scope
  ``record``.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from hearing_server.api.party_session import code_sent_out, start_party_session
from hearing_server.api.views import hearing_out
from hearing_server.deps import ContextDep, SessionDep
from hearing_server.models import CourtRole
from hearing_server.notify import mask_phone
from hearing_server.schemas import CodeSentOut, HearingOut, ParticipantMeOut, VerifyIn
from hearing_server.sign_links import do_send_sign_code, do_verify_sign_code, sign_link_summary

router = APIRouter(prefix="/api/sign-links", tags=["signing links"])


class SignLinkOut(BaseModel):
    hearing: HearingOut
    participant_name: str
    court_role: CourtRole
    role_label_zh: str
    role_label_en: str
    phone_hint: str | None
    complete: bool
    """The record is signed and sealed: the link opens it read-only."""


@router.get("/{token}")
def sign_link(token: str, session: SessionDep, ctx: ContextDep) -> SignLinkOut:
    summary = sign_link_summary(session, ctx, token)
    participant = summary.participant
    return SignLinkOut(
        hearing=hearing_out(participant.hearing),
        participant_name=participant.display_name,
        court_role=participant.court_role,
        role_label_zh=participant.court_role.label_zh,
        role_label_en=participant.court_role.label_en,
        phone_hint=mask_phone(participant.phone) if participant.phone else None,
        complete=summary.complete,
    )


@router.post("/{token}/code", status_code=202)
def send_code(token: str, session: SessionDep, ctx: ContextDep) -> CodeSentOut:
    return code_sent_out(do_send_sign_code(session, ctx, token=token))


@router.post("/{token}/verify")
def verify_code(
    token: str, body: VerifyIn, response: Response, session: SessionDep, ctx: ContextDep
) -> ParticipantMeOut:
    participant, issued = do_verify_sign_code(session, ctx, token=token, code=body.code)
    return start_party_session(response, ctx, participant, issued, "record")
