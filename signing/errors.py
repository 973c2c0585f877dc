"""Errors of the signing library.

::

    SigningError                     base; never raised itself
    ├── InvalidSignatureError        a signature or MAC does not verify (any reason)
    │   └── MalformedSignatureError  not even well-formed (bad P1363 length, non-minimal DER, ...)
    ├── UnsupportedKeyError          a key of a type, curve or size the court does not accept
    ├── InvalidIdentityError         a signer identity that cannot go into a certificate
    ├── CaStoreError                 CA directory missing, incomplete, already present or unreadable
    │   └── WrongPassphraseError     the key files do not decrypt with the passphrase given
    └── TimestampAuthorityError      the TSA is misconfigured or cannot allocate a serial number

Verification *raises* (pyca/cryptography's convention): a caller cannot forget to look at a
boolean, and the one exception type, :class:`InvalidSignatureError`, covers every way a signature
can fail, malformed ones included. Bad *requests* to the timestamp authority are not errors: they
get an RFC 3161 rejection response, because the client is owed a status, not a stack trace.

The library knows nothing of HTTP; ``hearing_server/errors.py`` maps these where it needs to.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base of every error this library raises on purpose."""


class InvalidSignatureError(SigningError):
    """The signature (or MAC tag) does not verify against this key and message."""


class MalformedSignatureError(InvalidSignatureError):
    """The signature is not a well-formed encoding; it cannot verify under any key."""


class UnsupportedKeyError(SigningError):
    """Only ECDSA P-256 and Ed25519 keys are accepted (what WebCrypto and the court CA use)."""


class InvalidIdentityError(SigningError):
    """A signer identity field is empty or too long for an X.509 name."""


class CaStoreError(SigningError):
    """The court CA's directory is missing, incomplete, already initialised, or corrupt."""


class WrongPassphraseError(CaStoreError):
    """The CA's private key files do not decrypt with the given passphrase; ``file_name``: the
    first that did not (its key group says which passphrase was wrong)."""

    def __init__(self, message: str, *, file_name: str = "") -> None:
        super().__init__(message)
        self.file_name = file_name


class TimestampAuthorityError(SigningError):
    """The timestamp authority cannot work at all (configuration or serial storage), as opposed
    to a bad request, which is answered with a rejection response."""
