"""What an institution does with an order's QR code, no login: the order's number and token
(from the QR code) are the credential. :func:`verify` records the verification as a leaf
(``order.verified``) and answers the order's state with every step's receipt under a new
checkpoint (:func:`ledger.order_steps.status_bundle`), which the page checks itself;
:func:`respond` records the institution's answer — documents given (uploaded) or a refusal with
its reason — as a leaf (``order.responded``), the files going to the dossier.

A wrong number or token is answered as an order that does not exist; an answer is taken only
while the order is valid (issued, not expired, not revoked).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select

from ledger.log.checkpoint import open_checkpoint
from ledger.log.cosign import count_cosignatures
from ledger.log.errors import LogError
from ledger.order_context import Actor, OrderContext
from ledger.order_events import announce, file_document
from ledger.order_issue import token_digest
from ledger.order_rules import effective_status
from ledger.order_steps import append_step, status_bundle
from ledger.order_tables import order_responses, orders
from ledger.orders import OrderError, last_day, not_found, view

__all__ = ["Upload", "respond", "verify"]


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    media_type: str
    data: bytes


def _by_token(ctx: OrderContext, number: str, token: str) -> Row[Any]:
    with ctx.engine.connect() as connection:
        row = connection.execute(select(orders).where(orders.c.number == number)).first()
    if row is None or row.token_sha256 is None:
        raise not_found()
    if not hmac.compare_digest(row.token_sha256, token_digest(token)):
        raise not_found()
    return row


def verify(
    ctx: OrderContext, number: str, token: str, who: str, since: int | None = None
) -> dict[str, Any]:
    """Record the verification, then the order's state and proofs (the page's JSON; ``since``:
    a checkpoint size, e.g. the PDF's, to prove the log consistent from)."""
    row = _by_token(ctx, number, token)
    now = ctx.now()
    record = {"type": "order.verified", "number": number, "by": who, "at": now.isoformat()}
    append_step(ctx, row.id, number, "order.verified", record, Actor("核验", who), now)
    shown = view(ctx, row)
    for private in ("dossier_case_id", "applied", "decision_reason", "id", "has_pdf"):
        shown.pop(private, None)
    bundle = status_bundle(ctx, row.id, since)
    with ctx.engine.connect() as connection:
        answers = connection.execute(
            select(order_responses).where(order_responses.c.order_id == row.id)
        ).all()
    return {
        "order": shown,
        "server_checks": _server_checks(ctx, bundle["checkpoint"]),
        "responses": [
            {"outcome": a.outcome, "responder": a.responder, "reason": a.reason,
             "files": json.loads(a.files_json), "at": a.at.isoformat()}
            for a in answers
        ],
        "ledger": bundle,
        "log_key": ctx.log_key.vkey(),
        "witnesses_needed": ctx.quorum.threshold if ctx.quorum else 0,
    }  # fmt: skip


def _server_checks(ctx: OrderContext, note: str) -> dict[str, Any]:
    """The Ed25519 signatures of the checkpoint (the log's, the witnesses'), checked here; the
    page checks the Merkle paths itself."""
    try:
        _, signed = open_checkpoint(note, ctx.log_key, ctx.settings.origin)
    except LogError:
        return {"log_signature": False, "witnesses": [], "quorum_met": False}
    if ctx.quorum is None:
        return {"log_signature": True, "witnesses": [], "quorum_met": False}
    met, names = count_cosignatures(signed, ctx.quorum)
    return {"log_signature": True, "witnesses": list(names), "quorum_met": met}


def respond(
    ctx: OrderContext, number: str, token: str, *, outcome: str, responder: str,
    reason: str, files: list[Upload],
) -> int:  # fmt: skip
    """The institution's answer; the leaf's index."""
    row = _by_token(ctx, number, token)
    if effective_status(row.status, last_day(row), ctx.now()) != "issued":
        raise OrderError(
            409, "order.not_valid", "该调查令已失效（过期或已撤销），不能登记协助结果",
            "This order is no longer valid (expired or revoked)",
        )  # fmt: skip
    if outcome not in ("provided", "refused") or not responder.strip():
        raise OrderError(422, "response.invalid", "请填写经办人与结果", "Responder and outcome")
    if outcome == "refused" and not reason.strip():
        raise OrderError(422, "response.reason", "拒绝协助须写明理由", "A refusal needs a reason")
    if outcome == "provided" and not files:
        raise OrderError(422, "response.files", "请上传提供的材料", "Upload the documents given")
    listed = [
        {"filename": f.filename, "media_type": f.media_type, "size_bytes": len(f.data),
         "sha256": hashlib.sha256(f.data).hexdigest()}
        for f in files
    ]  # fmt: skip
    now = ctx.now()
    record = {"type": "order.responded", "number": number, "outcome": outcome,
              "responder": responder, "reason": reason, "files": listed,
              "at": now.isoformat()}  # fmt: skip
    idx = append_step(ctx, row.id, number, "order.responded", record,
                      Actor("接受调查人", responder), now)  # fmt: skip
    with ctx.engine.begin() as connection:
        connection.execute(
            insert(order_responses).values(
                order_id=row.id, outcome=outcome, responder=responder, reason=reason or None,
                files_json=json.dumps(listed, ensure_ascii=False), leaf_idx=idx, at=now,
            )
        )  # fmt: skip
    for n, upload in enumerate(files, start=1):
        file_document(ctx, row.id, f"response-{idx}-{n}",
                      f"调查令{number}协助调查材料：{upload.filename}"[:300], upload.data,
                      upload.media_type, idx)  # fmt: skip
    said = "已提供材料" if outcome == "provided" else f"拒绝协助：{reason}"
    announce(ctx, row.id, "responded", f"调查令{number}接受调查人{said}")
    return idx
