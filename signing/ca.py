"""The court's own certificate authority: a root, an issuing CA, the TSA and the court seal.

Why a chain of two: the root key signs only the issuing CA and can then be kept offline; day-to-day
issuance (one certificate per signer per hearing) uses the issuing CA's key, whose compromise can be
answered by re-issuing it under the same root that verifiers already trust.

On disk (``directory``, mode 0700): certificates as PEM, private keys as PKCS#8 encrypted
(``BestAvailableEncryption``) with their group's passphrase (:class:`KeyPassphrases`: the CA's
root and issuing keys, the TSA key and the court seal key each have their own, so that rotating
one, :mod:`signing.key_rotation`, leaves the others alone), every file 0600 and written once
(``O_EXCL``): a key never touches disk unencrypted and an existing CA is never overwritten.
:meth:`CourtCA.load` reads the root *certificate* only; the root key stays on disk for the day
the issuing CA is renewed.

Signers' certificates carry the identity checked at their invitation
(:class:`~signing.identity.SignerIdentity`, in :mod:`signing.identity`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signing.errors import CaStoreError, WrongPassphraseError
from signing.identity import SignerIdentity, identity_of, identity_uris
from signing.primitives import SignerPublicKey, load_signer_public_key

__all__ = [
    "DOCUMENT_SIGNING_OID",
    "KEY_GROUPS",
    "SEAL_TITLE",
    "CourtCA",
    "KeyGroup",
    "KeyPassphrases",
    "SignerIdentity",
    "identity_of",
    "random_serial",
]

#: RFC 9336 id-kp-documentSigning: what the signer's key is for (PAdES signatures).
DOCUMENT_SIGNING_OID = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
ROOT_VALID_DAYS = 20 * 365
ISSUING_VALID_DAYS = 10 * 365
TSA_VALID_DAYS = 10 * 365 - 1
SEAL_VALID_DAYS = 5 * 365
#: Certificates start a little before ``now`` so a client clock slightly behind still accepts them.
BACKDATE = dt.timedelta(minutes=5)
_NAMES = ("root", "issuing", "tsa", "seal")
#: The role shown for the court seal's signature ("electronic seal").
SEAL_TITLE = "电子印章"

Rng = Callable[[int], bytes]
KeyGroup = Literal["ca", "tsa", "seal"]
#: Which key files each passphrase encrypts.
KEY_GROUPS: dict[KeyGroup, tuple[str, ...]] = {
    "ca": ("root", "issuing"),
    "tsa": ("tsa",),
    "seal": ("seal",),
}


@dataclass(frozen=True, slots=True)
class KeyPassphrases:
    """The passphrase of each key group; ``repr`` never shows them."""

    ca: bytes
    tsa: bytes
    seal: bytes

    def __repr__(self) -> str:
        return "KeyPassphrases(ca=***, tsa=***, seal=***)"

    @classmethod
    def single(cls, passphrase: bytes) -> KeyPassphrases:
        """One passphrase for every key (a CA made before the groups had their own)."""
        return cls(ca=passphrase, tsa=passphrase, seal=passphrase)

    def of_group(self, group: KeyGroup) -> bytes:
        return {"ca": self.ca, "tsa": self.tsa, "seal": self.seal}[group]

    def of_key(self, name: str) -> bytes:
        """The passphrase of key file ``name`` (root, issuing, tsa, seal)."""
        for group, names in KEY_GROUPS.items():
            if name in names:
                return self.of_group(group)
        raise KeyError(name)


def _passphrases(passphrase: bytes | KeyPassphrases) -> KeyPassphrases:
    if isinstance(passphrase, KeyPassphrases):
        return passphrase
    return KeyPassphrases.single(passphrase)


def random_serial(rng: Rng = os.urandom) -> int:
    """A positive 159-bit serial from ``rng`` (CA/B Forum asks for 64+ bits of randomness)."""
    return (int.from_bytes(rng(20), "big") >> 1) | 1


class CourtCA:
    """The loaded CA: certificates, and the keys of issuing CA, TSA and seal (never the root's)."""

    def __init__(
        self,
        *,
        root: x509.Certificate,
        issuing: x509.Certificate,
        issuing_key: ec.EllipticCurvePrivateKey,
        tsa_cert: x509.Certificate,
        tsa_key: ec.EllipticCurvePrivateKey,
        seal_cert: x509.Certificate,
        seal_key: ec.EllipticCurvePrivateKey,
        court_name: str,
        rng: Rng = os.urandom,
    ) -> None:
        self.root = root
        self.issuing = issuing
        self._issuing_key = issuing_key
        self.tsa_cert = tsa_cert
        self.tsa_key = tsa_key
        self.seal_cert = seal_cert
        self.seal_key = seal_key
        self.court_name = court_name
        self._rng = rng

    def __repr__(self) -> str:  # keys stay out of logs and tracebacks
        issuing = self.issuing.subject.rfc4514_string()
        return f"CourtCA(court_name={self.court_name!r}, issuing={issuing!r})"

    @property
    def chain(self) -> list[x509.Certificate]:
        """Issuing CA then root: what a signature carries next to the signer's certificate."""
        return [self.issuing, self.root]

    # ------------------------------------------------------------------ create / load
    @classmethod
    def create(
        cls,
        directory: Path,
        passphrase: bytes | KeyPassphrases,
        court_name: str,
        *,
        now: dt.datetime,
        rng: Rng = os.urandom,
    ) -> CourtCA:
        """Make a new CA in ``directory`` (created 0700); refuses if a CA is already there.

        ``passphrase``: one for every key, or each group's own (:class:`KeyPassphrases`)."""
        passphrases = _passphrases(passphrase)
        for group in KEY_GROUPS:
            check_passphrase(passphrases.of_group(group))
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)  # also when it existed, empty, with looser permissions
        if any((directory / f"{n}.pem").exists() for n in _NAMES):
            raise CaStoreError(f"a CA already exists in {directory}")
        keys = {n: ec.generate_private_key(ec.SECP256R1()) for n in _NAMES}
        org = x509.NameAttribute(NameOID.ORGANIZATION_NAME, court_name)
        root_name = _ca_name(org, "Tingshen Root CA")
        issuing_name = _ca_name(org, "Tingshen Issuing CA")
        root = _build(
            root_name, root_name, keys["root"].public_key(), keys["root"], None,
            now, ROOT_VALID_DAYS, rng, _ca_extensions(path_length=1),
        )  # fmt: skip
        issuing = _build(
            issuing_name, root_name, keys["issuing"].public_key(), keys["root"], root,
            now, ISSUING_VALID_DAYS, rng, _ca_extensions(path_length=0),
        )  # fmt: skip
        tsa_name = _ca_name(org, "Tingshen TSA")
        tsa = _build(
            tsa_name, issuing_name, keys["tsa"].public_key(), keys["issuing"], issuing,
            now, TSA_VALID_DAYS, rng, _leaf_extensions(ExtendedKeyUsageOID.TIME_STAMPING, True),
        )  # fmt: skip
        seal_name = x509.Name([  # the court itself signs: shown as "<court> · 电子印章"
            org,
            x509.NameAttribute(NameOID.TITLE, SEAL_TITLE),
            x509.NameAttribute(NameOID.COMMON_NAME, court_name),
        ])  # fmt: skip
        seal = _build(
            seal_name, issuing_name, keys["seal"].public_key(), keys["issuing"], issuing,
            now, SEAL_VALID_DAYS, rng, _leaf_extensions(DOCUMENT_SIGNING_OID, False),
        )  # fmt: skip
        certs = {"root": root, "issuing": issuing, "tsa": tsa, "seal": seal}
        for name in _NAMES:
            pem_key = encrypted_pem(keys[name], passphrases.of_key(name))
            write_once(directory / f"{name}.key.pem", pem_key)
            pem_cert = certs[name].public_bytes(serialization.Encoding.PEM)
            write_once(directory / f"{name}.pem", pem_cert)
        return cls.load(directory, passphrases, rng=rng)

    @classmethod
    def load(
        cls, directory: Path, passphrase: bytes | KeyPassphrases, *, rng: Rng = os.urandom
    ) -> CourtCA:
        """Read the CA back; :class:`WrongPassphraseError` (naming the file) if a key does not
        decrypt with its group's passphrase."""
        passphrases = _passphrases(passphrase)
        certs = {n: _read_cert(directory / f"{n}.pem") for n in _NAMES}
        keys = {n: read_key(directory / f"{n}.key.pem", passphrases.of_key(n)) for n in _NAMES[1:]}
        court = certs["root"].subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return cls(
            root=certs["root"], issuing=certs["issuing"], issuing_key=keys["issuing"],
            tsa_cert=certs["tsa"], tsa_key=keys["tsa"], seal_cert=certs["seal"],
            seal_key=keys["seal"], court_name=str(court[0].value) if court else "", rng=rng,
        )  # fmt: skip

    # ------------------------------------------------------------------ issuance
    def issue_signer(
        self,
        public_key: bytes | SignerPublicKey,
        identity: SignerIdentity,
        *,
        now: dt.datetime,
        valid_days: int = 365,
    ) -> x509.Certificate:
        """Certify a signer's public key (DER SubjectPublicKeyInfo, PEM, or key object).

        Only P-256 ECDSA (WebCrypto's non-extractable key) and Ed25519 are accepted; anything else
        raises :class:`~signing.errors.UnsupportedKeyError` before a certificate exists.
        """
        key = load_signer_public_key(public_key)
        subject = x509.Name([  # most general first, as X.500 orders names
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, self.court_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, identity.case_number),
            x509.NameAttribute(NameOID.TITLE, identity.role),
            x509.NameAttribute(NameOID.COMMON_NAME, identity.name),
        ])  # fmt: skip
        san = x509.SubjectAlternativeName(identity_uris(identity))
        extensions = [*_leaf_extensions(DOCUMENT_SIGNING_OID, False), (san, False)]
        return _build(
            subject, self.issuing.subject, key, self._issuing_key, self.issuing,
            now, valid_days, self._rng, extensions,
        )  # fmt: skip


