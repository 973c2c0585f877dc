"""An e-volume holding a court-sealed material (every closed case has one: the signed transcript)
keeps its PDF/A-2b claim: the seal's appearance embeds its only font, the sealed volume stays a
PDF 1.7 file (PDF/A-2 is based on PDF 1.7), and the volume's own seal still verifies."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pikepdf
from fastapi import FastAPI
from fastapi.testclient import TestClient
from reportlab.pdfgen.canvas import Canvas

from dossier.archive.compose import VolumePart, compose_volume
from dossier.archive.pdf_fonts import drop_idle_fonts, unembedded_fonts
from dossier.archive.pdfa import conformance
from dossier.archive.pdfa_sealed import update_problems
from dossier.archive.rules import Item
from dossier.archive.sheets import CatalogueRow, VolumeSheet, back_pdf, font_name, front_pdf
from dossier.archive.submit import archive_root
from dossier.context import DossierContext
from dossier.materials.store import Author, NewFile, add_material
from dossier.models import DossierCase
from hearing_server.context import ServerContext
from hearing_server.notify import RecordingCodeSender
from signing.verify import verify_pdf
from tests.dossier.archive_helpers import close_case
from tests.dossier.conftest import DossierWorld, dossier_context

StaffClient = Callable[[str], TestClient]


def _cjk_letter() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, initialFontName=font_name())  # type: ignore[arg-type]
    canvas.setFont(font_name(), 14)
    canvas.drawString(72, 760, "庭审笔录 已签署")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _sealed_material(dossier: DossierContext, case_id: int) -> bytes:
    seal = dossier.host.seal
    assert seal is not None
    sealed = seal(_cjk_letter(), "庭审笔录")
    with dossier.session_factory() as s:
        case = s.get_one(DossierCase, case_id)
        add_material(
            s, dossier.files, case=case, volume="main", material_type="hearing_transcript",
            title="庭审笔录（已签署）", source="hearing",
            new=NewFile("笔录.pdf", "application/pdf", sealed, page_count=1),
            author=Author(None, "书记员甲"), at=dossier.clock(),
        )  # fmt: skip
        s.commit()
    return sealed


def _font_names(node: pikepdf.Object, seen: set[tuple[int, int]] | None = None) -> list[str]:
    """Every font in ``node``'s resources and its form XObjects' (embedded or not)."""
    seen = set() if seen is None else seen
    found: list[str] = []
    resources = node.get("/Resources")
    if not isinstance(resources, pikepdf.Dictionary):
        return found
    for font in resources.get("/Font", pikepdf.Dictionary()).values():
        found.append(str(font.get("/BaseFont")))
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.objgen in seen or xobject.get("/Subtype") != "/Form":
            continue
        seen.add(xobject.objgen)
        found += _font_names(xobject, seen)
    return found


def _header_version(path: Path) -> str:
    return path.read_bytes()[:8].decode("ascii")[5:]


def test_the_seal_appearance_shows_only_an_embedded_font(
    app: FastAPI, dossier_world: DossierWorld
) -> None:
    dossier = dossier_context(app)
    sealed = _sealed_material(dossier, dossier_world.case_a)
    with pikepdf.open(io.BytesIO(sealed)) as pdf:
        assert unembedded_fonts(pdf) == []  # the seal's appearance stream included
        [seal] = pdf.pages[0].Annots
        appearance = pikepdf.Dictionary(Resources=seal.AP.N.Resources)
        names = _font_names(appearance)
        # only the CJK font's embedded subset (its name tagged ``XXXXXX+``), no base-14 font
        assert names and all(name[7:8] == "+" for name in names), names


def test_a_volume_with_a_sealed_material_keeps_pdfa_2b(
    app: FastAPI,
    ctx: ServerContext,
    staff_client: StaffClient,
    dossier_world: DossierWorld,
    tmp_path: Path,
) -> None:
    dossier = dossier_context(app)
    close_case(dossier, ctx, dossier_world.case_a)
    _sealed_material(dossier, dossier_world.case_a)
    clerk = staff_client("clerk_a")
    url = f"/api/dossier/cases/{dossier_world.case_a}/archive"
    assert clerk.put(url + "/arrangement", json={}).status_code == 200
    done = clerk.post(url + "/submit")
    assert done.status_code == 200, done.text
    bag = archive_root(dossier) / str(done.json()["archive_number"])
    evolume = bag / "data" / "evolume.pdf"
    recorded = json.loads((bag / "data" / "metadata.json").read_text("utf-8"))["evolume"]["pdfa"]
    assert recorded["claimed"] is True, recorded.get("save_findings")
    assert recorded["composed_verdict"] == "pass", recorded
    assert recorded["sealed_problems"] == [] and recorded["fonts_embedded_for_items"] == []
    assert recorded["unembedded_fonts_with_annotations"] == []
    # PDF/A-2 is based on PDF 1.7: neither the header nor the catalog says more after the seal
    assert _header_version(evolume) <= "1.7"
    with pikepdf.open(evolume) as pdf:
        assert str(pdf.Root.get("/Version", "/1.7")) <= "/1.7", pdf.Root.get("/Version")
        assert update_problems(pdf) == []
        pdf.Root.Version = pikepdf.Name("/2.0")  # what pyHanko would write for the P-256 key
        assert update_problems(pdf) == ["PDF 2.0 in the catalog: PDF/A-2 is based on PDF 1.7"]
    # the composed revision again through pikepdf's validator
    composed = tmp_path / "first-revision.pdf"
    composed.write_bytes(evolume.read_bytes()[: recorded["composed_length"]])
    assert conformance(composed).passed
    report = verify_pdf(evolume.read_bytes(), [app.state.services.closing.pki.ca.root],
                        now=ctx.clock())  # fmt: skip
    [signer] = report.signers
    assert signer.intact and signer.signature_valid, report


def _signed_transcript_like() -> bytes:
    """A transcript as the hearing server writes one (platypus: reportlab's initial Helvetica
    selected on every page, never showing text) with its signature page and the seal's field."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from signing.pades_document import SignerSlot, prepare_document
    from tests.signing.conftest import packaged_cjk_font

    out = io.BytesIO()
    style = ParagraphStyle("body", fontName=font_name(), fontSize=12, leading=18)
    SimpleDocTemplate(out, pagesize=A4).build(
        [Paragraph(f"审判长：第{i}行，现在开庭。", style) for i in range(60)]
    )
    return prepare_document(
        out.getvalue(), hearing_id="h-1", case_number="（2026）京0101民初1号",
        transcript_version=1, recordings=[], slots=[SignerSlot("seal", "法院印章", seal=True)],
        font=packaged_cjk_font(),
    )  # fmt: skip


