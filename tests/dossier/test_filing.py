"""Filing a case (POST /api/dossier/cases) and the court's code, through the app: who may,
what is written (case, parties, audit, ``case.filed``), and a clear 422 for each bad field that
leaves nothing stored and no number used."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest
from sqlalchemy import func, select

from dossier.filing.tables import CaseSequence
from dossier.models import AuditRow, DossierCase, DossierParty
from hearing_server.models import StaffUser
from tests.dossier.conftest import dossier_context
from tingshen_platform.schema import events as events_table

PERSON = "440104199003071239"  # check digit 9: tests/dossier/test_filing_rules.py
COMPANY = "91350100M000100Y43"  # check character 3: ibid.
LICENCE = "14401201810123456"


def staff_id(ctx: Any, username: str) -> int:
    with ctx.session_factory() as s:
        return int(s.scalar(select(StaffUser.id).where(StaffUser.username == username)))


def filing(ctx: Any, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type_code": "民初",
        "cause_code": "C103-3",
        "procedure": "simplified",
        "claim_amount_fen": 12_345_678,
        "judge_user_id": staff_id(ctx, "judge_a"),
        "clerk_user_id": staff_id(ctx, "clerk_a"),
        "parties": [
            {"role": "plaintiff", "kind": "person", "name": "陈明", "id_number": PERSON,
             "phone": "13800000011", "address": "广州市越秀区东风中路1号"},
            {"role": "defendant", "kind": "organisation", "name": "广州某某贸易有限公司",
             "credit_code": COMPANY, "email": "legal@example.cn"},
            {"role": "agent", "kind": "lawyer", "name": "黄律师", "licence_number": LICENCE,
             "represents": 0},
        ],
    }  # fmt: skip
    body.update(changes)
    return body


@pytest.fixture
def coded(dossier_world, staff_client):
    """Court A has its code, set by its administrator."""
    admin = staff_client("admin_a")
    answer = admin.put("/api/dossier/court-code", json={"code": "粤0104"})
    assert answer.status_code == 200, answer.text
    return dossier_world


def test_a_filing_clerk_files_a_case(app, ctx, coded, staff_client) -> None:
    clerk = staff_client("filing_a")
    answer = clerk.post("/api/dossier/cases", json=filing(ctx))
    assert answer.status_code == 201, answer.text
    case = answer.json()
    assert case["case_number"] == "（2026）粤0104民初1号"
    assert (case["cause_name"], case["cause_code"]) == ("民间借贷纠纷", "C103-3")
    assert (case["judge_name"], case["clerk_name"]) == ("judge_a", "clerk_a")
    assert (case["source"], case["status"], case["filed_on"]) == ("filed", "open", "2026-11-28")
    refs = [p["party_ref"] for p in case["parties"]]
    assert case["parties"][2]["represents_ref"] == refs[0]
    assert clerk.post("/api/dossier/cases", json=filing(ctx)).json()["case_number"] == (
        "（2026）粤0104民初2号"
    )
    with dossier_context(app).session_factory() as s:
        stored = s.get(DossierCase, case["id"])
        assert stored is not None and stored.filed_by_name == "刘芳"
        assert stored.sequence == 1 and stored.year == 2026 and stored.type_code == "民初"
        party = s.scalars(select(DossierParty).where(DossierParty.case_id == case["id"])).first()
        assert party is not None and party.id_number == PERSON
        audit = s.scalars(select(AuditRow).where(AuditRow.case_id == case["id"])).one()
        assert (audit.action, audit.actor_name) == ("case.filed", "刘芳")
        filed = s.execute(
            select(events_table.c.payload).where(events_table.c.type == "case.filed")
        ).scalars().all()  # fmt: skip
    assert len(filed) == 2
    payload = filed[0] if filed[0]["dossier_case_id"] == case["id"] else filed[1]
    assert payload["case_number"] == "（2026）粤0104民初1号"
    assert [p["party_ref"] for p in payload["parties"]] == refs
    assert payload["parties"][2]["represents_ref"] == refs[0]
    assert payload["parties"][0]["id_number"] == PERSON  # the portal matches accounts by it
    # The register shows it to the court's staff.
    assert staff_client("judge_a").get(f"/api/dossier/cases/{case['id']}").status_code == 200


def test_only_a_filing_clerk_files(app, ctx, coded, staff_client, make_client) -> None:
    for username in ("judge_a", "clerk_a", "admin_a", "clerk_b"):
        answer = staff_client(username).post("/api/dossier/cases", json=filing(ctx))
        assert answer.status_code == 403, username
        assert answer.json()["error"]["reason"] == "dossier_role"
    assert make_client().post("/api/dossier/cases", json=filing(ctx)).status_code == 401


BAD: list[tuple[str, dict[str, Any], int, str]] = [
    ("type", {"type_code": "民X"}, 422, "dossier_case_type_unknown"),
    ("cause", {"cause_code": "C999"}, 422, "dossier_cause_unknown"),
    ("heading", {"cause_code": "B10"}, 422, "dossier_cause_unknown"),
    ("procedure", {"type_code": "民终", "procedure": "simplified"}, 422, "dossier_procedure_type"),
    ("small", {"procedure": "small_claims", "claim_amount_fen": None}, 422,
     "dossier_claim_amount_needed"),
    ("judge", {"judge_user_id": "clerk_a"}, 422, "dossier_assignee_role"),
    ("clerk", {"clerk_user_id": "clerk_b"}, 422, "dossier_assignee_role"),
    ("missing", {"judge_user_id": 987654}, 422, "dossier_assignee_role"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "change", "status", "reason"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_field_is_refused_and_nothing_is_stored(
    app, ctx, coded, staff_client, name, change, status, reason
) -> None:
    change = {k: staff_id(ctx, v) if k.endswith("user_id") and isinstance(v, str) else v
              for k, v in change.items()}  # fmt: skip
    answer = staff_client("filing_a").post("/api/dossier/cases", json=filing(ctx, **change))
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["reason"] == reason
    assert_nothing_filed(app)


PARTY_BAD: list[tuple[str, int, dict[str, Any], str]] = [
    ("id-check", 0, {"id_number": "440104199003071238"}, "dossier_id_number_invalid"),
    ("id-date", 0, {"id_number": "440104199002301239"}, "dossier_id_number_invalid"),
    ("id-missing", 0, {"id_number": None}, "dossier_party_id_needed"),
    ("id-on-org", 1, {"id_number": PERSON}, "dossier_party_field"),
    ("credit", 1, {"credit_code": "91350100M000100Y42"}, "dossier_credit_code_invalid"),
    ("licence", 2, {"licence_number": "1440120181012345X"}, "dossier_licence_number_invalid"),
    ("represents-self", 2, {"represents": 2}, "dossier_represents_invalid"),
    ("represents-none", 2, {"represents": None}, "dossier_represents_invalid"),
    ("represents-out", 2, {"represents": 9}, "dossier_represents_invalid"),
    ("lawyer-party", 2, {"role": "defendant", "represents": None}, "dossier_represents_invalid"),
    ("phone", 0, {"phone": "call me"}, "dossier_phone_invalid"),
    ("email", 1, {"email": "legal-at-example"}, "dossier_email_invalid"),
    ("no-plaintiff", 0, {"role": "third_party"}, "dossier_plaintiff_needed"),
    ("twice", 1, {"kind": "person", "credit_code": None, "id_number": PERSON},
     "dossier_party_duplicate"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "index", "change", "reason"), PARTY_BAD,
                         ids=[b[0] for b in PARTY_BAD])  # fmt: skip
def test_a_bad_party_is_refused_and_nothing_is_stored(
    app, ctx, coded, staff_client, name, index, change, reason
) -> None:
    body = filing(ctx)
    parties = deepcopy(body["parties"])
    parties[index].update(change)
    answer = staff_client("filing_a").post("/api/dossier/cases", json={**body, "parties": parties})
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["reason"] == reason
    if "party" in error["params"]:
        assert error["params"]["party"] == index + 1
    assert_nothing_filed(app)


def assert_nothing_filed(app: Any) -> None:
    with dossier_context(app).session_factory() as s:
        assert s.scalar(select(func.count()).select_from(DossierCase)
                        .where(DossierCase.source == "filed")) == 0  # fmt: skip
        assert s.scalar(select(func.count()).select_from(DossierParty)) == 0
        assert s.scalar(select(func.count()).select_from(CaseSequence)) == 0


def test_unbounded_or_malformed_bodies_are_422(app, ctx, coded, staff_client) -> None:
    clerk = staff_client("filing_a")
    for change in ({"claim_amount_fen": -1}, {"claim_amount_fen": 10**16},  # type: ignore[var-annotated]
                   {"parties": []}, {"procedure": "fast"}, {"judge_user_id": 2**31},
                   {"extra": 1}):  # fmt: skip
        assert clerk.post("/api/dossier/cases", json=filing(ctx, **change)).status_code == 422
    assert_nothing_filed(app)


def test_without_a_court_code_nothing_is_filed(app, ctx, dossier_world, staff_client) -> None:
    answer = staff_client("filing_a").post("/api/dossier/cases", json=filing(ctx))
    assert answer.status_code == 409
    assert answer.json()["error"]["reason"] == "dossier_court_code_unset"
    assert_nothing_filed(app)


def test_the_small_claims_ceiling_is_the_courts(app, ctx, dossier_world, staff_client) -> None:
    admin = staff_client("admin_a")
    # Half of a province's average wage of, say, 120,000.00 yuan: 60,000.00 yuan.
    assert admin.put("/api/dossier/court-code",
                     json={"code": "粤0104", "small_claims_ceiling_fen": 6_000_000}
                     ).status_code == 200  # fmt: skip
    clerk = staff_client("filing_a")
    over = clerk.post("/api/dossier/cases", json=filing(ctx, procedure="small_claims",
                                                      claim_amount_fen=6_000_001))  # fmt: skip
    assert over.status_code == 422
    assert over.json()["error"]["reason"] == "dossier_small_claims_ceiling"
    at = clerk.post("/api/dossier/cases", json=filing(ctx, procedure="small_claims",
                                                    claim_amount_fen=6_000_000))  # fmt: skip
    assert at.status_code == 201 and at.json()["case_number"] == "（2026）粤0104民初1号"


def test_the_court_code_is_the_administrators(app, ctx, dossier_world, staff_client) -> None:
    for username in ("judge_a", "filing_a"):
        answer = staff_client(username).put("/api/dossier/court-code", json={"code": "粤0104"})
        assert answer.status_code == 403
    admin = staff_client("admin_a")
    for bad in ("粤010", "X0104", "粤01 04"):
        answer = admin.put("/api/dossier/court-code", json={"code": bad})
        assert answer.status_code == 422, bad
    assert admin.put("/api/dossier/court-code", json={"code": "粤0104"}).status_code == 200
    clerk = staff_client("filing_a")
    assert clerk.get("/api/dossier/court-code").json()["code"] == "粤0104"
    other = staff_client("clerk_b")
    assert other.get("/api/dossier/court-code").json()["code"] is None
    with dossier_context(app).session_factory() as s:
        audit = s.scalars(select(AuditRow).where(AuditRow.action == "court_code.set")).one()
        assert audit.details["after"] == "粤0104" and audit.actor_name == "赵敏"


def test_a_number_taken_by_an_imported_case_is_passed_over(app, ctx, coded, staff_client):
    from dossier.filing.tables import CaseSequence as Seq

    with dossier_context(app).session_factory() as s:  # the next would be 123: the demo's
        court_id = s.get(DossierCase, coded.case_a).court_id  # type: ignore[union-attr]
        s.add(Seq(court_id=court_id, year=2026, type_code="民初", last_number=122))
        s.commit()
    answer = staff_client("filing_a").post("/api/dossier/cases", json=filing(ctx))
    assert answer.json()["case_number"] == "（2026）粤0104民初125号"


def test_the_pickers(app, ctx, coded, staff_client, make_client) -> None:
    clerk = staff_client("filing_a")
    causes = clerk.get("/api/dossier/causes", params={"q": "借贷"}).json()
    assert causes["items"][0]["path"] == [
        "合同、准合同纠纷",
        "合同纠纷",
        "借款合同纠纷",
        "民间借贷纠纷",
    ]
    assert "法〔2020〕347号" in causes["source"]
    assert clerk.get("/api/dossier/causes", params={"q": ""}).status_code == 422
    types = clerk.get("/api/dossier/case-types").json()["items"]
    assert {"code": "民初", "name": "民事一审案件", "category": "civil",
            "first_instance": True} in types  # fmt: skip
    assignees = clerk.get("/api/dossier/assignees").json()
    assert {a["display_name"] for a in assignees["judges"]} == {"judge_a", "孙强"}
    assert [a["display_name"] for a in assignees["clerks"]] == ["clerk_a"]
    assert make_client().get("/api/dossier/causes", params={"q": "借贷"}).status_code == 401


def test_a_case_outside_the_civil_catalogue_names_its_cause(app, ctx, coded, staff_client):
    clerk = staff_client("filing_a")
    body = filing(ctx, type_code="行初", cause_code=None, procedure="ordinary")
    refused = clerk.post("/api/dossier/cases", json=body)
    assert refused.status_code == 422
    assert refused.json()["error"]["reason"] == "dossier_cause_needed"
    small = clerk.post("/api/dossier/cases", json={**body, "procedure": "small_claims",
                                                   "cause_name": "房屋拆迁补偿"})  # fmt: skip
    assert small.json()["error"]["reason"] == "dossier_procedure_type"
    filed = clerk.post("/api/dossier/cases", json={**body, "cause_name": "房屋拆迁补偿"})
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["case_number"] == "（2026）粤0104行初1号"
    assert (case["cause_code"], case["cause_name"]) == (None, "房屋拆迁补偿")
    # Each type has its own sequence: the next civil case is still number 1.
    civil = clerk.post("/api/dossier/cases", json=filing(ctx))
    assert civil.json()["case_number"] == "（2026）粤0104民初1号"


def test_identifiers_are_stored_upper_case(app, ctx, coded, staff_client) -> None:
    body = filing(ctx)
    body["parties"][0]["id_number"] = "11010519491231002x"
    body["parties"][1]["credit_code"] = COMPANY.lower()
    answer = staff_client("filing_a").post("/api/dossier/cases", json=body)
    assert answer.status_code == 201, answer.text
    with dossier_context(app).session_factory() as s:
        rows = s.scalars(select(DossierParty).order_by(DossierParty.id)).all()
        assert [r.id_number or r.credit_code for r in rows[:2]] == ["11010519491231002X", COMPANY]


def test_two_courts_cannot_share_a_code(app, ctx, dossier_world, staff_client) -> None:
    from dossier.filing.tables import CourtCode

    with dossier_context(app).session_factory() as s:  # court B's code (its admin set it)
        court_b = s.get(DossierCase, dossier_world.case_b).court_id  # type: ignore[union-attr]
        s.add(CourtCode(court_id=court_b, code="粤0106", set_by_id=1, set_by_name="admin_b",
                        set_at=ctx.clock()))  # fmt: skip
        s.commit()
    answer = staff_client("admin_a").put("/api/dossier/court-code", json={"code": "粤0106"})
    assert answer.status_code == 409
    assert answer.json()["error"]["reason"] == "dossier_court_code_taken"
