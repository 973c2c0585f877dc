"""The court seal from file to file (``seal_file``, an archive's e-volume): the same signature as
``sign_with_key``, verifiable; with ``keep_pdf_1_7`` the document stays PDF 1.7 (no catalog
``/Version /2.0``, no ISO 32002 extension, the ESIC extension declaring PAdES), without it
pyHanko's PDF 2.0 marking for the P-256 key. And the pages and appearances the signing package
draws select only the embedded CJK font (reportlab's initial Helvetica is not embedded)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pikepdf
import pytest

from signing.appearance import SignatureAppearance
from signing.ca import CourtCA
from signing.pades import SignatureFieldError, seal_file, sign_with_key
from signing.tsa import InProcessTimeStamper, MemorySerialSource, TimeStampAuthority
from signing.verify import verify_pdf
from tests.signing.conftest import CA_NOW, SignedTranscript, render_test_transcript

NOW = CA_NOW + dt.timedelta(hours=2)
BOX = (400, 36, 556, 156)


def _timestamper(ca: CourtCA) -> InProcessTimeStamper:
    authority = TimeStampAuthority(
        ca.tsa_cert, ca.tsa_key, ca.chain, MemorySerialSource(), lambda: NOW
    )
    return InProcessTimeStamper(authority)


def _seal(ca: CourtCA) -> SignatureAppearance:
    return SignatureAppearance(ca.court_name, "法院印章", seal=True, page=-1, box=BOX)


def _versions(pdf_bytes: bytes) -> tuple[str, str | None, list[str]]:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        version = pdf.Root.get("/Version")
        extensions = pdf.Root.get("/Extensions", pikepdf.Dictionary())
        return pdf.pdf_version, str(version) if version else None, sorted(extensions.keys())


@pytest.mark.parametrize("keep", [True, False])
def test_seal_file_signs_from_file_to_file(
    session_court_ca: CourtCA, cjk_font: Path, tmp_path: Path, keep: bool
) -> None:
    ca = session_court_ca
    source = tmp_path / "volume.pdf"
    source.write_bytes(render_test_transcript(cjk_font, pages=2))
    target = tmp_path / "sealed.pdf"
    seal_file(
        source, target, "court-seal-1", ca.seal_cert, ca.seal_key, ca.chain, _seal(ca),
        _timestamper(ca), font=cjk_font, now=NOW, keep_pdf_1_7=keep,
    )  # fmt: skip
    sealed = target.read_bytes()
    assert sealed.startswith(source.read_bytes())  # an incremental update of the file as it was
    report = verify_pdf(sealed, [ca.root], now=NOW)
    [signer] = report.signers
    assert signer.intact and signer.signature_valid and signer.trusted and signer.timestamp_ok
    assert signer.covers_whole_file
    header, catalog, extensions = _versions(sealed)
    if keep:
        assert (header, catalog, extensions) == ("1.3", "/1.7", ["/ESIC"])
    else:  # pyHanko's own marking for ECDSA on P-256
        assert catalog == "/2.0" and "/ISO_" in extensions


def test_keeping_pdf_1_7_refuses_a_document_past_it(
    session_court_ca: CourtCA, cjk_font: Path, tmp_path: Path
) -> None:
    ca = session_court_ca
    with pikepdf.open(io.BytesIO(render_test_transcript(cjk_font, pages=1))) as pdf:
        pdf.save(tmp_path / "v2.pdf", min_version="2.0")
    with pytest.raises(SignatureFieldError, match=r"PDF 1\.7"):
        seal_file(
            tmp_path / "v2.pdf", tmp_path / "out.pdf", "court-seal-1", ca.seal_cert,
            ca.seal_key, ca.chain, _seal(ca), None, font=cjk_font, now=NOW, keep_pdf_1_7=True,
        )  # fmt: skip


def test_the_bytes_seal_is_unchanged_by_the_file_seal(
    session_court_ca: CourtCA, cjk_font: Path
) -> None:
    ca = session_court_ca
    sealed = sign_with_key(
        render_test_transcript(cjk_font, pages=1), "court-seal-1", ca.seal_cert, ca.seal_key,
        ca.chain, _seal(ca), None, font=cjk_font, now=NOW,
    )  # fmt: skip
    [signer] = verify_pdf(sealed, [ca.root], now=NOW).signers
    assert signer.intact and signer.signature_valid


def _fonts(holder: pikepdf.Object, seen: set[tuple[int, int]]) -> set[str]:
    """Base names of every font in ``holder``'s resources and its form XObjects'."""
    if holder.is_indirect:
        if holder.objgen in seen:
            return set()
        seen.add(holder.objgen)
    resources = holder.get("/Resources")
    if not isinstance(resources, pikepdf.Dictionary):
        return set()
    found = {str(f.get("/BaseFont")) for f in resources.get("/Font", {}).values()}
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form":
            found |= _fonts(xobject, seen)
    return found


def test_signature_pages_and_appearances_select_no_unembedded_font(
    signed_transcript: SignedTranscript,
) -> None:
    transcript_pages = len(pikepdf.open(io.BytesIO(signed_transcript.transcript)).pages)
    with pikepdf.open(io.BytesIO(signed_transcript.signed)) as pdf:
        seen: set[tuple[int, int]] = set()
        drawn_here: set[str] = set()
        for page in list(pdf.pages)[transcript_pages:]:  # the signature pages
            drawn_here |= _fonts(page.obj, seen)
            for annot in page.obj.get("/Annots", []):  # every signer's appearance
                drawn_here |= _fonts(annot.AP.N, seen)
        assert drawn_here and not any("Helvetica" in name for name in drawn_here), drawn_here
        assert all(name[7:8] == "+" for name in drawn_here), drawn_here  # embedded subsets
