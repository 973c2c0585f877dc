"""Every ``Annotated`` dependency of the portal's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

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
    "AccountDep",
    "ContextDep",
    "SessionDep",
    "StaffDep",
    "client_address",
]

COOKIE = "tingshen_portal"


def get_context(request: Request) -> PortalContext:
    ctx: PortalContext = request.app.state.portal
    return ctx


ContextDep = Annotated[PortalContext, Depends(get_context)]


async def get_session(ctx: ContextDep) -> AsyncIterator[Session]:
    """On the event loop, not in the thread pool: closing the session (which returns its
    connection) must not wait for a free thread while the threads wait for connections."""
    session = ctx.session_factory()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""Closed as soon as the route returns, before the response is sent: a request whose answer
waits for a busy event loop holds no database connection meanwhile (docs/benchmarks.md §22)."""


def get_account(request: Request, ctx: ContextDep, session: SessionDep) -> PortalAccount:
    account = account_of(session, ctx, request.cookies.get(COOKIE))
    # End the read here: FastAPI runs this and the route in two trips to the thread pool, and a
    # connection held between them deadlocks a busy server (every thread waiting for a
    # connection, every connection's request waiting for a thread; docs/benchmarks.md §22).
    session.commit()
    return account


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
