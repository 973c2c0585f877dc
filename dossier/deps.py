"""Every ``Annotated`` dependency of the dossier's routes, in one file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from dossier.context import DossierContext
from tingshen_platform.identity import Principal, StaffPrincipal

__all__ = ["ContextDep", "CourtStaffDep", "PrincipalDep", "SessionDep"]


def get_context(request: Request) -> DossierContext:
    ctx: DossierContext = request.app.state.dossier
    return ctx


ContextDep = Annotated[DossierContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_principal(request: Request, ctx: ContextDep) -> Principal | None:
    """Who is calling (``None``: nobody logged in); routes decide what that allows
    (:mod:`dossier.access`)."""
    return await ctx.host.identity.who(request.cookies)


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]


async def get_court_staff(
    request: Request, ctx: ContextDep, principal: PrincipalDep
) -> list[StaffPrincipal]:
    """The caller's court's active staff (a staff caller only; else nobody)."""
    if not isinstance(principal, StaffPrincipal):
        return []
    return await ctx.host.identity.staff_of_court(principal.court_id, request.cookies)


CourtStaffDep = Annotated[list[StaffPrincipal], Depends(get_court_staff)]
