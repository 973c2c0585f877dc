"""Verification anyone can run: ``POST /api/verify``, ``GET /api/court/root.pem``, ``POST /tsa``.

The app opens a CA made by the signing library (``ca_dir``), and the transcripts are signed with
that CA the way the closing workflow does, without depending on that workflow.
"""

from __future__ import annotations

import hashlib
import resource
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import core, tsp  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from hearing_server.api.verification import MAX_PDF_BYTES
from hearing_server.context import ServerContext
from hearing_server.models import RecordingFile
from hearing_server.services import UPLOAD_WINDOW, UPLOADS_PER_WINDOW
from hearing_server.settings import Settings
from hearing_server.verification import VerificationPool
from signing.ca import CourtCA
from tests.server.closing_flow import RECORDINGS, closed_hearing
from tests.server.conftest import START, World, login
from tests.server.signed_pdfs import (
    CA_PASSPHRASE,
    PARTY_SIGNERS,
    change_text,
    make_court_ca,
    sign_transcript,
)
from tests.server.tsa_query import timestamp_query

PDF = {"Content-Type": "application/pdf"}
TSQ = {"Content-Type": "application/timestamp-query"}


@dataclass(frozen=True)
class Signed:
    ca_dir: Path
    ca: CourtCA
    pdf: bytes


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Signed:
    ca_dir = tmp_path_factory.mktemp("court") / "ca"
    ca = make_court_ca(ca_dir)
    return Signed(ca_dir, ca, sign_transcript(ca).signed)


@pytest.fixture
def settings(settings: Settings, signed: Signed) -> Settings:
    """The server tests' settings, with the CA the transcripts were signed by."""
    return settings.model_copy(
        update={"ca_dir": signed.ca_dir, "ca_passphrase": SecretStr(CA_PASSPHRASE)}
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_a_signed_transcript_verifies(client: TestClient, signed: Signed):
    response = client.post("/api/verify", content=signed.pdf, headers=PDF)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True and report["problems"] == []
    names = [(s["role"], s["signer_name"]) for s in report["signatures"]]
    assert names == [(role, name) for _, role, name in PARTY_SIGNERS] + [
        ("电子印章", "北京市朝阳区人民法院")
    ]
    first = report["signatures"][0]
    assert first["field"] == "sig-plaintiff" and first["intact"] and not first["changed_after"]
    assert first["timestamp_time"] >= first["signing_time"]
    assert "Tingshen TSA" in first["tsa"]
    assert len(first["chain"]) == 3 and "Root CA" in first["chain"][-1]
    assert report["binding"]["transcript_version"] == 7
    assert {r["name"] for r in report["binding"]["recordings"]} == {
        "hearing-42-mixed.flac",
        "hearing-42-张三.flac",
    }
    assert response.headers["cache-control"] == "no-store"


def test_a_changed_copy_is_invalid_and_says_why(client: TestClient, signed: Signed):
    forged = change_text(signed.pdf)
    report = client.post("/api/verify", content=forged, headers=PDF).json()
    assert report["valid"] is False
    codes = {p["code"] for p in report["problems"]}
    assert "text_changed" in codes, report["problems"]
    seal = report["signatures"][-1]
    assert seal["changed_after"] is True
    assert any(p["code"] == "text_changed" for p in seal["problems"])
    assert all(p["message"] for p in report["problems"])


def test_a_transcript_of_another_court_is_untrusted(client: TestClient, tmp_path: Path):
    stranger = sign_transcript(make_court_ca(tmp_path / "other-ca")).signed
    report = client.post("/api/verify", content=stranger, headers=PDF).json()
    assert report["valid"] is False
    assert "untrusted_chain" in {p["code"] for p in report["problems"]}


def test_too_large_is_refused_while_reading(client: TestClient):
    sent = 0

    def body() -> Iterator[bytes]:  # no Content-Length: the limit must hold on the stream
        nonlocal sent
        chunk = b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9)
        while sent <= MAX_PDF_BYTES + len(chunk):
            sent += len(chunk)
            yield chunk

    response = client.post("/api/verify", content=body(), headers=PDF)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_file_of_exactly_the_limit_is_read(client: TestClient):
    body = b"%PDF-1.7\n" + b"0" * (MAX_PDF_BYTES - 9)  # no trailer: refused after reading
    response = client.post("/api/verify", content=body, headers=PDF)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "not_pdf"


def test_declared_too_large_is_refused_before_reading(client: TestClient):
    headers = {**PDF, "Content-Length": str(MAX_PDF_BYTES + 1)}
    response = client.post("/api/verify", content=b"%PDF-", headers=headers)
    assert response.status_code == 413


