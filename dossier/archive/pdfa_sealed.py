"""The sealed e-volume against PDF/A-2b: the composed volume is its first revision, byte for
byte (the seal is an incremental update), and pikepdf's validator checks that revision; the
seal's update is checked here for what PDF/A needs of it, since the validator does not look
into a document with a form (``/AcroForm``: the signature field) and stops there.

Checks of the final revision (:func:`update_problems`): no encryption; no PDF version above
1.7 in the header or the catalog (PDF/A-2 is based on PDF 1.7; the archive's seal keeps it,
``signing.pades.seal_file(keep_pdf_1_7=True)``, where pyHanko would otherwise mark the file
PDF 2.0 for the court's P-256 key); the XMP packet still claims PDF/A-2 level B and agrees with
the Info dictionary (pyHanko updates both); the sRGB output intent with its ICC profile still
there; no JavaScript (document names, open action, additional actions); every annotation
printable, visible and with an appearance; no page font without its program."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pikepdf

from dossier.archive.pdf_fonts import unembedded_fonts
from dossier.archive.pdfa import FLAVOUR, conformance, info_mismatches

__all__ = ["check_sealed", "package_problems", "update_problems", "volume_report"]

HIDDEN, PRINT, NO_VIEW = 2, 4, 32
"""Annotation flags (ISO 32000-1 table 165): PDF/A wants Print set, Hidden and NoView not."""


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (99,)  # not a version: not 1.7 either


def _catalog_problems(pdf: pikepdf.Pdf) -> list[str]:
    found: list[str] = []
    if "/Encrypt" in pdf.trailer:
        found.append("encrypted")
    catalog = str(pdf.Root.get("/Version", "/1.0")).lstrip("/")
    for where, version in (("header", pdf.pdf_version), ("catalog", catalog)):
        if _version(version) > (1, 7):
            found.append(f"PDF {version} in the {where}: PDF/A-2 is based on PDF 1.7")
    meta = pdf.open_metadata()
    if (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) != ("2", "B"):
        found.append("XMP does not claim PDF/A-2b")
    found += info_mismatches(pdf)
    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array) or not any(
        isinstance(i, pikepdf.Dictionary)
        and i.get("/S") == "/GTS_PDFA1"
        and isinstance(i.get("/DestOutputProfile"), pikepdf.Stream)
        for i in intents
    ):
        found.append("no PDF/A output intent with an ICC profile")
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        found.append("document JavaScript")
    action = pdf.Root.get("/OpenAction")
    if isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/JavaScript":
        found.append("JavaScript open action")
    if "/AA" in pdf.Root:
        found.append("document additional actions")
    return found


def update_problems(pdf: pikepdf.Pdf) -> list[str]:
    """What PDF/A-2b needs of the final revision that it lacks (``[]``: nothing)."""
    found = _catalog_problems(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        if "/AA" in page.obj:
            found.append(f"page {number}: additional actions")
        for annot in page.obj.get("/Annots", pikepdf.Array()):
            if not isinstance(annot, pikepdf.Dictionary) or annot.get("/Subtype") == "/Popup":
                continue
            flags = int(annot.get("/F", 0))
            if not flags & PRINT or flags & (HIDDEN | NO_VIEW):
                found.append(f"page {number}: an annotation not printable or hidden")
            if "/AP" not in annot:
                found.append(f"page {number}: an annotation without appearance")
            action = annot.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/JavaScript":
                found.append(f"page {number}: a JavaScript action")
    found += [f"font not embedded: {name}" for name in unembedded_fonts(pdf, annotations=False)]
    return found


def check_sealed(sealed: Path, composed_length: int) -> dict[str, Any]:
    """The composed revision through pikepdf's validator, the seal's update through
    :func:`update_problems`."""
    with tempfile.TemporaryDirectory(prefix="pdfa-") as work:
        first = Path(work) / "composed.pdf"
        with sealed.open("rb") as source, first.open("wb") as sink:
            left = composed_length
            while left > 0 and (chunk := source.read(min(left, 1024 * 1024))):
                sink.write(chunk)
                left -= len(chunk)
        composed = conformance(first)
    with pikepdf.open(sealed) as pdf:
        problems = update_problems(pdf)
        annotation_fonts = unembedded_fonts(pdf)
    return {
        "composed_verdict": composed.verdict,
        "composed_findings": composed.findings[:50],
        "sealed_problems": problems[:50],
        "unembedded_fonts_with_annotations": annotation_fonts,
    }


def volume_report(
    sealed: Path, composed_length: int, claimed: bool, fonts_embedded: list[int],
    save_findings: list[str],
) -> dict[str, Any]:  # fmt: skip
    """What the package's metadata says of the e-volume's PDF/A."""
    checked = check_sealed(sealed, composed_length) if claimed else {}
    return {
        "flavour": FLAVOUR,
        "claimed": claimed,
        "composed_length": composed_length,
        **checked,
        "save_findings": save_findings[:50],
        "fonts_embedded_for_items": fonts_embedded,
        "validator": f"pikepdf.pdfa {pikepdf.__version__} (allow-list; not veraPDF)",
    }


def package_problems(bag: Path) -> list[dict[str, str]]:
    """For the fixity check of a package whose bytes are whole: if its metadata says the
    e-volume was written as PDF/A-2b, what no longer holds (``[]``: all holds, or nothing was
    claimed)."""
    try:
        metadata = json.loads((bag / "data" / "metadata.json").read_text("utf-8"))
        recorded = metadata["evolume"].get("pdfa", {})
    except (OSError, ValueError, KeyError):
        return [{"path": "data/metadata.json", "problem": "metadata unreadable"}]
    if not recorded.get("claimed"):
        return []
    checked = check_sealed(bag / "data" / "evolume.pdf", int(recorded["composed_length"]))
    problems = [f"{f['rule']}: {f['message']}" for f in checked["composed_findings"]] + checked[
        "sealed_problems"
    ]
    return [{"path": "data/evolume.pdf", "problem": f"PDF/A-{FLAVOUR}: {p}"} for p in problems]
