"""Signature values: WebCrypto's IEEE P1363 form, DER, and checking a value before embedding it.

WebCrypto returns ECDSA signatures as the fixed-width concatenation ``r || s`` (64 bytes on P-256);
CMS wants the DER ``SEQUENCE { r INTEGER, s INTEGER }``. A 64-byte string could in principle also
be read as DER, so the value is not classified by its shape: each reading is tried against the
signer's public key and the one that verifies is embedded. A value that verifies in neither form
is refused, which is what keeps a broken or hostile browser from planting garbage in the record.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from signing.errors import InvalidSignatureError

__all__ = ["SignatureValueError", "check_signature_value", "p1363_to_der", "sign_bytes"]


class SignatureValueError(InvalidSignatureError):
    """The signature value does not verify with the signer's certificate."""


def p1363_to_der(value: bytes, curve_bytes: int) -> bytes:
    if len(value) != 2 * curve_bytes:
        raise SignatureValueError(f"P1363 value must be {2 * curve_bytes} bytes, got {len(value)}")
    r = int.from_bytes(value[:curve_bytes], "big")
    s = int.from_bytes(value[curve_bytes:], "big")
    return encode_dss_signature(r, s)


def check_signature_value(cert: x509.Certificate, data: bytes, value: bytes) -> bytes:
    """The DER form of ``value`` if it is a valid signature of ``data`` by ``cert``'s key."""
    key = cert.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        curve_bytes = (key.curve.key_size + 7) // 8
        candidates = [value]
        if len(value) == 2 * curve_bytes:
            candidates.insert(0, p1363_to_der(value, curve_bytes))
        for candidate in candidates:
            try:
                key.verify(candidate, data, ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                continue
            return candidate
    elif isinstance(key, rsa.RSAPublicKey):
        try:
            key.verify(value, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            pass
        else:
            return value
    elif isinstance(key, ed25519.Ed25519PublicKey):
        try:
            key.verify(value, data)
        except InvalidSignature:
            pass
        else:
            return value
    else:
        raise SignatureValueError(f"unsupported signer key type {type(key).__name__}")
    raise SignatureValueError("signature value does not verify with the signer's certificate")


def sign_bytes(key: CertificateIssuerPrivateKeyTypes, data: bytes) -> bytes:
    """Sign ``data`` as the CMS signer would (SHA-256; PKCS#1 v1.5 for RSA)."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    raise SignatureValueError(f"unsupported signing key type {type(key).__name__}")
