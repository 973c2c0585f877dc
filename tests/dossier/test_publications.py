"""Publishing materials to parties: the case's judge publishes chosen main-volume materials to
chosen parties; a party sees exactly those (and after a withdrawal, no longer); every listing
and download is audited."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from dossier.materials.tables import MaterialVersion
from dossier.models import AuditRow
from hearing_server.notify import RecordingCodeSender
from tests.dossier.conftest import DossierWorld, dossier_context
from tests.dossier.publish_world import PublishWorld, publish_world
from tests.server.conftest import invite, join_as


@pytest.fixture
def pw(app: FastAPI, dossier_world: DossierWorld) -> PublishWorld:
    return publish_world(app, dossier_world)


@pytest.fixture
def party_client(
    make_client: Callable[[], TestClient],
    staff_client: Callable[[str], TestClient],
    code_sender: RecordingCodeSender,
) -> Callable[[int], TestClient]:
    """A browser joined through an invitation as the hearing server's participant ``id``."""

    def make(participant_id: int) -> TestClient:
        clerk = staff_client("clerk_a")
        browser = make_client()
        join_as(browser, invite(clerk, participant_id), code_sender, participant_id)
        return browser

    return make


def _publish(judge: TestClient, pw: PublishWorld, materials: list[int], refs: list[str]):
    return judge.post(
        f"/api/dossier/cases/{pw.dossier.case_a}/publications",
        json={"material_ids": materials, "party_refs": refs},
    )


