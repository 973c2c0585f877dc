"""WeChat Pay API v3's cryptography, pure: request signatures, response and notification
verification, and the AES-256-GCM ``resource`` envelope.

- A request is signed (SHA256withRSA, PKCS#1 v1.5, base64) by the merchant's API certificate key
  over ``METHOD\\nPATH?QUERY\\ntimestamp\\nnonce\\nbody\\n`` (:func:`request_message`) and the
  signature travels in ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
  signature="…",timestamp="…",serial_no="…"`` (:func:`authorization_header`).
- A response or notification is signed by the platform (WeChat Pay's certificate, or its
  "public key" whose id starts ``PUB_KEY_ID_``) over ``timestamp\\nnonce\\nbody\\n``
  (:func:`response_message`), in the ``Wechatpay-Signature``/``-Timestamp``/``-Nonce``/``-Serial``
  headers. :func:`verify_signed` checks, in this order, that the serial names a key we know
  (``unknown_serial``), that the timestamp is within ``window_s`` of ``now`` (``stale_timestamp``;
  a replayed old message), and the signature (``bad_signature``). Verification raises, never
  returns False; the clock is passed in.
- Notification resources and the certificates' list are encrypted with the merchant's 32-byte
  APIv3 key: AES-256-GCM, the 12-character ``nonce`` and ``associated_data`` as UTF-8, the
  ciphertext base64 with the 16-byte tag appended (:func:`decrypt_resource`,
  :func:`encrypt_resource`).

Both directions are here (signing responses, encrypting resources) because the local gateway
simulator (:mod:`fees.wechatpay.simulator`) is the provider's side of the same protocol. The
tests check each function against the independent ``wechatpayv3`` library (test-only).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fees.wechatpay.errors import VerificationError

__all__ = [
    "AEAD_ALGORITHM",
    "AUTH_SCHEME",
    "DEFAULT_WINDOW_S",
    "AuthorizationParts",
    "SignedHeaders",
    "authorization_header",
    "certificate_serial",
    "decrypt_resource",
    "encrypt_resource",
    "load_certificate",
    "load_private_key",
    "load_public_key",
    "new_nonce",
    "parse_authorization",
    "request_message",
    "response_message",
    "rsa_sign",
    "rsa_verify",
    "sign_response",
    "signed_headers_from",
    "verify_signed",
]

AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
AEAD_ALGORITHM = "AEAD_AES_256_GCM"
DEFAULT_WINDOW_S = 300
"""WeChat's advice: refuse a response or notification signed more than 5 minutes away."""

_NONCE_ALPHABET = string.ascii_uppercase + string.digits
_AUTH_PARAM = re.compile(r'\s*([a-z_]+)="([^"]*)"\s*')


