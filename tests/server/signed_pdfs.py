"""Signed transcripts for the verification API and page tests, made with the signing library alone.

:func:`make_court_ca` creates a CA in a directory the app then opens as its own (``ca_dir`` with
:data:`CA_PASSPHRASE`); :func:`sign_transcript` signs a 3-page transcript by the four parties of
``tests.signing.conftest`` and seals it, as the closing workflow would; :func:`change_text` is a
forger's incremental update of page 1 after every signature.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.ca import CourtCA
from tests.signing.conftest import (
    CASE_NUMBER,
    PARTY_SIGNERS,
    RECORDINGS,
    SignedTranscript,
    packaged_cjk_font,
    sign_full_record,
)

CA_PASSPHRASE = "verification test passphrase"
COURT_NAME = "北京市朝阳区人民法院"
#: Before the server tests' FakeClock start (2026-11-28 08:00 UTC), so the app's TSA is in time.
CA_CREATED = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)

__all__ = [
    "CASE_NUMBER",
    "CA_PASSPHRASE",
    "COURT_NAME",
    "PARTY_SIGNERS",
    "RECORDINGS",
    "change_text",
    "make_court_ca",
    "sign_transcript",
]


def make_court_ca(directory: Path) -> CourtCA:
    return CourtCA.create(directory, CA_PASSPHRASE.encode(), COURT_NAME, now=CA_CREATED)


def sign_transcript(ca: CourtCA) -> SignedTranscript:
    """Four parties sign in the browser's way, then the court seal; every revision kept."""
    return sign_full_record(ca, packaged_cjk_font(), CA_CREATED + dt.timedelta(hours=2))


def change_text(pdf: bytes) -> bytes:
    """Replace page 1's content in an incremental update (what a forger's editor would do)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)  # type: ignore[no-untyped-call]
    page = page_ref.get_object()
    forged = generic.StreamObject(stream_data=b"BT /F1 12 Tf 70 700 Td (forged) Tj ET")
    page[pdf_name("/Contents")] = writer.add_object(forged)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()
