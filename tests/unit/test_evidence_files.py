"""Evidence files (pure checks and page rendering) and the stage catalogue's marker texts."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from hearing_server.errors import InvalidInputError, UnsupportedMediaTypeError
from hearing_server.evidence.files import MAX_BYTES, EvidenceStore, inspect
from hearing_server.live.stages import (
    STAGES,
    id_type_by_code,
    identity_marker_text,
    stage_by_code,
    stage_marker_text,
)
from tingshen_platform.blobs import LocalBlobStore


def pdf(pages: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for n in range(pages):
        canvas.drawString(100, 700, f"page {n + 1}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 90, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_accepted_files_and_their_pages() -> None:
    checked = inspect(pdf(3), "application/pdf")
    assert (checked.page_count, checked.extension, len(checked.sha256)) == (3, ".pdf", 64)
    assert inspect(jpeg(), "image/jpeg").page_count == 1


@pytest.mark.parametrize(
    ("data", "media_type", "error"),
    [
        (b"", "application/pdf", InvalidInputError),
        (b"GIF89a....", "image/gif", UnsupportedMediaTypeError),
        (jpeg(), "image/png", InvalidInputError),  # says PNG, is a JPEG
        (b"\xff\xd8\xff" + b"\x00" * 64, "image/jpeg", InvalidInputError),  # not an image
        (b"%PDF-1.7\n" + b"\x00" * 64, "application/pdf", InvalidInputError),  # not a PDF
        (b"%PDF-" + b"\x00" * MAX_BYTES, "application/pdf", InvalidInputError),  # too large
    ],
)
def test_refused_files(data: bytes, media_type: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        inspect(data, media_type)


def test_pages_rendered_once_and_kept(tmp_path: Path) -> None:
    store = EvidenceStore(LocalBlobStore(tmp_path))
    key = store.put_original(7, 3, pdf(2), ".pdf")
    png, media_type = store.page(key, "application/pdf", 2)
    assert media_type == "image/png" and png.startswith(b"\x89PNG")
    assert (tmp_path / "hearing-7" / "material-3" / "page-2.png").read_bytes() == png
    with Image.open(io.BytesIO(png)) as image:
        assert image.width == 1600
    photo = store.put_original(7, 4, jpeg(), ".jpg")
    assert store.page(photo, "image/jpeg", 1) == (jpeg(), "image/jpeg")


def test_stage_catalogue_and_marker_texts() -> None:
    assert [s.order for s in STAGES] == list(range(1, 9))
    assert all("-" not in s.code for s in STAGES)  # part of a marker id
    at = datetime(2026, 12, 5, 2, 32, tzinfo=UTC)  # 10:32 court time
    investigation = stage_by_code("investigation")
    assert (
        investigation is not None and stage_marker_text(investigation, at) == "【法庭调查】 10:32"
    )
    resident = id_type_by_code("resident_id")
    assert resident is not None
    assert (
        identity_marker_text("原告", "张三", resident, "1234", "", at)
        == "核对当事人身份：原告 张三（身份证 ****1234）已核对 10:32"
    )
    assert stage_by_code("recess") is None and id_type_by_code("library_card") is None
