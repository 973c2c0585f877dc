"""C2SP tlog-cosignatures (https://c2sp.org/tlog-cosignature), ``cosignature/v1``: a witness
signs, with Ed25519,

    cosignature/v1\\ntime <seconds since the epoch>\\n<checkpoint body>

and adds a note signature line whose key hash uses type 0x04 and whose bytes are
``key hash (4) || timestamp (8, big-endian) || signature (64)``. A checkpoint counts once a
quorum of the trusted witnesses cosigned it (:func:`count_cosignatures`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ledger.log.errors import NoteError
from ledger.log.note import ALG_COSIGNATURE, NoteSigner, NoteVerifier, Signature, SignedNote

__all__ = [
    "Quorum",
    "cosign",
    "cosignature_message",
    "count_cosignatures",
    "verify_cosignature",
    "witness_verifier",
]


def cosignature_message(checkpoint_body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_body}".encode()


def witness_verifier(key: NoteSigner | NoteVerifier) -> NoteVerifier:
    """The witness's cosignature key (type 0x04) for a signer or an Ed25519 note verifier."""
    if isinstance(key, NoteSigner):
        return key.verifier(ALG_COSIGNATURE)
    return NoteVerifier(key.name, key.public_key, ALG_COSIGNATURE)


def cosign(witness: NoteSigner, checkpoint_body: str, timestamp: int) -> Signature:
    if timestamp < 0:
        raise NoteError("cosignature.bad_time", "a timestamp is ≥ 0")
    raw = witness.sign_raw(cosignature_message(checkpoint_body, timestamp))
    key = witness_verifier(witness)
    return Signature(witness.name, key.hash, timestamp.to_bytes(8, "big") + raw)


def verify_cosignature(note: SignedNote, witness: NoteVerifier) -> int:
    """The time a witness cosigned ``note`` (a checkpoint); raises ``cosignature.missing`` or
    ``cosignature.bad_signature``."""
    key = witness_verifier(witness)
    for sig in note.signatures:
        if sig.name == key.name and sig.hash == key.hash:
            if len(sig.signature) != 72:
                raise NoteError("cosignature.malformed", "a cosignature is 72 bytes")
            timestamp = int.from_bytes(sig.signature[:8], "big")
            if not key.verify(cosignature_message(note.text, timestamp), sig.signature[8:]):
                raise NoteError("cosignature.bad_signature", f"{key.name}'s cosignature is wrong")
            return timestamp
    raise NoteError("cosignature.missing", f"no cosignature by {key.name}")


@dataclass(frozen=True, slots=True)
class Quorum:
    """How many of which witnesses must cosign (e.g. 2 of 3)."""

    witnesses: tuple[NoteVerifier, ...]
    threshold: int

    def __post_init__(self) -> None:
        if not 1 <= self.threshold <= len(self.witnesses):
            raise ValueError("a quorum needs 1 ≤ threshold ≤ number of witnesses")


def count_cosignatures(note: SignedNote, quorum: Quorum) -> tuple[bool, tuple[str, ...]]:
    """Whether the quorum is met, and the names of the witnesses whose cosignature verified
    (each witness counted once; a wrong cosignature does not count)."""
    good: list[str] = []
    for witness in _unique(quorum.witnesses):
        try:
            verify_cosignature(note, witness)
        except NoteError:
            continue
        good.append(witness.name)
    return len(good) >= quorum.threshold, tuple(good)


def _unique(witnesses: Iterable[NoteVerifier]) -> list[NoteVerifier]:
    seen: set[bytes] = set()
    out = []
    for w in witnesses:
        if w.public_key not in seen:
            seen.add(w.public_key)
            out.append(w)
    return out
