"""The few primitives a court signature needs, as thin strict wrappers over ``cryptography``.

Every ``*_verify`` returns ``None`` or raises :class:`~signing.errors.InvalidSignatureError`
(pyca's convention: a forgotten ``if`` cannot turn a forgery into a pass). Malformed input raises
its subclass :class:`~signing.errors.MalformedSignatureError`, so one ``except`` covers both.

Why our own DER parser: WebCrypto produces ECDSA signatures in IEEE P1363 form (``r || s``, 32
bytes each for P-256) while CMS/PAdES wants DER ``SEQUENCE { INTEGER r, INTEGER s }``. The
conversion is where malleability creeps in (BER lengths, leading zeros, negative or out-of-range
integers, trailing bytes), so both directions are strict here and verification of DER signatures
goes through the same strict parser rather than trusting whichever leniency the backend has.

HMAC-SHA256 (signed callbacks) compares in constant time and refuses truncated tags unless the
caller names the truncated length explicitly (at least 16 bytes).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from signing.errors import InvalidSignatureError, MalformedSignatureError, UnsupportedKeyError

SignerPublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

#: Order of the P-256 group (FIPS 186-4 D.1.2.3): r and s must lie in [1, N - 1].
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_SCALAR_BYTES = 32
ED25519_SIGNATURE_BYTES = 64
HMAC_SHA256_BYTES = 32
HMAC_MIN_TAG_BYTES = 16


# ---------------------------------------------------------------------- keys
def load_signer_public_key(data: bytes | SignerPublicKey) -> SignerPublicKey:
    """A P-256 or Ed25519 public key from DER SubjectPublicKeyInfo, PEM, or a key object.

    WebCrypto's ``exportKey("spki")`` gives the DER form. Anything else (RSA, other curves,
    garbage) raises :class:`UnsupportedKeyError`.
    """
    if isinstance(data, bytes):
        try:
            if data.lstrip().startswith(b"-----BEGIN"):
                key: object = serialization.load_pem_public_key(data)
            else:
                key = serialization.load_der_public_key(data)
        except (ValueError, TypeError) as exc:
            raise UnsupportedKeyError(f"not a public key in DER or PEM form: {exc}") from None
    else:
        key = data
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise UnsupportedKeyError(f"EC curve {key.curve.name} is not accepted; use P-256")
        return key
    raise UnsupportedKeyError(f"{type(key).__name__} is not accepted; use ECDSA P-256 or Ed25519")


def _p256_key(key: bytes | ec.EllipticCurvePublicKey) -> ec.EllipticCurvePublicKey:
    loaded = load_signer_public_key(key)
    if not isinstance(loaded, ec.EllipticCurvePublicKey):
        raise UnsupportedKeyError("an ECDSA P-256 key is needed here")
    return loaded


def _ed25519_key(key: bytes | ed25519.Ed25519PublicKey) -> ed25519.Ed25519PublicKey:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if len(key) == 32:  # the raw form (RFC 8032, WebCrypto "raw")
        try:
            return ed25519.Ed25519PublicKey.from_public_bytes(key)
        except ValueError as exc:
            raise UnsupportedKeyError(f"not an Ed25519 public key: {exc}") from None
    loaded = load_signer_public_key(key)
    if not isinstance(loaded, ed25519.Ed25519PublicKey):
        raise UnsupportedKeyError("an Ed25519 key is needed here")
    return loaded


# ---------------------------------------------------------------------- Ed25519
def ed25519_sign(private_key: ed25519.Ed25519PrivateKey, message: bytes) -> bytes:
    """The 64-byte RFC 8032 signature of ``message``."""
    return private_key.sign(message)


def ed25519_verify(
    public_key: bytes | ed25519.Ed25519PublicKey, message: bytes, signature: bytes
) -> None:
    """Raise :class:`InvalidSignatureError` unless ``signature`` is valid (raw 32-byte key ok)."""
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise MalformedSignatureError(f"Ed25519 signature of {len(signature)} bytes, not 64")
    try:
        _ed25519_key(public_key).verify(signature, message)
    except InvalidSignature:
        raise InvalidSignatureError("Ed25519 signature does not verify") from None


# ---------------------------------------------------------------------- ECDSA P-256
def ecdsa_p256_sign(private_key: ec.EllipticCurvePrivateKey, message: bytes) -> bytes:
    """A DER ECDSA signature over SHA-256(``message``) (what CMS carries)."""
    if not isinstance(private_key.curve, ec.SECP256R1):
        raise UnsupportedKeyError(f"EC curve {private_key.curve.name} is not accepted; use P-256")
    return private_key.sign(message, ec.ECDSA(hashes.SHA256()))


def ecdsa_p256_verify(
    public_key: bytes | ec.EllipticCurvePublicKey, message: bytes, signature_der: bytes
) -> None:
    """Verify a strict-DER ECDSA P-256/SHA-256 signature; raise on any failure."""
    _verify_rs(_p256_key(public_key), message, *_parse_der(signature_der))


def ecdsa_p256_verify_p1363(
    public_key: bytes | ec.EllipticCurvePublicKey, message: bytes, signature_p1363: bytes
) -> None:
    """Verify a WebCrypto (IEEE P1363, ``r || s``) ECDSA P-256/SHA-256 signature."""
    _verify_rs(_p256_key(public_key), message, *_parse_p1363(signature_p1363))


def _verify_rs(key: ec.EllipticCurvePublicKey, message: bytes, r: int, s: int) -> None:
    try:
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise InvalidSignatureError("ECDSA signature does not verify") from None


def p1363_to_der(signature: bytes) -> bytes:
    """WebCrypto's ``r || s`` (exactly 64 bytes, 1 <= r, s < n) as DER for CMS."""
    return encode_dss_signature(*_parse_p1363(signature))


