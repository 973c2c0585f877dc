"""The e-volume as PDF/A-2b: what submission writes (XMP claim, output intent, fonts embedded,
seal still valid), and the checker both ways: a conforming file passes; an unembedded font, a
missing output intent, XMP out of step with the Info dictionary are each named."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import BinaryIO

import bagit
import pikepdf
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pikepdf import pdfa as pikepdf_pdfa
from reportlab.pdfgen.canvas import Canvas

from dossier.archive.compose import Composed, VolumePart, compose_volume
from dossier.archive.fixity import run_fixity
from dossier.archive.pdf_fonts import embed_fonts, tidy_generated, unembedded_fonts
from dossier.archive.pdfa import conformance
from dossier.archive.pdfa_sealed import check_sealed, update_problems
from dossier.archive.rules import Item
from dossier.archive.sheets import CatalogueRow, VolumeSheet, back_pdf, font_name, front_pdf
from dossier.archive.submit import archive_root
from hearing_server.context import ServerContext
from signing.verify import verify_pdf
from tests.dossier.archive_helpers import add_materials, close_case, make_pdf
from tests.dossier.conftest import DossierWorld, dossier_context

StaffClient = Callable[[str], TestClient]


def test_the_submitted_volume_is_pdfa_2b_and_its_seal_valid(
    app: FastAPI, ctx: ServerContext, staff_client: StaffClient, dossier_world: DossierWorld
) -> None:
    dossier = dossier_context(app)
    close_case(dossier, ctx, dossier_world.case_a)
    add_materials(dossier, dossier_world.case_a, [2, 1])  # Helvetica, not embedded
    clerk = staff_client("clerk_a")
    url = f"/api/dossier/cases/{dossier_world.case_a}/archive"
    assert clerk.put(url + "/arrangement", json={}).status_code == 200
    done = clerk.post(url + "/submit")
    assert done.status_code == 200, done.text
    bag = archive_root(dossier) / str(done.json()["archive_number"])
    evolume = bag / "data" / "evolume.pdf"
    recorded = json.loads((bag / "data" / "metadata.json").read_text("utf-8"))["evolume"]["pdfa"]
    assert (recorded["claimed"], recorded["composed_verdict"]) == (True, "pass"), recorded
    assert recorded["fonts_embedded_for_items"] == [1, 2] and recorded["sealed_problems"] == []
    # checked again here: the composed revision, and the seal's update
    assert check_sealed(evolume, recorded["composed_length"])["composed_verdict"] == "pass"
    with pikepdf.open(evolume) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert str(pdf.docinfo["/Title"]) == meta["dc:title"]
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
        assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile
        assert unembedded_fonts(pdf, annotations=False) == [] and "/Encrypt" not in pdf.trailer
        assert update_problems(pdf) == []
        # the checker of the seal's update names what it looks for
        del pdf.Root["/OutputIntents"]
        pdf.docinfo["/Title"] = "改过的值"
        [seal] = pdf.pages[-1].Annots
        seal.F = 0
        named = update_problems(pdf)
        assert "no PDF/A output intent with an ICC profile" in named
        assert any(n.startswith("/Title '改过的值' does not match XMP dc:title") for n in named)
        assert f"page {len(pdf.pages)}: an annotation not printable or hidden" in named
        assert len(pdf.pages) == 3 + 3 and len(pdf.open_outline().root) == 3
    pki = app.state.services.closing.pki
    report = verify_pdf(evolume.read_bytes(), [pki.ca.root], now=ctx.clock())
    # the seal verifies and covers the file (a hearing record's binding is not asked of it)
    [signer] = report.signers
    assert signer.intact and signer.signature_valid, report
    assert {p.code.value for p in report.problems} <= {"binding_missing"}, report.problems


def _conforming(path: Path, *, helvetica: bool = False) -> None:
    """A one-page PDF/A-2b written by pikepdf's PDF/A save (CJK text, font embedded); with
    ``helvetica``, a second page in a base-14 font that is not embedded, without the check."""
    out = io.BytesIO()
    canvas = Canvas(out, initialFontName=font_name())  # type: ignore[arg-type]
    canvas.setFont(font_name(), 14)
    canvas.drawString(72, 760, "卷内目录 测试")
    canvas.showPage()
    if helvetica:
        canvas.setFont("Helvetica", 14)
        canvas.drawString(72, 760, "not embedded")
        canvas.showPage()
    canvas.save()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        tidy_generated(pdf)  # keeps Helvetica where it shows text
        pdf.docinfo["/Title"] = "测试卷"
        if helvetica:
            pikepdf_pdfa.prepare(pdf, "2b")
            pdf.save(path)
        else:
            pikepdf_pdfa.save(pdf, path, "2b")


def _rules(path: Path) -> set[str]:
    return {f["rule"] for f in conformance(path).findings}


def test_the_checker_passes_a_conforming_file(tmp_path: Path) -> None:
    _conforming(tmp_path / "ok.pdf")
    assert conformance(tmp_path / "ok.pdf").passed


def test_the_checker_names_an_unembedded_font_and_ghostscript_embeds_it(tmp_path: Path) -> None:
    _conforming(tmp_path / "font.pdf", helvetica=True)
    checked = conformance(tmp_path / "font.pdf")
    assert not checked.passed
    assert any("6.2.11.4" in f["rule"] and "embedded" in f["message"] for f in checked.findings)
    with pikepdf.open(tmp_path / "font.pdf") as pdf:
        assert unembedded_fonts(pdf) == ["Helvetica"]
    (tmp_path / "plain.pdf").write_bytes(make_pdf("letter", 2))
    embed_fonts(tmp_path / "plain.pdf", tmp_path / "embedded.pdf")
    with pikepdf.open(tmp_path / "embedded.pdf") as pdf:
        assert unembedded_fonts(pdf) == [] and len(pdf.pages) == 2


def test_the_checker_names_a_missing_output_intent(tmp_path: Path) -> None:
    _conforming(tmp_path / "ok.pdf")
    with pikepdf.open(tmp_path / "ok.pdf") as pdf:
        del pdf.Root["/OutputIntents"]
        pdf.save(tmp_path / "no-intent.pdf")
    checked = conformance(tmp_path / "no-intent.pdf")
    assert not checked.passed
    assert any("OutputIntent" in f["message"] for f in checked.findings), checked.findings


@pytest.mark.parametrize("key", ["/Title", "/Producer"])
def test_the_checker_names_xmp_out_of_step_with_info(tmp_path: Path, key: str) -> None:
    _conforming(tmp_path / "ok.pdf")
    with pikepdf.open(tmp_path / "ok.pdf") as pdf:
        pdf.docinfo[key] = "改过的值"  # the Info dictionary only: the XMP packet still says else
        pdf.save(tmp_path / "mismatch.pdf")
    checked = conformance(tmp_path / "mismatch.pdf")
    assert checked.verdict == "fail"
    assert any(key in f["where"] + f["message"] for f in checked.findings), checked.findings
    assert "ISO_19005_2:6.6.2.1-1" not in _rules(tmp_path / "ok.pdf")


def test_fixity_names_a_volume_that_no_longer_conforms(
    app: FastAPI, ctx: ServerContext, staff_client: StaffClient, dossier_world: DossierWorld
) -> None:
    """A package whose bytes are whole to its manifests (re-bagged after the volume was
    rewritten without its output intent) is reported by the fixity check all the same."""
    dossier = dossier_context(app)
    close_case(dossier, ctx, dossier_world.case_a)
    add_materials(dossier, dossier_world.case_a, [1])
    clerk = staff_client("clerk_a")
    url = f"/api/dossier/cases/{dossier_world.case_a}/archive"
    assert clerk.put(url + "/arrangement", json={}).status_code == 200
    number = str(clerk.post(url + "/submit").json()["archive_number"])
    bag = archive_root(dossier) / number
    assert [r.ok for r in run_fixity(dossier)] == [True]
    for path in [bag, *bag.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    evolume = bag / "data" / "evolume.pdf"
    with pikepdf.open(evolume, allow_overwriting_input=True) as pdf:
        del pdf.Root["/OutputIntents"]
        pdf.save()
    bagit.Bag(str(bag)).save(manifests=True)
    [row] = run_fixity(dossier)[-1:]
    assert not row.ok
    assert row.problems and all(p["path"] == "data/evolume.pdf" for p in row.problems)
    assert any("output intent" in p["problem"] for p in row.problems), row.problems


def _sheet() -> VolumeSheet:
    row = CatalogueRow(1, "庭审笔录", "某某区人民法院", date(2026, 5, 1), 1, 1)
    return VolumeSheet(
        "某某区人民法院", "（2026）京0101民初1号", "合同纠纷", ["原告：张三"], "法官甲", "书记员乙",
        date(2026, 1, 1), date(2026, 6, 1), "永久", None, 1, 1, [row], "书记员乙",
        date(2026, 6, 2), None, None,
    )  # fmt: skip


def _compose_one(tmp_path: Path, material: bytes) -> Composed:
    (tmp_path / "m.pdf").write_bytes(material)

    def opened() -> BinaryIO:
        return (tmp_path / "m.pdf").open("rb")

    part = VolumePart(Item(1, 1, 1, 1), "庭审笔录", opened)
    sheet = _sheet()
    return compose_volume(
        front_pdf(sheet), [part], back_pdf(sheet), tmp_path / "v.pdf", title="卷", work=tmp_path
    )


def _cjk_page(extra: dict[str, int] | None = None) -> bytes:
    """A page as reportlab writes it (a /Trans entry) with its CJK font embedded."""
    out = io.BytesIO()
    canvas = Canvas(out, initialFontName=font_name())  # type: ignore[arg-type]
    canvas.setFont(font_name(), 14)
    canvas.drawString(72, 760, "庭审笔录")
    canvas.showPage()
    canvas.save()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        for key, value in (extra or {}).items():
            pdf.pages[0].obj[key] = value
        written = io.BytesIO()
        pdf.save(written)
    return written.getvalue()


def test_a_material_with_its_fonts_embedded_goes_in_as_it_is(tmp_path: Path) -> None:
    made = _compose_one(tmp_path, _cjk_page())
    assert (made.pages, made.pdfa, made.fonts_embedded, made.findings) == (4, True, [], [])
    assert conformance(tmp_path / "v.pdf").passed


def test_a_volume_the_validator_does_not_approve_is_written_without_the_claim(
    tmp_path: Path,
) -> None:
    made = _compose_one(tmp_path, _cjk_page({"/Dur": 5}))  # a page display duration
    assert (made.pages, made.pdfa) == (4, False)
    assert any("/Dur" in finding for finding in made.findings), made.findings
    with pikepdf.open(tmp_path / "v.pdf") as pdf:
        assert len(pdf.pages) == 4 and "pdfaid:part" not in pdf.open_metadata()
    assert not conformance(tmp_path / "v.pdf").passed
