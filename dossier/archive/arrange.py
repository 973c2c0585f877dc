"""Arranging a closed case's main volume (the case's clerk): the order of its materials, and the
items and pages that order gives (件号, 页号)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import audit
from dossier.archive.rules import Item, default_order, load_rules, number_items, retention_for
from dossier.archive.tables import ArchiveVolume
from dossier.context import DossierContext
from dossier.errors import ConflictError, ForbiddenError, InvalidInputError
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase
from tingshen_platform.identity import StaffPrincipal

__all__ = ["Entry", "arrange", "ensure_changeable", "entries", "require_clerk", "volume_of"]


@dataclass(frozen=True, slots=True)
class Entry:
    material: Material
    version: MaterialVersion
    item: Item | None
    """None while a material has no PDF yet."""


def ensure_changeable(case: DossierCase) -> None:
    """Nothing of an archived case changes (409 ``dossier_archived``)."""
    if case.status == "archived":
        raise ConflictError.because("dossier_archived")


def require_clerk(staff: StaffPrincipal, case: DossierCase) -> None:
    if staff.user_id != case.clerk_user_id:
        raise ForbiddenError.because("dossier_role", role=staff.role)


def volume_of(session: Session, case_id: int) -> ArchiveVolume | None:
    return session.scalars(select(ArchiveVolume).where(ArchiveVolume.case_id == case_id)).first()


def _main_volume(session: Session, case_id: int) -> dict[int, tuple[Material, MaterialVersion]]:
    rows = session.execute(
        select(Material, MaterialVersion)
        .join(
            MaterialVersion,
            (MaterialVersion.material_id == Material.id)
            & (MaterialVersion.version == Material.current_version),
        )
        .where(Material.case_id == case_id, Material.volume == "main")
    )
    return {m.id: (m, v) for m, v in rows}


def entries(session: Session, case: DossierCase) -> list[Entry]:
    """The main volume in the arranged order (materials added since, and every material when
    nothing is arranged yet, in the default order after it), with item and page numbers."""
    found = _main_volume(session, case.id)
    volume = volume_of(session, case.id)
    arranged = [i for i in (volume.material_ids if volume else []) if i in found]
    rest = default_order(
        load_rules(),
        [(m.id, m.material_type, m.created_at) for m, _ in found.values() if m.id not in arranged],
    )
    ordered = [found[i] for i in arranged + rest]
    paged = [(m.id, v.page_count) for m, v in ordered if v.pdf_blob_key and v.page_count]
    items = {item.material_id: item for item in number_items(paged)}
    return [Entry(m, v, items.get(m.id)) for m, v in ordered]


def arrange(
    session: Session,
    ctx: DossierContext,
    staff: StaffPrincipal,
    case: DossierCase,
    material_ids: Sequence[int] | None,
) -> ArchiveVolume:
    """Record the order (``None``: the default order, whatever was arranged before). The case
    must be closed; every main volume material exactly once; each must have its PDF."""
    ensure_changeable(case)
    require_clerk(staff, case)
    if case.status != "closed":
        raise ConflictError.because("archive_case_not_closed")
    found = _main_volume(session, case.id)
    if material_ids is None:
        materials = [(m.id, m.material_type, m.created_at) for m, _ in found.values()]
        material_ids = default_order(load_rules(), materials)
    if len(set(material_ids)) != len(material_ids) or set(material_ids) != set(found):
        raise InvalidInputError.because("archive_order_mismatch", expected=len(found))
    if not material_ids:
        raise ConflictError.because("archive_empty")
    pending = [i for i in material_ids if not (found[i][1].pdf_blob_key and found[i][1].page_count)]
    if pending:
        raise ConflictError.because("archive_pdf_pending", material_id=pending[0])
    now = ctx.clock()
    retention = retention_for(load_rules(), case.type_code, case.outcome)
    volume = volume_of(session, case.id)
    if volume is None:
        volume = ArchiveVolume(case_id=case.id)
        session.add(volume)
    volume.material_ids = list(material_ids)
    volume.arranged_at = now
    volume.arranged_by_id = staff.user_id
    volume.arranged_by_name = staff.display_name
    volume.retention = retention.code
    session.flush()
    audit.record(
        session, staff, "archive.arranged", at=now, case_id=case.id,
        entity="archive_volume", entity_id=volume.id,
        details={"material_ids": list(material_ids), "retention": retention.code},
    )  # fmt: skip
    return volume
