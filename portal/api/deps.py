"""Every ``Annotated`` dependency of the portal's routes, and :func:`as_party`.

No route takes a database session as a dependency. A party's route is ``async`` and does its
work in one call of :func:`as_party`: one trip to the portal's own threads
(``PortalContext.db_threads``, fewer than the pool has connections), one session in which the
session cookie's account is read and the work is done. FastAPI runs a sync dependency and the
route in separate trips to its thread pool (40 threads, 15 pooled connections); a session held
across them deadlocked the server under 200 parties at once, and two trips and two sessions per
request with 40 threads contending for 15 connections (new ones opened and closed all the time)
kept it at ~130 requests/s (docs/benchmarks.md §19)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from anyio import to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from portal.accounts import account_of
from portal.context import PortalContext
from portal.errors import ForbiddenError, NotAuthenticatedError
from portal.review import DECIDERS
from portal.tables import PortalAccount
from tingshen_platform.identity import StaffPrincipal

__all__ = [
    "COOKIE",
    "ContextDep",
    "StaffDep",
    "as_party",
    "client_address",
    "in_session",
]

COOKIE = "tingshen_portal"


def get_context(request: Request) -> PortalContext:
    ctx: PortalContext = request.app.state.portal
    return ctx


ContextDep = Annotated[PortalContext, Depends(get_context)]


T = TypeVar("T")


async def in_session(ctx: PortalContext, work: Callable[[Session], T]) -> T:
    """``work(session)`` in one of the portal's threads, with a session of its own, closed
    before the answer goes back to the event loop."""

    def call() -> T:
        with ctx.session_factory() as session:
            return work(session)

    return await to_thread.run_sync(call, limiter=ctx.db_threads)


async def as_party(
    request: Request, ctx: PortalContext, work: Callable[[Session, PortalAccount], T]
) -> T:
    """``work(session, account)`` for the account of the request's portal session (401
    ``portal_login_needed`` without one), in one trip and one session (:func:`in_session`)."""
    token = request.cookies.get(COOKIE)
    return await in_session(ctx, lambda session: work(session, account_of(session, ctx, token)))


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