def der_to_p1363(signature: bytes) -> bytes:
    """Strict DER ``SEQUENCE { r, s }`` as fixed-width ``r || s`` (64 bytes)."""
    r, s = _parse_der(signature)
    return r.to_bytes(P256_SCALAR_BYTES, "big") + s.to_bytes(P256_SCALAR_BYTES, "big")


def _check_scalar(value: int, name: str) -> int:
    if not 1 <= value < P256_ORDER:
        raise MalformedSignatureError(f"ECDSA {name} is outside [1, n-1]")
    return value


def _parse_p1363(signature: bytes) -> tuple[int, int]:
    if len(signature) != 2 * P256_SCALAR_BYTES:
        raise MalformedSignatureError(f"P1363 signature of {len(signature)} bytes, not 64")
    r = int.from_bytes(signature[:P256_SCALAR_BYTES], "big")
    s = int.from_bytes(signature[P256_SCALAR_BYTES:], "big")
    return _check_scalar(r, "r"), _check_scalar(s, "s")


def _parse_der(signature: bytes) -> tuple[int, int]:
    """Parse DER exactly: one SEQUENCE of two minimal positive INTEGERs, nothing after it."""
    body, rest = _der_element(signature, 0x30)
    if rest:
        raise MalformedSignatureError("bytes after the DER signature")
    r_bytes, body = _der_element(body, 0x02)
    s_bytes, body = _der_element(body, 0x02)
    if body:
        raise MalformedSignatureError("more than two elements in the DER signature")
    return _check_scalar(_der_integer(r_bytes), "r"), _check_scalar(_der_integer(s_bytes), "s")


def _der_element(data: bytes, tag: int) -> tuple[bytes, bytes]:
    """Split ``data`` into (contents of the first element, the rest); definite minimal length."""
    if len(data) < 2 or data[0] != tag:
        raise MalformedSignatureError(f"expected DER tag {tag:#04x}")
    first = data[1]
    if first < 0x80:
        length, offset = first, 2
    elif first == 0x81:  # a long form is only allowed for lengths that need it (>= 128)
        if len(data) < 3 or data[2] < 0x80:
            raise MalformedSignatureError("non-minimal DER length")
        length, offset = data[2], 3
    else:  # 0x80 (indefinite) or lengths beyond 255 bytes: never a P-256 signature
        raise MalformedSignatureError("unsupported DER length form")
    if len(data) < offset + length:
        raise MalformedSignatureError("DER element longer than the input")
    return data[offset : offset + length], data[offset + length :]


def _der_integer(contents: bytes) -> int:
    if not contents:
        raise MalformedSignatureError("empty DER INTEGER")
    if contents[0] & 0x80:
        raise MalformedSignatureError("negative DER INTEGER")
    if len(contents) > 1 and contents[0] == 0 and not contents[1] & 0x80:
        raise MalformedSignatureError("non-minimal DER INTEGER (superfluous leading zero)")
    return int.from_bytes(contents, "big")


# ---------------------------------------------------------------------- HMAC-SHA256
def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """The full 32-byte HMAC-SHA256 tag."""
    return hmac.new(key, message, hashlib.sha256).digest()


def hmac_sha256_verify(
    key: bytes, message: bytes, tag: bytes, *, tag_length: int = HMAC_SHA256_BYTES
) -> None:
    """Raise :class:`InvalidSignatureError` unless ``tag`` is the HMAC (first ``tag_length``
    bytes of it), compared in constant time.

    A tag shorter than ``tag_length`` is refused, not compared as a prefix: otherwise an
    attacker could send one byte and guess it. Truncation is only accepted when the protocol
    names it through ``tag_length`` (16..32 bytes).
    """
    if not HMAC_MIN_TAG_BYTES <= tag_length <= HMAC_SHA256_BYTES:
        raise ValueError(f"tag_length must be {HMAC_MIN_TAG_BYTES}..{HMAC_SHA256_BYTES} bytes")
    if len(tag) != tag_length:
        raise MalformedSignatureError(f"HMAC tag of {len(tag)} bytes, expected {tag_length}")
    if not hmac.compare_digest(hmac_sha256(key, message)[:tag_length], tag):
        raise InvalidSignatureError("HMAC tag does not match")
