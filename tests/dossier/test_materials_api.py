"""Uploads, processing (conversion, OCR), reading and search of a case's materials, through the
app (SQLite, and PostgreSQL when configured), with real files, LibreOffice and Tesseract."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from dossier.models import AuditRow, DossierGrant
from hearing_server.context import ServerContext
from tests.dossier.conftest import DossierWorld, dossier_context
from tests.dossier.material_files import docx, scan_png, text_pdf
from tests.dossier.materials_helpers import assign, run_jobs, staff_id, upload

StaffClient = Callable[[str], TestClient]
COMPLAINT = ["民事起诉状", "原告张三诉被告李四民间借贷纠纷一案", "借款金额人民币伍万元"]


@pytest.fixture
def case_a(app: FastAPI, ctx: ServerContext, dossier_world: DossierWorld) -> int:
    assign(app, ctx, dossier_world.case_a, "judge_a", "clerk_a")
    return dossier_world.case_a


def test_a_pdf_is_stored_processing_then_ready_and_searchable(
    app: FastAPI, case_a: int, staff_client: StaffClient
) -> None:
    clerk = staff_client("clerk_a")
    answer = upload(clerk, case_a, "起诉状.pdf", text_pdf(COMPLAINT), "complaint")
    assert answer.status_code == 201, answer.text
    material = answer.json()
    assert (material["volume"], material["type_name_zh"]) == ("main", "起诉状")
    assert material["title"] == "起诉状.pdf"
    assert material["versions"][0]["status"] == "processing"
    assert run_jobs(app) == 1
    listed = clerk.get(f"/api/dossier/cases/{case_a}/materials").json()
    version = listed["materials"][0]["versions"][0]
    assert (version["status"], version["page_count"], version["ocr_pages"]) == ("ready", 1, 0)
    found = clerk.get(f"/api/dossier/cases/{case_a}/search", params={"q": "民间借贷"}).json()
    assert [h["material_id"] for h in found["hits"]] == [material["id"]]
    marked = [s["text"] for s in found["hits"][0]["snippet"] if s["hit"]]
    assert "民间" in marked and "借贷" in marked
    assert (
        clerk.get(f"/api/dossier/cases/{case_a}/search", params={"q": "离婚"}).json()["hits"] == []
    )


def test_a_scan_is_wrapped_into_a_pdf_and_read_by_ocr(
    app: FastAPI, case_a: int, staff_client: StaffClient
) -> None:
    judge = staff_client("judge_a")
    scan = scan_png(["民事答辩状", "答辩人王五对原告的诉讼请求有异议。"])
    answer = upload(judge, case_a, "答辩状扫描.png", scan, "defence")
    assert answer.status_code == 201, answer.text
    mid = answer.json()["id"]
    run_jobs(app)
    version = judge.get(f"/api/dossier/cases/{case_a}/materials").json()["materials"][0][
        "versions"
    ][0]
    assert (version["status"], version["ocr_pages"], version["has_pdf"]) == ("ready", 1, True)
    pdf = judge.get(f"/api/dossier/cases/{case_a}/materials/{mid}/versions/1/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    found = judge.get("/api/dossier/search", params={"q": "答辩人"}).json()
    assert [h["material_id"] for h in found["hits"]] == [mid]


def test_a_docx_is_converted_by_libreoffice(
    app: FastAPI, case_a: int, staff_client: StaffClient
) -> None:
    clerk = staff_client("clerk_a")
    answer = upload(
        clerk,
        case_a,
        "授权委托书.docx",
        docx(["授权委托书", "委托人陈七委托律师周八代理诉讼。"]),
        "power_of_attorney",
    )
    assert answer.status_code == 201, answer.text
    run_jobs(app)
    version = clerk.get(f"/api/dossier/cases/{case_a}/materials").json()["materials"][0][
        "versions"
    ][0]
    assert (version["status"], version["page_count"], version["ocr_pages"]) == ("ready", 1, 0)
    found = clerk.get(f"/api/dossier/cases/{case_a}/search", params={"q": "委托律师"}).json()
    assert len(found["hits"]) == 1


def test_a_correction_is_a_new_version_and_both_can_be_read_and_are_audited(
    app: FastAPI, case_a: int, staff_client: StaffClient
) -> None:
    clerk = staff_client("clerk_a")
    first = upload(clerk, case_a, "证据一.pdf", text_pdf(["第一份借条"]), title="借条")
    mid = first.json()["id"]
    fixed = clerk.post(
        f"/api/dossier/cases/{case_a}/materials/{mid}/versions",
        files={
            "file": ("证据一（更正）.pdf", text_pdf(["更正后的借条原件扫描"]), "application/pdf")
        },
        data={"reason": "原件页码错误"},
    )
    assert fixed.status_code == 201, fixed.text
    body = fixed.json()
    assert body["current_version"] == 2
    assert [(v["version"], v["note"]) for v in body["versions"]] == [(2, "原件页码错误"), (1, None)]
    run_jobs(app)
    one = clerk.get(f"/api/dossier/cases/{case_a}/materials/{mid}/versions/1/original")
    assert one.status_code == 200 and b"%PDF-" in one.content[:10]
    assert one.headers["content-disposition"] == (
        "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E8%AF%81%E6%8D%AE%E4%B8%80.pdf"
    )
    two = clerk.get(f"/api/dossier/cases/{case_a}/materials/{mid}/versions/2/pdf")
    assert two.headers["content-disposition"].startswith("inline;")
    # the search finds the current version only
    hits = clerk.get(f"/api/dossier/cases/{case_a}/search", params={"q": "借条"}).json()["hits"]
    assert [h["version"] for h in hits] == [2]
    with dossier_context(app).session_factory() as s:
        actions = s.scalars(
            select(AuditRow.action).where(AuditRow.case_id == case_a).order_by(AuditRow.id)
        ).all()
    assert actions[-4:] == [
        "material.added",
        "material.version_added",
        "material.downloaded",
        "material.viewed",
    ]


def test_who_may_read_and_add(
    app: FastAPI,
    ctx: ServerContext,
    case_a: int,
    dossier_world: DossierWorld,
    staff_client: StaffClient,
) -> None:
    mid = upload(staff_client("clerk_a"), case_a, "a.pdf", text_pdf(["材料"])).json()["id"]
    run_jobs(app)
    base = f"/api/dossier/cases/{case_a}/materials"
    for outsider in ("clerk_b", "judge2_a", "recorder_a"):
        browser = staff_client(outsider)
        assert browser.get(base).status_code == 404
        assert browser.get(f"{base}/{mid}/versions/1/original").status_code == 404
        assert upload(browser, case_a, "b.pdf", text_pdf(["x"])).status_code == 404
        assert browser.get("/api/dossier/search", params={"q": "材料"}).json()["hits"] == []
    admin = staff_client("admin_a")
    assert admin.get(base).json()["may_add"] is True
    # a reader by grant reads, but may not add
    with dossier_context(app).session_factory() as s:
        s.add(
            DossierGrant(
                case_id=case_a,
                user_id=staff_id(ctx, "judge2_a"),
                user_name="孙强",
                purpose="read",
                ends_on=dossier_context(app).today(),
                granted_by_id=1,
                granted_by_name="赵敏",
                granted_at=dossier_context(app).clock(),
            )
        )
        s.commit()
    reader = staff_client("judge2_a")
    assert reader.get(base).json()["may_add"] is False
    refused = upload(reader, case_a, "b.pdf", text_pdf(["x"]))
    assert (refused.status_code, refused.json()["error"]["reason"]) == (403, "dossier_role")
    assert [
        h["material_id"]
        for h in reader.get("/api/dossier/search", params={"q": "材料"}).json()["hits"]
    ] == [mid]
    assert TestClient(app).get(base).status_code == 401