def test_judge_publishes_and_the_party_sees_exactly_that(app, pw, staff_client, party_client):
    judge = staff_client("judge_a")
    answer = _publish(judge, pw, [pw.complaint], [pw.plaintiff_ref])
    assert answer.status_code == 201, answer.text
    (made,) = answer.json()
    assert (made["party_name"], made["material_title"], made["version"]) == ("张伟", "起诉状", 1)

    plaintiff = party_client(pw.dossier.hearing.plaintiff_a)
    cases = plaintiff.get("/api/dossier/my/cases").json()
    assert [(c["id"], c["published_count"]) for c in cases] == [(pw.dossier.case_a, 1)]
    # Who they are (the page says 原告 张伟) and the hearing whose record page they came from.
    assert (cases[0]["party_role"], cases[0]["party_name"], cases[0]["hearing_id"]) == (
        "plaintiff", "张伟", pw.dossier.hearing.hearing_a,
    )  # fmt: skip
    listed = plaintiff.get(f"/api/dossier/my/cases/{pw.dossier.case_a}/materials")
    assert listed.status_code == 200
    assert [m["title"] for m in listed.json()] == ["起诉状"]
    download = plaintiff.get(listed.json()[0]["download_url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert (
        "filename*=UTF-8''%E8%B5%B7%E8%AF%89%E7%8A%B6.pdf"
        in download.headers["content-disposition"]
    )
    assert hashlib.sha256(download.content).hexdigest() == listed.json()[0]["sha256"]

    # The defendant was not chosen: nothing for them.
    defendant = party_client(pw.dossier.hearing.defendant_a)
    assert defendant.get(f"/api/dossier/my/cases/{pw.dossier.case_a}/materials").json() == []

    with dossier_context(app).session_factory() as s:
        actions = [
            (r.action, r.actor_name, r.actor_role)
            for r in s.scalars(
                select(AuditRow).where(AuditRow.case_id == pw.dossier.case_a).order_by(AuditRow.id)
            )
        ]
    assert ("publication.created", "judge_a", "judge") in actions
    assert ("materials.listed", "张伟", "plaintiff") in actions
    assert ("material.downloaded", "张伟", "plaintiff") in actions


def test_withdrawal_hides_it_with_the_answer_for_no_material(pw, staff_client, party_client):
    judge = staff_client("judge_a")
    (made,) = _publish(judge, pw, [pw.evidence], [pw.plaintiff_ref]).json()
    plaintiff = party_client(pw.dossier.hearing.plaintiff_a)
    base = f"/api/dossier/my/cases/{pw.dossier.case_a}/materials"
    assert plaintiff.get(f"{base}/{pw.evidence}/pdf").status_code == 200

    withdrawn = judge.post(
        f"/api/dossier/cases/{pw.dossier.case_a}/publications/{made['id']}/withdraw"
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_by_name"] == "judge_a"
    assert plaintiff.get(base).json() == []
    gone = plaintiff.get(f"{base}/{pw.evidence}/pdf")
    never = plaintiff.get(f"{base}/987654321/pdf")
    unpublished = plaintiff.get(f"{base}/{pw.complaint}/pdf")
    assert gone.status_code == never.status_code == unpublished.status_code == 404
    assert gone.json() == never.json() == unpublished.json()

    again = judge.post(f"/api/dossier/cases/{pw.dossier.case_a}/publications/{made['id']}/withdraw")
    assert again.status_code == 409
    assert again.json()["error"]["reason"] == "dossier_publication_withdrawn"
    # Publishing again is a new publication; the party sees it again.
    assert _publish(judge, pw, [pw.evidence], [pw.plaintiff_ref]).status_code == 201
    assert [m["id"] for m in plaintiff.get(base).json()] == [pw.evidence]


def test_the_published_version_is_what_the_party_gets(app, pw, staff_client, party_client):
    from dossier.materials.store import Author, NewFile, add_version
    from dossier.materials.tables import Material
    from dossier.publish.pdf import text_pdf

    judge = staff_client("judge_a")
    _publish(judge, pw, [pw.complaint], [pw.plaintiff_ref])
    ctx = dossier_context(app)
    with ctx.session_factory() as s:
        material = s.get(Material, pw.complaint)
        assert material is not None
        correction = text_pdf("起诉状（更正）", [], "更正后的内容")
        add_version(
            s, ctx.files, material=material, at=ctx.clock(), note="更正",
            new=NewFile("起诉状.pdf", "application/pdf", correction),
            author=Author(None, "书记员"),
        )  # fmt: skip
        s.commit()
        first = s.scalars(
            select(MaterialVersion).where(
                MaterialVersion.material_id == pw.complaint, MaterialVersion.version == 1
            )
        ).one()
    plaintiff = party_client(pw.dossier.hearing.plaintiff_a)
    (listed,) = plaintiff.get(f"/api/dossier/my/cases/{pw.dossier.case_a}/materials").json()
    assert (listed["version"], listed["sha256"]) == (1, first.sha256)


def test_idempotent_and_refusals(pw, staff_client):
    judge = staff_client("judge_a")
    both = [pw.plaintiff_ref, pw.defendant_ref]
    assert len(_publish(judge, pw, [pw.complaint, pw.evidence], both).json()) == 4
    assert _publish(judge, pw, [pw.complaint], both).json() == []  # already published
    for materials, refs, status, reason in (
        ([pw.deliberation], both, 422, "dossier_publish_secondary"),
        ([pw.material_b], both, 422, "dossier_publish_unknown_material"),
        ([987654321], both, 422, "dossier_publish_unknown_material"),
        ([pw.complaint], [pw.plaintiff_a2_ref], 422, "dossier_publish_unknown_party"),
        ([pw.complaint], ["p-999999"], 422, "dossier_publish_unknown_party"),
    ):
        answer = _publish(judge, pw, materials, refs)
        assert (answer.status_code, answer.json()["error"]["reason"]) == (status, reason)
    for body in (
        {"material_ids": [], "party_refs": both},
        {"material_ids": [pw.complaint], "party_refs": ["../x"]},
        {"material_ids": [2**31], "party_refs": both},
        {"material_ids": [pw.complaint], "party_refs": both, "extra": 1},
    ):
        answer = judge.post(f"/api/dossier/cases/{pw.dossier.case_a}/publications", json=body)
        assert answer.status_code == 422, body


def test_only_the_case_judge_publishes(pw, staff_client):
    # The clerk of the case sees the page (not allowed to publish); the admin too.
    for username in ("clerk_a", "admin_a"):
        browser = staff_client(username)
        page = browser.get(f"/api/dossier/cases/{pw.dossier.case_a}/publications")
        assert page.status_code == 200 and page.json()["may_publish"] is False
        answer = _publish(browser, pw, [pw.complaint], [pw.plaintiff_ref])
        assert (answer.status_code, answer.json()["error"]["reason"]) == (403, "dossier_role")
    page = staff_client("judge_a").get(f"/api/dossier/cases/{pw.dossier.case_a}/publications")
    body = page.json()
    assert body["may_publish"] is True
    assert [m["title"] for m in body["materials"]] == ["起诉状", "证据目录"]  # no 副卷
    assert [p["name"] for p in body["parties"]] == ["张伟", "李娜"]
    # Staff who may not read the dossier, and another court: "not found".
    for username in ("judge2_a", "recorder_a", "clerk_b"):
        browser = staff_client(username)
        answer = _publish(browser, pw, [pw.complaint], [pw.plaintiff_ref])
        assert answer.status_code == 404, username
        assert answer.json()["error"]["reason"] == "dossier_case_not_found"


def test_party_of_another_case_and_staff(pw, staff_client, party_client, client):
    judge = staff_client("judge_a")
    _publish(judge, pw, [pw.complaint], [pw.plaintiff_ref])
    other = party_client(pw.dossier.hearing.plaintiff_a2)
    base = f"/api/dossier/my/cases/{pw.dossier.case_a}/materials"
    assert other.get(base).status_code == 404
    assert other.get(f"{base}/{pw.complaint}/pdf").status_code == 404
    assert [c["id"] for c in other.get("/api/dossier/my/cases").json()] == [pw.dossier.case_a2]
    for browser in (judge, client):
        answer = browser.get("/api/dossier/my/cases")
        assert answer.status_code == 401
        assert answer.json()["error"]["reason"] == "dossier_login_needed"


def test_a_party_is_matched_by_case_party_ref_else_by_role_and_name(app, pw) -> None:
    """``case_party_ref`` (invited as a dossier party) wins over name and role; without it the
    same case number, role and name; anything else matches nobody."""
    from dossier.models import DossierCase
    from dossier.publish.parties import matching_parties
    from tingshen_platform.identity import PartyPrincipal

    ctx = dossier_context(app)
    with ctx.session_factory() as s:
        case = s.get(DossierCase, pw.dossier.case_a)
        assert case is not None

        def who(
            ref: str | None, name: str = "张伟", role: str = "plaintiff", number: str = ""
        ) -> list[str]:
            principal = PartyPrincipal(
                participant_id=1, hearing_id=1, case_id=1, case_number=number or case.case_number,
                court_id=case.court_id, display_name=name, court_role=role, case_party_ref=ref,
            )  # fmt: skip
            return [p.name for p in matching_parties(s, principal, case)]

        assert who(None) == ["张伟"]
        assert who(pw.defendant_ref) == ["李娜"]  # the ref, not the name
        assert who(None, name="张 伟") == []  # written differently: nobody
        assert who(None, role="defendant") == []
        assert who(pw.plaintiff_a2_ref) == []  # a party of another case
        assert who("p-x") == [] and who("p-") == []
        assert who(None, number="(2026)粤0104民初124号") == []
