"""FastAPI dependencies as ``Annotated`` aliases: context, DB session, current staff/participant."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from hearing_server.access import require_staff_role
from hearing_server.accounts import participant_for_token, staff_for_token
from hearing_server.context import ServerContext
from hearing_server.errors import ForbiddenError, NotAuthenticatedError
from hearing_server.models import Participant, StaffRole, StaffUser

STAFF_COOKIE = "tingshen_staff"
PARTICIPANT_COOKIE = "tingshen_party"


def get_context(request: Request) -> ServerContext:
    ctx = request.app.state.context
    assert isinstance(ctx, ServerContext)
    return ctx


ContextDep = Annotated[ServerContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_current_staff(request: Request, session: SessionDep, ctx: ContextDep) -> StaffUser:
    staff = staff_for_token(session, ctx, request.cookies.get(STAFF_COOKIE))
    if staff is not None:
        return staff
    if participant_for_token(session, ctx, request.cookies.get(PARTICIPANT_COOKIE)) is not None:
        raise ForbiddenError("this action is for court staff only")
    raise NotAuthenticatedError("please log in (session missing or expired)")


CurrentStaff = Annotated[StaffUser, Depends(get_current_staff)]


def get_current_participant(request: Request, session: SessionDep, ctx: ContextDep) -> Participant:
    participant = participant_for_token(session, ctx, request.cookies.get(PARTICIPANT_COOKIE))
    if participant is None:
        raise NotAuthenticatedError("please join through your invitation link again")
    return participant


CurrentParticipant = Annotated[Participant, Depends(get_current_participant)]


def get_optional_participant(
    request: Request, session: SessionDep, ctx: ContextDep
) -> Participant | None:
    return participant_for_token(session, ctx, request.cookies.get(PARTICIPANT_COOKIE))


OptionalParticipant = Annotated[Participant | None, Depends(get_optional_participant)]


def get_optional_staff(request: Request, session: SessionDep, ctx: ContextDep) -> StaffUser | None:
    return staff_for_token(session, ctx, request.cookies.get(STAFF_COOKIE))


OptionalStaff = Annotated[StaffUser | None, Depends(get_optional_staff)]


def require_role(*roles: StaffRole) -> Callable[[StaffUser], StaffUser]:
    """A dependency admitting only staff with one of ``roles``."""

    def dependency(staff: CurrentStaff) -> StaffUser:
        require_staff_role(staff, roles, "do this")
        return staff

    return dependency


ClerkStaff = Annotated[StaffUser, Depends(require_role(StaffRole.CLERK))]
SchedulingStaff = Annotated[StaffUser, Depends(require_role(StaffRole.JUDGE, StaffRole.CLERK))]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
