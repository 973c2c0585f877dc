"""Every ``Annotated`` dependency of the portal's routes.

No route takes a database session as a dependency: each opens its own
(``with ctx.session_factory() as session``) inside its function and closes it before returning.
FastAPI runs a sync dependency, the route and a dependency's teardown in separate trips to the
thread pool (40 threads, 15 pooled connections); a session held across them stalled the server
under 200 parties at once — every thread waiting for a connection while the connections'
requests waited for a thread — until the pool's 30 s timeout (docs/benchmarks.md §19)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from portal.accounts import account_of
from portal.context import PortalContext
from portal.errors import ForbiddenError, NotAuthenticatedError
from portal.review import DECIDERS
from portal.tables import PortalAccount
from tingshen_platform.identity import StaffPrincipal

__all__ = [
    "COOKIE",
    "AccountDep",
    "ContextDep",
    "StaffDep",
    "client_address",
]

COOKIE = "tingshen_portal"


def get_context(request: Request) -> PortalContext:
    ctx: PortalContext = request.app.state.portal
    return ctx


ContextDep = Annotated[PortalContext, Depends(get_context)]


def get_account(request: Request, ctx: ContextDep) -> PortalAccount:
    """The session's account, read in a session of its own that is closed here: FastAPI runs
    this and the route in two trips to the thread pool, and a connection held between them
    stalls a busy server (docs/benchmarks.md §19). The account comes back detached, for reading.
    """
    with ctx.session_factory() as session:
        return account_of(session, ctx, request.cookies.get(COOKIE))


AccountDep = Annotated[PortalAccount, Depends(get_account)]


async def get_staff(request: Request, ctx: ContextDep) -> StaffPrincipal:
    principal = await ctx.host.identity.who(request.cookies)
    if not isinstance(principal, StaffPrincipal):
        raise NotAuthenticatedError(
            "please log in as court staff", "请先以法院工作人员身份登录",
            reason="portal_staff_login",
        )  # fmt: skip
    if principal.role not in DECIDERS:
        raise ForbiddenError(
            "only a judge or clerk decides this", "仅审判员、书记员可以办理",
            reason="portal_role",
        )  # fmt: skip
    return principal


StaffDep = Annotated[StaffPrincipal, Depends(get_staff)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
