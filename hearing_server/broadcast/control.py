"""The bench's public-viewing switch (庭审公开) and the public link (database side, audited).

hearing = do_set_public_viewing(session, ctx, staff=staff, hearing_id=1, public=True,
                                delay_s=30)            # audited "hearing.public_viewing"
hearing = hearing_by_public_token(session, token)       # None for an unknown link
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server import audit
from hearing_server.access import hearing_for_staff, require_staff_role
from hearing_server.audit import Actor, EntityRef
from hearing_server.context import ServerContext
from hearing_server.errors import ConflictError
from hearing_server.models import Hearing, HearingStatus, StaffRole, StaffUser

__all__ = ["BENCH", "do_set_public_viewing", "hearing_by_public_token"]

BENCH = (StaffRole.JUDGE, StaffRole.CLERK)


def do_set_public_viewing(
    session: Session,
    ctx: ServerContext,
    *,
    staff: StaffUser,
    hearing_id: int,
    public: bool,
    delay_s: int | None,
) -> Hearing:
    require_staff_role(staff, BENCH, "allow public viewing")
    hearing = hearing_for_staff(session, staff, hearing_id)
    if public and hearing.status in (HearingStatus.CLOSED, HearingStatus.CANCELLED):
        raise ConflictError(f"hearing {hearing.id} is {hearing.status.value}")
    before = {"public_viewing": hearing.public_viewing, "delay_s": hearing.broadcast_delay_s}
    hearing.public_viewing = public
    if delay_s is not None:
        hearing.broadcast_delay_s = delay_s
    if public and hearing.public_token is None:
        hearing.public_token = secrets.token_urlsafe(24)
    audit.record(
        session,
        actor=Actor("staff", staff.id),
        action="hearing.public_viewing",
        entity=EntityRef("hearing", hearing.id),
        case_id=hearing.case_id,
        details={"before": before, "public_viewing": public, "delay_s": hearing.broadcast_delay_s},
        at=ctx.clock(),
    )
    session.commit()
    return hearing


def hearing_by_public_token(session: Session, token: str) -> Hearing | None:
    return session.scalars(select(Hearing).where(Hearing.public_token == token)).first()
