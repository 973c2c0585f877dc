"""Issuing an approved order: its QR token (kept hashed), the ``order.issued`` leaf over the
order's record, a checkpoint the witnesses cosign, the PDF with the record and its receipt
embedded, sealed by the court (``ServiceHost.seal``; unsealed where the process holds no seal
key, which ``tingshen ledger verify`` then names), filed for the dossier, the parties told."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import update

from ledger.order_context import Actor, OrderContext
from ledger.order_events import announce, file_document
from ledger.order_pdf import attach_receipt, order_pdf
from ledger.order_rules import COURT_TZ, valid_until
from ledger.order_steps import append_step, receipt_of
from ledger.order_tables import orders
from ledger.orders import Judge, case_of, order_row
from tingshen_platform.fonts import find_cjk_font

__all__ = ["issue", "token_digest"]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    ctx: OrderContext, order_id: int, judge: Judge, font: Callable[[], Path] = find_cjk_font
) -> str:
    """Issue the approved order; its QR token (shown only in the PDF's QR code)."""
    now = ctx.now()
    with ctx.engine.connect() as connection:
        row = order_row(connection, order_id)
        case = case_of(connection, row.case_id)
    scope = json.loads(row.scope_json)
    record: dict[str, Any] = {
        "type": "order.issued", "number": row.number, "court": case.court_name,
        "case_number": case.case_number, "lawyer": row.lawyer_name,
        "licence_number": row.lawyer_licence, "judge": judge.name,
        "institution_kind": scope["institution_kind"],
        "institution_name": scope["institution_name"], "items": scope["items"],
        "reason": scope["reason"], "valid_from": str(now.astimezone(COURT_TZ).date()),
        "valid_until": str(valid_until(now, int(scope["valid_days"]))),
        "issued_at": now.isoformat(),
    }  # fmt: skip
    idx = append_step(
        ctx, order_id, row.number, "order.issued", record, Actor("法官", judge.name), now
    )
    size = ctx.witness()
    with ctx.engine.connect() as connection:
        receipt = receipt_of(ctx, connection, idx, size)
    token = secrets.token_urlsafe(18)
    pdf = order_pdf(record, ctx.verify_url(row.number, token), font=font())
    pdf = attach_receipt(
        pdf, {"version": 1, "order": record, "receipt": json.loads(receipt.to_json())}
    )
    if ctx.seal is not None:
        pdf = ctx.seal(pdf, f"律师调查令 {row.number}")
    key = file_document(
        ctx, order_id, "order", f"律师调查令（{row.number}）", pdf, "application/pdf", idx
    )
    with ctx.engine.begin() as connection:
        connection.execute(
            update(orders).where(orders.c.id == order_id).values(
                status="issued", issued_at=now, token_sha256=token_digest(token), pdf_key=key,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
        )  # fmt: skip
    announce(
        ctx, order_id, "issued",
        f"调查令{row.number}已签发，有效期至{record['valid_until']}",
    )  # fmt: skip
    return token
