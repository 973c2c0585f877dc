"""The court CA: chain validity (pyhanko-certvalidator), key files at rest, issued certificates."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InvalidCertificateError,
    PathBuildingError,
    PathValidationError,
)

from signing.ca import DOCUMENT_SIGNING_OID, SEAL_TITLE, CourtCA, SignerIdentity, identity_of
from signing.errors import (
    CaStoreError,
    InvalidIdentityError,
    UnsupportedKeyError,
    WrongPassphraseError,
)
from tests.signing.conftest import CA_NOW, CA_PASSPHRASE, COURT_NAME

PARTY = SignerIdentity(
    name="张三",
    role="原告",
    case_number="(2026)京0105民初12345号",
    hearing_id="hearing-7f3a",
    identity_check="sms:+86 138****1234 verified 2026-11-28T08:59Z",
)


def der(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def spki(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


async def validate(
    ca: CourtCA, leaf: x509.Certificate, key_usage: set[str], eku: set[str], moment: dt.datetime
) -> None:
    context = ValidationContext(trust_roots=[der(ca.root)], moment=moment)
    validator = CertificateValidator(
        der(leaf), intermediate_certs=[der(c) for c in ca.chain], validation_context=context
    )
    await validator.async_validate_usage(key_usage, extended_key_usage=eku)  # type: ignore[no-untyped-call]


async def test_signer_certificate_validates_to_the_root(court_ca: CourtCA):
    browser_key = ec.generate_private_key(ec.SECP256R1())  # stands in for WebCrypto's key
    cert = court_ca.issue_signer(spki(browser_key), PARTY, now=CA_NOW, valid_days=30)
    moment = CA_NOW + dt.timedelta(days=1)
    usage = {"digital_signature", "non_repudiation"}
    await validate(court_ca, cert, usage, {DOCUMENT_SIGNING_OID.dotted_string}, moment)
    with pytest.raises(PathValidationError):  # expired after valid_days
        await validate(court_ca, cert, usage, set(), CA_NOW + dt.timedelta(days=31))
    with pytest.raises(InvalidCertificateError):  # not a key for TLS
        await validate(court_ca, cert, usage, {"server_auth"}, moment)


async def test_tsa_and_seal_certificates_validate(court_ca: CourtCA):
    moment = CA_NOW + dt.timedelta(days=365)
    await validate(court_ca, court_ca.tsa_cert, {"digital_signature"}, {"time_stamping"}, moment)
    eku = {DOCUMENT_SIGNING_OID.dotted_string}
    await validate(court_ca, court_ca.seal_cert, {"non_repudiation"}, eku, moment)
    tsa_eku = court_ca.tsa_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert tsa_eku.critical and list(tsa_eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


async def test_a_foreign_root_does_not_validate(court_ca: CourtCA, tmp_path: Path):
    other = CourtCA.create(tmp_path / "other", CA_PASSPHRASE, "另一个法院", now=CA_NOW)
    cert = court_ca.issue_signer(spki(ec.generate_private_key(ec.SECP256R1())), PARTY, now=CA_NOW)
    context = ValidationContext(trust_roots=[der(other.root)], moment=CA_NOW)
    validator = CertificateValidator(
        der(cert), intermediate_certs=[der(c) for c in court_ca.chain], validation_context=context
    )
    with pytest.raises(PathBuildingError):
        await validator.async_validate_usage({"digital_signature"})  # type: ignore[no-untyped-call]


def test_ca_hierarchy_constraints(court_ca: CourtCA):
    root_bc = court_ca.root.extensions.get_extension_for_class(x509.BasicConstraints)
    issuing_bc = court_ca.issuing.extensions.get_extension_for_class(x509.BasicConstraints)
    assert root_bc.critical and root_bc.value.ca and root_bc.value.path_length == 1
    assert issuing_bc.critical and issuing_bc.value.ca and issuing_bc.value.path_length == 0
    court_ca.issuing.verify_directly_issued_by(court_ca.root)
    court_ca.tsa_cert.verify_directly_issued_by(court_ca.issuing)
    assert court_ca.chain == [court_ca.issuing, court_ca.root]
    for cert in (court_ca.root, court_ca.issuing, court_ca.tsa_cert, court_ca.seal_cert):
        assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        assert cert.not_valid_after_utc <= court_ca.root.not_valid_after_utc


def test_issued_certificate_extensions_and_identity(court_ca: CourtCA):
    cert = court_ca.issue_signer(spki(ec.generate_private_key(ec.SECP256R1())), PARTY, now=CA_NOW)
    cert.verify_directly_issued_by(court_ca.issuing)
    ext = cert.extensions
    usage = ext.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign and not usage.value.key_encipherment
    assert list(ext.get_extension_for_class(x509.ExtendedKeyUsage).value) == [DOCUMENT_SIGNING_OID]
    assert ext.get_extension_for_class(x509.BasicConstraints).value.ca is False
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    issuing_ski = court_ca.issuing.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert aki == issuing_ski.value.digest
    ski = ext.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    assert 0 < cert.serial_number < 2**159
    assert cert.not_valid_before_utc < CA_NOW < cert.not_valid_after_utc
    assert identity_of(cert) == PARTY
    assert cert.subject.rfc4514_string().startswith("CN=张三,")
    assert COURT_NAME in cert.subject.rfc4514_string()


def test_serials_are_random_and_rng_is_injectable(tmp_path: Path):
    ca = CourtCA.create(tmp_path / "ca", CA_PASSPHRASE, COURT_NAME, now=CA_NOW)
    keys = [spki(ec.generate_private_key(ec.SECP256R1())) for _ in range(2)]
    first, second = (ca.issue_signer(k, PARTY, now=CA_NOW) for k in keys)
    assert first.serial_number != second.serial_number
    fixed = CourtCA.load(tmp_path / "ca", CA_PASSPHRASE, rng=lambda n: b"\xff" * n)
    assert fixed.issue_signer(keys[0], PARTY, now=CA_NOW).serial_number == 2**159 - 1


def test_ed25519_accepted_weak_or_foreign_keys_refused(court_ca: CourtCA):
    ed = court_ca.issue_signer(spki(ed25519.Ed25519PrivateKey.generate()), PARTY, now=CA_NOW)
    assert isinstance(ed.public_key(), ed25519.Ed25519PublicKey)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    rsa_der = rsa_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for unacceptable in (rsa_der, spki(ec.generate_private_key(ec.SECP256K1())), b"\x30\x00"):
        with pytest.raises(UnsupportedKeyError):
            court_ca.issue_signer(unacceptable, PARTY, now=CA_NOW)


def test_identity_fields_are_checked():
    with pytest.raises(InvalidIdentityError):
        SignerIdentity(name=" ", role="原告", case_number="1", hearing_id="h", identity_check="c")
    with pytest.raises(InvalidIdentityError):
        SignerIdentity(name="x" * 65, role="r", case_number="1", hearing_id="h", identity_check="c")


def test_key_files_are_encrypted_and_private(court_ca: CourtCA, tmp_path: Path):
    directory = tmp_path / "ca"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    secrets = [court_ca.seal_key, court_ca.tsa_key]
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        data = path.read_bytes()
        for key in secrets:
            assert key.private_numbers().private_value.to_bytes(32, "big") not in data
        if path.name.endswith(".key.pem"):
            assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
            with pytest.raises(TypeError):  # needs a password: it is encrypted
                serialization.load_pem_private_key(data, password=None)
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        f"{n}{suffix}"
        for n in ("root", "issuing", "tsa", "seal")
        for suffix in (".pem", ".key.pem")
    )
    assert "PRIVATE" not in repr(court_ca) and COURT_NAME in repr(court_ca)


def test_load_round_trip_and_wrong_passphrase(court_ca: CourtCA, tmp_path: Path):
    loaded = CourtCA.load(tmp_path / "ca", CA_PASSPHRASE)
    assert loaded.chain == court_ca.chain and loaded.court_name == COURT_NAME
    assert loaded.seal_key.private_numbers() == court_ca.seal_key.private_numbers()
    with pytest.raises(WrongPassphraseError):
        CourtCA.load(tmp_path / "ca", b"not the passphrase")


def test_create_refuses_existing_ca_short_passphrase_and_missing_files(
    court_ca: CourtCA, tmp_path: Path
):
    with pytest.raises(CaStoreError, match="already"):
        CourtCA.create(tmp_path / "ca", CA_PASSPHRASE, COURT_NAME, now=CA_NOW)
    with pytest.raises(CaStoreError, match="passphrase"):
        CourtCA.create(tmp_path / "new", b"short", COURT_NAME, now=CA_NOW)
    (tmp_path / "ca" / "tsa.pem").unlink()
    with pytest.raises(CaStoreError, match=r"tsa\.pem"):
        CourtCA.load(tmp_path / "ca", CA_PASSPHRASE)
    with pytest.raises(ValueError, match="timezone"):
        court_ca.issue_signer(spki(ed25519.Ed25519PrivateKey.generate()), PARTY,
                              now=dt.datetime(2026, 11, 28))  # fmt: skip


@pytest.mark.parametrize(
    "identity_check",
    ["sms:+86 138****1234 verified 2026-11-28T08:59Z", "身份证核验 2026-11-28", "a%b/c(d)!"],
)
def test_issued_certificate_survives_asn1crypto_re_encoding(
    session_court_ca: CourtCA, identity_check: str
):
    """pyHanko's ASN.1 library normalises URIs when it re-encodes; the bytes must not change."""
    identity = SignerIdentity(
        "李四", "被告代理人", PARTY.case_number, "hearing/7f3a", identity_check
    )
    key = spki(ec.generate_private_key(ec.SECP256R1()))
    cert = session_court_ca.issue_signer(key, identity, now=CA_NOW)
    encoded = cert.public_bytes(serialization.Encoding.DER)
    assert asn1_x509.Certificate.load(encoded).dump(force=True) == encoded
    assert identity_of(cert) == identity


def test_identity_refuses_query_and_fragment_characters():
    for value in ("ref?1", "ref#1"):
        with pytest.raises(InvalidIdentityError):
            SignerIdentity("张三", "原告", "1", "h", value)


def test_the_seal_is_the_court_itself(session_court_ca: CourtCA):
    seal = identity_of(session_court_ca.seal_cert)
    assert (seal.name, seal.role) == (COURT_NAME, SEAL_TITLE)
