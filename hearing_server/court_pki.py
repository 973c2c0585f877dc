"""The court's PKI as the server uses it: the CA on disk, its TSA, and signer certificates.

Why a wrapper around :class:`signing.ca.CourtCA`: the library knows nothing about settings,
environments or where things live; the server decides that the CA sits in ``ca_dir`` (default
``<data_dir>/ca``), is created on first start, and is unlocked with ``TINGSHEN_CA_PASSPHRASE``.
Production refuses to start without that passphrase (as with ``TINGSHEN_SECRET_KEY``): a key
encrypted with a generated passphrase lying next to it would protect nothing. In development a
random passphrase is generated once and kept in ``<ca_dir>/passphrase`` (0600) with a warning.

Nothing here logs key material or the passphrase; :class:`CourtPki`'s ``repr`` names the court.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.api import TimeStamper

from hearing_server.errors import ConfigurationError
from hearing_server.security import Clock
from hearing_server.settings import Settings
from signing.ca import CourtCA
from signing.errors import CaStoreError, WrongPassphraseError
from signing.identity import SignerIdentity
from signing.tsa import FileSerialSource, InProcessTimeStamper, TimeStampAuthority

logger = logging.getLogger(__name__)

PASSPHRASE_FILE = "passphrase"
TSA_SERIAL_FILE = "tsa-serial"
#: How long a signer certificate is valid: it signs one transcript, within days, then only
#: matters as part of that signature (whose timestamp proves it was valid when used).
SIGNER_VALID_DAYS = 30


def ca_directory(settings: Settings) -> Path:
    """``TINGSHEN_CA_DIR`` or ``<data_dir>/ca``."""
    return settings.ca_dir if settings.ca_dir is not None else settings.data_dir / "ca"


def resolve_ca_passphrase(settings: Settings) -> bytes:
    """The CA passphrase; refuses production without one, makes one for development."""
    if settings.ca_passphrase is not None:
        return settings.ca_passphrase.get_secret_value().encode("utf-8")
    if settings.environment == "production":
        raise ConfigurationError("TINGSHEN_CA_PASSPHRASE must be set in production")
    directory = ca_directory(settings)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / PASSPHRASE_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip().encode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(32))
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning(
        "development: generated a CA passphrase in %s; set TINGSHEN_CA_PASSPHRASE in production",
        path,
    )
    return path.read_text(encoding="ascii").strip().encode("ascii")


class CourtPki:
    """The loaded CA, its timestamp authority, and issuance of per-hearing signer certificates."""

    def __init__(self, ca: CourtCA, tsa: TimeStampAuthority, *, clock: Clock) -> None:
        self.ca = ca
        self.tsa = tsa
        self._clock = clock

    def __repr__(self) -> str:
        return f"CourtPki(court_name={self.ca.court_name!r})"

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock) -> CourtPki:
        """Load the CA from ``ca_dir``, creating it on first use; errors refuse to start."""
        passphrase = resolve_ca_passphrase(settings)
        directory = ca_directory(settings)
        try:
            if (directory / "root.pem").exists():
                ca = CourtCA.load(directory, passphrase)
            else:
                ca = CourtCA.create(directory, passphrase, settings.court_name, now=clock())
                logger.info("created the court CA in %s", directory)
        except WrongPassphraseError:
            raise ConfigurationError(
                f"the CA in {directory} does not open with TINGSHEN_CA_PASSPHRASE"
            ) from None
        except CaStoreError as exc:
            raise ConfigurationError(f"court CA: {exc}") from None
        tsa = TimeStampAuthority(
            ca.tsa_cert,
            ca.tsa_key,
            ca.chain,
            FileSerialSource(directory / TSA_SERIAL_FILE),
            clock,
            policy_oid=settings.tsa_policy_oid,
        )
        return cls(ca, tsa, clock=clock)

    @property
    def root_pem(self) -> bytes:
        return self.ca.root.public_bytes(serialization.Encoding.PEM)

    def timestamper(self) -> TimeStamper:
        """A pyHanko timestamper calling this TSA in-process (no HTTP round trip)."""
        return InProcessTimeStamper(self.tsa)

    def issue_signer(self, spki_der: bytes, identity: SignerIdentity) -> x509.Certificate:
        """Certify a browser's public key for ``identity`` (raises on a non-P-256/Ed25519 key)."""
        return self.ca.issue_signer(
            spki_der, identity, now=self._clock(), valid_days=SIGNER_VALID_DAYS
        )
