"""C2SP tlog-checkpoints (https://c2sp.org/tlog-checkpoint): the note text

    <origin>\\n<tree size, decimal>\\n<base64 root hash>\\n[extension lines]

signed by the log's key as a signed note (:mod:`ledger.log.note`), and the rule a client keeps:
a newer checkpoint must be consistent with the last one it trusted (:func:`check_extends`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.log.errors import CheckpointError, NoteError, ProofError
from ledger.log.merkle import HASH_SIZE, verify_consistency
from ledger.log.note import NoteSigner, NoteVerifier, SignedNote, parse_note

__all__ = ["Checkpoint", "check_extends", "open_checkpoint", "sign_checkpoint"]

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or any(c.isspace() and c != " " for c in self.origin):
            raise CheckpointError("checkpoint.malformed", "the origin is one non-empty line")
        if self.size < 0 or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError("checkpoint.malformed", "a size ≥ 0 and a 32-byte root hash")
        if any(not e or "\n" in e for e in self.extensions):
            raise CheckpointError("checkpoint.malformed", "an extension line is one non-empty line")

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "" or not _SIZE.fullmatch(lines[1]):
            raise CheckpointError("checkpoint.malformed", "origin, size and root hash lines")
        try:
            root = base64.b64decode(lines[2], validate=True)
        except binascii.Error:
            raise CheckpointError("checkpoint.malformed", "the root hash is not base64") from None
        return cls(lines[0], int(lines[1]), root, tuple(lines[3:-1]))


def sign_checkpoint(checkpoint: Checkpoint, log_key: NoteSigner) -> SignedNote:
    text = checkpoint.body()
    return SignedNote(text, (log_key.sign(text),))


def open_checkpoint(
    message: str, log_key: NoteVerifier, origin: str | None = None
) -> tuple[Checkpoint, SignedNote]:
    """Parse a signed checkpoint and verify the log's signature (and, if given, its origin)."""
    try:
        note = parse_note(message)
        note.signed_by(log_key)
    except NoteError as exc:
        raise CheckpointError(f"checkpoint.{exc.reason.split('.')[-1]}", exc.detail) from None
    checkpoint = Checkpoint.parse(note.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError("checkpoint.wrong_origin", f"a checkpoint of {checkpoint.origin!r}")
    return checkpoint, note


def check_extends(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Raise unless ``new`` is an append-only extension of ``old`` (same origin, not smaller, the
    consistency proof holds). Reasons: ``checkpoint.wrong_origin``, ``checkpoint.rollback`` (the
    log is smaller than one already seen), ``checkpoint.fork`` (same or larger size, but the old
    tree is not its prefix), ``checkpoint.bad_proof`` (the proof itself is malformed)."""
    if old.origin != new.origin:
        raise CheckpointError("checkpoint.wrong_origin", f"{new.origin!r} is not {old.origin!r}")
    if new.size < old.size:
        raise CheckpointError(
            "checkpoint.rollback", f"the log went back from {old.size} to {new.size} leaves"
        )
    if new.size == old.size and not hmac.compare_digest(new.root_hash, old.root_hash):
        raise CheckpointError("checkpoint.fork", f"two different trees of {old.size} leaves")
    try:
        verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    except ProofError as exc:
        reason = "checkpoint.fork" if exc.reason == "consistency.fork" else "checkpoint.bad_proof"
        raise CheckpointError(reason, exc.detail) from None