def new_nonce(length: int = 32) -> str:
    """A random string of capitals and digits (the resource nonce is 12 of them)."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(length))


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    """A PEM public key (WeChat Pay's "platform public key") or certificate."""
    key: object = (
        x509.load_pem_x509_certificate(pem).public_key()
        if b"BEGIN CERTIFICATE" in pem
        else serialization.load_pem_public_key(pem)
    )
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def load_certificate(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def certificate_serial(certificate: x509.Certificate) -> str:
    """The serial as WeChat writes it: upper-case hex without leading zeros."""
    return format(certificate.serial_number, "X")


def rsa_sign(private_key: rsa.RSAPrivateKey, message: str) -> str:
    signature = private_key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def rsa_verify(public_key: rsa.RSAPublicKey, message: str, signature_b64: str) -> None:
    """Raises :class:`VerificationError` (``bad_signature``)."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise VerificationError("bad_signature", "the signature does not verify") from exc


# ---------------------------------------------------------------- requests (merchant → WeChat)


def request_message(method: str, url: str, timestamp: int, nonce: str, body: str) -> str:
    """``url`` is the path with its query string, exactly as sent (``/v3/bill/tradebill?…``);
    ``body`` the exact body ("" for a GET)."""
    return f"{method.upper()}\n{url}\n{timestamp}\n{nonce}\n{body}\n"


@dataclass(frozen=True, slots=True)
class AuthorizationParts:
    mchid: str
    nonce_str: str
    signature: str
    timestamp: int
    serial_no: str


def authorization_header(
    *,
    mchid: str,
    serial_no: str,
    private_key: rsa.RSAPrivateKey,
    method: str,
    url: str,
    body: str,
    timestamp: int,
    nonce: str,
) -> str:
    signature = rsa_sign(private_key, request_message(method, url, timestamp, nonce, body))
    return (
        f'{AUTH_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def parse_authorization(header: str) -> AuthorizationParts:
    """The parts of an ``Authorization`` header; ``malformed`` if it is not one of ours."""
    scheme, _, params = header.strip().partition(" ")
    if scheme != AUTH_SCHEME:
        raise VerificationError("malformed", f"authorization scheme {scheme!r}")
    values: dict[str, str] = {}
    for item in params.split(","):
        match = _AUTH_PARAM.fullmatch(item)
        if match is None:
            raise VerificationError("malformed", "authorization parameters")
        values[match.group(1)] = match.group(2)
    try:
        return AuthorizationParts(
            mchid=values["mchid"],
            nonce_str=values["nonce_str"],
            signature=values["signature"],
            timestamp=int(values["timestamp"]),
            serial_no=values["serial_no"],
        )
    except (KeyError, ValueError) as exc:
        raise VerificationError("malformed", f"authorization parameter {exc}") from exc


# ---------------------------------------------------------------- responses and notifications


def response_message(timestamp: int | str, nonce: str, body: str) -> str:
    return f"{timestamp}\n{nonce}\n{body}\n"


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    """The four ``Wechatpay-*`` headers of a response or notification."""

    signature: str
    timestamp: str
    nonce: str
    serial: str

    def as_headers(self) -> dict[str, str]:
        return {
            "Wechatpay-Signature": self.signature,
            "Wechatpay-Timestamp": self.timestamp,
            "Wechatpay-Nonce": self.nonce,
            "Wechatpay-Serial": self.serial,
            "Wechatpay-Signature-Type": AUTH_SCHEME,
        }


def signed_headers_from(headers: Mapping[str, str]) -> SignedHeaders:
    """From any header mapping (names compared without case); ``malformed`` if one is missing."""
    lower = {name.lower(): value for name, value in headers.items()}
    try:
        return SignedHeaders(
            signature=lower["wechatpay-signature"],
            timestamp=lower["wechatpay-timestamp"],
            nonce=lower["wechatpay-nonce"],
            serial=lower["wechatpay-serial"],
        )
    except KeyError as exc:
        raise VerificationError("malformed", f"header {exc.args[0]} missing") from exc


def sign_response(
    private_key: rsa.RSAPrivateKey, serial: str, body: str, *, timestamp: int, nonce: str
) -> SignedHeaders:
    """The provider's side: the headers that make ``body`` verifiable."""
    signature = rsa_sign(private_key, response_message(timestamp, nonce, body))
    return SignedHeaders(signature=signature, timestamp=str(timestamp), nonce=nonce, serial=serial)


def verify_signed(
    signed: SignedHeaders,
    body: str,
    *,
    platform_keys: Mapping[str, rsa.RSAPublicKey],
    now: float,
    window_s: float = DEFAULT_WINDOW_S,
) -> None:
    """Checks serial, timestamp window and signature of a response or notification body;
    raises :class:`VerificationError` with the first reason that fails."""
    key = platform_keys.get(signed.serial)
    if key is None:
        raise VerificationError("unknown_serial", f"no platform key {signed.serial!r}")
    try:
        timestamp = int(signed.timestamp)
    except ValueError as exc:
        raise VerificationError("malformed", "Wechatpay-Timestamp is not a number") from exc
    if abs(now - timestamp) > window_s:
        raise VerificationError(
            "stale_timestamp", f"signed {now - timestamp:.0f} s away from now (window {window_s})"
        )
    rsa_verify(key, response_message(signed.timestamp, signed.nonce, body), signed.signature)


# ---------------------------------------------------------------- AES-256-GCM resources


def _aead(apiv3_key: bytes) -> AESGCM:
    if len(apiv3_key) != 32:
        raise ValueError("the APIv3 key is 32 bytes")
    return AESGCM(apiv3_key)


def decrypt_resource(apiv3_key: bytes, resource: Mapping[str, object]) -> bytes:
    """The plaintext of ``{algorithm, ciphertext, associated_data, nonce}``; ``malformed`` for
    a resource of another shape, ``bad_ciphertext`` when the tag does not authenticate."""
    algorithm = resource.get("algorithm")
    ciphertext = resource.get("ciphertext")
    nonce = resource.get("nonce")
    associated = resource.get("associated_data", "")
    if algorithm != AEAD_ALGORITHM:
        raise VerificationError("malformed", f"resource algorithm {algorithm!r}")
    if not (isinstance(ciphertext, str) and isinstance(nonce, str) and isinstance(associated, str)):
        raise VerificationError("malformed", "resource fields")
    try:
        data = base64.b64decode(ciphertext, validate=True)
        return _aead(apiv3_key).decrypt(nonce.encode(), data, associated.encode())
    except (InvalidTag, binascii.Error) as exc:
        raise VerificationError("bad_ciphertext", "the resource does not decrypt") from exc


def encrypt_resource(
    apiv3_key: bytes, plaintext: bytes, *, associated_data: str, nonce: str | None = None
) -> dict[str, str]:
    """The provider's side of :func:`decrypt_resource` (``nonce``: 12 characters, random)."""
    nonce = nonce if nonce is not None else new_nonce(12)
    sealed = _aead(apiv3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())
    return {
        "algorithm": AEAD_ALGORITHM,
        "ciphertext": base64.b64encode(sealed).decode("ascii"),
        "associated_data": associated_data,
        "nonce": nonce,
    }
