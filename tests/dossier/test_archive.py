"""The archive through its routes: arranging a closed case, submitting it (sealed e-volume,
BagIt package), the archived case frozen, fixity, borrowing and who may see what."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import bagit
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from dossier.archive.submit import archive_root
from dossier.materials.store import Author, NewFile, add_material
from dossier.models import AuditRow, DossierCase
from hearing_server.context import ServerContext
from tests.dossier.archive_helpers import add_materials, close_case, make_pdf
from tests.dossier.conftest import DossierWorld, dossier_context
from tests.server.conftest import FakeClock

StaffClient = Callable[[str], TestClient]


@pytest.fixture
def closed_a(app: FastAPI, ctx: ServerContext, dossier_world: DossierWorld) -> list[int]:
    """Case A closed by judgment, with four materials (3, 1, 2 and 4 pages)."""
    dossier = dossier_context(app)
    close_case(dossier, ctx, dossier_world.case_a)
    return add_materials(dossier, dossier_world.case_a, [3, 1, 2, 4])


def _arch(case_id: int) -> str:
    return f"/api/dossier/cases/{case_id}/archive"


def test_arrange_numbers_items_and_pages(
    staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    clerk = staff_client("clerk_a")
    view = clerk.get(_arch(dossier_world.case_a)).json()
    # default order: complaint, evidence, transcript, judgment (the proceedings' order)
    assert [i["material_type"] for i in view["items"]] == [
        "complaint", "evidence", "hearing_transcript", "judgment",
    ]  # fmt: skip
    assert view["retention_label"] == "定期30年" and view["may_arrange"]
    order = [closed_a[3], closed_a[0], closed_a[1], closed_a[2]]  # 4, 3, 1, 2 pages
    put = clerk.put(_arch(dossier_world.case_a) + "/arrangement", json={"material_ids": order})
    assert put.status_code == 200, put.text
    items = put.json()["items"]
    assert [(i["material_id"], i["item_number"], i["first_page"], i["last_page"])
            for i in items] == [
        (order[0], 1, 1, 4), (order[1], 2, 5, 7), (order[2], 3, 8, 8), (order[3], 4, 9, 10),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "material_ids",
    [[], [1], "dup", "missing"],
)
def test_an_order_must_name_each_material_once(
    staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int],
    material_ids: object,
) -> None:  # fmt: skip
    if material_ids == "dup":
        material_ids = [closed_a[0], *closed_a[:3]]
    elif material_ids == "missing":
        material_ids = closed_a[:3]
    elif material_ids == [1]:
        material_ids = [*closed_a, 2**31 - 1]
    clerk = staff_client("clerk_a")
    put = clerk.put(
        _arch(dossier_world.case_a) + "/arrangement", json={"material_ids": material_ids}
    )
    assert put.status_code == 422
    assert put.json()["error"]["reason"] == "archive_order_mismatch"


def test_only_the_clerk_arranges_and_only_a_closed_case(
    app: FastAPI, ctx: ServerContext, staff_client: StaffClient, dossier_world: DossierWorld,
    closed_a: list[int],
) -> None:  # fmt: skip
    url = _arch(dossier_world.case_a) + "/arrangement"
    judge = staff_client("judge_a")
    assert judge.put(url, json={}).json()["error"]["reason"] == "dossier_role"
    assert staff_client("recorder_a").put(url, json={}).status_code == 404
    assert staff_client("clerk_b").put(url, json={}).status_code == 404
    close_case(dossier_context(app), ctx, dossier_world.case_a, status="open")
    refused = staff_client("clerk_a").put(url, json={})
    assert refused.status_code == 409
    assert refused.json()["error"]["reason"] == "archive_case_not_closed"


def _submit(clerk: TestClient, case_id: int) -> dict[str, object]:
    assert clerk.put(_arch(case_id) + "/arrangement", json={}).status_code == 200
    done = clerk.post(_arch(case_id) + "/submit")
    assert done.status_code == 200, done.text
    body: dict[str, object] = done.json()
    return body


def test_submit_seals_the_volume_and_writes_a_valid_bag(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    clerk = staff_client("clerk_a")
    done = _submit(clerk, dossier_world.case_a)
    number = str(done["archive_number"])
    assert done["status"] == "archived"
    assert number.endswith("-2026-D30-MC-0001") and done["page_count"] == 10 + 3
    bag_dir = archive_root(dossier_context(app)) / number
    bag = bagit.Bag(str(bag_dir))
    assert bag.is_valid() and set(bag.algorithms) == {"sha256", "sha512"}
    assert bag.info["External-Identifier"] == number
    metadata = json.loads((bag_dir / "data" / "metadata.json").read_text("utf-8"))
    assert [i["item"] for i in metadata["items"]] == [1, 2, 3, 4]
    assert metadata["submitted"]["by"] == "clerk_a"
    assert not os.access(bag_dir / "data" / "evolume.pdf", os.W_OK) or os.geteuid() == 0
    assert (bag_dir / "data" / "evolume.pdf").stat().st_mode & 0o222 == 0
    reader = PdfReader(bag_dir / "data" / "evolume.pdf")
    # cover, catalogue, 10 pages of items, reference sheet; one bookmark per item and the sheet
    assert len(reader.pages) == 13
    assert [o.title for o in reader.outline if not isinstance(o, list)][:1] == [
        "1. " + metadata["items"][0]["title"]
    ]
    assert len(reader.outline) == 5
    assert "卷 内 目 录" in reader.pages[1].extract_text().replace("\n", " ")
    assert reader.pages[2].extract_text().strip().endswith("1")
    assert reader.pages[11].extract_text().strip().endswith("10")
    fields = reader.get_fields() or {}
    assert fields and any(f.startswith("court-seal") for f in fields)
    read = clerk.get(_arch(dossier_world.case_a) + "/evolume.pdf")
    assert read.status_code == 200 and read.content == (bag_dir / "data/evolume.pdf").read_bytes()
    with dossier_context(app).session_factory() as s:
        actions = list(s.scalars(select(AuditRow.action).where(
            AuditRow.case_id == dossier_world.case_a, AuditRow.action.like("archive.%"))))  # fmt: skip
    assert actions == ["archive.arranged", "archive.submitted", "archive.evolume_read"]


def test_nothing_of_an_archived_case_changes(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    clerk = staff_client("clerk_a")
    _submit(clerk, dossier_world.case_a)
    again = clerk.put(_arch(dossier_world.case_a) + "/arrangement", json={})
    assert again.status_code == 409 and again.json()["error"]["reason"] == "dossier_archived"
    assert clerk.post(_arch(dossier_world.case_a) + "/submit").status_code == 409
    dossier = dossier_context(app)
    with dossier.session_factory() as s:
        case = s.get_one(DossierCase, dossier_world.case_a)
        with pytest.raises(Exception, match="archived"):
            add_material(
                s, dossier.files, case=case, volume="main", material_type="evidence",
                title="late", source="upload", author=Author(None, "x"), at=dossier.clock(),
                new=NewFile("late.pdf", "application/pdf", make_pdf("late", 1), page_count=1),
            )  # fmt: skip


def test_a_changed_byte_is_reported_by_the_fixity_check(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    number = str(_submit(staff_client("clerk_a"), dossier_world.case_a)["archive_number"])
    admin = staff_client("admin_a")
    first = admin.post("/api/dossier/archive/fixity/run").json()
    assert (first["packages"], first["failures"]) == (1, 0)
    target = archive_root(dossier_context(app)) / number / "data" / "materials"
    victim = sorted(target.iterdir())[0]
    os.chmod(victim, 0o644)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    report = admin.post("/api/dossier/archive/fixity/run").json()
    assert report["failures"] == 1
    failing = report["latest"][0]
    assert failing["archive_number"] == number and not failing["ok"]
    assert {p["path"] for p in failing["problems"]} == {f"data/materials/{victim.name}"}
    assert admin.get("/api/dossier/archive/fixity").json() == report
    assert staff_client("clerk_a").get("/api/dossier/archive/fixity").status_code == 403


def test_the_courts_archive_page_sees_checks_failures_and_requests_awaiting(
    app: FastAPI, clock: FakeClock, staff_client: StaffClient, dossier_world: DossierWorld,
    closed_a: list[int],
) -> None:  # fmt: skip
    """What the court's archive page (/dossier/archive-admin.html) shows: when packages were
    last checked, how many, the failures with their case numbers, and the borrowing requests
    awaiting a decision with who asked, by role and name; a case's own package for its page."""
    number = str(_submit(staff_client("clerk_a"), dossier_world.case_a)["archive_number"])
    admin = staff_client("admin_a")
    fixity = "/api/dossier/archive/fixity"
    never = admin.get(fixity).json()
    assert (never["packages"], never["unchecked"], never["last_checked_at"]) == (0, 1, None)
    assert never["interval_hours"] == dossier_context(app).settings.fixity_interval_hours
    admin.post(f"{fixity}/run")
    intact = admin.get(fixity, params={"failing": "true"}).json()
    assert (intact["packages"], intact["failures"], intact["unchecked"]) == (1, 0, 0)
    assert intact["latest"] == [] and intact["last_checked_at"] is not None
    clock.advance(timedelta(minutes=5))
    victim = archive_root(dossier_context(app)) / number / "data" / "evolume.pdf"
    os.chmod(victim, 0o644)
    victim.write_bytes(victim.read_bytes() + b"%")
    answer = admin.post(f"{fixity}/run", params={"failing": "true"})
    assert answer.status_code == 200, answer.text
    failing = answer.json()
    assert (failing["packages"], failing["failures"]) == (1, 1)
    [row] = failing["latest"]
    assert (row["archive_number"], row["case_id"], row["case_number"], row["ok"]) == (
        number, dossier_world.case_a, "(2026)粤0104民初123号", False,
    )  # fmt: skip
    assert failing["last_checked_at"].startswith(clock().isoformat()[:16])
    own = admin.get(fixity, params={"case": dossier_world.case_a}).json()
    assert [r["archive_number"] for r in own["latest"]] == [number]
    other = admin.get(fixity, params={"case": dossier_world.case_a2}).json()
    assert (other["packages"], other["unchecked"], other["latest"]) == (0, 0, [])

    borrowings = "/api/dossier/archive/borrowings"
    asked = staff_client("judge2_a").post(
        _arch(dossier_world.case_a) + "/borrowings", json={"reason": "类案参考", "days": 3}
    )
    assert asked.status_code == 201, asked.text
    awaiting = admin.get(borrowings, params={"status": "requested"}).json()
    assert [(b["id"], b["user_role"], b["user_name"], b["case_number"]) for b in awaiting] == [
        (asked.json()["id"], "judge", "孙强", "(2026)粤0104民初123号"),
    ]  # fmt: skip
    admin.post(f"{borrowings}/{asked.json()['id']}/decision", json={"approve": True})
    assert admin.get(borrowings, params={"status": "requested"}).json() == []
    assert len(admin.get(borrowings, params={"case": dossier_world.case_a}).json()) == 1
    assert admin.get(borrowings, params={"case": dossier_world.case_a2}).json() == []
    assert admin.get(borrowings, params={"status": "lost"}).status_code == 422
    assert staff_client("clerk_a").get(fixity, params={"failing": "true"}).status_code == 403


