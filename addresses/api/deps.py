"""Every ``Annotated`` dependency of the address service's routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from addresses.access import require_staff
from addresses.context import AddressesContext
from tingshen_platform.identity import StaffPrincipal

__all__ = ["ContextDep", "SessionDep", "StaffDep"]


def get_context(request: Request) -> AddressesContext:
    ctx: AddressesContext = request.app.state.addresses
    return ctx


ContextDep = Annotated[AddressesContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_staff(request: Request, ctx: ContextDep) -> StaffPrincipal:
    return require_staff(await ctx.host.identity.who(request.cookies))


StaffDep = Annotated[StaffPrincipal, Depends(get_staff)]
