"""The portal's audit trail: every state change and every view of a document, with who did it
(role and name), never an ID number in clear (:func:`portal.idnumber.mask`)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.tables import PortalAudit

__all__ = ["record"]

log = logging.getLogger(__name__)


def record(
    session: Session,
    actor: tuple[str, str],
    action: str,
    *,
    at: datetime,
    case_id: int | None = None,
    **detail: Any,
) -> None:
    """Add an audit entry to ``session`` (committed with the change it records).
    ``actor``: (kind, name) — ``party``/``lawyer``/a staff role/``public``/``system``."""
    session.add(
        PortalAudit(
            at=at,
            actor_kind=actor[0],
            actor_name=actor[1],
            action=action,
            dossier_case_id=case_id,
            detail=detail,
        )
    )
    log.info("portal %s by %s (case %s)", action, actor[0], case_id)
