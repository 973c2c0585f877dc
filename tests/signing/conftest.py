"""Fixtures of the signing tests (shared file: append fixtures, do not rewrite).

- ``ca_now``: the fixed UTC moment the test CA is created at.
- ``court_ca``: a fresh :class:`signing.ca.CourtCA` in ``tmp_path`` (passphrase ``CA_PASSPHRASE``).
- ``session_court_ca``: one CA for the whole session, for tests that only read it.
- ``timestamp_authority``: a :class:`signing.tsa.TimeStampAuthority` of ``court_ca`` with an
  in-memory serial counter and a clock fixed one minute after ``ca_now``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from signing.ca import CourtCA
from signing.tsa import MemorySerialSource, TimeStampAuthority

CA_NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
CA_PASSPHRASE = b"test passphrase, not for production"
COURT_NAME = "北京市朝阳区人民法院"


@pytest.fixture
def ca_now() -> dt.datetime:
    return CA_NOW


@pytest.fixture
def court_ca(tmp_path: Path) -> CourtCA:
    return CourtCA.create(tmp_path / "ca", CA_PASSPHRASE, COURT_NAME, now=CA_NOW)


@pytest.fixture(scope="session")
def session_court_ca(tmp_path_factory: pytest.TempPathFactory) -> CourtCA:
    directory = tmp_path_factory.mktemp("court-ca") / "ca"
    return CourtCA.create(directory, CA_PASSPHRASE, COURT_NAME, now=CA_NOW)


@pytest.fixture
def timestamp_authority(court_ca: CourtCA) -> TimeStampAuthority:
    moment = CA_NOW + dt.timedelta(minutes=1)
    return TimeStampAuthority(
        court_ca.tsa_cert, court_ca.tsa_key, court_ca.chain, MemorySerialSource(), lambda: moment
    )


# ---------------------------------------------------------------- PAdES (signing.pades*, verify*)
# - ``cjk_font``: the packaged WenQuanYi Micro Hei the transcript PDF uses.
# - ``signed_transcript``: one transcript signed for the whole session by two parties and two
#   lawyers-or-staff in the browser's way (P-256 keys, P1363 values via prepare/finish), then
#   the judge-side court seal (``sign_with_key``); every revision is kept. Tests that mutate it
#   copy the bytes; nothing here is written back.

import io  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from importlib import resources  # noqa: E402

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature  # noqa: E402

from signing.appearance import SignatureAppearance  # noqa: E402
from signing.binding import RecordingDigest  # noqa: E402
from signing.ca import SignerIdentity  # noqa: E402
from signing.pades import (  # noqa: E402
    PreparedSignature,
    finish_signature,
    prepare_signature,
    sign_with_key,
)
from signing.pades_document import SignerSlot, prepare_document  # noqa: E402
from signing.tsa import InProcessTimeStamper  # noqa: E402

CASE_NUMBER = "(2026)京0105民初1234号"
HEARING_ID = "hearing-42"
PARTY_SIGNERS = (  # field, role, name: who signs in the browser, in order
    ("sig-plaintiff", "原告", "张三"),
    ("sig-defendant", "被告", "李四"),
    ("sig-judge", "审判长", "王五"),
    ("sig-clerk", "书记员", "赵六"),
)
RECORDINGS = {
    "hearing-42-mixed.flac": ("3f" * 32, 3_725_000),
    "hearing-42-张三.flac": ("a1" * 32, 3_700_000),
}


class SteppingClock:
    """A clock the test moves: signers and the TSA read the same simulated time."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class SignedTranscript:
    ca: CourtCA
    font: Path
    clock: SteppingClock
    timestamper: InProcessTimeStamper
    transcript: bytes  # as rendered
    prepared_document: bytes  # binding + signature page + empty fields
    revisions: list[bytes] = field(default_factory=list)  # after each signature, in order
    keys: dict[str, ec.EllipticCurvePrivateKey] = field(default_factory=dict)
    certs: dict[str, x509.Certificate] = field(default_factory=dict)

    @property
    def signed(self) -> bytes:
        return self.revisions[-1]

    @property
    def recording_digests(self) -> dict[str, str]:
        return {name: digest for name, (digest, _) in RECORDINGS.items()}


def packaged_cjk_font() -> Path:
    return Path(str(resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))


def render_test_transcript(font: Path, pages: int = 3) -> bytes:
    """A small court-style transcript with CJK text (reportlab, reproducible bytes)."""
    from reportlab.pdfgen.canvas import Canvas

    from signing.appearance import register_font

    name = register_font(font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for page in range(1, pages + 1):
        canvas.setFont(name, 16)
        canvas.drawString(200, 780, "庭 审 笔 录")
        canvas.setFont(name, 12)
        for line in range(30):
            canvas.drawString(70, 740 - line * 22, f"审判长：第{page}页第{line + 1}行，现在开庭。")
        canvas.drawString(260, 40, f"第 {page} 页 共 {pages} 页")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def p1363(signature_der: bytes) -> bytes:
    r, s = decode_dss_signature(signature_der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def handwriting_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (320, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 90), (90, 20), (170, 80), (300, 15)], fill="#102060", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def sign_as_party(
    state: SignedTranscript, pdf: bytes, field_name: str, role: str, name: str
) -> bytes:
    """What the browser flow does: prepare, persist, sign r||s with WebCrypto's key, finish."""
    key = ec.generate_private_key(ec.SECP256R1())
    identity = SignerIdentity(name, role, CASE_NUMBER, HEARING_ID, "sms:+86-138-0000-0000")
    cert = state.ca.issue_signer(key.public_key(), identity, now=state.clock.now)
    state.keys[field_name], state.certs[field_name] = key, cert
    appearance = SignatureAppearance(name, role, handwriting_png(), reason="我已阅读笔录，确认无误")
    prepared = prepare_signature(
        pdf, field_name, cert, state.ca.chain, appearance, font=state.font, now=state.clock.now
    )
    restored = PreparedSignature.from_bytes(prepared.to_bytes())  # survives a restart
    value = p1363(key.sign(restored.to_be_signed, ec.ECDSA(hashes.SHA256())))
    state.clock.advance(seconds=40)  # the party takes a while to confirm
    return finish_signature(restored, value, state.timestamper)


@pytest.fixture(scope="session")
def cjk_font() -> Path:
    return packaged_cjk_font()


def sign_full_record(ca: CourtCA, font: Path, start: dt.datetime) -> SignedTranscript:
    """Four parties sign in the browser's way from ``start``, then the court seal; every
    revision kept (shared by this folder's fixture and tests/server/signed_pdfs.py)."""
    clock = SteppingClock(start)
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


@pytest.fixture(scope="session")
def signed_transcript(session_court_ca: CourtCA, cjk_font: Path) -> SignedTranscript:
    return sign_full_record(session_court_ca, cjk_font, CA_NOW + dt.timedelta(hours=1))
