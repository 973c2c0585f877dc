"""The RFC 3161 timestamp authority: granted tokens verify, bad requests get a rejection."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import threading
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import algos, cms, tsp  # type: ignore[import-untyped, unused-ignore]
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

from signing.ca import CourtCA
from signing.errors import InvalidSignatureError, TimestampAuthorityError
from signing.primitives import ecdsa_p256_verify
from signing.tsa import (
    DEFAULT_POLICY_OID,
    FileSerialSource,
    InProcessTimeStamper,
    MemorySerialSource,
    TimeStampAuthority,
)
from tests.signing.conftest import CA_NOW

DIGEST = hashlib.sha256(b"transcript v12").digest()
HASHES = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def request(
    digest: bytes = DIGEST, algorithm: str = "sha256", *, nonce: int | None = 0x1234_5678_9ABC,
    cert_req: bool = True, **extra: Any,
) -> bytes:  # fmt: skip
    fields: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
            "hashed_message": digest,
        },
        "cert_req": cert_req,
        **extra,
    }
    if nonce is not None:
        fields["nonce"] = nonce
    return bytes(tsp.TimeStampReq(fields).dump())


def status_of(response_der: bytes) -> tuple[str, set[str]]:
    status = tsp.PKIStatusInfo.load(_status_der(response_der))
    return status["status"].native, set(status["fail_info"].native or ())


def _status_der(response_der: bytes) -> bytes:
    """The PKIStatusInfo inside a TimeStampResp (asn1crypto 1.5 cannot parse rejections)."""
    from asn1crypto import core  # type: ignore[import-untyped, unused-ignore]

    outer = core.Sequence.load(response_der)
    return bytes(outer[0].dump())


def token_of(response_der: bytes) -> cms.ContentInfo:
    response = tsp.TimeStampResp.load(response_der)
    assert response["status"]["status"].native == "granted"
    return response["time_stamp_token"]


async def validate(ca: CourtCA, token: cms.ContentInfo, digest: bytes) -> TimestampSignatureStatus:
    root = asn1_x509.Certificate.load(ca.root.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root], moment=CA_NOW + dt.timedelta(hours=1))
    kwargs = await validate_tst_signed_data(token["content"], context, lambda _alg: digest)
    return TimestampSignatureStatus(**kwargs)


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512"])
async def test_granted_token_verifies_in_pyhanko(
    court_ca: CourtCA, timestamp_authority: TimeStampAuthority, algorithm: str
):
    digest = HASHES[algorithm](b"transcript v12").digest()
    token = token_of(timestamp_authority.respond(request(digest, algorithm)))
    status = await validate(court_ca, token, digest)
    assert status.intact and status.valid and status.trusted
    assert status.timestamp == CA_NOW + dt.timedelta(minutes=1)
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 0x1234_5678_9ABC
    assert info["policy"].native == DEFAULT_POLICY_OID
    assert info["message_imprint"]["hash_algorithm"]["algorithm"].native == algorithm
    assert info["accuracy"]["seconds"].native == 1
    subjects = {c.chosen.subject.human_friendly for c in token["content"]["certificates"]}
    assert any("Tingshen TSA" in s for s in subjects) and any("Root CA" in s for s in subjects)
    other = await validate(court_ca, token, hashlib.new(algorithm, b"other").digest())
    assert not other.intact


def test_token_signature_verifies_through_our_wrapper(
    court_ca: CourtCA, timestamp_authority: TimeStampAuthority
):
    signer_info = token_of(timestamp_authority.respond(request()))["content"]["signer_infos"][0]
    signed_attrs = signer_info["signed_attrs"].untag().dump()
    signature = signer_info["signature"].native
    ecdsa_p256_verify(court_ca.tsa_cert.public_key(), signed_attrs, signature)  # type: ignore[arg-type]
    with pytest.raises(InvalidSignatureError):
        ecdsa_p256_verify(court_ca.seal_cert.public_key(), signed_attrs, signature)  # type: ignore[arg-type]


def test_cert_req_false_leaves_certificates_out(timestamp_authority: TimeStampAuthority):
    token = token_of(timestamp_authority.respond(request(cert_req=False, nonce=None)))
    assert not token["content"]["certificates"]
    assert token["content"]["encap_content_info"]["content"].parsed["nonce"].native is None


async def test_pyhanko_timestamper_in_process(
    court_ca: CourtCA, timestamp_authority: TimeStampAuthority
):
    stamper = InProcessTimeStamper(timestamp_authority)
    token = await stamper.async_timestamp(DIGEST, "sha256")  # checks the nonce echo itself
    assert (await validate(court_ca, token, DIGEST)).trusted
    picky = InProcessTimeStamper(
        TimeStampAuthority(
            court_ca.tsa_cert,
            court_ca.tsa_key,
            court_ca.chain,
            MemorySerialSource(),
            lambda: CA_NOW,
            policy_oid="1.2.3.4",
        )
    )
    original = picky.request_cms

    def with_other_policy(digest: bytes, algorithm: str) -> tuple[int, tsp.TimeStampReq]:
        nonce, req = original(digest, algorithm)  # type: ignore[no-untyped-call]
        req["req_policy"] = "1.2.3.5"
        return nonce, req

    picky.request_cms = with_other_policy  # type: ignore[method-assign]
    with pytest.raises(TimestampRequestError, match="unaccepted_policy"):
        await picky.async_timestamp(DIGEST, "sha256")


BAD_REQUESTS: list[tuple[str, bytes, str]] = [
    ("empty", b"", "bad_data_format"),
    ("garbage", b"not ASN.1 at all", "bad_data_format"),
    ("truncated", request()[:-3], "bad_data_format"),
    ("trailing bytes", request() + b"\0", "bad_data_format"),
    ("sha1 imprint", request(hashlib.sha1(b"x").digest(), "sha1"), "bad_alg"),
    ("md5 imprint", request(hashlib.md5(b"x").digest(), "md5"), "bad_alg"),
    ("short digest", request(DIGEST[:31]), "bad_data_format"),
    ("sha384 label, sha256 digest", request(DIGEST, "sha384"), "bad_data_format"),
    ("version 2", request(version=2), "bad_request"),
    ("foreign policy", request(req_policy="1.2.3.4"), "unaccepted_policy"),
    (
        "extension",
        request(extensions=[{"extn_id": "1.2.3.4", "critical": False, "extn_value": b"\x05\x00"}]),
        "unaccepted_extensions",
    ),
]


@pytest.mark.parametrize(
    ("case", "request_der", "fail_info"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS]
)
def test_bad_requests_get_a_rejection(
    timestamp_authority: TimeStampAuthority, case: str, request_der: bytes, fail_info: str
):
    assert status_of(timestamp_authority.respond(request_der)) == ("rejection", {fail_info})


def test_no_mutation_of_a_request_raises(timestamp_authority: TimeStampAuthority):
    valid = request()
    rng = random.Random(3161)
    mutants = [valid[:n] for n in range(len(valid))]
    for _ in range(300):
        flipped = bytearray(valid)
        flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        mutants.append(bytes(flipped))
    outcomes: set[str] = set()
    for mutant in mutants:
        outcomes.add(status_of(timestamp_authority.respond(mutant))[0])
    assert outcomes <= {"granted", "rejection"} and "rejection" in outcomes


def test_file_serials_are_unique_across_reload_and_threads(court_ca: CourtCA, tmp_path: Path):
    path = tmp_path / "tsa-serial"

    def authority() -> TimeStampAuthority:
        return TimeStampAuthority(
            court_ca.tsa_cert, court_ca.tsa_key, court_ca.chain, FileSerialSource(path),
            lambda: CA_NOW,
        )  # fmt: skip

    def serial(tsa: TimeStampAuthority) -> int:
        info = token_of(tsa.respond(request()))["content"]["encap_content_info"]["content"]
        return int(info.parsed["serial_number"].native)

    first = [serial(authority()) for _ in range(3)]  # a new TSA (a restart) each time
    serials: list[int] = []
    lock = threading.Lock()
    shared, separate = FileSerialSource(path), FileSerialSource(path)

    def draw(source: FileSerialSource) -> None:
        for _ in range(25):
            value = source.next_serial()
            with lock:
                serials.append(value)

    threads = [threading.Thread(target=draw, args=(s,)) for s in (shared, shared, separate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    all_serials = first + serials + [serial(authority())]
    assert first == [1, 2, 3]
    assert len(set(all_serials)) == len(all_serials) == 79
    assert all_serials[-1] == 79


def test_broken_serial_storage_answers_system_failure(court_ca: CourtCA, tmp_path: Path):
    path = tmp_path / "tsa-serial"
    path.write_text("not a number\n")
    with pytest.raises(TimestampAuthorityError):
        FileSerialSource(path).next_serial()
    tsa = TimeStampAuthority(
        court_ca.tsa_cert, court_ca.tsa_key, court_ca.chain, FileSerialSource(path),
        lambda: CA_NOW,
    )  # fmt: skip
    assert status_of(tsa.respond(request())) == ("rejection", {"system_failure"})


def test_misconfigured_tsa_is_refused(court_ca: CourtCA):
    with pytest.raises(TimestampAuthorityError, match="timeStamping"):
        TimeStampAuthority(
            court_ca.seal_cert, court_ca.seal_key, court_ca.chain, MemorySerialSource(),
            lambda: CA_NOW,
        )  # fmt: skip
    with pytest.raises(TimestampAuthorityError, match="does not match"):
        TimeStampAuthority(
            court_ca.tsa_cert, court_ca.seal_key, court_ca.chain, MemorySerialSource(),
            lambda: CA_NOW,
        )  # fmt: skip


def test_every_fail_info_name_is_known_to_asn1crypto():
    from typing import get_args

    from signing.tsa import FailInfo

    for name in get_args(FailInfo):
        assert tsp.PKIFailureInfo.load(tsp.PKIFailureInfo({name}).dump()).native == {name}


def test_an_empty_serial_file_is_an_error_not_a_restart(tmp_path: Path):
    path = tmp_path / "tsa-serial"
    source = FileSerialSource(path)
    assert [source.next_serial() for _ in range(3)] == [1, 2, 3]
    assert path.read_text() == "3\n" and not (tmp_path / "tsa-serial.tmp").exists()
    path.write_text("")  # what an in-place rewrite could leave after a crash
    with pytest.raises(TimestampAuthorityError):
        source.next_serial()


def test_a_naive_clock_is_a_system_failure_not_a_wrong_time(court_ca: CourtCA):
    tsa = TimeStampAuthority(
        court_ca.tsa_cert,
        court_ca.tsa_key,
        court_ca.chain,
        MemorySerialSource(),
        lambda: dt.datetime(2026, 11, 28, 9, 1),
    )
    assert status_of(tsa.respond(request())) == ("rejection", {"system_failure"})
