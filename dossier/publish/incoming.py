"""What the dossier's consumers of other services' documents share (:mod:`materials_in`,
:mod:`ledger_in`): the system as author, the refusal that makes an event come again, the audit
and announcement of a material filed, and the rule that an archived case takes nothing more."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from court_events.dossier import MATERIAL_ADDED, MaterialAdded
from dossier.audit import record
from dossier.materials.store import Author
from dossier.materials.tables import Material
from dossier.models import DossierCase
from tingshen_platform.events import Event, publish

__all__ = ["PDF", "SYSTEM", "MaterialNotReadyError", "announce_material", "archived"]

PDF = "application/pdf"
SYSTEM = Author(user_id=None, name="系统")


class MaterialNotReadyError(RuntimeError):
    """The event cannot be filed now (no such case yet, a file that does not match its digest);
    raising leaves it unprocessed, so it comes again."""


def announce_material(
    connection: Connection, session: Session, case: DossierCase, material: Material,
    sha256: str, at: datetime,
) -> None:  # fmt: skip
    """Audit a material filed by the system and announce it (``dossier.material_added``)."""
    record(
        session, None, "material.added", at=at, case_id=case.id, entity="material",
        entity_id=material.id,
        details={"source": material.source, "source_ref": material.source_ref,
                 "material_type": material.material_type, "sha256": sha256},
    )  # fmt: skip
    publish(
        connection,
        MATERIAL_ADDED,
        MaterialAdded(
            dossier_case_id=case.id, case_number=case.case_number, material_id=material.id,
            version=1, material_type=material.material_type, title=material.title,
            sha256=sha256,
        ),
        occurred_at=at,
        stream=f"case:{case.id}",
    )  # fmt: skip


def archived(session: Session, case: DossierCase, event: Event, at: datetime) -> bool:
    """An archived case takes nothing more: the event is recorded as not filed (in the audit
    trail, for the archivist) and handled, so later events are not held up behind it."""
    if case.status != "archived":
        return False
    record(
        session, None, "material.not_filed_archived", at=at, case_id=case.id,
        details={"event": event.event_id, "type": event.type},
    )  # fmt: skip
    return True
