"""The court's PKI as the server uses it: the CA on disk, its TSA, and signer certificates.

Why a wrapper around :class:`signing.ca.CourtCA`: the library knows nothing about settings,
environments or where things live; the server decides that the CA sits in ``ca_dir`` (default
``<data_dir>/ca``), is created on first start, and is unlocked with ``TINGSHEN_CA_PASSPHRASE``,
``TINGSHEN_TSA_PASSPHRASE`` and ``TINGSHEN_SEAL_PASSPHRASE`` (one per key group; where each comes
from, and the migration of an older CA: :mod:`hearing_server.key_passphrases`). Production refuses
to start without them (as with ``TINGSHEN_SECRET_KEY``): a key encrypted with a generated
passphrase lying next to it would protect nothing. In development random passphrases are
generated once and kept in ``<ca_dir>`` (0600) with a warning.

Nothing here logs key material or the passphrase; :class:`CourtPki`'s ``repr`` names the court.
"""

from __future__ import annotations

import logging

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.api import TimeStamper

from hearing_server.errors import ConfigurationError
from hearing_server.key_passphrases import (
    ENV_NAMES,
    ca_directory,
    group_of_key_file,
    resolve_passphrase,
    resolve_passphrases,
)
from hearing_server.security import Clock
from hearing_server.settings import Settings
from signing.ca import CourtCA
from signing.errors import CaStoreError, WrongPassphraseError
from signing.identity import SignerIdentity
from signing.tsa import FileSerialSource, InProcessTimeStamper, TimeStampAuthority

logger = logging.getLogger(__name__)

TSA_SERIAL_FILE = "tsa-serial"
#: How long a signer certificate is valid: it signs one transcript, within days, then only
#: matters as part of that signature (whose timestamp proves it was valid when used).
SIGNER_VALID_DAYS = 30

__all__ = ["CourtPki", "ca_directory", "resolve_ca_passphrase"]


def resolve_ca_passphrase(settings: Settings) -> bytes:
    """The passphrase of the CA's own keys (root and issuing)."""
    return resolve_passphrase(settings, "ca").value


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
        passphrases = resolve_passphrases(settings)
        directory = ca_directory(settings)
        try:
            if (directory / "root.pem").exists():
                ca = CourtCA.load(directory, passphrases)
            else:
                ca = CourtCA.create(directory, passphrases, settings.court_name, now=clock())
                logger.info("created the court CA in %s", directory)
        except WrongPassphraseError as exc:
            group = group_of_key_file(exc.file_name) or "ca"
            raise ConfigurationError(
                f"the CA in {directory} does not open with {ENV_NAMES[group]}"
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
