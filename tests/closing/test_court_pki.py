"""The server's court PKI: created on first start, reopened after, refused without a passphrase
in production, and a development passphrase kept private."""

from __future__ import annotations

import hashlib
import logging
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import SecretStr

from hearing_server.court_pki import CourtPki, ca_directory
from hearing_server.errors import ConfigurationError
from hearing_server.settings import Settings
from signing.identity import SignerIdentity, identity_of

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def test_development_creates_the_ca_once_with_a_private_generated_passphrase(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path, court_name="广州市越秀区人民法院")
    with caplog.at_level(logging.WARNING):
        first = CourtPki.open(settings, clock=clock)
    passphrase = ca_directory(settings) / "passphrase"
    assert stat.S_IMODE(passphrase.stat().st_mode) == 0o600
    assert "TINGSHEN_CA_PASSPHRASE" in caplog.text
    assert passphrase.read_text().strip() not in caplog.text  # never logged
    again = CourtPki.open(settings, clock=clock)
    assert again.root_pem == first.root_pem  # reopened, not re-created
    assert first.ca.court_name == "广州市越秀区人民法院"


def test_production_refuses_to_start_without_a_ca_passphrase(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment="production")
    with pytest.raises(ConfigurationError, match="TINGSHEN_CA_PASSPHRASE"):
        CourtPki.open(settings, clock=clock)
    assert not (tmp_path / "ca" / "root.pem").exists()


def test_a_wrong_passphrase_refuses_to_start(tmp_path: Path) -> None:
    good = Settings(data_dir=tmp_path, ca_passphrase=SecretStr("correct passphrase 1"))
    CourtPki.open(good, clock=clock)
    bad = Settings(data_dir=tmp_path, ca_passphrase=SecretStr("another passphrase 2"))
    with pytest.raises(ConfigurationError, match="does not open"):
        CourtPki.open(bad, clock=clock)
    assert "correct passphrase" not in repr(good)  # SecretStr


def test_issued_signer_certificates_carry_the_identity_and_chain_to_the_root(
    tmp_path: Path,
) -> None:
    pki = CourtPki.open(Settings(data_dir=tmp_path, ca_passphrase=SecretStr("x" * 20)), clock=clock)
    key = ec.generate_private_key(ec.SECP256R1())
    spki = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    identity = SignerIdentity("张伟", "原告", "(2026)粤0104民初123号", "7", "sms:138****0001")
    cert = pki.issue_signer(spki, identity)
    assert identity_of(cert) == identity
    assert cert.issuer == pki.ca.issuing.subject
    assert cert.not_valid_before_utc < NOW < cert.not_valid_after_utc
    assert "PRIVATE" not in repr(pki)
    assert pki.timestamper() is not None


def test_the_server_does_not_start_in_production_without_a_ca_passphrase(tmp_path: Path) -> None:
    from hearing_server.app import create_app

    settings = Settings(data_dir=tmp_path, environment="production", secret_key="k" * 48)
    with pytest.raises(ConfigurationError, match="TINGSHEN_CA_PASSPHRASE"):
        create_app(settings)


def test_the_timestamp_authority_stamps_under_the_configured_policy(tmp_path: Path) -> None:
    from asn1crypto import tsp  # type: ignore[import-untyped, unused-ignore]

    settings = Settings(data_dir=tmp_path, tsa_policy_oid="1.2.156.112604.3161.1")
    pki = CourtPki.open(settings, clock=clock)
    request = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": hashlib.sha256(b"record").digest(),
            },
            "cert_req": True,
        }
    )
    response = tsp.TimeStampResp.load(pki.tsa.respond(request.dump()))
    assert response["status"]["status"].native == "granted"
    signed = response["time_stamp_token"]["content"]
    info = signed["encap_content_info"]["content"].parsed
    assert info["policy"].dotted == "1.2.156.112604.3161.1"
    assert info["gen_time"].native == NOW

    with pytest.raises(ValueError, match="tsa_policy_oid"):
        Settings(data_dir=tmp_path, tsa_policy_oid="not an oid")
