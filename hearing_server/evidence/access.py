"""Evidence on screen: who asks, and what they may see.

    who = Who(admitted, staff)                  # someone admitted to the hearing
    visible_materials(session, who)             # one's own, the ones shown, all for court staff
    readable_material(session, who, 3)          # or 404 (not revealed)
    presentation(session, hearing_id)           # what is on screen now

A material is visible to its uploader and court staff, and to everyone in the hearing once it
has been shown. Observers (旁听) neither upload nor present.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from hearing_server.errors import ForbiddenError, NotFoundError
from hearing_server.live.admission import Admitted
from hearing_server.models import (
    EvidenceMaterial,
    EvidencePresentation,
    StaffRole,
    StaffUser,
)
from hearing_server.transcript.editors import EDITOR_ROLES
from hearing_server.transcript.export import role_label
from hearing_server.transcript.log import Author
from hearing_server.transcript.policy import EditorRole

__all__ = [
    "Who",
    "material_label",
    "may_bring_evidence",
    "presentation",
    "readable_material",
    "visible_materials",
]


@dataclass(frozen=True)
class Who:
    """Someone admitted to the hearing, and their staff account if they are court staff."""

    admitted: Admitted
    staff: StaffUser | None

    @property
    def key(self) -> str:
        return self.admitted.speaker.key

    @property
    def court_staff(self) -> bool:
        return self.staff is not None

    @property
    def judge(self) -> bool:
        return self.staff is not None and self.staff.role is StaffRole.JUDGE

    @property
    def label(self) -> str:
        """``原告 张伟``: role and name as the transcript names them."""
        speaker = self.admitted.speaker
        return f"{role_label(speaker.role)} {speaker.display_name}"

    def author(self) -> Author:
        role = EDITOR_ROLES.get(self.staff.role, EditorRole.READER) if self.staff else None
        return Author(
            f"user-{self.staff.id}" if self.staff is not None else self.key,
            self.admitted.speaker.display_name,
            role or EditorRole.READER,
        )


def may_bring_evidence(who: Who) -> None:
    if who.admitted.speaker.role == "observer":
        raise ForbiddenError("observers do not present evidence")


def material_label(material: EvidenceMaterial) -> str:
    """``证据1《借条》.pdf``."""
    suffix = PurePosixPath(material.filename).suffix
    return f"证据{material.number}《{material.title}》{suffix}"


def _visible(material: EvidenceMaterial, who: Who) -> bool:
    return who.court_staff or material.uploader_key == who.key or material.presented_at is not None


def visible_materials(session: Session, who: Who) -> list[EvidenceMaterial]:
    materials = session.scalars(
        select(EvidenceMaterial)
        .where(EvidenceMaterial.hearing_id == who.admitted.hearing.id)
        .order_by(EvidenceMaterial.number)
    ).all()
    return [m for m in materials if _visible(m, who)]


def readable_material(session: Session, who: Who, material_id: int) -> EvidenceMaterial:
    """A material of the hearing that ``who`` may see (404 otherwise: not revealed)."""
    material = session.get(EvidenceMaterial, material_id)
    if (
        material is None
        or material.hearing_id != who.admitted.hearing.id
        or not _visible(material, who)
    ):
        raise NotFoundError(f"evidence {material_id} not found")
    return material


def presentation(session: Session, hearing_id: int) -> EvidencePresentation | None:
    """What is on screen now (None: nothing ever shown; ``material_id`` None: stopped)."""
    return session.get(EvidencePresentation, hearing_id)
