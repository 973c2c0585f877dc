"""What is not WeChat's API: the payer's phone and the controls tests drive the simulator with.

- ``GET /sim/wallet?pr=…``: the page WeChat shows after scanning the code (:mod:`.wallet`), with
  the forms ``POST /sim/wallet/confirm`` and ``POST /sim/wallet/cancel`` (field ``pr``).
- ``POST /sim/pay`` ``{"pr": …}`` or ``{"out_trade_no": …}``: the same payment, for tests;
  answers ``{out_trade_no, transaction_id, trade_state}``.
- ``POST /sim/faults`` (:class:`FaultRequest`, see :mod:`.faults`) and ``DELETE /sim/faults``.
- ``GET /sim/notifications``: each notification's id, event type, order or refund number,
  status (``pending``, ``delivered``, ``failed``, ``dropped``) and attempts.
- ``GET /sim/health``: ``{"ok": true, "mchid", "platform_serial"}`` once the process serves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from fees.wechatpay.simulator.faults import API_NAMES, FaultPlan
from fees.wechatpay.simulator.gateway import Gateway, GatewayError
from fees.wechatpay.simulator.store import Order
from fees.wechatpay.simulator.wallet import render_result, render_wallet

__all__ = ["FaultRequest", "PayRequest", "add_controls"]


class FaultRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    out_trade_no: str | None = None
    duplicate: int = Field(default=1, ge=1, le=50)
    delay_s: float = Field(default=0.0, ge=0)
    drop: bool = False
    forge: bool = False
    wrong_amount: bool = False
    stale: bool = False
    replay: bool = False
    pay_immediately: bool = False
    fail_refund: bool = False
    timeout_once: str | None = None
    timeout_s: float = Field(default=30.0, ge=0)

    @field_validator("timeout_once")
    @classmethod
    def _api(cls, value: str | None) -> str | None:
        if value is not None and value not in API_NAMES:
            raise ValueError(f"one of {sorted(API_NAMES)}")
        return value


class PayRequest(BaseModel):
    pr: str | None = None
    out_trade_no: str | None = None


def add_controls(app: FastAPI, gateway: Gateway, *, merchant_name: str) -> None:
    keys = gateway.keys

    def by_token(token: str) -> Order:
        order = gateway.store.order_by_token(token)
        if order is None:
            raise GatewayError(404, "ORDER_NOT_EXIST", "订单不存在")
        return order

    # ------------------------------------------------------------ the payer's phone

    @app.get("/sim/wallet", response_class=HTMLResponse)
    async def wallet(pr: str = "") -> HTMLResponse:
        order = by_token(pr)
        return HTMLResponse(render_wallet(order, merchant_name, gateway.state(order)))

    async def form_token(request: Request) -> str:
        form = parse_qs((await request.body()).decode())
        return form.get("pr", [""])[0]

    @app.post("/sim/wallet/confirm", response_class=HTMLResponse)
    async def wallet_confirm(request: Request) -> HTMLResponse:
        token = await form_token(request)
        try:
            order = gateway.pay(token)
        except GatewayError as exc:
            return HTMLResponse(
                render_wallet(by_token(token), merchant_name, "CLOSED"),
                status_code=exc.status,
            )
        return HTMLResponse(render_result(order, merchant_name, paid=True))

    @app.post("/sim/wallet/cancel", response_class=HTMLResponse)
    async def wallet_cancel(request: Request) -> HTMLResponse:
        order = by_token(await form_token(request))
        return HTMLResponse(render_result(order, merchant_name, paid=False))

    # ------------------------------------------------------------ test controls

    @app.get("/sim/health")
    async def health() -> dict[str, Any]:
        return {"ok": True, "mchid": keys.mchid, "platform_serial": keys.platform_serial}

    @app.post("/sim/pay")
    async def pay(request: PayRequest) -> JSONResponse:
        token = request.pr
        if token is None and request.out_trade_no is not None:
            token = gateway.order(request.out_trade_no).token
        order = gateway.pay(token or "")
        return JSONResponse(
            {
                "out_trade_no": order.out_trade_no,
                "transaction_id": order.transaction_id,
                "trade_state": order.trade_state,
            }
        )

    @app.post("/sim/faults")
    async def add_fault(request: FaultRequest) -> dict[str, int]:
        gateway.faults.add(FaultPlan.from_dict(request.model_dump()))
        return {"pending": len(gateway.faults.pending())}

    @app.delete("/sim/faults")
    async def clear_faults() -> dict[str, int]:
        gateway.faults.clear()
        return {"pending": 0}

    @app.get("/sim/notifications")
    async def notifications() -> list[dict[str, Any]]:
        return [
            {
                "id": n.id,
                "event_type": n.event_type,
                "key": n.key,
                "status": n.status,
                "attempts": n.attempts,
                "create_time": n.create_time,
            }
            for n in gateway.store.notifications.values()
        ]
