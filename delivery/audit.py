"""The delivery service's audit trail: one row per state change, in the transaction that makes
it. ID numbers never enter it in clear (:func:`mask_id`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from delivery.tables import DeliveryAudit
from tingshen_platform.identity import StaffPrincipal

__all__ = ["SYSTEM", "Actor", "mask_id", "record", "staff_actor"]

Actor = tuple[str, str]
"""``(kind, name)``: ``("staff", "书记员 王芳")``, ``("party", "陈明")``, ``("system", "系统")``,
``("courier", "邮政EMS")``."""

SYSTEM: Actor = ("system", "系统")
ROLE_NAMES = {
    "judge": "审判员",
    "clerk": "书记员",
    "filing_clerk": "立案庭工作人员",
    "court_admin": "法院管理员",
    "recorder": "记录员",
}


def staff_actor(staff: StaffPrincipal) -> Actor:
    return ("staff", f"{ROLE_NAMES.get(staff.role, staff.role)} {staff.display_name}")


def mask_id(id_number: str | None) -> str | None:
    """``4401**********1234``: the first four and last four characters only."""
    if not id_number:
        return None
    return id_number[:4] + "*" * max(len(id_number) - 8, 0) + id_number[-4:]


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    case_id: int | None,
    service_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        DeliveryAudit(
            at=at,
            actor_kind=actor[0],
            actor_name=actor[1],
            action=action,
            case_id=case_id,
            service_id=service_id,
            details=details or {},
        )
    )
