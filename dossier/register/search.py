"""The court's case list: one query with the filters a court's staff use, newest first.

Every "contains" filter is a ``LIKE '%…%'`` with the user's ``%`` and ``_`` escaped; on
PostgreSQL the trigram indexes of migration d0004 serve them (case numbers, party names, causes).
A party filter is an ``EXISTS`` over the case's parties, so a case with two matching parties is
listed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from dossier.models import DossierCase, DossierParty
from dossier.paging import DatePage

__all__ = ["CaseFilter", "search_cases"]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    court_id: int
    number: str | None = None
    party: str | None = None
    cause: str | None = None
    """A cause code (``9``, ``9.1``: that cause and the causes below it) or a part of its name."""
    judge_id: int | None = None
    status: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None


def _filtered(f: CaseFilter) -> Select[DossierCase]:
    query = select(DossierCase).where(DossierCase.court_id == f.court_id)
    if f.number:
        query = query.where(DossierCase.case_number.contains(f.number, autoescape=True))
    if f.party:
        query = query.where(
            exists().where(
                DossierParty.case_id == DossierCase.id,
                DossierParty.name.contains(f.party, autoescape=True),
            )
        )
    if f.cause:
        query = query.where(
            or_(
                DossierCase.cause_code == f.cause,
                DossierCase.cause_code.startswith(f"{f.cause}.", autoescape=True),
                DossierCase.cause_name.contains(f.cause, autoescape=True),
            )
        )
    if f.judge_id is not None:
        query = query.where(DossierCase.judge_user_id == f.judge_id)
    if f.status:
        query = query.where(DossierCase.status == f.status)
    if f.filed_from:
        query = query.where(DossierCase.filed_on >= f.filed_from)
    if f.filed_to:
        query = query.where(DossierCase.filed_on <= f.filed_to)
    if f.closed_from:
        query = query.where(DossierCase.closed_on >= f.closed_from)
    if f.closed_to:
        query = query.where(DossierCase.closed_on <= f.closed_to)
    return query


def search_cases(session: Session, f: CaseFilter, page: DatePage) -> list[DossierCase]:
    """One page (one more row than the limit, for :meth:`DatePage.answer`), newest filing
    first, then highest id."""
    query = _filtered(f)
    if page.after is not None:
        day, last_id = page.after
        query = query.where(
            or_(
                DossierCase.filed_on < day,
                and_(DossierCase.filed_on == day, DossierCase.id < last_id),
            )
        )
    query = query.order_by(DossierCase.filed_on.desc(), DossierCase.id.desc())
    return list(session.scalars(query.limit(page.limit + 1)))
