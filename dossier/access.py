"""Who may see what of a case (one place, for every route).

- **The register** (a case's number, cause, parties, judge, status): every staff member of the
  case's court. Staff of another court get "not found", never "forbidden".
- **The dossier** (its materials): the case's judge and clerk, the filing clerk who filed it
  (until the case is assigned on), the court's administrators, and staff with a grant that has
  not ended (:class:`~dossier.models.DossierGrant`). Anyone else gets "not found".
- **A party** (a participant of one of the case's hearings) sees the case and exactly the
  materials published to them; everything else is "not found".
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from dossier.errors import ForbiddenError, NotAuthenticatedError, NotFoundError
from dossier.models import DossierCase, DossierGrant
from tingshen_platform.identity import PartyPrincipal, Principal, StaffPrincipal

__all__ = [
    "active_grant",
    "audit_case_for",
    "case_for",
    "dossier_case_for_staff",
    "may_read_audit",
    "may_read_dossier",
    "readable_case_ids",
    "require_role",
    "require_staff",
]


def require_staff(principal: Principal | None) -> StaffPrincipal:
    if principal is None:
        raise NotAuthenticatedError.because("dossier_login_needed")
    if not isinstance(principal, StaffPrincipal):
        raise NotFoundError.because("dossier_case_not_found")
    return principal


def require_role(staff: StaffPrincipal, *roles: str) -> None:
    if staff.role not in roles:
        raise ForbiddenError.because("dossier_role", role=staff.role)


def case_for(session: Session, principal: Principal | None, case_id: int) -> DossierCase:
    """The case, if the caller may see its register entry; else "not found"."""
    if principal is None:
        raise NotAuthenticatedError.because("dossier_login_needed")
    case = session.get(DossierCase, case_id)
    if case is None:
        raise NotFoundError.because("dossier_case_not_found")
    if isinstance(principal, StaffPrincipal):
        if case.court_id != principal.court_id:
            raise NotFoundError.because("dossier_case_not_found")
        return case
    if case.court_id != principal.court_id or case.case_number != principal.case_number:
        raise NotFoundError.because("dossier_case_not_found")
    return case


def active_grant(session: Session, case_id: int, user_id: int, today: date) -> DossierGrant | None:
    return session.scalars(
        select(DossierGrant)
        .where(
            DossierGrant.case_id == case_id,
            DossierGrant.user_id == user_id,
            DossierGrant.revoked_at.is_(None),
            DossierGrant.ends_on >= today,
        )
        .order_by(DossierGrant.ends_on.desc())
    ).first()


def may_read_dossier(
    session: Session, staff: StaffPrincipal, case: DossierCase, today: date
) -> bool:
    if case.court_id != staff.court_id:
        return False
    if staff.role == "court_admin":
        return True
    if staff.user_id in (case.judge_user_id, case.clerk_user_id):
        return True
    if staff.role == "filing_clerk" and staff.user_id == case.filed_by_user_id:
        return True
    return active_grant(session, case.id, staff.user_id, today) is not None


def dossier_case_for_staff(
    session: Session, principal: Principal | None, case_id: int, today: date
) -> tuple[StaffPrincipal, DossierCase]:
    """The case whose dossier a staff member may read; else "not found" (a party: the same)."""
    staff = require_staff(principal)
    case = case_for(session, staff, case_id)
    if not may_read_dossier(session, staff, case, today):
        raise NotFoundError.because("dossier_case_not_found")
    return staff, case


def party_case(principal: PartyPrincipal, case: DossierCase) -> bool:
    return case.court_id == principal.court_id and case.case_number == principal.case_number


def readable_case_ids(staff: StaffPrincipal, today: date) -> Select[int]:
    """The ids of the cases whose dossier ``staff`` may read (as :func:`may_read_dossier`, in
    SQL): for searches across the court."""
    query = select(DossierCase.id).where(DossierCase.court_id == staff.court_id)
    if staff.role == "court_admin":
        return query
    granted = select(DossierGrant.case_id).where(
        DossierGrant.user_id == staff.user_id,
        DossierGrant.revoked_at.is_(None),
        DossierGrant.ends_on >= today,
    )
    own = or_(
        DossierCase.judge_user_id == staff.user_id,
        DossierCase.clerk_user_id == staff.user_id,
        DossierCase.id.in_(granted),
    )
    if staff.role == "filing_clerk":
        own = or_(own, DossierCase.filed_by_user_id == staff.user_id)
    return query.where(own)


# ---------------------------------------------------------------- publishing, grants, review
# (d15-publish) who publishes, grants, reviews and reads the audit trail, on top of the above.


def is_case_judge(staff: StaffPrincipal, case: DossierCase) -> bool:
    return staff.role == "judge" and staff.user_id == case.judge_user_id


def require_case_judge(staff: StaffPrincipal, case: DossierCase) -> None:
    """Publishing and withdrawing: the case's judge (others who may read the dossier: 403)."""
    if not is_case_judge(staff, case):
        raise ForbiddenError.because("dossier_role", role=staff.role)


def review_grant(
    session: Session, staff: StaffPrincipal, case: DossierCase, today: date
) -> DossierGrant | None:
    grant = active_grant(session, case.id, staff.user_id, today)
    return grant if grant is not None and grant.purpose == "review" else None


def require_reviewer(
    session: Session, staff: StaffPrincipal, case: DossierCase, today: date
) -> DossierGrant | None:
    """Review comments: the case's judge (``None``) or a holder of a review grant (their grant);
    others who may read the dossier: 403."""
    if is_case_judge(staff, case):
        return None
    grant = review_grant(session, staff, case, today)
    if grant is None:
        raise ForbiddenError.because("dossier_role", role=staff.role)
    return grant


def may_read_audit(staff: StaffPrincipal, case: DossierCase) -> bool:
    """A case's audit trail: the court's administrators and the case's judge."""
    if case.court_id != staff.court_id:
        return False
    return staff.role == "court_admin" or is_case_judge(staff, case)


def audit_case_for(
    session: Session, principal: Principal | None, case_id: int
) -> tuple[StaffPrincipal, DossierCase]:
    """The case whose audit trail the caller may read; anyone else (a party, the case's clerk, a
    reader by grant, staff of another court) gets the answer for a case that does not exist:
    who looked at a dossier is not for them to learn, nor that there is a trail to refuse."""
    staff = require_staff(principal)
    case = case_for(session, staff, case_id)
    if not may_read_audit(staff, case):
        raise NotFoundError.because("dossier_case_not_found")
    return staff, case


def require_party(principal: Principal | None) -> PartyPrincipal:
    """The party pages' routes: a party session (staff hold none: 401, as for nobody)."""
    if not isinstance(principal, PartyPrincipal):
        raise NotAuthenticatedError.because("dossier_login_needed")
    return principal
