"""Evidence on screen over HTTP: upload checks, who sees what, the presentation (present, turn,
take control, stop) with its audit events and transcript markers (docs/protocol.md)."""

from __future__ import annotations

import hashlib
import io

import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from hearing_server.context import ServerContext
from hearing_server.models import AuditEvent, CourtRole, Participant
from tests.server.live_client import open_hearing, party_cookie, staff_cookie

pytestmark = pytest.mark.timeout(60)


def two_page_pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for n in (1, 2):
        canvas.drawString(100, 700, f"IOU page {n}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def evidence_audit(ctx: ServerContext) -> list[str]:
    with ctx.session_factory() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("evidence.%"))
                .order_by(AuditEvent.id)
            )
        )


def test_present_turn_take_control_stop(ctx, world, make_client, code_sender) -> None:
    make_client()
    open_hearing(ctx, world.hearing_a)
    judge = make_client()
    judge.headers.update({"cookie": staff_cookie(make_client, "judge_a")})
    plaintiff = make_client()
    plaintiff.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a)})
    defendant = make_client()
    defendant.headers.update({"cookie": party_cookie(make_client, code_sender, world.defendant_a)})
    api = f"/api/hearings/{world.hearing_a}/evidence"
    pdf = two_page_pdf()

    pdf_type = {"content-type": "application/pdf"}
    assert (
        plaintiff.post(
            api, params={"filename": "借条.pdf"}, content=b"hello", headers=pdf_type
        ).status_code
        == 422
    )
    assert (
        plaintiff.post(
            api, params={"filename": "x.txt"}, content=b"hi", headers={"content-type": "text/plain"}
        ).status_code
        == 415
    )
    broken = b"%PDF-1.4\n" + b"\x00" * 100
    assert (
        plaintiff.post(
            api, params={"filename": "坏.pdf"}, content=broken, headers=pdf_type
        ).status_code
        == 422
    )
    uploaded = plaintiff.post(
        api, params={"filename": "C:\\证据\\借条.pdf"}, content=pdf, headers=pdf_type
    )
    assert uploaded.status_code == 201, uploaded.text
    material = uploaded.json()
    assert material["label"] == "证据1《借条》.pdf" and material["page_count"] == 2
    assert material["sha256"] == hashlib.sha256(pdf).hexdigest()
    photo = defendant.post(
        api, params={"filename": "收据.png"}, content=png(), headers={"content-type": "image/png"}
    ).json()
    assert photo["label"] == "证据2《收据》.png"

    # Not yet shown: the other party sees neither the material nor its pages; the bench does.
    assert [m["number"] for m in defendant.get(api).json()["materials"]] == [2]
    assert [m["number"] for m in judge.get(api).json()["materials"]] == [1, 2]
    assert defendant.get(f"{api}/{material['id']}/pages/1").status_code == 404
    assert defendant.post(f"{api}/present", json={"material_id": material["id"]}).status_code == 404

    shown = plaintiff.post(f"{api}/present", json={"material_id": material["id"]})
    assert shown.status_code == 200, shown.text
    assert shown.json()["presenting"]["page"] == 1
    page = defendant.get(f"{api}/{material['id']}/pages/1")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    assert defendant.get(f"{api}/{material['id']}/pages/3").status_code == 422
    assert defendant.post(f"{api}/page", json={"page": 2}).status_code == 403  # not presenting
    busy = defendant.post(f"{api}/present", json={"material_id": photo["id"]})
    assert busy.status_code == 409 and "原告 张伟 正在出示" in busy.text
    assert plaintiff.post(f"{api}/page", json={"page": 3}).status_code == 422
    assert plaintiff.post(f"{api}/page", json={"page": 2}).json()["presenting"]["page"] == 2
    assert defendant.post(f"{api}/take-control").status_code == 403
    taken = judge.post(f"{api}/take-control").json()["presenting"]
    assert taken["presenter_role"] == "judge" and taken["page"] == 2
    assert plaintiff.post(f"{api}/page", json={"page": 1}).status_code == 403
    assert judge.post(f"{api}/page", json={"page": 1}).status_code == 200
    stopped = judge.post(f"{api}/stop").json()
    assert stopped["presenting"] is None and stopped["version"] == 5
    assert judge.post(f"{api}/stop").status_code == 409

    assert evidence_audit(ctx) == [
        "evidence.upload",
        "evidence.upload",
        "evidence.present",
        "evidence.page",
        "evidence.take_control",
        "evidence.page",
        "evidence.stop",
    ]
    txt = defendant.get(f"/api/hearings/{world.hearing_a}/transcript.txt").text
    lines = [line.rsplit(" ", 1)[0] for line in txt.splitlines() if line.startswith("【举证】")]
    assert lines == [
        "【举证】原告 张伟 出示 证据1《借条》.pdf 第 1 页",
        "【举证】原告 张伟 翻至 证据1《借条》.pdf 第 2 页",
        "【举证】审判员 judge_a 接管展示 证据1《借条》.pdf 第 2 页",
        "【举证】审判员 judge_a 翻至 证据1《借条》.pdf 第 1 页",
        "【举证】审判员 judge_a 结束展示 证据1《借条》.pdf",
    ]


def test_outsiders_and_closed_hearings(ctx, world, make_client, code_sender) -> None:
    make_client()
    api = f"/api/hearings/{world.hearing_a}/evidence"
    other = make_client()
    other.headers.update({"cookie": party_cookie(make_client, code_sender, world.plaintiff_a2)})
    headers = {"content-type": "image/png"}
    assert (
        other.post(api, params={"filename": "a.png"}, content=png(), headers=headers).status_code
        == 403
    )
    assert make_client().get(api).status_code == 401
    clerk = make_client()
    clerk.headers.update({"cookie": staff_cookie(make_client, "clerk_a")})
    material = clerk.post(api, params={"filename": "a.png"}, content=png(), headers=headers).json()
    # Scheduled, not open: materials may be uploaded ahead, but nothing is shown yet.
    assert clerk.post(f"{api}/present", json={"material_id": material["id"]}).status_code == 409

    with ctx.session_factory() as session:
        observer = Participant(
            hearing_id=world.hearing_a,
            display_name="赵六",
            court_role=CourtRole.OBSERVER,
            phone="13800000009",
        )
        session.add(observer)
        session.commit()
        observer_id = observer.id
    watcher = make_client()
    watcher.headers.update({"cookie": party_cookie(make_client, code_sender, observer_id)})
    refused = watcher.post(api, params={"filename": "a.png"}, content=png(), headers=headers)
    assert refused.status_code == 403
    assert watcher.get(api).json()["materials"] == []  # the clerk's file is not shown yet


def test_a_hearing_takes_at_most_max_materials(ctx, world, make_client, monkeypatch) -> None:
    monkeypatch.setattr("hearing_server.evidence.upload.MAX_MATERIALS", 2)  # 300 in service
    make_client()
    clerk = make_client()
    clerk.headers.update({"cookie": staff_cookie(make_client, "clerk_a")})
    api = f"/api/hearings/{world.hearing_a}/evidence"
    headers = {"content-type": "image/png"}
    for n in (1, 2):
        stored = clerk.post(api, params={"filename": f"{n}.png"}, content=png(), headers=headers)
        assert stored.status_code == 201, stored.text
    full = clerk.post(api, params={"filename": "3.png"}, content=png(), headers=headers)
    assert full.status_code == 409
    error = full.json()["error"]
    assert (error["reason"], error["params"]) == ("evidence_full", {"most": 2})
    assert [m["number"] for m in clerk.get(api).json()["materials"]] == [1, 2]
