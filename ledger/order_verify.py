"""Checking an order's PDF offline (``tingshen ledger verify ORDER.pdf``), each check named:

1. ``seal``: the court's seal (PAdES, :func:`signing.verify.verify_pdf` against the court's root
   certificate): ``seal.missing``, ``seal.untrusted`` (a seal by someone else), ``seal.broken``
   (the bytes changed after sealing);
2. ``receipt``: the embedded record and receipt are there (``receipt.missing``);
3. ``scope``: the order's record in the PDF is the one its leaf's court-signed entry hashes
   (``scope.changed``: someone changed the scope, the lawyer, the dates …);
4. ``ledger``: the receipt (:func:`ledger.receipt.verify_receipt`): the log's signature, the
   witnesses' quorum, the court's signature, the leaf's inclusion (``quorum.not_met``,
   ``inclusion.root_mismatch``, ``entry.bad_signature`` …);
5. ``validity``: the last day has not passed (``order.expired``);
6. with a later state of the log (``--checkpoint``, the JSON the server gives:
   :func:`ledger.order_steps.status_bundle`): ``consistency`` — the later cosigned checkpoint
   extends the PDF's (``checkpoint.fork`` / ``checkpoint.rollback``) — and ``status``: every
   later step of the order proven in it, ``order.revoked`` / ``order.expired`` when the log
   says so.

Pure apart from reading the PDF: no database, no web.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cryptography import x509

from ledger.log.checkpoint import check_extends, open_checkpoint
from ledger.log.cosign import Quorum
from ledger.log.errors import LogError
from ledger.log.note import NoteVerifier
from ledger.order_pdf import read_attachment
from ledger.order_rules import COURT_TZ, digest
from ledger.receipt import Receipt, verify_receipt
from signing.verify import verify_pdf
from signing.verify_report import ProblemCode

__all__ = ["Check", "Trust", "verify_order_pdf"]

_NOT_A_SEAL_PROBLEM = {
    ProblemCode.BINDING_MISSING, ProblemCode.TRANSCRIPT_DIGEST, ProblemCode.RECORDING_MISMATCH,
}  # fmt: skip
"""A transcript's record binding: an order has none."""


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class Trust:
    """What a verifier trusts, published by the court (``GET /api/ledger/trust``)."""

    origin: str
    log_key: NoteVerifier
    court_keys: dict[str, NoteVerifier]
    quorum: Quorum | None
    roots: tuple[x509.Certificate, ...]

    @classmethod
    def from_json(cls, text: str, roots: Sequence[x509.Certificate]) -> Trust:
        raw = json.loads(text)
        witnesses = tuple(NoteVerifier.parse(k) for k in raw["witnesses"])
        quorum = Quorum(witnesses, int(raw["quorum"])) if witnesses else None
        courts = {k.name: k for k in map(NoteVerifier.parse, raw["court_keys"])}
        return cls(raw["origin"], NoteVerifier.parse(raw["log_key"]), courts, quorum, tuple(roots))


def _seal(pdf: bytes, trust: Trust, now: datetime) -> Check:
    report = verify_pdf(pdf, list(trust.roots), now=now)
    codes = report.codes() - _NOT_A_SEAL_PROBLEM
    if not report.signers:
        return Check("seal", False, "seal.missing", "the PDF carries no seal")
    if ProblemCode.UNTRUSTED_CHAIN in codes:
        names = ", ".join(s.name for s in report.signers)
        return Check("seal", False, "seal.untrusted", f"sealed by {names}, not by the court")
    if codes:
        return Check("seal", False, "seal.broken", ", ".join(sorted(c.value for c in codes)))
    return Check("seal", True, "ok", f"sealed by {report.signers[-1].name}")


def _receipt(raw: dict[str, Any]) -> Receipt:
    return Receipt.from_json(json.dumps(raw))


