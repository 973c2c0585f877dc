"""The SMS provider's signed delivery receipts (``POST /api/delivery/sms/receipt``): the
signature and the time are checked before the body is believed (401 otherwise, nothing
recorded); ``delivered`` moves the message's attempt to ``arrived``, ``undeliverable`` (a dead
number) to ``failed``, which tells the clerk with the next channel; a repeated receipt (same
``receipt_id``) is acknowledged and changes nothing (:mod:`delivery.sms_receipts`)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request

from delivery.api.deps import ContextDep, SessionDep
from delivery.errors import InvalidInputError, NotAuthenticatedError
from delivery.sms_receipts import RECEIPT_STEPS, ReceiptError, attempt_id_of, parse_receipt
from delivery.steps import apply_step
from delivery.tables import Attempt, Service

router = APIRouter(prefix="/api/delivery/sms", tags=["delivery: SMS receipts"])
logger = logging.getLogger(__name__)
MAX_BODY = 16 * 1024


@router.post("/receipt")
async def sms_receipt(request: Request, ctx: ContextDep, session: SessionDep) -> Any:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidInputError("receipt too large", "状态报告内容过大", reason="receipt_size")
    try:
        receipt = parse_receipt(
            ctx.sms_receipt_key,
            body,
            request.headers.get("x-sms-timestamp", ""),
            request.headers.get("x-sms-signature", ""),
            now=ctx.now(),
            window_s=ctx.settings.callback_window_s,
        )
    except ReceiptError as exc:
        logger.warning("SMS receipt refused: %s", exc)
        raise NotAuthenticatedError(
            f"receipt refused: {exc}", "短信状态报告验证失败（签名或时间不符）", reason="receipt"
        ) from exc
    attempt_id = attempt_id_of(receipt.reference)
    attempt = session.get(Attempt, attempt_id) if attempt_id is not None else None
    if attempt is None or attempt.channel not in ("sms", "email"):
        raise InvalidInputError("unknown message reference", "短信编号不存在", reason="reference")
    service = session.get(Service, attempt.service_id)
    assert service is not None
    changed = apply_step(
        session,
        ctx,
        service,
        RECEIPT_STEPS[receipt.status],
        at=receipt.at,
        source=attempt.channel,
        actor=("sms", "短信服务商"),
        attempt=attempt,
        external_id=f"sms:{receipt.receipt_id}",
        details={"reference": receipt.reference, "status": receipt.status,
                 "error": receipt.error},
    )  # fmt: skip
    session.commit()
    return {"ok": True, "changed": changed}
