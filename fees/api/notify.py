"""Where the payment provider sends its notifications (no session: each is verified by its
signature, its certificate serial, its timestamp and the decrypted resource)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from fees.api.deps import ContextDep
from fees.checkout import handle_notification
from fees.provider import NOTIFY_PATH, REFUND_NOTIFY_PATH
from fees.refunds import handle_refund_notice
from fees.wechatpay.notifications import RefundNotice

__all__ = ["router"]

router = APIRouter(tags=["fees: provider"])
MAX_NOTIFICATION_BYTES = 64 * 1024


async def _notified(request: Request, ctx: ContextDep) -> Response:
    body = await request.body()
    if len(body) > MAX_NOTIFICATION_BYTES:
        return JSONResponse({"code": "FAIL", "message": "too large"}, status_code=413)
    headers = {k: v for k, v in request.headers.items()}
    answer, notice = await asyncio.to_thread(handle_notification, ctx, headers, body)
    if isinstance(notice, RefundNotice):
        await asyncio.to_thread(handle_refund_notice, ctx, notice)
    if answer.body is None:
        return Response(status_code=answer.status)
    return JSONResponse(answer.body, status_code=answer.status)


@router.post(NOTIFY_PATH, include_in_schema=False)
async def payment_notified(request: Request, ctx: ContextDep) -> Response:
    return await _notified(request, ctx)


@router.post(REFUND_NOTIFY_PATH, include_in_schema=False)
async def refund_notified(request: Request, ctx: ContextDep) -> Response:
    return await _notified(request, ctx)
