"""Every ``Annotated`` dependency of the dossier's routes, in one file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from dossier.context import DossierContext
from tingshen_platform.identity import Principal

__all__ = ["ContextDep", "PrincipalDep", "SessionDep"]


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
