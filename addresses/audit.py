"""The address service's audit trail: one row per look-up asked, per look-up's outcome and per
use of an address, written in the transaction that makes the change. Details never hold an ID
number (only its last four characters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from addresses.tables import AddressAudit
from tingshen_platform.identity import StaffPrincipal

__all__ = ["SYSTEM", "Actor", "record", "staff_actor"]

Actor = tuple[str, str]
SYSTEM: Actor = ("system", "系统")


def staff_actor(staff: StaffPrincipal) -> Actor:
    return ("staff", staff.display_name)


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    case_id: int,
    lookup_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AddressAudit(
            at=at,
            dossier_case_id=case_id,
            lookup_id=lookup_id,
            actor_kind=actor[0],
            actor_name=actor[1],
            action=action,
            details=details,
        )
    )
