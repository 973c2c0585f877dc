"""``/api/portal/register``, ``/login``, ``/logout``, ``/me``: real-name accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response

from portal.accounts import end_session, finish_login, me_view, register, start_login
from portal.api.deps import COOKIE, ContextDep, as_party, client_address
from portal.codes import send_code
from portal.ratelimit import hit
from portal.schemas import CodeIn, LoginCodeIn, LoginIn, RegisterIn

router = APIRouter(prefix="/api/portal", tags=["portal"])


def set_session_cookie(response: Response, ctx: ContextDep, token: str) -> None:
    response.set_cookie(
        COOKIE, token, httponly=True, samesite="lax", secure=ctx.settings.cookie_secure,
        max_age=ctx.settings.session_hours * 3600, path="/",
    )  # fmt: skip


@router.post("/register/code", status_code=202)
def register_code(body: CodeIn, request: Request, ctx: ContextDep) -> dict[str, bool]:
    with ctx.session_factory() as session:
        hit(session, f"code:ip:{client_address(request)}", limit=ctx.settings.logins_per_minute,
            window=timedelta(minutes=1), now=ctx.now())  # fmt: skip
        send_code(session, ctx, purpose="register", phone=body.phone)
        return {"sent": True}


@router.post("/register", status_code=201)
def register_account(body: RegisterIn, response: Response, ctx: ContextDep) -> dict[str, Any]:
    with ctx.session_factory() as session:
        account, token = register(session, ctx, body)
        set_session_cookie(response, ctx, token)
        return me_view(account)


@router.post("/login")
def login(body: LoginIn, request: Request, ctx: ContextDep) -> dict[str, str]:
    with ctx.session_factory() as session:
        hit(session, f"login:ip:{client_address(request)}", limit=ctx.settings.logins_per_minute,
            window=timedelta(minutes=1), now=ctx.now())  # fmt: skip
        return {"challenge": start_login(session, ctx, body.id_number, body.password)}


@router.post("/login/code")
def login_code(body: LoginCodeIn, response: Response, ctx: ContextDep) -> dict[str, bool]:
    with ctx.session_factory() as session:
        set_session_cookie(response, ctx, finish_login(session, ctx, body.challenge, body.code))
        return {"ok": True}


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, ctx: ContextDep) -> None:
    with ctx.session_factory() as session:
        end_session(session, ctx, request.cookies.get(COOKIE))
        response.delete_cookie(COOKIE, path="/")


@router.get("/me")
async def me(request: Request, ctx: ContextDep) -> dict[str, Any]:
    return await as_party(request, ctx, lambda _session, account: me_view(account))
