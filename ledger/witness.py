"""A witness (见证方): an independent party with its own key and its own state file that cosigns a
log's checkpoint only if it is consistent with the last checkpoint it cosigned — so a log that
shows two histories (a fork) or goes back (a rollback) cannot get both past the same witness.

The request and the answers are those of the C2SP tlog-witness protocol
(https://c2sp.org/tlog-witness), ``POST /add-checkpoint`` with the body::

    old <size the log believes the witness has>
    <base64 consistency proof line>…
    <blank line>
    <the signed checkpoint>

200: the cosignature line(s); 409 with ``<size>\\n`` (text/x.tlog.size): the witness has another
size, ask again from it; 403: the log's signature does not verify; 404: unknown log; 422: not
consistent (the reason in the body: ``checkpoint.fork``, ``checkpoint.rollback``, …); 400:
malformed. The state is written (fsync, rename) before the cosignature is given out.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ledger.log.checkpoint import Checkpoint, check_extends, open_checkpoint
from ledger.log.cosign import cosign
from ledger.log.errors import CheckpointError
from ledger.log.merkle import EMPTY_ROOT
from ledger.log.note import NoteSigner, NoteVerifier

__all__ = ["Answer", "Witness", "WitnessState", "init_state"]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class WitnessState:
    origin: str
    log_vkey: str
    size: int
    root_hash: bytes

    def to_json(self) -> str:
        return json.dumps(
            {
                "origin": self.origin,
                "log_vkey": self.log_vkey,
                "size": self.size,
                "root_hash": base64.b64encode(self.root_hash).decode(),
            },
            indent=2,
        )

    @classmethod
    def load(cls, path: Path) -> WitnessState:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            raw["origin"], raw["log_vkey"], int(raw["size"]), base64.b64decode(raw["root_hash"])
        )

    def save(self, path: Path) -> None:
        """Atomically: a crash leaves the old state or the new one, never half of either."""
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(self.to_json())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def init_state(path: Path, origin: str, log_key: NoteVerifier) -> WitnessState:
    """A witness that has seen nothing of this log yet (size 0); refuses to overwrite."""
    if path.exists():
        raise FileExistsError(f"{path} exists: a witness never forgets what it cosigned")
    state = WitnessState(origin, log_key.vkey(), 0, EMPTY_ROOT)
    state.save(path)
    return state


def _parse_request(body: str) -> tuple[int, list[bytes], str]:
    head, sep, note = body.partition("\n\n")
    if not sep:
        raise ValueError("no blank line before the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old ") or not lines[0][4:].isdigit():
        raise ValueError("the first line is 'old <size>'")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except binascii.Error:
        raise ValueError("a proof line is not base64") from None
    return int(lines[0][4:]), proof, note


class Witness:
    """One witness of one log, its state in ``state_path``."""

    def __init__(self, key: NoteSigner, state_path: Path, clock: Callable[[], int]) -> None:
        self.key = key
        self.state_path = state_path
        self._clock = clock
        self._lock = threading.Lock()
        self.state = WitnessState.load(state_path)
        self._log_key = NoteVerifier.parse(self.state.log_vkey)

    def add_checkpoint(self, body: str) -> Answer:
        try:
            old_size, proof, note = _parse_request(body)
        except ValueError as exc:
            return Answer(400, f"request.malformed: {exc}\n")
        try:
            new, signed = open_checkpoint(note, self._log_key)
        except CheckpointError as exc:
            status = 400 if exc.reason == "checkpoint.malformed" else 403
            return Answer(status, f"{exc.reason}: {exc.detail}\n")
        if new.origin != self.state.origin:
            return Answer(404, f"log.unknown: this witness does not witness {new.origin!r}\n")
        with self._lock:
            state = self.state
            if old_size != state.size:
                return Answer(409, f"{state.size}\n", "text/x.tlog.size")
            old = Checkpoint(state.origin, state.size, state.root_hash)
            try:
                check_extends(old, new, proof)
            except CheckpointError as exc:
                return Answer(422, f"{exc.reason}: {exc.detail}\n")
            if new.size > state.size or state.size == 0:
                self.state = WitnessState(state.origin, state.log_vkey, new.size, new.root_hash)
                self.state.save(self.state_path)
            line = cosign(self.key, signed.text, self._clock()).line()
        return Answer(200, line)
