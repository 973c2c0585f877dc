"""50 filings at once, each in its own thread and its own database connection, get exactly the
numbers 1 … 50; filings rolled back after taking a number in between leave no gap (SQLite, and
PostgreSQL with ``TINGSHEN_TEST_DATABASE_URL``)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import select

from dossier.filing.actions import file_case, set_court_code
from dossier.filing.schemas import CourtCodeIn, FilingIn
from dossier.models import DossierCase
from hearing_server.models import StaffUser
from tests.dossier.conftest import dossier_context
from tests.dossier.test_filing import filing
from tingshen_platform.identity import StaffPrincipal

FILINGS = 50
ROLLED_BACK = 10
"""Filings that take a number and then roll back (as a failure after allocation would)."""


def principals(ctx) -> dict[str, StaffPrincipal]:
    with ctx.session_factory() as s:
        rows = s.scalars(select(StaffUser).where(StaffUser.username.in_(
            ("judge_a", "clerk_a", "filing_a", "admin_a")))).all()  # fmt: skip
        return {
            u.username: StaffPrincipal(user_id=u.id, username=u.username,
                                       display_name=u.display_name, role=str(u.role.value),
                                       court_id=u.court_id, court_name="广州市越秀区人民法院")
            for u in rows
        }  # fmt: skip


def test_concurrent_filings_get_consecutive_numbers(app, ctx, dossier_world) -> None:
    dossier = dossier_context(app)
    staff = principals(ctx)
    now = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    with dossier.session_factory() as s:
        set_court_code(s, staff["admin_a"], CourtCodeIn(code="粤0104"), now=now)
        s.commit()
    body = FilingIn.model_validate(filing(ctx))
    court_staff = list(staff.values())
    start = threading.Barrier(FILINGS + ROLLED_BACK)

    def file_one(index: int) -> str | None:
        with dossier.session_factory() as s:
            start.wait()
            case, _ = file_case(s, staff["filing_a"], body, court_staff=court_staff,
                                today=now.date(), now=now)  # fmt: skip
            if index < ROLLED_BACK:
                s.rollback()
                return None
            s.commit()
            return case.case_number

    with ThreadPoolExecutor(max_workers=FILINGS + ROLLED_BACK) as pool:
        numbers = [n for n in pool.map(file_one, range(FILINGS + ROLLED_BACK)) if n]
    assert sorted(numbers) == sorted(f"（2026）粤0104民初{n}号" for n in range(1, FILINGS + 1))
    with dossier.session_factory() as s:
        sequences = s.scalars(select(DossierCase.sequence).where(
            DossierCase.source == "filed")).all()  # fmt: skip
    assert None not in sequences
    assert sorted(n for n in sequences if n is not None) == list(range(1, FILINGS + 1))
