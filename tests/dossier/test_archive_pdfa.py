"""The e-volume as PDF/A-2b: what submission writes (XMP claim, output intent, fonts embedded,
seal still valid), and the checker both ways: a conforming file passes; an unembedded font, a
missing output intent, XMP out of step with the Info dictionary are each named."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import bagit
import pikepdf
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pikepdf import pdfa as pikepdf_pdfa
from reportlab.pdfgen.canvas import Canvas

from dossier.archive.fixity import run_fixity
from dossier.archive.pdf_fonts import embed_fonts, tidy_generated, unembedded_fonts
from dossier.archive.pdfa import conformance
from dossier.archive.pdfa_sealed import check_sealed, update_problems
from dossier.archive.sheets import font_name
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
