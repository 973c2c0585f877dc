"""Staff authentication: login (HttpOnly cookie), logout, who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hearing_server.accounts import do_login, do_logout
from hearing_server.api.views import staff_out
from hearing_server.deps import (
    STAFF_COOKIE,
    ContextDep,
    CurrentStaff,
    RevocationsDep,
    SessionDep,
    client_ip,
)
from hearing_server.errors import WS_CLOSE_SESSION_ENDED
from hearing_server.revocation import LOGGED_OUT, staff_session_key
from hearing_server.schemas import LoginIn, StaffOut

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
def login(
    body: LoginIn, request: Request, response: Response, session: SessionDep, ctx: ContextDep
) -> StaffOut:
    user, issued = do_login(
        session, ctx, username=body.username, password=body.password, client_ip=client_ip(request)
    )
    response.set_cookie(
        STAFF_COOKIE,
        issued.token,
        max_age=issued.max_age_seconds,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        path="/",
    )
    return staff_out(user)


@router.post("/logout", status_code=204)
def logout(
    request: Request,
    response: Response,
    session: SessionDep,
    ctx: ContextDep,
    revocations: RevocationsDep,
) -> None:
    """Ends the session, and closes its open sockets (4401) in every server process."""
    token = request.cookies.get(STAFF_COOKIE)
    if token:
        do_logout(session, ctx, token=token)
        revocations.revoke_from_thread(
            [staff_session_key(token)], WS_CLOSE_SESSION_ENDED, LOGGED_OUT
        )
    response.delete_cookie(STAFF_COOKIE, path="/", httponly=True, samesite="lax")


@router.get("/me")
def me(staff: CurrentStaff) -> StaffOut:
    return staff_out(staff)