# ---------------------------------------------------------------------- helpers
def _ca_name(org: x509.NameAttribute[str], common_name: str) -> x509.Name:
    return x509.Name([org, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca_extensions(path_length: int) -> list[tuple[x509.ExtensionType, bool]]:
    usage = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return [(x509.BasicConstraints(ca=True, path_length=path_length), True), (usage, True)]


def _leaf_extensions(
    eku: x509.ObjectIdentifier, eku_critical: bool
) -> list[tuple[x509.ExtensionType, bool]]:
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (usage, True),
        (x509.ExtendedKeyUsage([eku]), eku_critical),
    ]


def _build(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: SignerPublicKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer_cert: x509.Certificate | None,
    now: dt.datetime,
    valid_days: int,
    rng: Rng,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    not_after = now + dt.timedelta(days=valid_days)
    if issuer_cert is not None:  # a child never outlives its issuer (validators would refuse it)
        not_after = min(not_after, issuer_cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(random_serial(rng))
        .not_valid_before(now - BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer_cert is None:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    else:
        ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)
    builder = builder.add_extension(aki, critical=False)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def check_passphrase(passphrase: bytes) -> None:
    if len(passphrase) < 8:
        raise CaStoreError("a key passphrase must be at least 8 bytes")


def encrypted_pem(key: ec.EllipticCurvePrivateKey, passphrase: bytes) -> bytes:
    """PKCS#8 PEM encrypted with ``passphrase``: the only form a key is written in."""
    encryption = serialization.BestAvailableEncryption(passphrase)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def write_once(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _read_cert(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CaStoreError(f"cannot read CA certificate {path.name}: {exc}") from exc


def read_key(path: Path, passphrase: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CaStoreError(f"cannot read CA key file {path.name}: {exc}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except (ValueError, TypeError):
        # Do not chain: the underlying message may quote parts of the file.
        raise WrongPassphraseError(
            f"{path.name} does not decrypt with this passphrase", file_name=path.name
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CaStoreError(f"{path.name} is not an EC private key")
    return key
