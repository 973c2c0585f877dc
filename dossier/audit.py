"""The dossier's audit trail: one row per state change of a case's records and per view or
download of a material, written in the same transaction as what it records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dossier.models import AuditRow
from tingshen_platform.identity import PartyPrincipal, Principal, StaffPrincipal

__all__ = ["record"]


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    *,
    at: datetime,
    case_id: int | None,
    entity: str | None = None,
    entity_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditRow:
    """``actor`` ``None``: the system (an event consumer, a scheduled check)."""
    if isinstance(actor, StaffPrincipal):
        kind, actor_id, name, role = "staff", actor.user_id, actor.display_name, actor.role
    elif isinstance(actor, PartyPrincipal):
        kind, actor_id, name = "party", actor.participant_id, actor.display_name
        role = actor.court_role
    else:
        kind, actor_id, name, role = "system", None, "system", None
    row = AuditRow(
        at=at,
        actor_kind=kind,
        actor_id=actor_id,
        actor_name=name,
        actor_role=role,
        action=action,
        case_id=case_id,
        entity=entity,
        entity_id=entity_id,
        details=details or {},
    )
    session.add(row)
    return row