def test_borrowing_is_approved_watermarked_audited_and_ends(
    app: FastAPI, clock: FakeClock, staff_client: StaffClient, dossier_world: DossierWorld,
    closed_a: list[int],
) -> None:  # fmt: skip
    _submit(staff_client("clerk_a"), dossier_world.case_a)
    borrower = staff_client("judge2_a")  # a judge of the court, not on the case
    url = _arch(dossier_world.case_a)
    assert borrower.get(url + "/evolume.pdf").status_code == 404
    asked = borrower.post(url + "/borrowings", json={"reason": "类案参考", "days": 2})
    assert asked.status_code == 201, asked.text
    bid = asked.json()["id"]
    assert borrower.get(url + "/evolume.pdf").status_code == 404  # not approved yet
    refused = borrower.post(
        f"/api/dossier/archive/borrowings/{bid}/decision", json={"approve": True}
    )
    assert refused.status_code == 403
    assert (
        staff_client("clerk_b")
        .post(f"/api/dossier/archive/borrowings/{bid}/decision", json={"approve": True})
        .status_code
        == 404
    )
    admin = staff_client("admin_a")
    assert [b["id"] for b in admin.get("/api/dossier/archive/borrowings").json()] == [bid]
    ok = admin.post(f"/api/dossier/archive/borrowings/{bid}/decision", json={"approve": True})
    assert ok.status_code == 200 and ok.json()["active"]
    read = borrower.get(url + "/evolume.pdf")
    assert read.status_code == 200
    pages = PdfReader(io.BytesIO(read.content)).pages
    assert all("仅供调阅" in p.extract_text() for p in pages)
    assert "孙强" in pages[0].extract_text()
    assert borrower.get(url).json()["borrowing_ends_on"] == ok.json()["ends_on"]
    clock.advance(timedelta(days=2))
    borrower = staff_client("judge2_a")  # the session of two days ago has ended
    assert borrower.get(url + "/evolume.pdf").status_code == 404
    assert borrower.get(url).status_code == 404


def test_submission_needs_the_court_seal(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    ctx = dossier_context(app)
    monkeypatch.setattr(
        app.state, "dossier", replace(ctx, host=replace(ctx.host, seal=None, seal_file=None))
    )
    clerk = staff_client("clerk_a")
    assert clerk.put(_arch(dossier_world.case_a) + "/arrangement", json={}).status_code == 200
    refused = clerk.post(_arch(dossier_world.case_a) + "/submit")
    assert refused.status_code == 409
    assert refused.json()["error"]["reason"] == "archive_seal_unavailable"
    assert not any(Path(archive_root(ctx)).glob("F*"))