def _check(name: str, fn: Any) -> Check:
    try:
        return Check(name, True, "ok", fn())
    except LogError as exc:
        return Check(name, False, exc.reason, exc.detail)


def verify_order_pdf(
    pdf: bytes, trust: Trust, *, now: datetime, later: dict[str, Any] | None = None
) -> list[Check]:
    """Every check, in order; a check that cannot run for want of an earlier one is skipped."""
    checks = [_seal(pdf, trust, now)]
    attached = read_attachment(pdf)
    if attached is None or "order" not in attached or "receipt" not in attached:
        return [*checks, Check("receipt", False, "receipt.missing", "no order-receipt.json")]
    order, receipt = attached["order"], _receipt(attached["receipt"])
    checks.append(Check("receipt", True, "ok", f"leaf {receipt.index}"))
    if trust.quorum is None:
        return [*checks, Check("ledger", False, "quorum.not_configured", "no witness keys")]
    quorum = trust.quorum

    def ledger() -> str:
        verified = verify_receipt(
            receipt, log_key=trust.log_key, origin=trust.origin, court_keys=trust.court_keys,
            quorum=quorum,
        )  # fmt: skip
        entry = verified.entry
        if entry.kind != "order.issued" or entry.subject != order.get("number"):
            raise LogError("scope.changed", f"the leaf is {entry.kind} of {entry.subject}")
        if entry.sha256 != digest(order):
            raise LogError("scope.changed", "the order in the PDF is not the one in the ledger")
        return (
            f"{entry.kind} {entry.subject} by {entry.court}, leaf {receipt.index} of "
            f"{verified.checkpoint.size}, witnessed by {', '.join(verified.witnesses)}"
        )

    checks.append(_check("ledger", ledger))
    last = date.fromisoformat(str(order.get("valid_until", "1970-01-01")))
    today = now.astimezone(COURT_TZ).date()
    if today > last:
        checks.append(Check("validity", False, "order.expired", f"valid until {last}"))
    else:
        checks.append(Check("validity", True, "ok", f"valid until {last}"))
    if later is not None and checks[-2].ok:
        checks.extend(_later(receipt, order, trust, quorum, later))
    return checks


def _later(
    receipt: Receipt, order: dict[str, Any], trust: Trust, quorum: Quorum, later: dict[str, Any]
) -> list[Check]:
    old, _ = open_checkpoint(receipt.checkpoint, trust.log_key, trust.origin)
    statuses: list[str] = []

    def consistency() -> str:
        new, _ = open_checkpoint(later["checkpoint"], trust.log_key, trust.origin)
        proof_raw = later.get("consistency") or {}
        if new.size > old.size and proof_raw.get("old") != old.size:
            raise LogError("consistency.missing", f"no proof from size {old.size}")
        proof = [base64.b64decode(h) for h in proof_raw.get("proof", [])]
        check_extends(old, new, proof)
        return f"the log grew from {old.size} to {new.size} leaves, append-only"

    def status() -> str:
        for step in later["steps"]:
            proven = verify_receipt(
                _receipt(step["receipt"]), log_key=trust.log_key, origin=trust.origin,
                court_keys=trust.court_keys, quorum=quorum,
            )  # fmt: skip
            if proven.entry.subject != order["number"]:
                continue
            if proven.entry.sha256 != digest(json.loads(step["record"])):
                raise LogError("step.changed", f"{step['kind']}: record and leaf differ")
            statuses.append(proven.entry.kind)
            if proven.entry.kind == "order.revoked":
                reason = json.loads(step["record"]).get("reason", "")
                raise LogError("order.revoked", f"revoked at {proven.entry.at:%Y-%m-%d}: {reason}")
            if proven.entry.kind == "order.expired":
                raise LogError("order.expired", "the log records the order as expired")
        return "not revoked: " + ", ".join(statuses)

    first = _check("consistency", consistency)
    return [first, _check("status", status)] if first.ok else [first]
