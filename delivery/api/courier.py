"""The courier's signed tracking callbacks (``POST /api/delivery/courier/callback``): the
signature and the time are checked before the body is believed (401 otherwise, nothing
recorded); the event moves the attempt of its waybill (a delivery → ``arrived``, a signature at
the door → ``collected``, a returned letter → ``returned``, which tells the clerk); a repeated
event (same ``event_id``) is acknowledged and changes nothing."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select

from delivery.api.deps import ContextDep, SessionDep
from delivery.courier import TRACKING_STATUSES, CallbackError, parse_callback
from delivery.errors import InvalidInputError, NotAuthenticatedError
from delivery.steps import apply_step
from delivery.tables import Attempt, Service, Step

router = APIRouter(prefix="/api/delivery/courier", tags=["delivery: courier"])
logger = logging.getLogger(__name__)
MAX_BODY = 16 * 1024


@router.post("/callback")
async def courier_callback(request: Request, ctx: ContextDep, session: SessionDep) -> Any:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise InvalidInputError("callback too large", "回调内容过大", reason="callback_size")
    try:
        event = parse_callback(
            ctx.courier_key,
            body,
            request.headers.get("x-courier-timestamp", ""),
            request.headers.get("x-courier-signature", ""),
            now=ctx.now(),
            window_s=ctx.settings.callback_window_s,
        )
    except CallbackError as exc:
        logger.warning("courier callback refused: %s", exc)
        raise NotAuthenticatedError(
            f"callback refused: {exc}", "快递回调验证失败（签名或时间不符）", reason="callback"
        ) from exc
    attempt = session.scalars(select(Attempt).where(Attempt.waybill == event.waybill)).first()
    if attempt is None:
        raise InvalidInputError("unknown waybill", "运单号不存在", reason="waybill")
    service = session.get(Service, attempt.service_id)
    assert service is not None
    external = f"courier:{event.event_id}"
    step = TRACKING_STATUSES[event.status]
    if session.scalars(select(Step.id).where(Step.external_id == external)).first():
        return {"ok": True, "repeated": True}
    details = {"waybill": event.waybill, "status": event.status, "note": event.note}
    actor = ("courier", ctx.courier.name)
    if step is None:
        session.add(
            Step(
                service_id=service.id,
                attempt_id=attempt.id,
                step=event.status,
                source="courier",
                at=event.at,
                external_id=external,
                details=details,
            )
        )
    else:
        apply_step(
            session,
            ctx,
            service,
            step,
            at=event.at,
            source="courier",
            actor=actor,
            attempt=attempt,
            external_id=external,
            details=details,
        )
    session.commit()
    return {"ok": True}
