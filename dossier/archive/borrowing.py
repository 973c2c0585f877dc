"""Borrowing an archived case (调阅): a staff member of the court asks (reason, days), a court
administrator approves or refuses, and while an approval has not ended the borrower reads the
e-volume watermarked. After its end date the borrower is told "not found", like anyone who may
not see the case."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import audit
from dossier.archive.tables import ArchiveBorrowing
from dossier.context import DossierContext
from dossier.errors import ConflictError, NotFoundError
from dossier.models import DossierCase
from tingshen_platform.identity import StaffPrincipal

__all__ = ["active_borrowing", "decide", "request_borrowing", "visible_borrowing"]


def request_borrowing(
    session: Session,
    ctx: DossierContext,
    staff: StaffPrincipal,
    case: DossierCase,
    *,
    reason: str,
    days: int,
) -> ArchiveBorrowing:
    if case.status != "archived":
        raise ConflictError.because("archive_not_archived")
    now = ctx.clock()
    borrowing = ArchiveBorrowing(
        case_id=case.id, court_id=case.court_id, user_id=staff.user_id,
        user_name=staff.display_name, reason=reason, days=days, status="requested",
        requested_at=now,
    )  # fmt: skip
    session.add(borrowing)
    session.flush()
    audit.record(
        session, staff, "archive.borrow_requested", at=now, case_id=case.id,
        entity="archive_borrowing", entity_id=borrowing.id, details={"days": days},
    )  # fmt: skip
    return borrowing


def visible_borrowing(
    session: Session, staff: StaffPrincipal, borrowing_id: int
) -> ArchiveBorrowing:
    """A court administrator's court's requests, or one's own; else "not found"."""
    borrowing = session.get(ArchiveBorrowing, borrowing_id)
    if borrowing is None or borrowing.court_id != staff.court_id:
        raise NotFoundError.because("archive_borrowing_not_found")
    if staff.role != "court_admin" and borrowing.user_id != staff.user_id:
        raise NotFoundError.because("archive_borrowing_not_found")
    return borrowing


def decide(
    session: Session,
    ctx: DossierContext,
    admin: StaffPrincipal,
    borrowing: ArchiveBorrowing,
    *,
    approve: bool,
) -> ArchiveBorrowing:
    if borrowing.status != "requested":
        raise ConflictError.because("archive_borrowing_decided", status=borrowing.status)
    now = ctx.clock()
    borrowing.status = "approved" if approve else "refused"
    borrowing.decided_at = now
    borrowing.decided_by_id = admin.user_id
    borrowing.decided_by_name = admin.display_name
    if approve:
        borrowing.ends_on = ctx.today() + timedelta(days=borrowing.days - 1)
    audit.record(
        session, admin, f"archive.borrow_{borrowing.status}", at=now,
        case_id=borrowing.case_id, entity="archive_borrowing", entity_id=borrowing.id,
        details={"ends_on": borrowing.ends_on.isoformat() if borrowing.ends_on else None},
    )  # fmt: skip
    return borrowing


def active_borrowing(
    session: Session, staff: StaffPrincipal, case_id: int, today: date
) -> ArchiveBorrowing | None:
    return session.scalars(
        select(ArchiveBorrowing)
        .where(
            ArchiveBorrowing.case_id == case_id,
            ArchiveBorrowing.user_id == staff.user_id,
            ArchiveBorrowing.court_id == staff.court_id,
            ArchiveBorrowing.status == "approved",
            ArchiveBorrowing.ends_on >= today,
        )
        .order_by(ArchiveBorrowing.ends_on.desc())
    ).first()
