"""PDF/A-2b for the e-volume, as far as the tools here allow: declaring it and checking a file
(the fonts: :mod:`dossier.archive.pdf_fonts`).

- Declaring: ``pikepdf.pdfa.save`` (pikepdf's PDF/A preparation) writes the XMP packet with
  ``pdfaid:part 2`` / ``conformance B`` in step with the Info dictionary, the sRGB output intent
  with the ICC profile that pikepdf ships (package data, nothing fetched), print flags on
  annotations, no document JavaScript; then it re-reads what it wrote and refuses it unless its
  validator approves.
- Fonts: a material whose PDF uses a font that is not embedded (a base-14 Helvetica, a typed
  letter whose fonts the writer left out) is rewritten by Ghostscript (Debian ``ghostscript``,
  ``pdfwrite`` with every font embedded, the pages kept) before it goes into the volume.
- Checking (:func:`conformance`): pikepdf's allow-list validator (``pikepdf.pdfa``, rules named
  after veraPDF's rule ids). It approves only what it recognises: a construct it does not know
  is reported as "unsupported", never silently passed. It is not veraPDF and not a full
  validation of ISO 19005-2; the README says which checks are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import pdfa
from pikepdf.models.metadata import decode_pdf_date
from pyhanko.pdf_utils.metadata.model import VENDOR as PYHANKO_VENDOR

__all__ = [
    "FLAVOUR",
    "SEAL_PRODUCER",
    "Conformance",
    "conformance",
    "declare",
    "info_mismatches",
]

FLAVOUR = "2b"


@dataclass(frozen=True, slots=True)
class Conformance:
    flavour: str
    verdict: str
    """``pass``, ``fail`` (a violation) or ``not_checked`` (a construct the validator does not
    check)."""
    findings: list[dict[str, str]]
    """``rule``, ``where``, ``message``, ``kind`` (``violation`` / ``unsupported``)."""

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"

    def as_json(self) -> dict[str, Any]:
        return {"flavour": self.flavour, "verdict": self.verdict, "findings": self.findings}


INFO_XMP = (
    ("/Title", "dc:title"),
    ("/Author", "dc:creator"),
    ("/Subject", "dc:description"),
    ("/Keywords", "pdf:Keywords"),
    ("/Creator", "xmp:CreatorTool"),
    ("/Producer", "pdf:Producer"),
    ("/CreationDate", "xmp:CreateDate"),
    ("/ModDate", "xmp:ModifyDate"),
)
"""The Info entries and their XMP equivalents, which must agree (ISO 19005-1 6.7.3; for part 2
pikepdf's validator leaves it out, and this project checks it all the same)."""


SEAL_PRODUCER = PYHANKO_VENDOR
"""The producer the volume declares: the seal's (pyHanko), which writes the sealed file last.
pyHanko sets XMP ``pdf:Producer`` to its own name and appends it to the Info ``/Producer``
unless already there; with any other producer the two would disagree after the seal."""


def declare(pdf: pikepdf.Pdf) -> None:
    """Prepare ``pdf`` for PDF/A-2b (pikepdf: XMP claim, sRGB output intent, annotation flags,
    no document JavaScript) and name the seal's producer in Info and XMP alike."""
    pdfa.prepare(pdf, FLAVOUR)
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["pdf:Producer"] = SEAL_PRODUCER


def conformance(path: Path, flavour: str = FLAVOUR) -> Conformance:
    """Check the written file ``path`` against PDF/A-``flavour``: pikepdf's validator, and the
    Info dictionary against the XMP packet (rule ``tingshen:info-xmp``)."""
    report = pdfa.validate_written(path, flavour)
    findings = [
        {"rule": f.rule, "where": f.where, "message": f.message, "kind": f.kind}
        for f in report.findings
    ]
    try:
        with pikepdf.open(path) as pdf:
            mismatches = info_mismatches(pdf)
    except pikepdf.PdfError as error:  # the validator has said so too
        mismatches = [f"unreadable: {error}"]
    findings += [
        {"rule": "tingshen:info-xmp", "where": "Info", "message": m, "kind": "violation"}
        for m in mismatches
    ]
    verdict = "fail" if mismatches else report.verdict
    return Conformance(flavour, verdict, findings)


def _instant(value: str, pdf_date: bool) -> datetime | None:
    try:
        return decode_pdf_date(value) if pdf_date else datetime.fromisoformat(value)
    except ValueError:
        return None


def info_mismatches(pdf: pikepdf.Pdf) -> list[str]:
    """Each Info entry whose XMP equivalent says something else (or is missing)."""
    found: list[str] = []
    meta = pdf.open_metadata()
    for key, prop in INFO_XMP:
        if key not in pdf.docinfo:
            continue
        info = str(pdf.docinfo[key])
        xmp: Any = meta.get(prop)
        if isinstance(xmp, list):
            xmp = xmp[0] if len(xmp) == 1 else None
        if key.endswith("Date"):
            same = xmp is not None and _instant(info, True) == _instant(str(xmp), False)
        else:
            same = xmp == info
        if not same:
            found.append(f"{key} {info!r} does not match XMP {prop} {xmp!r}")
    return found
