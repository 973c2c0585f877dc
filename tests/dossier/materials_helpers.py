"""Shared steps of the materials' tests: assign the judge and clerk of court A to a case, upload,
run the processing jobs, count what is stored."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dossier.materials import processing
from dossier.materials.tables import Material, MaterialVersion
from dossier.models import DossierCase
from hearing_server.context import ServerContext
from hearing_server.models import StaffUser
from tests.dossier.conftest import dossier_context
from tingshen_platform.schema import jobs


def staff_id(ctx: ServerContext, username: str) -> int:
    with ctx.session_factory() as s:
        return s.scalars(select(StaffUser.id).where(StaffUser.username == username)).one()


def assign(app: FastAPI, ctx: ServerContext, case_id: int, judge: str, clerk: str) -> None:
    with dossier_context(app).session_factory() as s:
        case = s.get(DossierCase, case_id)
        assert case is not None
        case.judge_user_id, case.judge_name = staff_id(ctx, judge), judge
        case.clerk_user_id, case.clerk_name = staff_id(ctx, clerk), clerk
        s.commit()


def upload(
    client: TestClient,
    case_id: int,
    name: str,
    data: bytes,
    material_type: str = "evidence",
    **fields: str,
) -> Any:
    return client.post(
        f"/api/dossier/cases/{case_id}/materials",
        files={"file": (name, data, "application/octet-stream")},
        data={"material_type": material_type, **fields},
    )


def run_jobs(app: FastAPI) -> int:
    return processing.run_due(dossier_context(app))


def stored(app: FastAPI) -> tuple[int, int, int, int]:
    """Materials, versions, blobs in the dossier's store, material jobs."""
    dctx = dossier_context(app)
    with dctx.session_factory() as s:
        materials = s.scalar(select(func.count()).select_from(Material)) or 0
        versions = s.scalar(select(func.count()).select_from(MaterialVersion)) or 0
        queued = (
            s.scalar(select(func.count()).select_from(jobs).where(jobs.c.queue == processing.QUEUE))
            or 0
        )
    blobs = len(list(dctx.files.keys("cases/")))
    return materials, versions, blobs, queued
