"""The fee service's audit trail: one row per state change of an account's records, written in
the transaction that makes the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from fees.tables import FeeAudit
from tingshen_platform.identity import PartyPrincipal, Principal, StaffPrincipal

__all__ = ["Actor", "actor_of", "record"]

Actor = tuple[str, str]
"""``(kind, name)``: ``("staff", "王书记员")``, ``("party", "张三")``, ``("system", "系统")``,
``("provider", "微信支付")``."""

SYSTEM: Actor = ("system", "系统")


def actor_of(principal: Principal | None) -> Actor:
    if isinstance(principal, StaffPrincipal):
        return ("staff", principal.display_name)
    if isinstance(principal, PartyPrincipal):
        return ("party", principal.display_name)
    return SYSTEM


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    account_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        FeeAudit(
            at=at,
            account_id=account_id,
            actor_kind=actor[0],
            actor_name=actor[1],
            action=action,
            details=details,
        )
    )
