"""Parties join: check the link, get a one-time code by SMS, verify it for a session cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hearing_server.accounts import do_participant_logout, participant_session_for_token
from hearing_server.api.party_session import code_sent_out, participant_me_out, start_party_session
from hearing_server.api.views import hearing_out
from hearing_server.deps import PARTICIPANT_COOKIE, ContextDep, RevocationsDep, SessionDep
from hearing_server.errors import WS_CLOSE_SESSION_ENDED, NotAuthenticatedError
from hearing_server.joining import do_send_code, do_verify_code, valid_invitation
from hearing_server.notify import mask_phone
from hearing_server.revocation import LOGGED_OUT, party_session_key
from hearing_server.schemas import CodeSentOut, JoinSummaryOut, ParticipantMeOut, VerifyIn

router = APIRouter(prefix="/api/join", tags=["join"])


@router.get("/me")
def me(request: Request, session: SessionDep, ctx: ContextDep) -> ParticipantMeOut:
    """Who the participant cookie is, also from a signing link (``scope``: ``record``)."""
    row = participant_session_for_token(session, ctx, request.cookies.get(PARTICIPANT_COOKIE))
    if row is None:
        raise NotAuthenticatedError("please join through your invitation link again")
    return participant_me_out(row.participant, "record" if row.scope == "record" else "hearing")


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    ctx: ContextDep,
    revocations: RevocationsDep,
) -> None:
    """Ends the session, and closes its open sockets (4401) in every server process."""
    token = request.cookies.get(PARTICIPANT_COOKIE)
    if token:
        do_participant_logout(session, ctx, token=token)
        revocations.revoke_from_thread(
            [party_session_key(token)], WS_CLOSE_SESSION_ENDED, LOGGED_OUT
        )
    response.delete_cookie(PARTICIPANT_COOKIE, path="/", httponly=True, samesite="lax")


@router.get("/{token}")
def join_summary(token: str, session: SessionDep, ctx: ContextDep) -> JoinSummaryOut:
    participant = valid_invitation(session, ctx, token).participant
    return JoinSummaryOut(
        hearing=hearing_out(participant.hearing),
        participant_name=participant.display_name,
        court_role=participant.court_role,
        role_label_zh=participant.court_role.label_zh,
        role_label_en=participant.court_role.label_en,
        phone_hint=mask_phone(participant.phone) if participant.phone else None,
    )


@router.post("/{token}/code", status_code=202)
def send_code(token: str, session: SessionDep, ctx: ContextDep) -> CodeSentOut:
    return code_sent_out(do_send_code(session, ctx, token=token))


@router.post("/{token}/verify")
def verify_code(
    token: str, body: VerifyIn, response: Response, session: SessionDep, ctx: ContextDep
) -> ParticipantMeOut:
    participant, issued = do_verify_code(session, ctx, token=token, code=body.code)
    return start_party_session(response, ctx, participant, issued, "hearing")
