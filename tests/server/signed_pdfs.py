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

from signing.appearance import SignatureAppearance
from signing.binding import RecordingDigest
from signing.ca import CourtCA
from signing.pades import sign_with_key
from signing.pades_document import SignerSlot, prepare_document
from signing.tsa import InProcessTimeStamper, MemorySerialSource, TimeStampAuthority
from tests.signing.conftest import (
    CASE_NUMBER,
    HEARING_ID,
    PARTY_SIGNERS,
    RECORDINGS,
    SignedTranscript,
    SteppingClock,
    packaged_cjk_font,
    render_test_transcript,
    sign_as_party,
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
    font = packaged_cjk_font()
    clock = SteppingClock(CA_CREATED + dt.timedelta(hours=2))
    authority = TimeStampAuthority(ca.tsa_cert, ca.tsa_key, ca.chain, MemorySerialSource(), clock)
    transcript = render_test_transcript(font)
    slots = [SignerSlot(f, f"{role} {name}") for f, role, name in PARTY_SIGNERS]
    slots.append(SignerSlot("sig-seal", "法院印章", seal=True))
    document = prepare_document(
        transcript,
        hearing_id=HEARING_ID,
        case_number=CASE_NUMBER,
        transcript_version=7,
        recordings=[RecordingDigest(n, d, ms) for n, (d, ms) in RECORDINGS.items()],
        slots=slots,
        font=font,
    )
    state = SignedTranscript(ca, font, clock, InProcessTimeStamper(authority), transcript, document)
    pdf = document
    for field_name, role, name in PARTY_SIGNERS:
        clock.advance(minutes=3)
        pdf = sign_as_party(state, pdf, field_name, role, name)
        state.revisions.append(pdf)
    clock.advance(minutes=2)
    seal = SignatureAppearance(ca.court_name, "法院印章", seal=True)
    pdf = sign_with_key(
        pdf, "sig-seal", ca.seal_cert, ca.seal_key, ca.chain, seal, state.timestamper,
        font=font, now=clock.now,
    )  # fmt: skip
    state.revisions.append(pdf)
    return state


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
