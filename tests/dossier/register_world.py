"""Filed cases for the register's tests, written straight into the dossier's tables (filing
itself is another part's): court A's cases with parties, assigned to ``judge_a``/``clerk_a``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from fastapi import FastAPI
from sqlalchemy import select

from dossier.models import DossierCase, DossierParty
from hearing_server.context import ServerContext
from hearing_server.models import StaffUser
from tests.dossier.conftest import DossierWorld, dossier_context


@dataclass(frozen=True)
class Staff:
    ids: dict[str, int]
    court_a: int
    court_b: int


def staff_of(ctx: ServerContext) -> Staff:
    with ctx.session_factory() as s:
        users = list(s.scalars(select(StaffUser)))
    ids = {u.username: u.id for u in users}
    courts = {u.username: u.court_id for u in users}
    return Staff(ids, courts["judge_a"], courts["clerk_b"])


def add_case(
    app: FastAPI,
    *,
    court_id: int,
    number: str,
    cause: tuple[str, str] = ("9.1", "民间借贷纠纷"),
    procedure: str | None = "simplified",
    filed_on: date = date(2026, 10, 1),
    judge: tuple[int, str] | None = None,
    clerk: tuple[int, str] | None = None,
    parties: tuple[tuple[str, str, str | None], ...] = (),
    status: str = "open",
    closed_on: date | None = None,
) -> int:
    """A case as filing would leave it; ``parties``: (role, name, ID number)."""
    with dossier_context(app).session_factory() as s:
        case = DossierCase(
            court_id=court_id,
            court_name="广州市越秀区人民法院",
            case_number=number,
            cause_code=cause[0],
            cause_name=cause[1],
            procedure=procedure,
            claim_amount_fen=12_345_600,
            judge_user_id=judge[0] if judge else None,
            judge_name=judge[1] if judge else None,
            clerk_user_id=clerk[0] if clerk else None,
            clerk_name=clerk[1] if clerk else None,
            status=status,
            source="filed",
            filed_on=filed_on,
            filed_at=datetime(filed_on.year, filed_on.month, filed_on.day, 2, tzinfo=UTC),
            closed_on=closed_on,
        )
        s.add(case)
        s.flush()
        for role, name, id_number in parties:
            kind = "organisation" if id_number is None else "person"
            s.add(DossierParty(case_id=case.id, role=role, kind=kind, name=name,
                               id_number=id_number))  # fmt: skip
        s.commit()
        return case.id


def assign(app: FastAPI, case_id: int, judge: tuple[int, str], clerk: tuple[int, str]) -> None:
    with dossier_context(app).session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        case.judge_user_id, case.judge_name = judge
        case.clerk_user_id, case.clerk_name = clerk
        s.commit()


def court_a_cases(app: FastAPI, staff: Staff, world: DossierWorld) -> dict[str, int]:
    """Five filed cases in court A (two judges) and one in court B, besides the imported ones."""
    judge = (staff.ids["judge_a"], "judge_a")
    judge2 = (staff.ids["judge2_a"], "孙强")
    clerk = (staff.ids["clerk_a"], "clerk_a")
    a = staff.court_a
    return {
        "loan": add_case(app, court_id=a, number="(2026)粤0104民初1001号", judge=judge,
                         clerk=clerk, filed_on=date(2026, 9, 1),
                         parties=(("plaintiff", "陈小明", "440104199001011234"),
                                  ("defendant", "广州某某贸易有限公司", None))),
        "lease": add_case(app, court_id=a, number="(2026)粤0104民初1002号",
                          cause=("10.3", "房屋租赁合同纠纷"), procedure="ordinary", judge=judge2,
                          filed_on=date(2026, 9, 15),
                          parties=(("plaintiff", "黄丽丽", "44010419851231002X"),
                                   ("defendant", "陈大明", "440104198001011111"))),
        "small": add_case(app, court_id=a, number="(2026)粤0104民初1003号",
                          procedure="small_claims", judge=judge, filed_on=date(2026, 10, 20),
                          parties=(("plaintiff", "林50%_x", None),)),
        "closed": add_case(app, court_id=a, number="(2026)粤0104民初0999号", judge=judge2,
                           filed_on=date(2026, 3, 2), status="closed",
                           closed_on=date(2026, 5, 6)),
        "same_day": add_case(app, court_id=a, number="(2026)粤0104民初1004号",
                             filed_on=date(2026, 10, 20)),
        "court_b": add_case(app, court_id=staff.court_b, number="(2026)粤0106民初500号",
                            filed_on=date(2026, 10, 1),
                            parties=(("plaintiff", "陈小明", "440104199001011234"),)),
    }  # fmt: skip
