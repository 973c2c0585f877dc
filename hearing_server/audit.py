"""The audit trail: one append-only row per state change, written in the action's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from hearing_server.models import AuditEvent

ActorKind = Literal["staff", "participant", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: int | None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", None)


@dataclass(frozen=True, slots=True)
class EntityRef:
    type: str
    id: int | None


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: EntityRef,
    case_id: int | None,
    details: dict[str, Any] | None = None,
    at: datetime,
) -> AuditEvent:
    """Add an audit event to ``session``; the caller's commit makes it durable with the change."""
    event = AuditEvent(
        at=at,
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        entity_type=entity.type,
        entity_id=entity.id,
        case_id=case_id,
        details=details or {},
    )
    session.add(event)
    return event
