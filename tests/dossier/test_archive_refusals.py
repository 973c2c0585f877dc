"""What the archive refuses, and that a refusal leaves nothing behind."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from dossier.archive.submit import archive_root
from dossier.materials.store import Author, NewFile, add_material
from dossier.models import DossierCase
from hearing_server.context import ServerContext
from tests.dossier.archive_helpers import add_materials, close_case
from tests.dossier.conftest import DossierWorld, dossier_context
from tests.server.conftest import FakeClock

StaffClient = Callable[[str], TestClient]


def _arch(case_id: int) -> str:
    return f"/api/dossier/cases/{case_id}/archive"


def _reason(response: object) -> str:
    reason: str = response.json()["error"]["reason"]  # type: ignore[attr-defined]
    return reason


@pytest.fixture
def closed_a(app: FastAPI, ctx: ServerContext, dossier_world: DossierWorld) -> list[int]:
    dossier = dossier_context(app)
    close_case(dossier, ctx, dossier_world.case_a, outcome="withdrawn")
    return add_materials(dossier, dossier_world.case_a, [1, 2], office=True)


def test_a_material_without_its_pdf_holds_the_arrangement(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    dossier = dossier_context(app)
    with dossier.session_factory() as s:
        case = s.get_one(DossierCase, dossier_world.case_a)
        pending = add_material(
            s, dossier.files, case=case, volume="main", material_type="evidence",
            title="扫描件", source="upload", author=Author(None, "x"), at=dossier.clock(),
            new=NewFile("scan.docx", "application/msword", b"doc"),
        )  # fmt: skip
        s.commit()
    clerk = staff_client("clerk_a")
    view = clerk.get(_arch(dossier_world.case_a)).json()
    assert {i["material_id"]: i["item_number"] for i in view["items"]}[pending.id] is None
    assert view["retention_label"] == "定期10年"  # withdrawn: formerly 短期
    refused = clerk.put(_arch(dossier_world.case_a) + "/arrangement", json={})
    assert refused.status_code == 409 and _reason(refused) == "archive_pdf_pending"
    assert clerk.get(_arch(dossier_world.case_a)).json()["arranged"] is False


def test_a_material_added_after_arranging_makes_it_stale(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    clerk = staff_client("clerk_a")
    assert clerk.post(_arch(dossier_world.case_a) + "/submit").status_code == 409
    assert clerk.put(_arch(dossier_world.case_a) + "/arrangement", json={}).status_code == 200
    add_materials(dossier_context(app), dossier_world.case_a, [1])
    stale = clerk.post(_arch(dossier_world.case_a) + "/submit")
    assert stale.status_code == 409 and _reason(stale) == "archive_arrangement_stale"
    assert not archive_root(dossier_context(app)).exists() or not any(
        archive_root(dossier_context(app)).iterdir()
    )


def test_borrowing_refusals(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    borrower = staff_client("judge2_a")
    url = _arch(dossier_world.case_a)
    early = borrower.post(url + "/borrowings", json={"reason": "参考", "days": 3})
    assert early.status_code == 409 and _reason(early) == "archive_not_archived"
    for bad in ({"reason": "参考", "days": 0}, {"reason": "参考", "days": 91},
                {"reason": "", "days": 3}, {"reason": "x" * 501, "days": 3},
                {"reason": "参\u202e考", "days": 3}):  # fmt: skip
        assert borrower.post(url + "/borrowings", json=bad).status_code == 422
    clerk = staff_client("clerk_a")
    assert clerk.put(url + "/arrangement", json={}).status_code == 200
    assert clerk.post(url + "/submit").status_code == 200
    bid = borrower.post(url + "/borrowings", json={"reason": "参考", "days": 3}).json()["id"]
    admin = staff_client("admin_a")
    decision = f"/api/dossier/archive/borrowings/{bid}/decision"
    assert admin.post(decision, json={"approve": False}).json()["status"] == "refused"
    again = admin.post(decision, json={"approve": True})
    assert again.status_code == 409 and _reason(again) == "archive_borrowing_decided"
    assert borrower.get(url + "/evolume.pdf").status_code == 404
    assert staff_client("clerk_b").post(url + "/borrowings", json={"reason": "参考", "days": 3}
                                        ).status_code == 404  # fmt: skip
    assert borrower.get("/api/dossier/archive/borrowings").json()[0]["status"] == "refused"
    assert staff_client("recorder_a").get("/api/dossier/archive/borrowings").json() == []


def test_a_missing_package_is_reported_not_a_server_error(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int]
) -> None:
    clerk = staff_client("clerk_a")
    url = _arch(dossier_world.case_a)
    assert clerk.put(url + "/arrangement", json={}).status_code == 200
    number = clerk.post(url + "/submit").json()["archive_number"]
    shutil.rmtree(archive_root(dossier_context(app)) / number)
    gone = clerk.get(url + "/evolume.pdf")
    assert gone.status_code == 409 and _reason(gone) == "archive_package_missing"
    report = staff_client("admin_a").post("/api/dossier/archive/fixity/run").json()
    assert report["failures"] == 1
    assert report["latest"][0]["problems"] == [{"path": "", "problem": "package missing"}]


def test_the_scheduled_round_runs_when_a_check_is_due(
    app: FastAPI, clock: FakeClock, staff_client: StaffClient, dossier_world: DossierWorld,
    closed_a: list[int],
) -> None:  # fmt: skip
    from dossier.archive.fixity import _round
    from dossier.archive.tables import ArchiveFixity

    clerk = staff_client("clerk_a")
    url = _arch(dossier_world.case_a)
    assert clerk.put(url + "/arrangement", json={}).status_code == 200
    assert clerk.post(url + "/submit").status_code == 200
    ctx = dossier_context(app)

    def checks() -> int:
        with ctx.session_factory() as s:
            return len(list(s.scalars(select(ArchiveFixity))))

    _round(ctx)
    _round(ctx)  # checked a moment ago: not due
    assert checks() == 1
    clock.advance(timedelta(hours=ctx.settings.fixity_interval_hours))
    _round(ctx)
    assert checks() == 2


def test_one_submission_at_a_time_and_a_failed_one_keeps_its_number(
    app: FastAPI, staff_client: StaffClient, dossier_world: DossierWorld, closed_a: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from dataclasses import replace
    from datetime import timedelta as td

    from tingshen_platform.leases import Leases

    ctx = dossier_context(app)
    clerk = staff_client("clerk_a")
    url = _arch(dossier_world.case_a)
    assert clerk.put(url + "/arrangement", json={}).status_code == 200
    leases = Leases(ctx.host.engine, ctx.clock)
    held = leases.acquire(f"dossier-archive-{dossier_world.case_a}", "elsewhere", td(minutes=5))
    assert held is not None
    busy = clerk.post(url + "/submit")
    assert busy.status_code == 409 and _reason(busy) == "archive_busy"
    leases.release(held)

    def broken_seal(source: Path, target: Path, reason: str) -> None:
        target.write_bytes(b"%PDF-1.7 half")
        raise RuntimeError("the TSA did not answer")

    monkeypatch.setattr(
        app.state, "dossier", replace(ctx, host=replace(ctx.host, seal_file=broken_seal))
    )
    with pytest.raises(RuntimeError, match="TSA"):
        clerk.post(url + "/submit")
    assert clerk.get(url).json()["archive_number"] is None  # reserved, not yet an archive
    app.state.dossier = ctx  # the seal works again
    done = clerk.post(url + "/submit").json()
    assert done["archive_number"].endswith("-2026-D10-MC-0001") and done["status"] == "archived"
    assert [p.name for p in archive_root(ctx).iterdir()] == [done["archive_number"]]
