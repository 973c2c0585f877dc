"""C2SP signed notes (https://c2sp.org/signed-note, the format of golang.org/x/mod/sumdb/note):
a UTF-8 text ending in a newline, a blank line, then signature lines
``— <name> <base64(key hash (4 bytes) || signature)>``.

The key hash is the first 4 bytes of SHA-256(name || "\\n" || type || public key), type 0x01 for
Ed25519 note signatures and 0x04 for tlog cosignatures (:mod:`ledger.log.cosign`). Keys are
written as the Go package writes them: ``name+hex(hash)+base64(0x01 || public key)`` (a verifier
key) and ``PRIVATE+KEY+name+hex(hash)+base64(0x01 || seed)`` (a signer key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.log.errors import NoteError

__all__ = [
    "ALG_COSIGNATURE",
    "ALG_ED25519",
    "NoteSigner",
    "NoteVerifier",
    "Signature",
    "SignedNote",
    "key_hash",
    "parse_note",
]

ALG_ED25519 = 0x01
ALG_COSIGNATURE = 0x04
_DASH = "— "  # U+2014 EM DASH, then a space
_MAX_SIGNATURES = 100
_NAME = re.compile(r"[^\s+]+")


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise NoteError("note.bad_name", f"a key name has no spaces and no '+': {name!r}")


def key_hash(name: str, alg: int, public_key: bytes) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: the signer's name, key hash and the decoded signature bytes (after the
    4-byte key hash)."""

    name: str
    hash: int
    signature: bytes

    def line(self) -> str:
        blob = self.hash.to_bytes(4, "big") + self.signature
        return f"{_DASH}{self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A public Ed25519 note key: verifies signatures of type ``alg`` (0x01 notes by default)."""

    name: str
    public_key: bytes
    alg: int = ALG_ED25519

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise NoteError("note.bad_key", "an Ed25519 public key is 32 bytes")

    @property
    def hash(self) -> int:
        return key_hash(self.name, self.alg, self.public_key)

    @classmethod
    def parse(cls, vkey: str) -> NoteVerifier:
        """``name+hash+base64(0x01||key)``; the hash must match."""
        try:
            name, hex_hash, b64 = vkey.split("+", 2)
            raw = base64.b64decode(b64, validate=True)
            claimed = int(hex_hash, 16)
        except (ValueError, binascii.Error):
            raise NoteError("note.bad_key", f"not a verifier key: {vkey!r}") from None
        if len(hex_hash) != 8 or len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("note.bad_key", f"not an Ed25519 verifier key: {vkey!r}")
        verifier = cls(name, raw[1:])
        if verifier.hash != claimed:
            raise NoteError("note.bad_key", f"the key hash does not match the key: {vkey!r}")
        return verifier

    def vkey(self) -> str:
        raw = bytes([self.alg]) + self.public_key
        return f"{self.name}+{self.hash:08x}+{base64.b64encode(raw).decode()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class NoteSigner:
    """A private Ed25519 note key (the 32-byte seed)."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise NoteError("note.bad_key", "an Ed25519 seed is 32 bytes")

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        key = Ed25519PrivateKey.generate()
        return cls(name, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    @classmethod
    def parse(cls, skey: str) -> NoteSigner:
        """``PRIVATE+KEY+name+hash+base64(0x01||seed)``; the hash must match."""
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("note.bad_key", "not a signer key")
        try:
            raw = base64.b64decode(parts[4], validate=True)
            claimed = int(parts[3], 16)
        except (ValueError, binascii.Error):
            raise NoteError("note.bad_key", "not a signer key") from None
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("note.bad_key", "not an Ed25519 signer key")
        signer = cls(parts[2], raw[1:])
        if signer.verifier().hash != claimed:
            raise NoteError("note.bad_key", "the key hash does not match the key")
        return signer

    def skey(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier().hash:08x}+{encoded}"

    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def verifier(self, alg: int = ALG_ED25519) -> NoteVerifier:
        return NoteVerifier(self.name, _raw_public(self._key().public_key()), alg)

    def sign_raw(self, message: bytes) -> bytes:
        return self._key().sign(message)

    def sign(self, text: str) -> Signature:
        _check_text(text)
        return Signature(self.name, self.verifier().hash, self.sign_raw(text.encode()))


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note.malformed", "a note's text ends in one newline, has no blank line")


@dataclass(frozen=True, slots=True)
class SignedNote:
    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)

    def signed_by(self, verifier: NoteVerifier) -> Signature:
        """The signature of ``verifier`` (matched by name and key hash), verified; raises
        ``note.unsigned`` if there is none, ``note.bad_signature`` if it does not verify."""
        for sig in self.signatures:
            if sig.name == verifier.name and sig.hash == verifier.hash:
                if not verifier.verify(self.text.encode(), sig.signature):
                    raise NoteError("note.bad_signature", f"{verifier.name}'s signature is wrong")
                return sig
        raise NoteError("note.unsigned", f"no signature by {verifier.name}")


def parse_note(message: str) -> SignedNote:
    """Split a signed note into its text and signature lines (nothing verified yet)."""
    head, sep, tail = message.rpartition("\n\n")
    if not sep or not tail.endswith("\n"):
        raise NoteError("note.malformed", "no signature block after a blank line")
    text = head + "\n"
    _check_text(text)
    signatures = []
    for line in tail[:-1].split("\n"):
        if not line.startswith(_DASH):
            raise NoteError("note.malformed", f"not a signature line: {line[:40]!r}")
        name, _, b64 = line[len(_DASH) :].partition(" ")
        _check_name(name)
        try:
            blob = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise NoteError("note.malformed", "a signature is not base64") from None
        if len(blob) < 5:
            raise NoteError("note.malformed", "a signature is too short")
        signatures.append(Signature(name, int.from_bytes(blob[:4], "big"), blob[4:]))
    if not signatures or len(signatures) > _MAX_SIGNATURES:
        raise NoteError("note.malformed", "a note has 1 to 100 signatures")
    return SignedNote(text, tuple(signatures))
