"""Bad uploads: each is refused with a clear reason and leaves nothing stored (no blob, no
material or version row, no job)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from hearing_server.context import ServerContext
from tests.dossier.conftest import DossierWorld, dossier_context
from tests.dossier.material_files import bomb_png, docx, ole_with_macros, text_pdf
from tests.dossier.materials_helpers import assign, stored, upload

StaffClient = Callable[[str], TestClient]
PDF = text_pdf(["证据材料"])
NOTHING = (0, 0, 0, 0)


@pytest.fixture
def clerk(
    app: FastAPI, ctx: ServerContext, dossier_world: DossierWorld, staff_client: StaffClient
) -> TestClient:
    assign(app, ctx, dossier_world.case_a, "judge_a", "clerk_a")
    return staff_client("clerk_a")


BAD = [
    ("truncated.pdf", PDF[: len(PDF) // 2], 422, "dossier_pdf_corrupt"),
    ("garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"%%EOF", 422, "dossier_pdf_corrupt"),
    ("locked.pdf", text_pdf(["秘密"], encrypt="secret"), 422, "dossier_pdf_encrypted"),
    ("bomb.png", bomb_png(), 422, "dossier_image_too_large"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + bytes(40), 422, "dossier_image_corrupt"),
    ("macro.docx", docx(["宏"], macro=True), 415, "dossier_macro_refused"),
    ("innocent.docm", docx(["看似无害"]), 415, "dossier_macro_refused"),
    ("notes.txt", "纯文本笔记".encode(), 415, "dossier_file_type"),
    ("program.exe", b"MZ\x90\x00" + bytes(100), 415, "dossier_file_type"),
    ("empty.pdf", b"", 422, "dossier_upload_empty"),
    ("../", PDF, 422, "dossier_filename_empty"),
    ("..\\..\\", PDF, 422, "dossier_filename_empty"),
]


@pytest.mark.parametrize(("name", "data", "status", "reason"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_and_nothing_is_stored(
    app: FastAPI,
    dossier_world: DossierWorld,
    clerk: TestClient,
    name: str,
    data: bytes,
    status: int,
    reason: str,
) -> None:
    answer = upload(clerk, dossier_world.case_a, name, data)
    assert (answer.status_code, answer.json()["error"]["reason"]) == (status, reason)
    assert stored(app) == NOTHING


def test_an_ole_document_with_vba_storages_is_refused(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    """A legacy Word file whose compound document holds a ``Macros/VBA`` storage."""
    answer = upload(clerk, dossier_world.case_a, "旧版.doc", ole_with_macros())
    assert (answer.status_code, answer.json()["error"]["reason"]) == (
        415,
        "dossier_macro_refused",
    )
    assert stored(app) == NOTHING


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\x\\y.pdf", "y.pdf"),
        ("证据\u202e.pdf", "证据.pdf"),
    ],
)
def test_a_name_that_is_a_path_keeps_only_its_cleaned_base_name(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient, raw: str, kept: str
) -> None:
    answer = upload(clerk, dossier_world.case_a, raw, PDF)
    assert answer.status_code == 201, answer.text
    assert answer.json()["versions"][0]["filename"] == kept
    keys = list(dossier_context(app).files.keys())
    assert all(k.startswith(f"cases/{dossier_world.case_a}/files/") for k in keys)


def test_a_file_over_the_limit_is_refused_413(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    settings = dossier_context(app).settings
    settings.max_upload_bytes = len(PDF) - 1
    answer = upload(clerk, dossier_world.case_a, "big.pdf", PDF)
    assert (answer.status_code, answer.json()["error"]["reason"]) == (
        413,
        "dossier_upload_too_large",
    )
    assert stored(app) == NOTHING


def test_a_2_gb_upload_is_refused_before_it_is_read(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(4):
            sent += 1 << 20
            yield bytes(1 << 20)

    answer = clerk.post(
        f"/api/dossier/cases/{dossier_world.case_a}/materials",
        content=body(),
        headers={
            "content-type": "multipart/form-data; boundary=x",
            "content-length": str(2 * 1024**3),
        },
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["reason"] == "body_too_large"
    assert sent <= 1 << 20  # refused on the declared length, not after reading it
    assert stored(app) == NOTHING


def test_a_bad_type_or_volume_is_refused(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    unknown = upload(clerk, dossier_world.case_a, "a.pdf", PDF, "novel")
    assert unknown.json()["error"]["reason"] == "dossier_material_type_unknown"
    volume = upload(clerk, dossier_world.case_a, "a.pdf", PDF, volume="third")
    assert volume.status_code == 422
    assert stored(app) == NOTHING


def test_an_upload_over_the_apps_default_body_limit_is_taken(
    app: FastAPI, dossier_world: DossierWorld, clerk: TestClient
) -> None:
    """The app refuses bodies over 1 MiB by default; the dossier declares its upload routes'
    own limit (``SideService.body_limits``), so a 2 MB scan goes through."""
    noise = Image.frombytes("RGB", (820, 820), random.Random(7).randbytes(820 * 820 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    assert out.tell() > 1_900_000  # almost 2 MB: noise does not compress
    answer = upload(clerk, dossier_world.case_a, "扫描.png", out.getvalue())
    assert answer.status_code == 201, answer.text
