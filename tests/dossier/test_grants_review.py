"""Grants (court administrators) and review comments (评卷); and the issue's access list: staff
of another court, a staff member without a grant, a party for an unpublished material, an
expired grant, a withdrawn publication — all refused with exactly the body of a material that
does not exist. (The audit trail: ``test_audit_trail.py``.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hearing_server.notify import RecordingCodeSender
from tests.dossier.conftest import DossierWorld
from tests.dossier.publish_world import PublishWorld, publish_world, staff_id
from tests.server.conftest import FakeClock, invite, join_as

NO_SUCH = 987_654_321


@pytest.fixture
def pw(app: FastAPI, dossier_world: DossierWorld) -> PublishWorld:
    return publish_world(app, dossier_world)


def _grant(admin: TestClient, pw: PublishWorld, who: int, **extra: object):
    body = {"user_id": who, "purpose": "review", "review_body": "collegial_panel",
            "ends_on": "2026-12-05", **extra}  # fmt: skip
    return admin.post(f"/api/dossier/cases/{pw.dossier.case_a}/grants", json=body)


def _comments(pw: PublishWorld, material: int | None = None) -> str:
    return f"/api/dossier/materials/{material or pw.complaint}/comments"


def test_a_review_grant_lets_a_judge_comment_until_it_ends(
    app: FastAPI, pw: PublishWorld, staff_client: Callable[[str], TestClient], clock: FakeClock
) -> None:
    admin, judge2 = staff_client("admin_a"), staff_client("judge2_a")
    judge2_id, _ = staff_id(app, "judge2_a")
    assert judge2.get(_comments(pw)).status_code == 404  # no grant: "not found"
    granted = _grant(admin, pw, judge2_id)  # today is 2026-11-28 in Beijing
    assert granted.status_code == 201, granted.text
    grant = granted.json()
    assert (grant["user_name"], grant["active"], grant["granted_by_name"]) == (
        "孙强", True, "赵敏",
    )  # fmt: skip

    first = judge2.post(_comments(pw), json={"body": "起诉状第1页诉讼请求金额需核对。", "page": 1})
    assert first.status_code == 201, first.text
    assert (first.json()["author_name"], first.json()["review_body"]) == ("孙强", "collegial_panel")
    fix = judge2.post(
        _comments(pw), json={"body": "更正：金额无误。", "corrects_id": first.json()["id"]}
    )
    assert fix.status_code == 201 and fix.json()["corrects_id"] == first.json()["id"]
    by_judge = staff_client("judge_a").post(_comments(pw), json={"body": "同意。"})
    assert by_judge.status_code == 201 and by_judge.json()["review_body"] is None
    review = admin.get(_comments(pw)).json()
    assert (review["material_title"], review["page_count"]) == ("起诉状", 1)
    listed = review["comments"]
    assert [c["body"] for c in listed] == [
        "起诉状第1页诉讼请求金额需核对。",
        "更正：金额无误。",
        "同意。",
    ]
    # Comments are never edited or deleted: no such routes.
    assert judge2.put(f"{_comments(pw)}/{first.json()['id']}", json={}).status_code in (404, 405)
    assert judge2.delete(f"{_comments(pw)}/{first.json()['id']}").status_code in (404, 405)

    # The grant's end date is inclusive (Beijing date); the next day it is "not found".
    clock.advance(timedelta(days=7))  # 2026-12-05 16:00 Beijing (sessions last an hour)
    judge2, admin = staff_client("judge2_a"), staff_client("admin_a")
    assert judge2.get(_comments(pw)).status_code == 200
    clock.advance(timedelta(hours=8))  # 2026-12-06 00:00 Beijing
    judge2, admin = staff_client("judge2_a"), staff_client("admin_a")
    expired = judge2.get(_comments(pw))
    never = judge2.get(_comments(pw, NO_SUCH))
    assert expired.status_code == never.status_code == 404
    assert expired.json() == never.json()
    grants = admin.get(f"/api/dossier/cases/{pw.dossier.case_a}/grants").json()
    assert [g["active"] for g in grants] == [False]


def test_a_read_grant_reads_but_does_not_comment_and_revoking_ends_it(
    app: FastAPI, pw: PublishWorld, staff_client: Callable[[str], TestClient]
) -> None:
    admin, recorder = staff_client("admin_a"), staff_client("recorder_a")
    recorder_id, _ = staff_id(app, "recorder_a")
    grant = _grant(admin, pw, recorder_id, purpose="read", review_body=None).json()
    publications = f"/api/dossier/cases/{pw.dossier.case_a}/publications"
    assert recorder.get(publications).status_code == 200
    refused = recorder.post(_comments(pw), json={"body": "意见"})
    assert (refused.status_code, refused.json()["error"]["reason"]) == (403, "dossier_role")
    revoked = admin.delete(f"/api/dossier/cases/{pw.dossier.case_a}/grants/{grant['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert recorder.get(publications).status_code == 404
    again = admin.delete(f"/api/dossier/cases/{pw.dossier.case_a}/grants/{grant['id']}")
    assert (again.status_code, again.json()["error"]["reason"]) == (409, "dossier_grant_revoked")


def test_grant_refusals(
    app: FastAPI, pw: PublishWorld, staff_client: Callable[[str], TestClient]
) -> None:
    admin = staff_client("admin_a")
    judge2_id, _ = staff_id(app, "judge2_a")
    clerk_b_id, _ = staff_id(app, "clerk_b")
    for user_id, extra, reason in (
        (clerk_b_id, {}, "dossier_grant_not_staff"),  # another court's staff member
        (NO_SUCH, {}, "dossier_grant_not_staff"),
        (judge2_id, {"ends_on": "2026-11-27"}, "dossier_grant_ends_past"),
        (judge2_id, {"ends_on": "2028-01-01"}, "dossier_grant_too_long"),
        (judge2_id, {"purpose": "read"}, "dossier_grant_review_body"),
    ):
        answer = _grant(admin, pw, user_id, **extra)
        assert (answer.status_code, answer.json()["error"]["reason"]) == (422, reason), extra
    for extra in ({"ends_on": "9999-12-31"}, {"ends_on": "2026-13-01"}, {"purpose": "own"},  # type: ignore[assignment]
                  {"ends_on": "2026-12-01T00:00:00Z"}, {"user_id": 2**31}):  # fmt: skip
        assert _grant(admin, pw, judge2_id, **extra).status_code == 422, extra
    # Only administrators grant; the case's judge may see the dossier but not grant.
    judge = staff_client("judge_a")
    answer = _grant(judge, pw, judge2_id)
    assert (answer.status_code, answer.json()["error"]["reason"]) == (403, "dossier_role")
    assert (
        staff_client("clerk_b").get(f"/api/dossier/cases/{pw.dossier.case_a}/grants").status_code
        == 404
    )
    missing = admin.delete(f"/api/dossier/cases/{pw.dossier.case_a}/grants/{NO_SUCH}")
    assert missing.status_code == 404


def test_comment_refusals(pw: PublishWorld, staff_client: Callable[[str], TestClient]) -> None:
    judge = staff_client("judge_a")
    for body, reason in (
        ({"body": "意见", "page": 2}, "dossier_comment_page"),  # the complaint has 1 page
        ({"body": "意见", "corrects_id": NO_SUCH}, "dossier_comment_corrects"),
    ):
        answer = judge.post(_comments(pw), json=body)
        assert (answer.status_code, answer.json()["error"]["reason"]) == (422, reason)
    for body in (  # type: ignore[assignment]
        {"body": ""},
        {"body": "x" * 2001},
        {"body": "a\u202eb"},
        {"body": "x", "page": 0},
    ):
        assert judge.post(_comments(pw), json=body).status_code == 422, body
    # The clerk of the case reads the dossier but is no reviewer.
    clerk = staff_client("clerk_a")
    answer = clerk.post(_comments(pw), json={"body": "意见"})
    assert (answer.status_code, answer.json()["error"]["reason"]) == (403, "dossier_role")


def test_access_list_every_refusal_is_the_answer_for_nothing(
    app: FastAPI,
    pw: PublishWorld,
    staff_client: Callable[[str], TestClient],
    make_client: Callable[[], TestClient],
    code_sender: RecordingCodeSender,
) -> None:
    judge = staff_client("judge_a")
    case = pw.dossier.case_a
    published = judge.post(
        f"/api/dossier/cases/{case}/publications",
        json={"material_ids": [pw.evidence], "party_refs": [pw.plaintiff_ref]},
    ).json()
    judge.post(f"/api/dossier/cases/{case}/publications/{published[0]['id']}/withdraw")
    nothing = judge.get(_comments(pw, NO_SUCH))
    assert nothing.status_code == 404
    # Staff of another court; a staff member without a grant (a judge, a recorder).
    for username in ("clerk_b", "judge2_a", "recorder_a"):
        answer = staff_client(username).get(_comments(pw))
        assert (answer.status_code, answer.json()) == (404, nothing.json()), username
    # A party: an unpublished material and a withdrawn publication, as a material that is not.
    party = make_client()
    plaintiff = pw.dossier.hearing.plaintiff_a
    join_as(party, invite(staff_client("clerk_a"), plaintiff), code_sender, plaintiff)
    base = f"/api/dossier/my/cases/{case}/materials"
    answers = [party.get(f"{base}/{m}/pdf") for m in (pw.complaint, pw.evidence, NO_SUCH)]
    assert {(a.status_code, a.text) for a in answers} == {(404, answers[0].text)}
    assert answers[0].json()["error"]["reason"] == "dossier_material_not_found"
    assert party.get(_comments(pw)).json() == nothing.json()
    # The secondary volume is never reachable for a party, even by a forged id.
    assert party.get(f"{base}/{pw.deliberation}/pdf").text == answers[0].text


def test_a_case_s_grants_come_in_pages(
    app: FastAPI, pw: PublishWorld, staff_client: Callable[[str], TestClient]
) -> None:
    admin = staff_client("admin_a")
    recorder_id, _ = staff_id(app, "recorder_a")
    made = [
        _grant(admin, pw, recorder_id, purpose="read", review_body=None).json()["id"]
        for _ in range(5)
    ]
    url = f"/api/dossier/cases/{pw.dossier.case_a}/grants"
    seen: list[int] = []
    next_url: str | None = f"{url}?limit=2"
    pages = 0
    while next_url:
        answer = admin.get(next_url)
        assert answer.status_code == 200
        seen += [g["id"] for g in answer.json()]
        link = answer.headers.get("link")
        next_url = link[1 : link.index(">")] if link else None
        pages += 1
    assert seen == made and pages == 3
    bad = admin.get(f"{url}?cursor=bm90LWEta2V5")
    assert (bad.status_code, bad.json()["error"]["reason"]) == (422, "dossier_bad_cursor")
