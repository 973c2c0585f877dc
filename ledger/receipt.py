"""A receipt (存证凭证): everything needed to check, offline, that one step is in the log — the
leaf, its index, its inclusion proof, and a checkpoint with its witnesses' cosignatures. It is
what an order's PDF and QR page will carry, and what ``tingshen ledger verify`` will check.

JSON: ``{"version": 1, "index": n, "leaf": base64, "inclusion": [base64…],
"checkpoint": "<signed note with cosignatures>"}``.

:func:`verify_receipt` checks, in this order, and names the first that fails: the log's signature
of the checkpoint (``checkpoint.*``), the witnesses' quorum (``quorum.not_met``), the court's
signature of the entry (``entry.*``), the leaf's inclusion (``inclusion.*``), and — given a later
checkpoint and a consistency proof — that the later log still holds it (``checkpoint.fork`` /
``checkpoint.rollback``). Pure: no database, no web framework.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.entries import Entry, EntryError, open_leaf
from ledger.log.checkpoint import Checkpoint, check_extends, open_checkpoint
from ledger.log.cosign import Quorum, count_cosignatures
from ledger.log.errors import LogError
from ledger.log.merkle import leaf_hash, verify_inclusion
from ledger.log.note import NoteVerifier

__all__ = ["Receipt", "ReceiptError", "VerifiedReceipt", "verify_receipt"]


class ReceiptError(LogError):
    """A receipt is malformed, or its witnesses are too few."""


@dataclass(frozen=True, slots=True)
class Receipt:
    index: int
    leaf: bytes
    inclusion: tuple[bytes, ...]
    checkpoint: str  # the signed note, cosignatures included

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "index": self.index,
                "leaf": base64.b64encode(self.leaf).decode(),
                "inclusion": [base64.b64encode(h).decode() for h in self.inclusion],
                "checkpoint": self.checkpoint,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Receipt:
        try:
            raw = json.loads(text)
            if raw["version"] != 1 or not isinstance(raw["index"], int):
                raise ValueError("version 1 with an integer index")
            return cls(
                raw["index"],
                base64.b64decode(raw["leaf"], validate=True),
                tuple(base64.b64decode(h, validate=True) for h in raw["inclusion"]),
                str(raw["checkpoint"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise ReceiptError("receipt.malformed", str(exc)) from None


@dataclass(frozen=True, slots=True)
class VerifiedReceipt:
    entry: Entry
    checkpoint: Checkpoint
    witnesses: tuple[str, ...]  # whose cosignatures verified


def verify_receipt(
    receipt: Receipt,
    *,
    log_key: NoteVerifier,
    origin: str,
    court_keys: dict[str, NoteVerifier],
    quorum: Quorum,
    later: tuple[str, Sequence[bytes]] | None = None,
) -> VerifiedReceipt:
    """Check a receipt (see the module's docstring); raises a :class:`LogError` naming what failed.
    ``later`` is a later signed checkpoint and the consistency proof from the receipt's."""
    cp, note = open_checkpoint(receipt.checkpoint, log_key, origin)
    met, witnesses = count_cosignatures(note, quorum)
    if not met:
        raise ReceiptError(
            "quorum.not_met",
            f"{len(witnesses)} of the {quorum.threshold} witnesses needed cosigned",
        )
    index, entry = open_leaf(receipt.leaf, court_keys)
    if index != receipt.index:
        raise EntryError("leaf.moved", f"the leaf says {index}, the receipt {receipt.index}")
    verify_inclusion(
        receipt.index, cp.size, leaf_hash(receipt.leaf), receipt.inclusion, cp.root_hash
    )
    if later is not None:
        newer, _ = open_checkpoint(later[0], log_key, origin)
        check_extends(cp, newer, later[1])
    return VerifiedReceipt(entry, cp, witnesses)
