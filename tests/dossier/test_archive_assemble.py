"""The e-volume's pages assembled by a qpdf process (:mod:`dossier.archive.assemble`): every page
of every file in order, the stream data copied as it is; qpdf missing or refusing a file stops
the volume with a reason."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from dossier.archive.assemble import AssemblyError, assemble_pages
from tests.dossier.material_files import scan_image, text_pdf


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _scan_pdf(path: Path) -> Path:
    scan_image(["扫描页"], seed=3).convert("L").save(path, "PDF", resolution=200)
    return path


def _image_digests(path: Path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [
            hashlib.sha256(image.read_raw_bytes()).hexdigest()
            for page in pdf.pages
            for image in page.get_images().values()
        ]


def test_every_page_in_order_and_the_images_copied_as_they_are(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.pdf", text_pdf(["第一份"], pages=2))
    scan = _scan_pdf(tmp_path / "scan.pdf")
    last = _write(tmp_path / "c.pdf", text_pdf(["第三份"]))
    out = tmp_path / "out.pdf"
    assert assemble_pages([first, scan, last], out, tmp_path) == ""
    doc = pdfium.PdfDocument(out)
    try:
        assert len(doc) == 4
        texts = [doc[i].get_textpage().get_text_range() for i in range(4)]
    finally:
        doc.close()
    assert "第一份" in texts[0] and "第一份" in texts[1] and "第三份" in texts[3]
    assert _image_digests(out) == _image_digests(scan) != []


def test_a_file_qpdf_cannot_read_stops_the_volume(tmp_path: Path) -> None:
    good = _write(tmp_path / "a.pdf", text_pdf(["内容"]))
    bad = _write(tmp_path / "b.pdf", b"not a pdf at all")
    with pytest.raises(AssemblyError, match="qpdf failed"):
        assemble_pages([good, bad], tmp_path / "out.pdf", tmp_path)


def test_without_qpdf_the_volume_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    good = _write(tmp_path / "a.pdf", text_pdf(["内容"]))
    with pytest.raises(AssemblyError, match="not installed"):
        assemble_pages([good], tmp_path / "out.pdf", tmp_path)
    assert not (tmp_path / "out.pdf").exists()
