"""Who may see a case's archive, and the answers the archive's routes give."""

from __future__ import annotations

from datetime import UTC, date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from dossier.access import case_for, may_read_dossier, require_staff
from dossier.archive.arrange import entries, volume_of
from dossier.archive.borrowing import active_borrowing
from dossier.archive.rules import load_rules, retention_for
from dossier.archive.schemas import (
    ArchiveItemOut,
    ArchiveOut,
    BorrowingOut,
    FixityOut,
    FixityRowOut,
)
from dossier.archive.submit import ROLE_ZH, author_of
from dossier.archive.tables import ArchiveBorrowing, ArchiveFixity, ArchiveVolume
from dossier.context import COURT_TZ
from dossier.errors import NotFoundError
from dossier.models import AuditRow, DossierCase
from tingshen_platform.identity import Principal, StaffPrincipal

__all__ = ["ROLE_ZH", "archive_out", "archive_reader", "borrowing_out", "fixity_out"]


def archive_reader(
    session: Session, principal: Principal | None, case_id: int, today: date
) -> tuple[StaffPrincipal, DossierCase, ArchiveBorrowing | None]:
    """A reader of the case's dossier, or a borrower of its archive whose borrowing has not
    ended (the borrowing returned); anyone else: "not found"."""
    staff = require_staff(principal)
    case = case_for(session, staff, case_id)
    if may_read_dossier(session, staff, case, today):
        return staff, case, None
    borrowing = active_borrowing(session, staff, case.id, today)
    if borrowing is None or case.status != "archived":
        raise NotFoundError.because("dossier_case_not_found")
    return staff, case, borrowing


def archive_out(
    session: Session,
    staff: StaffPrincipal,
    case: DossierCase,
    borrowing: ArchiveBorrowing | None,
) -> ArchiveOut:
    rules = load_rules()
    volume: ArchiveVolume | None = volume_of(session, case.id)
    retention = (
        rules.retentions[volume.retention]
        if volume
        else retention_for(rules, case.type_code, case.outcome)
    )
    return ArchiveOut(
        case_id=case.id,
        case_number=case.case_number,
        court_name=case.court_name,
        cause_name=case.cause_name,
        status=case.status,
        arranged=volume is not None,
        arranged_by=volume.arranged_by_name if volume else None,
        arranged_at=volume.arranged_at if volume else None,
        retention=retention.code,
        retention_label=retention.label,
        archive_number=volume.archive_number if volume and volume.package_dir else None,
        submitted_by=volume.submitted_by_name if volume else None,
        submitted_at=volume.submitted_at if volume else None,
        page_count=volume.page_count if volume else None,
        evolume_sha256=volume.evolume_sha256 if volume else None,
        may_arrange=case.status == "closed" and staff.user_id == case.clerk_user_id,
        may_read=case.status == "archived",
        borrowing_ends_on=borrowing.ends_on if borrowing else None,
        items=[
            ArchiveItemOut(
                material_id=e.material.id,
                title=e.material.title,
                material_type=e.material.material_type,
                author=author_of(case, e),
                added_on=e.material.created_at.astimezone(COURT_TZ).date(),
                item_number=e.item.number if e.item else None,
                first_page=e.item.first_page if e.item else None,
                last_page=e.item.last_page if e.item else None,
            )
            for e in entries(session, case)
        ],
    )


def _requester_role(session: Session, b: ArchiveBorrowing) -> str | None:
    """The borrower's role when they asked, as the request's audit row recorded it."""
    return session.scalar(
        select(AuditRow.actor_role)
        .where(
            AuditRow.action == "archive.borrow_requested",
            AuditRow.entity == "archive_borrowing",
            AuditRow.entity_id == b.id,
        )
        .limit(1)
    )


def borrowing_out(session: Session, b: ArchiveBorrowing, today: date) -> BorrowingOut:
    case = session.get(DossierCase, b.case_id)
    assert case is not None
    return BorrowingOut(
        id=b.id,
        case_id=b.case_id,
        case_number=case.case_number,
        user_name=b.user_name,
        user_role=_requester_role(session, b),
        reason=b.reason,
        days=b.days,
        status=b.status,
        requested_at=b.requested_at,
        decided_by=b.decided_by_name,
        decided_at=b.decided_at,
        ends_on=b.ends_on,
        active=b.status == "approved" and b.ends_on is not None and b.ends_on >= today,
    )


def fixity_out(
    session: Session,
    court_id: int,
    *,
    interval_hours: float,
    case_id: int | None = None,
    failing_only: bool = False,
) -> FixityOut:
    """The latest check of each package of the court (or of one case): counts, when the last
    check was, and the rows (only the failing ones if asked), failures first. The database picks
    each package's latest row; only the rows shown are read."""
    latest_ids = (
        select(func.max(ArchiveFixity.id))
        .where(ArchiveFixity.court_id == court_id)
        .group_by(ArchiveFixity.volume_id)
    )
    scope: list[ColumnElement[bool]] = [ArchiveFixity.id.in_(latest_ids)]
    volumes: list[ColumnElement[bool]] = [
        ArchiveVolume.package_dir.is_not(None),
        DossierCase.court_id == court_id,
    ]
    if case_id is not None:
        scope.append(ArchiveVolume.case_id == case_id)
        volumes.append(ArchiveVolume.case_id == case_id)
    counts = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(sql_case((ArchiveFixity.ok, 0), else_=1)), 0),
            func.max(ArchiveFixity.checked_at),
        )
        .select_from(ArchiveFixity)
        .join(ArchiveVolume, ArchiveVolume.id == ArchiveFixity.volume_id)
        .where(*scope)
    ).one()
    unchecked = session.scalar(
        select(func.count())
        .select_from(ArchiveVolume)
        .join(DossierCase, DossierCase.id == ArchiveVolume.case_id)
        .where(
            *volumes,
            ~select(ArchiveFixity.id).where(ArchiveFixity.volume_id == ArchiveVolume.id).exists(),
        )
    )
    shown = (
        select(ArchiveFixity, ArchiveVolume.case_id, DossierCase.case_number)
        .join(ArchiveVolume, ArchiveVolume.id == ArchiveFixity.volume_id)
        .join(DossierCase, DossierCase.id == ArchiveVolume.case_id)
        .where(*scope)
        .order_by(ArchiveFixity.ok, ArchiveFixity.archive_number)
    )
    if failing_only:
        shown = shown.where(ArchiveFixity.ok.is_(False))
    last = counts[2]
    return FixityOut(
        packages=int(counts[0]),
        failures=int(counts[1]),
        unchecked=int(unchecked or 0),
        last_checked_at=last.replace(tzinfo=UTC) if last and last.tzinfo is None else last,
        interval_hours=interval_hours,
        latest=[
            FixityRowOut(
                archive_number=r.archive_number,
                case_id=owner,
                case_number=number,
                checked_at=r.checked_at,
                ok=r.ok,
                problems=r.problems,
            )
            for r, owner, number in session.execute(shown)
        ],
    )
