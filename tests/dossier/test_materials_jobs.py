"""Processing as durable work: a worker that dies mid-job loses nothing (another takes the job
once its lease runs out), a file that cannot be converted ends ``failed`` with its reason (and
the job done), a job run twice changes nothing, and versions that came another way (by event,
through the store) are found and indexed by the sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from dossier.materials import processing
from dossier.materials.search_tables import MaterialTerm
from dossier.materials.store import Author, NewFile, add_material
from dossier.models import DossierCase
from hearing_server.context import ServerContext
from tests.dossier.conftest import DossierWorld, dossier_context
from tests.dossier.material_files import docx, text_pdf
from tests.dossier.materials_helpers import assign, run_jobs, upload
from tests.server.conftest import FakeClock

StaffClient = Callable[[str], TestClient]


@pytest.fixture
def clerk(
    app: FastAPI, ctx: ServerContext, dossier_world: DossierWorld, staff_client: StaffClient
) -> TestClient:
    assign(app, ctx, dossier_world.case_a, "judge_a", "clerk_a")
    return staff_client("clerk_a")


def _version(clerk: TestClient, case_id: int) -> dict[str, object]:
    materials = clerk.get(f"/api/dossier/cases/{case_id}/materials").json()["materials"]
    version: dict[str, object] = materials[0]["versions"][0]
    return version


def test_a_worker_that_dies_mid_job_loses_nothing(
    app: FastAPI, clock: FakeClock, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    case_id = dossier_world.case_a
    assert upload(clerk, case_id, "a.pdf", text_pdf(["工伤赔偿协议书"])).status_code == 201
    dctx = dossier_context(app)
    taken = dctx.host.jobs.claim([processing.QUEUE], "worker-that-dies", lease=processing.LEASE)
    assert taken is not None  # … and the process is killed here: no complete, no fail
    assert run_jobs(app) == 0  # its lease still runs: nobody else takes it
    assert _version(clerk, case_id)["status"] == "processing"
    clock.advance(processing.LEASE + timedelta(seconds=1))
    assert run_jobs(app) == 1
    assert _version(clerk, case_id)["status"] == "ready"
    hits = clerk.get(f"/api/dossier/cases/{case_id}/search", params={"q": "工伤赔偿"}).json()
    assert len(hits["hits"]) == 1


def test_a_file_the_converter_cannot_read_ends_failed_with_its_reason(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    dossier_context(app).settings.libreoffice = "/bin/false"  # a converter that always fails
    assert upload(clerk, dossier_world.case_a, "a.docx", docx(["答辩意见"])).status_code == 201
    assert run_jobs(app) == 1
    version = _version(clerk, dossier_world.case_a)
    assert version["status"] == "failed"
    assert "LibreOffice could not convert" in str(version["processing_error"])
    assert version["has_pdf"] is False
    assert run_jobs(app) == 0  # done, not retried


def test_a_job_run_twice_changes_nothing(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    answer = upload(clerk, dossier_world.case_a, "a.pdf", text_pdf(["房屋租赁合同纠纷一案"]))
    assert answer.status_code == 201, answer.text
    assert run_jobs(app) == 1
    assert _version(clerk, dossier_world.case_a)["status"] == "ready", _version(
        clerk, dossier_world.case_a
    )
    dctx = dossier_context(app)
    with dctx.session_factory() as s:
        before = s.scalar(select(func.count()).select_from(MaterialTerm))
        version_id = s.scalar(select(MaterialTerm.version_id).limit(1))
    assert version_id is not None
    assert processing.process(dctx, version_id) == "ready"
    with dctx.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(MaterialTerm)) == before


def test_versions_that_came_by_event_are_swept_into_the_index(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    dctx = dossier_context(app)
    with dctx.session_factory() as s:
        case = s.get(DossierCase, dossier_world.case_a)
        assert case is not None
        pdf = text_pdf(["庭审笔录", "审判长：现在开庭。"])
        add_material(
            s, dctx.files, case=case, volume="main", material_type="hearing_transcript",
            title="庭审笔录", source="hearing", source_ref="transcript:1:1",
            new=NewFile("庭审笔录.pdf", "application/pdf", pdf, page_count=1),
            author=Author(None, "系统"), at=dctx.clock(),
        )  # fmt: skip
        s.commit()
    assert processing.enqueue_unindexed(dctx) == 1
    assert run_jobs(app) == 1
    assert processing.enqueue_unindexed(dctx) == 0
    found = clerk.get(f"/api/dossier/cases/{dossier_world.case_a}/search", params={"q": "开庭"})
    assert [h["title"] for h in found.json()["hits"]] == ["庭审笔录"]


def test_a_short_text_layer_is_kept_when_ocr_finds_less(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    """A page with a few words only (a title page): OCR is tried, its text layer stays."""
    upload(clerk, dossier_world.case_a, "title.pdf", text_pdf(["租赁合同"]))
    assert run_jobs(app) == 1
    version = _version(clerk, dossier_world.case_a)
    assert (version["status"], version["ocr_pages"]) == ("ready", 1)
    found = clerk.get(f"/api/dossier/cases/{dossier_world.case_a}/search", params={"q": "租赁"})
    assert len(found.json()["hits"]) == 1


def test_a_multi_page_tiff_with_a_huge_later_page_ends_failed(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient, tmp_path: Path
) -> None:
    """Upload inspection reads the first page's header; the job checks every page."""
    first = Image.new("1", (800, 1100), 1)
    huge = Image.new("1", (10_000, 10_000), 1)  # 100 million pixels: over the limit
    path = tmp_path / "scan.tif"
    first.save(path, "TIFF", compression="group4", save_all=True, append_images=[huge])
    answer = upload(clerk, dossier_world.case_a, "scan.tif", path.read_bytes())
    assert answer.status_code == 201, answer.text
    assert run_jobs(app) == 1
    version = _version(clerk, dossier_world.case_a)
    assert version["status"] == "failed"
    assert "too many pixels" in str(version["processing_error"])