def _render(pdf: pikepdf.Pdf, index: int) -> bytes:
    import pypdfium2 as pdfium

    from tingshen_platform.pdfium import PDFIUM

    out = io.BytesIO()
    pdf.save(out)
    with PDFIUM:
        document = pdfium.PdfDocument(out.getvalue())
        try:
            image = document[index].render(scale=1).to_pil()
            return bytes(image.tobytes())
        finally:
            document.close()


def test_idle_unembedded_fonts_are_dropped_without_changing_a_page() -> None:
    with pikepdf.open(io.BytesIO(_signed_transcript_like())) as pdf:
        before = [_render(pdf, i) for i in range(len(pdf.pages))]
        assert "/Helvetica" in _font_names(pdf.pages[0].obj)
        assert unembedded_fonts(pdf) == []  # selected, never showing text
        assert drop_idle_fonts(pdf) >= 1
        assert all("/Helvetica" not in _font_names(page.obj) for page in pdf.pages)
        assert [_render(pdf, i) for i in range(len(pdf.pages))] == before
        assert drop_idle_fonts(pdf) == 0


def test_a_sealed_transcript_goes_into_a_pdfa_volume(tmp_path: Path) -> None:
    (tmp_path / "m.pdf").write_bytes(_signed_transcript_like())
    with pikepdf.open(tmp_path / "m.pdf") as pdf:
        pages = len(pdf.pages)
    sheet = VolumeSheet(
        "某某区人民法院", "（2026）京0101民初1号", "合同纠纷", ["原告：张三"], "法官甲",
        "书记员乙", date(2026, 1, 1), date(2026, 6, 1), "永久", None, 1, 1,
        [CatalogueRow(1, "庭审笔录", "某某区人民法院", date(2026, 5, 1), 1, pages)],
        "书记员乙", date(2026, 6, 2), None, None,
    )  # fmt: skip
    part = VolumePart(Item(1, 1, 1, pages), "庭审笔录", lambda: (tmp_path / "m.pdf").open("rb"))
    made = compose_volume(
        front_pdf(sheet), [part], back_pdf(sheet), tmp_path / "v.pdf", title="卷", work=tmp_path
    )
    assert (made.pdfa, made.fonts_embedded, made.findings) == (True, [], [])
    assert conformance(tmp_path / "v.pdf").passed


def test_a_real_hearing_record_keeps_the_volume_pdfa(
    app: FastAPI, ctx: ServerContext, dossier_world: DossierWorld, make_client: Callable[[], TestClient],
    code_sender: RecordingCodeSender, staff_client: StaffClient,
) -> None:  # fmt: skip
    """The hearing server closes, signs and seals hearing A's record (its transcript, made by
    platypus, the parties' and the court's appearances, the digest list); the dossier files
    them by itself; the case is closed and archived: the volume is PDF/A-2b and PDF 1.7."""
    from tests.dossier.conftest import poll
    from tests.server.closing_flow import closed_hearing

    court = closed_hearing(app, ctx, dossier_world.hearing, make_client, code_sender)
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    for signer in (court.plaintiff, court.defendant, court.agent, court.judge):
        signer.sign()
    assert court.clerk.sign()["state"] == "complete"
    poll(app)
    dossier = dossier_context(app)
    close_case(dossier, ctx, dossier_world.case_a)
    clerk = staff_client("clerk_a")
    url = f"/api/dossier/cases/{dossier_world.case_a}/archive"
    arranged = clerk.put(url + "/arrangement", json={})
    assert arranged.status_code == 200, arranged.text
    done = clerk.post(url + "/submit")
    assert done.status_code == 200, done.text
    bag = archive_root(dossier) / str(done.json()["archive_number"])
    recorded = json.loads((bag / "data" / "metadata.json").read_text("utf-8"))["evolume"]["pdfa"]
    assert (recorded["claimed"], recorded["composed_verdict"]) == (True, "pass"), recorded
    assert recorded["sealed_problems"] == [], recorded
    assert _header_version(bag / "data" / "evolume.pdf") <= "1.7"
