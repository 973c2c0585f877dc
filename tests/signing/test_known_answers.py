"""Known answers from PyPI's ``cryptography-vectors`` through signing.primitives.

Always available (a dev dependency), so a fresh clone tests the primitives even without the
Wycheproof folder. Ed25519: djb's ``sign.input`` (the RFC 8032 test set, 1,024 lines; signing is
deterministic, so our signature must equal the recorded one). ECDSA P-256/SHA-256: NIST CAVP
``SigVer`` (pass/fail verdicts) and ``SigGen`` (the recorded (r, s) must verify under Q; the
recorded k cannot be injected, so our own signatures with d are checked by verification).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from signing.errors import InvalidSignatureError
from signing.primitives import (
    der_to_p1363,
    ecdsa_p256_sign,
    ecdsa_p256_verify,
    ecdsa_p256_verify_p1363,
    ed25519_sign,
    ed25519_verify,
    p1363_to_der,
)

VECTORS = importlib.resources.files("cryptography_vectors") / "asymmetric"


def nist_blocks(name: str, section: str) -> Iterator[dict[str, str]]:
    """The ``key = value`` records of one ``[curve,hash]`` section of a CAVP response file."""
    text = (VECTORS / "ECDSA" / "FIPS_186-3" / name).read_text()
    inside, record = False, dict[str, str]()
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            if inside and record:
                yield record
            inside, record = line == section, {}
        elif inside and not line and record:
            yield record
            record = {}
        elif inside and " = " in line:
            key, _, value = line.partition(" = ")
            record[key] = value
    if inside and record:
        yield record


def p256_public(x_hex: str, y_hex: str) -> ec.EllipticCurvePublicKey:
    numbers = ec.EllipticCurvePublicNumbers(int(x_hex, 16), int(y_hex, 16), ec.SECP256R1())
    return numbers.public_key()


def rs(r_hex: str, s_hex: str) -> bytes:
    return bytes.fromhex(r_hex.rjust(64, "0")) + bytes.fromhex(s_hex.rjust(64, "0"))


def test_ed25519_sign_input_known_answers():
    lines = (VECTORS / "Ed25519" / "sign.input").read_text().splitlines()
    assert len(lines) == 1024
    for number, line in enumerate(lines):
        secret_public, public, message_hex, signed = line.split(":")[:4]
        private_key = ed25519.Ed25519PrivateKey.from_private_bytes(
            bytes.fromhex(secret_public)[:32]
        )
        message = bytes.fromhex(message_hex)
        signature = bytes.fromhex(signed)[:64]
        assert ed25519_sign(private_key, message) == signature, f"line {number}"
        ed25519_verify(bytes.fromhex(public), message, signature)
        tampered = bytes([signature[0] ^ 1]) + signature[1:]
        with pytest.raises(InvalidSignatureError):
            ed25519_verify(bytes.fromhex(public), message, tampered)


def test_nist_sigver_p256_sha256():
    verdicts = {"P": 0, "F": 0}
    for record in nist_blocks("SigVer.rsp", "[P-256,SHA-256]"):
        public_key = p256_public(record["Qx"], record["Qy"])
        message = bytes.fromhex(record["Msg"])
        signature = rs(record["R"], record["S"])
        expected = record["Result"][0]
        verdicts[expected] += 1
        try:
            ecdsa_p256_verify_p1363(public_key, message, signature)
            ecdsa_p256_verify(public_key, message, p1363_to_der(signature))
            accepted = True
        except InvalidSignatureError:
            accepted = False
        assert accepted == (expected == "P"), record
    assert verdicts["P"] > 0 and verdicts["F"] > 0 and sum(verdicts.values()) == 15


def test_nist_siggen_p256_sha256():
    records = list(nist_blocks("SigGen.txt", "[P-256,SHA-256]"))
    assert len(records) == 15
    for record in records:
        private_key = ec.derive_private_key(int(record["d"], 16), ec.SECP256R1())
        public_key = p256_public(record["Qx"], record["Qy"])
        assert private_key.public_key() == public_key
        message = bytes.fromhex(record["Msg"])
        recorded = rs(record["R"], record["S"])
        ecdsa_p256_verify_p1363(public_key, message, recorded)
        ours = ecdsa_p256_sign(private_key, message)
        ecdsa_p256_verify(public_key, message, ours)
        assert p1363_to_der(der_to_p1363(ours)) == ours
        with pytest.raises(InvalidSignatureError):
            ecdsa_p256_verify(public_key, message + b"\0", ours)
