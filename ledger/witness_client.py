"""The log's side of witnessing: send a checkpoint to each witness (C2SP tlog-witness), with the
consistency proof from the size the witness last cosigned, keep the cosignatures that verify,
and count a quorum (e.g. 2 of 3).

A witness that answers 409 tells its size; the request is made again from there, once. A refusal
(403, 404, 422) is reported with the witness's reason and stored nowhere.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from ledger.log.cosign import Quorum, count_cosignatures, verify_cosignature
from ledger.log.errors import NoteError
from ledger.log.note import NoteVerifier, SignedNote, parse_note
from ledger.store import LedgerError, StoredCheckpoint, add_cosignature, checkpoint_at
from ledger.tables import cosignatures

__all__ = [
    "ProofSource",
    "WitnessEndpoint",
    "WitnessOutcome",
    "add_checkpoint_body",
    "witness_checkpoint",
]


class ProofSource(Protocol):
    """Where consistency proofs come from: a :class:`MerkleTree` or a :class:`LogWriter`."""

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]: ...


class Poster(Protocol):
    """What is asked of the HTTP client: an ``httpx.Client`` with the witness as ``base_url``."""

    def post(self, url: str, /, *, content: bytes) -> httpx.Response: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class WitnessEndpoint:
    key: NoteVerifier  # the witness's Ed25519 key (its name is the witness's name)
    client: Poster


@dataclass(frozen=True, slots=True)
class WitnessOutcome:
    witness: str
    cosigned: bool
    reason: str  # "cosigned", or the witness's refusal / the failure


def add_checkpoint_body(old_size: int, proof: list[bytes], note: str) -> str:
    lines = [f"old {old_size}", *(base64.b64encode(p).decode() for p in proof)]
    return "\n".join(lines) + "\n\n" + note


def _known_size(engine: Engine, witness: str) -> int:
    with engine.connect() as connection:
        top = connection.execute(
            select(cosignatures.c.size)
            .where(cosignatures.c.witness == witness)
            .order_by(cosignatures.c.size.desc())
            .limit(1)
        ).scalar_one_or_none()
    return 0 if top is None else int(top)


def _ask(
    endpoint: WitnessEndpoint, tree: ProofSource, old: int, stored: StoredCheckpoint
) -> httpx.Response:
    size = stored.checkpoint.size
    plain = SignedNote(stored.note.text, stored.note.signatures[:1]).render()
    body = add_checkpoint_body(old, tree.consistency_proof(old, size) if old <= size else [], plain)
    return endpoint.client.post("/add-checkpoint", content=body.encode())


def _witness_one(
    engine: Engine,
    tree: ProofSource,
    stored: StoredCheckpoint,
    endpoint: WitnessEndpoint,
    clock: Callable[[], datetime],
) -> WitnessOutcome:
    name, size = endpoint.key.name, stored.checkpoint.size
    known = _known_size(engine, name)
    if known >= size and known > 0:
        return WitnessOutcome(name, known == size, "cosigned" if known == size else "witness.ahead")
    try:
        response = _ask(endpoint, tree, known, stored)
        if response.status_code == 409:  # the witness knows another size: once more from it
            response = _ask(endpoint, tree, int(response.text.strip()), stored)
    except (httpx.HTTPError, ValueError) as exc:
        return WitnessOutcome(name, False, f"witness.unreachable: {exc}")
    if response.status_code != 200:
        return WitnessOutcome(name, False, response.text.strip())
    try:
        note = parse_note(stored.note.text + "\n" + response.text)
        verify_cosignature(note, endpoint.key)
    except NoteError as exc:
        return WitnessOutcome(name, False, exc.reason)
    try:
        with engine.begin() as connection:
            for sig in note.signatures:
                if sig.name == name:
                    add_cosignature(connection, size, sig, clock())
    except IntegrityError:
        pass  # another process stored this witness's cosignature of this checkpoint first
    return WitnessOutcome(name, True, "cosigned")


def witness_checkpoint(
    engine: Engine,
    tree: ProofSource,
    size: int,
    endpoints: list[WitnessEndpoint],
    quorum: Quorum,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> tuple[bool, list[WitnessOutcome]]:
    """Ask every witness to cosign the stored checkpoint of ``size``; whether the quorum is met
    (counting cosignatures stored before too), and what each witness said."""
    with engine.connect() as connection:
        stored = checkpoint_at(connection, size)
    if stored is None:
        raise LedgerError("checkpoint.unknown", f"no checkpoint of size {size}")
    outcomes = []
    for endpoint in endpoints:
        outcomes.append(_witness_one(engine, tree, stored, endpoint, clock))
    with engine.connect() as connection:
        final = checkpoint_at(connection, size)
    assert final is not None
    met, _names = count_cosignatures(final.note, quorum)
    return met, outcomes
