"""A software authenticator for the passkey tests (the outside boundary: a phone's or a
security key's part of WebAuthn): a P-256 key pair, ``none`` attestation, user present and
verified, answers shaped as the browser's ``PublicKeyCredential.toJSON()``."""

from __future__ import annotations

import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

__all__ = ["SoftAuthenticator"]

UP, UV, AT = 0x01, 0x04, 0x40


@dataclass
class SoftAuthenticator:
    origin: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    counter: int = 0
    user_handle: bytes = b""

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})  # fmt: skip

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge,
                           "origin": origin or self.origin, "crossOrigin": False}).encode()  # fmt: skip

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> str:
        """The answer to ``navigator.credentials.create({publicKey: options})``, as JSON."""
        self.user_handle = base64url_to_bytes(options["user"]["id"])
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = (b"\0" * 16 + struct.pack(">H", len(self.credential_id)) + self.credential_id
                    + self._cose_key())  # fmt: skip
        auth_data = (hashlib.sha256(options["rp"]["id"].encode()).digest()
                     + bytes([UP | UV | AT]) + struct.pack(">I", self.counter) + attested)  # fmt: skip
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        cid = bytes_to_base64url(self.credential_id)
        return json.dumps({
            "id": cid, "rawId": cid, "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": bytes_to_base64url(client_data),
                         "attestationObject": bytes_to_base64url(attestation),
                         "transports": ["internal"]},
        })  # fmt: skip

    def get(self, options: dict[str, Any], *, origin: str | None = None, rp_id: str | None = None,
            flags: int = UP | UV) -> str:  # fmt: skip
        """The answer to ``navigator.credentials.get({publicKey: options})``, as JSON."""
        self.counter += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = (hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
                     + bytes([flags]) + struct.pack(">I", self.counter))  # fmt: skip
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        cid = bytes_to_base64url(self.credential_id)
        return json.dumps({
            "id": cid, "rawId": cid, "type": "public-key", "clientExtensionResults": {},
            "response": {"clientDataJSON": bytes_to_base64url(client_data),
                         "authenticatorData": bytes_to_base64url(auth_data),
                         "signature": bytes_to_base64url(signature),
                         "userHandle": bytes_to_base64url(self.user_handle)},
        })  # fmt: skip
