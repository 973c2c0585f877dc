"""``/api/portal/passkeys``: register a passkey (a logged-in party), list them, log in with one.
Login ceremonies are handed out rate-limited per address (as password logins are); each login
attempt spends one, so the limit on them bounds the attempts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from portal.api.account import set_session_cookie
from portal.api.deps import ContextDep, as_party, client_address
from portal.paging import PageDep, by_id
from portal.passkeys import (
    finish_login,
    finish_registration,
    passkey_views,
    start_login,
    start_registration,
)
from portal.ratelimit import hit
from portal.schemas import PasskeyIn
from portal.tables import PortalAccount

router = APIRouter(prefix="/api/portal/passkeys", tags=["portal"])


@router.get("")
async def passkeys(
    request: Request, response: Response, ctx: ContextDep, page: PageDep
) -> list[dict[str, Any]]:
    rows = await as_party(
        request, ctx, lambda session, account: passkey_views(session, account, page)
    )
    return page.answer(response, rows, by_id)


@router.post("/register/options")
async def register_options(request: Request, ctx: ContextDep) -> dict[str, Any]:
    return await as_party(
        request, ctx, lambda session, account: start_registration(session, ctx, account)
    )


@router.post("/register", status_code=201)
async def register_passkey(body: PasskeyIn, request: Request, ctx: ContextDep) -> dict[str, Any]:
    def work(session: Session, account: PortalAccount) -> dict[str, Any]:
        made = finish_registration(session, ctx, account, body.ceremony, body.credential)
        return {"id": made.id, "created_at": made.created_at.isoformat()}

    return await as_party(request, ctx, work)


def _limited(session: Session, ctx: ContextDep, request: Request) -> None:
    hit(session, f"passkey:ip:{client_address(request)}", limit=ctx.settings.logins_per_minute,
        window=timedelta(minutes=1), now=ctx.now())  # fmt: skip


@router.post("/login/options")
def login_options(request: Request, ctx: ContextDep) -> dict[str, Any]:
    with ctx.session_factory() as session:
        _limited(session, ctx, request)
        return start_login(session, ctx)


@router.post("/login")
def login_with_passkey(body: PasskeyIn, response: Response, ctx: ContextDep) -> dict[str, bool]:
    with ctx.session_factory() as session:
        set_session_cookie(
            response, ctx, finish_login(session, ctx, body.ceremony, body.credential)
        )
        return {"ok": True}
