"""Every ``Annotated`` dependency of the delivery service's routes, and who may do what: staff of
the case's court only; a judge or clerk serves and records; others of the court read. A case or
service of another court is "not found", never "forbidden" (its existence is not revealed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from delivery.context import DeliveryContext
from delivery.errors import ForbiddenError, NotAuthenticatedError, NotFoundError
from delivery.tables import DeliveryCase, Service
from tingshen_platform.identity import StaffPrincipal

__all__ = [
    "SERVERS",
    "VIEWERS",
    "ContextDep",
    "SessionDep",
    "StaffDep",
    "WritableCase",
    "WritableService",
    "case_of",
    "require_server",
    "service_of",
]

VIEWERS = frozenset({"judge", "clerk", "filing_clerk", "court_admin"})
SERVERS = frozenset({"judge", "clerk"})
"""Who serves documents, records confirmations and hand-overs (审判员、书记员)."""


def get_context(request: Request) -> DeliveryContext:
    ctx: DeliveryContext = request.app.state.delivery
    return ctx


ContextDep = Annotated[DeliveryContext, Depends(get_context)]


def get_session(ctx: ContextDep) -> Iterator[Session]:
    with ctx.session_factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_staff(request: Request, ctx: ContextDep) -> StaffPrincipal:
    principal = await ctx.host.identity.who(request.cookies)
    if principal is None:
        raise NotAuthenticatedError(
            "please log in as court staff", "请先以法院工作人员身份登录", reason="login_needed"
        )
    if not isinstance(principal, StaffPrincipal) or principal.role not in VIEWERS:
        raise ForbiddenError(
            "court staff of the case only",
            "仅限本院审判人员和书记员等工作人员",
            reason="staff_only",
        )
    return principal


StaffDep = Annotated[StaffPrincipal, Depends(get_staff)]


def require_server(staff: StaffPrincipal, case: DeliveryCase) -> None:
    """A judge or clerk; where the case has its judge or clerk assigned, one of them."""
    assigned = {case.judge_user_id, case.clerk_user_id} - {None}
    if staff.role not in SERVERS or (assigned and staff.user_id not in assigned):
        raise ForbiddenError(
            "only the judge or clerk of the case may do this",
            "仅本案审判员或书记员可以办理送达",
            reason="role",
        )


def case_of(session: Session, staff: StaffPrincipal, dossier_case_id: int) -> DeliveryCase:
    case = session.scalars(
        select(DeliveryCase).where(DeliveryCase.dossier_case_id == dossier_case_id)
    ).first()
    if case is None or case.court_id != staff.court_id:
        raise NotFoundError("no such case", "没有这个案件", reason="case_not_found")
    return case


def service_of(session: Session, staff: StaffPrincipal, service_id: int) -> Service:
    service = session.get(Service, service_id)
    case = session.get(DeliveryCase, service.case_id) if service else None
    if service is None or case is None or case.court_id != staff.court_id:
        raise NotFoundError("no such service", "没有这个送达记录", reason="service_not_found")
    return service


def _writable_case(dossier_case_id: int, staff: StaffDep, session: SessionDep) -> DeliveryCase:
    """A dependency: the case the caller may serve in, checked before the body is read (so a
    caller who may not learns nothing from a bad form)."""
    case = case_of(session, staff, dossier_case_id)
    require_server(staff, case)
    return case


WritableCase = Annotated[DeliveryCase, Depends(_writable_case)]


def _writable_service(service_id: int, staff: StaffDep, session: SessionDep) -> Service:
    service = service_of(session, staff, service_id)
    case = session.get(DeliveryCase, service.case_id)
    assert case is not None
    require_server(staff, case)
    return service


WritableService = Annotated[Service, Depends(_writable_service)]
