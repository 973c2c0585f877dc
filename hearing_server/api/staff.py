"""The court's staff directory: whom a case can be assigned to (the dossier's filing page)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from hearing_server.api.views import staff_out
from hearing_server.deps import CurrentStaff, SessionDep
from hearing_server.models import StaffUser
from hearing_server.schemas import StaffListOut

router = APIRouter(prefix="/api/staff", tags=["auth"])


@router.get("")
def court_staff(staff: CurrentStaff, session: SessionDep) -> StaffListOut:
    """The active staff of the caller's court."""
    users = session.scalars(
        select(StaffUser)
        .where(StaffUser.court_id == staff.court_id, StaffUser.active.is_(True))
        .order_by(StaffUser.id)
    )
    return StaffListOut(items=[staff_out(user) for user in users])