def test_not_a_pdf_is_refused(client: TestClient, signed: Signed):
    response = client.post("/api/verify", content=b"GIF89a not a transcript", headers=PDF)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_pdf"
    cut_short = client.post("/api/verify", content=signed.pdf[: len(signed.pdf) // 2], headers=PDF)
    assert cut_short.status_code == 422
    assert cut_short.json()["error"]["code"] == "not_pdf"
    wrong_type = client.post("/api/verify", content=signed.pdf, headers=TSQ)
    assert wrong_type.status_code == 415


def test_a_broken_pdf_is_an_invalid_report(client: TestClient):
    broken = b"%PDF-1.7\n1 0 obj <<\nstartxref\n9\n%%EOF\n"
    response = client.post("/api/verify", content=broken, headers=PDF)
    assert response.status_code == 200
    report = response.json()
    assert report["valid"] is False
    assert report["problems"][0]["code"] == "unreadable"


def _hang(pdf: bytes, roots_pem: bytes, recordings: Mapping[str, str] | None) -> dict[str, Any]:
    """A verification that never ends (runs in the worker process)."""
    threading.Event().wait()
    raise AssertionError("unreachable")


def test_a_verification_that_overruns_is_killed(app: FastAPI, client: TestClient, signed: Signed):
    services = app.state.services
    hanging = VerificationPool(workers=1, timeout_s=2, function=_hang)
    app.state.services = replace(services, verification=hanging)
    try:
        response = client.post("/api/verify", content=signed.pdf, headers=PDF)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "verification_timeout"
        assert hanging._running == set()  # the worker process was killed, not left running
    finally:
        hanging.close()
    app.state.services = services  # the next request starts a working pool
    again = client.post("/api/verify", content=signed.pdf, headers=PDF)
    assert again.json()["valid"] is True
    assert isinstance(app.state.services.verification, VerificationPool)


def _hog(pdf: bytes, roots_pem: bytes, recordings: Mapping[str, str] | None) -> dict[str, Any]:
    """A verification that wants more memory than a worker may have."""
    hoard = bytearray(1536 * 1024**2)  # affordable if the limit were not applied
    raise AssertionError(f"allocated {len(hoard)} bytes despite the limit")


def test_a_verification_is_held_to_its_memory_limit(app: FastAPI, client: TestClient):
    hog = VerificationPool(workers=1, function=_hog, memory_limit_bytes=1024**3)
    app.state.services = replace(app.state.services, verification=hog)
    try:
        response = client.post("/api/verify", content=b"%PDF-1.7\nstartxref\n0\n%%EOF", headers=PDF)
    finally:
        hog.close()
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_complex"
    memory = resource.getrlimit(resource.RLIMIT_AS)
    assert memory[0] == resource.RLIM_INFINITY or memory[0] > 1024**3  # the worker's limit only


def test_root_pem_is_the_court_root(client: TestClient, signed: Signed):
    response = client.get("/api/court/root.pem")
    assert response.status_code == 200
    root = x509.load_pem_x509_certificate(response.content)
    assert root == signed.ca.root
    assert root.subject == root.issuer


def _query(digest: bytes, nonce: int = 0x5EED) -> bytes:
    return timestamp_query(digest, nonce)


async def _validate(ca: CourtCA, token: Any, digest: bytes) -> TimestampSignatureStatus:
    root = asn1_x509.Certificate.load(ca.root.public_bytes(Encoding.DER))
    context = ValidationContext(trust_roots=[root], moment=START)
    kwargs = await validate_tst_signed_data(token["content"], context, lambda _alg: digest)
    return TimestampSignatureStatus(**kwargs)


async def test_tsa_answers_a_query_with_a_token_that_verifies(client: TestClient, signed: Signed):
    digest = hashlib.sha256(b"transcript v7").digest()
    response = client.post("/tsa", content=_query(digest), headers=TSQ)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    token = reply["time_stamp_token"]
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 0x5EED
    assert info["gen_time"].native == START  # the app's clock
    status = await _validate(signed.ca, token, digest)
    assert status.intact and status.valid and status.trusted
    assert not (await _validate(signed.ca, token, hashlib.sha256(b"other").digest())).intact


def test_tsa_rejects_garbage_with_a_status(client: TestClient):
    response = client.post("/tsa", content=b"\x30\x03garbage", headers=TSQ)
    assert response.status_code == 200
    status = tsp.PKIStatusInfo.load(core.Sequence.load(response.content)[0].dump())
    assert status["status"].native == "rejection"
    assert status["fail_info"].native == {"bad_data_format"}
    too_big = client.post("/tsa", content=b"\x30" * (64 * 1024), headers=TSQ)
    assert too_big.status_code == 413
    assert client.post("/tsa", content=b"x", headers=PDF).status_code == 415


def test_without_signing_the_routes_are_absent(app: FastAPI, client: TestClient):
    app.state.services = replace(app.state.services, pki=None)
    assert client.get("/api/court/root.pem").status_code == 404
    assert client.post("/api/verify", content=b"%PDF-", headers=PDF).status_code == 404


def test_a_hearing_document_is_verified_with_its_recordings(
    app: FastAPI, ctx: ServerContext, world: World, make_client, code_sender
):
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    url = f"{court.api}/verification"
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    pending = court.observer.client.get(url).json()
    assert pending["valid"] is False and pending["complete"] is False
    assert pending["recordings_checked"] is True
    assert [p["code"] for p in pending["problems"]] == ["no_signatures"]

    for signer in (court.plaintiff, court.defendant, court.agent, court.judge, court.clerk):
        signer.sign()
    report = court.observer.client.get(url).json()
    assert report["valid"] is True and report["complete"] is True, report["problems"]
    assert report["signatures"][-1]["role"] == "电子印章"
    assert {r["name"]: r["sha256"] for r in report["binding"]["recordings"]} == RECORDINGS
    assert {r["check"] for r in report["binding"]["recordings"]} == {"matches"}

    with ctx.session_factory() as session:  # the archive's digest no longer matches the binding
        row = session.scalars(select(RecordingFile).where(RecordingFile.name == "mix")).one()
        row.sha256 = "00" * 32
        session.commit()
    changed = court.plaintiff.client.get(url).json()
    assert changed["valid"] is False
    assert [p["code"] for p in changed["problems"]] == ["recording_mismatch"]
    assert "mix" in changed["problems"][0]["message"]
    checks = {r["name"]: r["check"] for r in changed["binding"]["recordings"]}
    assert checks == {name: "differs" if name == "mix" else "matches" for name in RECORDINGS}

    assert make_client().get(url).status_code == 401
    stranger = make_client()
    login(stranger, "clerk_b")
    assert stranger.get(url).status_code == 404  # another court: not revealed


def test_uploads_are_rate_limited_per_address(client: TestClient, clock):
    for _ in range(UPLOADS_PER_WINDOW):
        assert client.post("/api/verify", content=b"GIF89a", headers=PDF).status_code == 422
    refused = client.post("/api/verify", content=b"GIF89a", headers=PDF)
    assert refused.status_code == 429
    # The count is shared by every server process and slides: a full window later the previous
    # window's uploads still weigh (as if spread evenly over it); two windows later they do not.
    clock.advance(UPLOAD_WINDOW)
    assert client.post("/api/verify", content=b"GIF89a", headers=PDF).status_code == 429
    clock.advance(UPLOAD_WINDOW)
    assert client.post("/api/verify", content=b"GIF89a", headers=PDF).status_code == 422


def test_a_recording_missing_from_the_archive_is_not_checked_rather_than_altered(
    app: FastAPI, ctx: ServerContext, world: World, make_client, code_sender
):
    """Issue 13: the recordings not supplied are "not checked", and the record stays valid."""
    court = closed_hearing(app, ctx, world, make_client, code_sender)
    url = f"{court.api}/verification"
    assert court.judge.client.post(f"{court.api}/freeze").status_code == 200
    for signer in (court.plaintiff, court.defendant, court.agent, court.judge, court.clerk):
        signer.sign()
    missing = sorted(name for name in RECORDINGS if name != "mix")[0]
    with ctx.session_factory() as session:  # one recording is not in the archive (any more)
        row = session.scalars(select(RecordingFile).where(RecordingFile.name == missing)).one()
        session.delete(row)
        session.commit()
    report = court.observer.client.get(url).json()
    assert report["valid"] is True and report["problems"] == [], report["problems"]
    checks = {r["name"]: r["check"] for r in report["binding"]["recordings"]}
    assert checks == {name: "not_checked" if name == missing else "matches" for name in RECORDINGS}


def test_an_upload_checks_no_recording_and_says_so(client: TestClient, signed: Signed):
    report = client.post("/api/verify", content=signed.pdf, headers=PDF).json()
    assert report["valid"] is True, report["problems"]
    recordings = report["binding"]["recordings"]
    assert recordings and {r["check"] for r in recordings} == {"not_checked"}
    assert report["recordings_not_bound"] == []
