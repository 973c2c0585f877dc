"""Allocating a case's sequence number in the filing's own transaction.

One statement per allocation, an upsert on the (court, year, type code) row::

    INSERT INTO dossier_case_sequences … VALUES (court, year, type, 1)
    ON CONFLICT (court_id, year, type_code) DO UPDATE SET last_number = last_number + 1
    RETURNING last_number

On PostgreSQL the row stays locked until the filing commits or rolls back, so a concurrent
filing of the same type waits, then sees the committed value: no duplicate. A filing that rolls
back takes its increment with it: no gap. On SQLite the statement is the transaction's first
write, which takes the database's one write lock until commit (WAL, with a busy timeout): the
same guarantees, one writer at a time. A number already taken by a case the register learnt of
otherwise (an imported case, either parenthesis form) is passed over.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dossier.filing.case_numbers import CaseNumber
from dossier.filing.tables import CaseSequence
from dossier.models import DossierCase

__all__ = ["allocate_case_number"]

_MAX_SKIPS = 10_000


def _next(session: Session, court_id: int, year: int, type_code: str) -> int:
    table = cast(Table, CaseSequence.__table__)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = (
        insert.values(court_id=court_id, year=year, type_code=type_code, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.court_id, table.c.year, table.c.type_code],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    return int(session.execute(statement).scalar_one())


def _taken(session: Session, number: CaseNumber) -> bool:
    standard = str(number)
    ascii_form = standard.replace("（", "(").replace("）", ")")
    found = session.scalar(
        select(DossierCase.id).where(DossierCase.case_number.in_((standard, ascii_form)))
    )
    return found is not None


def allocate_case_number(
    session: Session, *, court_id: int, court_code: str, year: int, type_code: str
) -> CaseNumber:
    """The next free number of the court's ``type_code`` cases of ``year``, in ``session``'s
    transaction (commit it with the case; roll back and the number was never taken)."""
    for _ in range(_MAX_SKIPS):
        number = CaseNumber(year, court_code, type_code, _next(session, court_id, year, type_code))
        if not _taken(session, number):
            return number
    raise RuntimeError("case-number sequence: too many numbers already taken")
