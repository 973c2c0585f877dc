"""The strictness of signing.primitives beyond what the published vectors exercise."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from signing.errors import InvalidSignatureError, MalformedSignatureError, UnsupportedKeyError
from signing.primitives import (
    P256_ORDER,
    der_to_p1363,
    ecdsa_p256_sign,
    ecdsa_p256_verify,
    ecdsa_p256_verify_p1363,
    ed25519_sign,
    ed25519_verify,
    hmac_sha256,
    hmac_sha256_verify,
    load_signer_public_key,
    p1363_to_der,
)

KEY = ec.derive_private_key(0x1234567890ABCDEF, ec.SECP256R1())


def spki(key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def p1363(r: int, s: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_webcrypto_round_trip_der_and_p1363():
    der = ecdsa_p256_sign(KEY, b"transcript v7")
    raw = der_to_p1363(der)
    assert len(raw) == 64 and p1363_to_der(raw) == der
    ecdsa_p256_verify(spki(KEY.public_key()), b"transcript v7", der)
    ecdsa_p256_verify_p1363(KEY.public_key(), b"transcript v7", raw)
    with pytest.raises(InvalidSignatureError):
        ecdsa_p256_verify_p1363(KEY.public_key(), b"transcript v8", raw)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        (b"", "empty"),
        (p1363(1, 1)[:63], "63 bytes"),
        (p1363(1, 1) + b"\0", "65 bytes"),
        (p1363(0, 1), "r = 0"),
        (p1363(1, 0), "s = 0"),
        (p1363(P256_ORDER, 1), "r = n"),
        (p1363(1, P256_ORDER), "s = n"),
        (b"\xff" * 64, "r, s > n"),
    ],
)
def test_p1363_to_der_rejects(signature: bytes, reason: str):
    with pytest.raises(MalformedSignatureError):
        p1363_to_der(signature)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("3006020101020101" + "00", "trailing byte"),
        ("3007020101020101", "sequence length beyond input"),
        ("30070201010201010500", "third element"),
        ("3080020101020101" + "0000", "indefinite length"),
        ("308106020101020101", "long-form length under 128"),
        ("300702020001020101", "r with a superfluous leading zero"),
        ("3006020181020101", "negative r"),
        ("30050200020101", "empty r"),
        ("3006020100020101", "r = 0"),
        ("3006030101020101", "r not an INTEGER"),
        ("3106020101020101", "not a SEQUENCE"),
        ("3026022100" + P256_ORDER.to_bytes(32, "big").hex()[:-2] + "020101", "truncated"),
    ],
)
def test_der_to_p1363_rejects(signature: str, reason: str):
    with pytest.raises(MalformedSignatureError):
        der_to_p1363(bytes.fromhex(signature))


def test_der_scalar_equal_to_order_is_rejected():
    order = P256_ORDER.to_bytes(32, "big")
    body = bytes([0x02, 0x21, 0x00]) + order + bytes.fromhex("020101")
    with pytest.raises(MalformedSignatureError, match="outside"):
        der_to_p1363(bytes([0x30, len(body)]) + body)


def test_der_minimal_leading_zero_is_accepted():
    r = 0x80 << 248  # top bit set: DER needs one leading zero byte
    body = bytes([0x02, 0x21, 0x00]) + r.to_bytes(32, "big") + bytes.fromhex("020101")
    assert der_to_p1363(bytes([0x30, len(body)]) + body) == p1363(r, 1)


def test_ed25519_round_trip_and_wrong_length():
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    signature = ed25519_sign(key, b"seal")
    ed25519_verify(key.public_key(), b"seal", signature)
    ed25519_verify(spki(key.public_key()), b"seal", signature)
    with pytest.raises(MalformedSignatureError):
        ed25519_verify(key.public_key(), b"seal", signature[:63])
    with pytest.raises(InvalidSignatureError):
        ed25519_verify(key.public_key(), b"seal!", signature)


def test_hmac_refuses_truncated_tags_unless_asked():
    tag = hmac_sha256(b"callback secret", b"{}")
    hmac_sha256_verify(b"callback secret", b"{}", tag)
    with pytest.raises(MalformedSignatureError):
        hmac_sha256_verify(b"callback secret", b"{}", tag[:16])
    with pytest.raises(MalformedSignatureError):
        hmac_sha256_verify(b"callback secret", b"{}", b"")
    hmac_sha256_verify(b"callback secret", b"{}", tag[:16], tag_length=16)
    with pytest.raises(InvalidSignatureError):
        hmac_sha256_verify(b"other secret", b"{}", tag)
    with pytest.raises(ValueError):
        hmac_sha256_verify(b"callback secret", b"{}", tag[:4], tag_length=4)


def test_only_p256_and_ed25519_keys_are_accepted():
    assert isinstance(load_signer_public_key(spki(KEY.public_key())), ec.EllipticCurvePublicKey)
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert load_signer_public_key(pem) == KEY.public_key()
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key()
    weak_rsa = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    for unacceptable in (spki(p384), spki(weak_rsa), b"not a key", b""):
        with pytest.raises(UnsupportedKeyError):
            load_signer_public_key(unacceptable)
    with pytest.raises(UnsupportedKeyError):
        ecdsa_p256_verify(p384, b"m", ecdsa_p256_sign(KEY, b"m"))
    with pytest.raises(UnsupportedKeyError):
        ecdsa_p256_sign(ec.generate_private_key(ec.SECP384R1()), b"m")
