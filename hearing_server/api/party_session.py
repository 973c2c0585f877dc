"""What a join link and a signing link answer alike: the code sent, and the party's session
cookie with who it is for (``hearing_server.api.join``, ``hearing_server.api.sign_links``)."""

from __future__ import annotations

from typing import Literal

from fastapi import Response

from hearing_server.accounts import IssuedSession
from hearing_server.context import ServerContext
from hearing_server.deps import PARTICIPANT_COOKIE
from hearing_server.joining import SentCodeInfo
from hearing_server.models import Participant
from hearing_server.schemas import CodeSentOut, ParticipantMeOut


def code_sent_out(info: SentCodeInfo) -> CodeSentOut:
    return CodeSentOut(
        sent_to=info.sent_to,
        expires_at=info.expires_at,
        resend_after_seconds=info.resend_after_seconds,
    )


def participant_me_out(
    participant: Participant, scope: Literal["hearing", "record"]
) -> ParticipantMeOut:
    return ParticipantMeOut(
        participant_id=participant.id,
        hearing_id=participant.hearing_id,
        display_name=participant.display_name,
        court_role=participant.court_role,
        case_id=participant.hearing.case_id,
        case_number=participant.hearing.case.case_number,
        court_id=participant.hearing.case.court_id,
        case_party_ref=participant.case_party_ref,
        scope=scope,
    )


def start_party_session(
    response: Response,
    ctx: ServerContext,
    participant: Participant,
    issued: IssuedSession,
    scope: Literal["hearing", "record"],
) -> ParticipantMeOut:
    """Set the participant cookie of a verified code; answer who it is for."""
    response.set_cookie(
        PARTICIPANT_COOKIE,
        issued.token,
        max_age=issued.max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        path="/",
    )
    return participant_me_out(participant, scope)
