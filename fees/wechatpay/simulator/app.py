"""The simulator's HTTP face: WeChat Pay v3's endpoints, the payer's phone, and test controls.

Every ``/v3`` call must carry a valid merchant ``Authorization`` (the provisioned merchant's
certificate, a timestamp within the window) or gets ``401 SIGN_ERROR``; every ``/v3`` answer,
errors included, is signed with the platform key (the bill file excepted: the client checks
it by its SHA1, as with WeChat).

The payer's phone and the test controls (``/sim/…``) are in :mod:`.controls`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from fees.wechatpay.crypto import (
    DEFAULT_WINDOW_S,
    new_nonce,
    parse_authorization,
    request_message,
    rsa_verify,
    sign_response,
)
from fees.wechatpay.errors import VerificationError
from fees.wechatpay.simulator.answers import certificates_answer, refund_answer
from fees.wechatpay.simulator.billing import bill_rows, bill_text
from fees.wechatpay.simulator.controls import add_controls
from fees.wechatpay.simulator.gateway import Gateway, GatewayError, state_path
from fees.wechatpay.simulator.keys import load_simulator_keys
from fees.wechatpay.simulator.notifier import Notifier
from fees.wechatpay.simulator.store import Store

__all__ = ["SimulatorOptions", "build_gateway", "create_app", "create_simulator_app"]


@dataclass(frozen=True, slots=True)
class SimulatorOptions:
    state_dir: Path
    time_scale: float = 1.0
    """Notification retries and refund completion run this many times faster."""
    notify_timeout_s: float = 5.0
    """How long the merchant has to answer a notification (WeChat: 5 s)."""
    refund_delay_s: float = 5.0
    """How long a refund stays ``PROCESSING`` (divided by ``time_scale``)."""
    request_window_s: float = DEFAULT_WINDOW_S
    merchant_name: str = "诉讼费收费（模拟商户）"
    notify_transport: httpx.AsyncBaseTransport | None = None
    """Where notifications go (tests: an ASGI app); default: the network (loopback here)."""
    clock: Callable[[], float] = time.time


def build_gateway(options: SimulatorOptions) -> Gateway:
    keys = load_simulator_keys(options.state_dir)
    store = Store(state_path(options.state_dir))
    notifier = Notifier(
        keys,
        store,
        time_scale=options.time_scale,
        timeout_s=options.notify_timeout_s,
        transport=options.notify_transport,
        clock=options.clock,
    )
    return Gateway(
        keys,
        store,
        notifier,
        time_scale=options.time_scale,
        refund_delay_s=options.refund_delay_s,
        clock=options.clock,
    )


def create_app(
    gateway: Gateway,
    *,
    options: SimulatorOptions,
    lifespan: Callable[[FastAPI], Any] | None = None,
) -> FastAPI:
    """Routes over an existing gateway (tests build the gateway and close it themselves)."""
    app = FastAPI(title="WeChat Pay v3 simulator", lifespan=lifespan, openapi_url=None)
    keys = gateway.keys
    bills: dict[str, bytes] = {}

    def signed(status: int, content: dict[str, Any] | None) -> Response:
        body = (
            ""
            if content is None
            else json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        )
        headers = sign_response(
            keys.platform_key,
            keys.platform_serial,
            body,
            timestamp=int(options.clock()),
            nonce=new_nonce(),
        ).as_headers()
        return Response(
            content=body.encode(),
            status_code=status,
            headers=headers,
            media_type="application/json" if body else None,
        )

    @app.exception_handler(GatewayError)
    async def _gateway_error(request: Request, exc: GatewayError) -> Response:
        return signed(exc.status, {"code": exc.code, "message": exc.message})

    async def authenticated(request: Request) -> str:
        """The request body, once the merchant's signature over it has been checked."""
        body = (await request.body()).decode("utf-8", errors="replace")
        header = request.headers.get("authorization")
        if header is None:
            raise GatewayError(401, "SIGN_ERROR", "缺少Authorization请求头")
        try:
            parts = parse_authorization(header)
        except VerificationError as exc:
            raise GatewayError(401, "SIGN_ERROR", "Authorization格式错误") from exc
        key = keys.merchant_keys.get(parts.serial_no)
        if parts.mchid != keys.mchid or key is None:
            raise GatewayError(401, "SIGN_ERROR", "商户号或证书序列号错误")
        if abs(options.clock() - parts.timestamp) > options.request_window_s:
            raise GatewayError(401, "SIGN_ERROR", "请求时间戳超出有效期")
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        url = raw_path.decode("ascii").split("?", 1)[0]
        query = request.scope.get("query_string", b"").decode("ascii")
        if query:
            url += "?" + query
        message = request_message(request.method, url, parts.timestamp, parts.nonce_str, body)
        try:
            rsa_verify(key, message, parts.signature)
        except VerificationError as exc:
            raise GatewayError(401, "SIGN_ERROR", "签名错误") from exc
        return body

    def payload_of(body: str) -> dict[str, Any]:
        try:
            payload = json.loads(body)
        except json.JSONDecodeError as exc:
            raise GatewayError(400, "PARAM_ERROR", "请求体不是JSON") from exc
        if not isinstance(payload, dict):
            raise GatewayError(400, "PARAM_ERROR", "请求体不是JSON对象")
        return payload

    async def stall(api: str, out_trade_no: str | None) -> None:
        delay = gateway.faults.take_timeout(api, out_trade_no)
        if delay:
            await asyncio.sleep(delay)

    # ------------------------------------------------------------ WeChat Pay v3

    @app.post("/v3/pay/transactions/native")
    async def create_native(request: Request) -> Response:
        payload = payload_of(await authenticated(request))
        answer = gateway.create_native(payload)
        await stall("create_native_order", str(payload.get("out_trade_no")))
        return signed(200, answer)

    @app.get("/v3/pay/transactions/out-trade-no/{out_trade_no}")
    async def query_order(out_trade_no: str, request: Request, mchid: str = "") -> Response:
        await authenticated(request)
        answer = gateway.query_order(out_trade_no, mchid)
        await stall("query_order", out_trade_no)
        return signed(200, answer)

    @app.post("/v3/pay/transactions/out-trade-no/{out_trade_no}/close")
    async def close_order(out_trade_no: str, request: Request) -> Response:
        payload = payload_of(await authenticated(request))
        gateway.close_order(out_trade_no, str(payload.get("mchid", "")))
        await stall("close_order", out_trade_no)
        return signed(204, None)

    @app.post("/v3/refund/domestic/refunds")
    async def create_refund(request: Request) -> Response:
        payload = payload_of(await authenticated(request))
        answer = gateway.create_refund(payload)
        await stall("create_refund", answer["out_trade_no"])
        return signed(200, answer)

    @app.get("/v3/refund/domestic/refunds/{out_refund_no}")
    async def query_refund(out_refund_no: str, request: Request) -> Response:
        await authenticated(request)
        refund = gateway.refund(out_refund_no)
        await stall("query_refund", refund.out_trade_no)
        return signed(200, refund_answer(refund))

    @app.get("/v3/bill/tradebill")
    async def trade_bill(request: Request, bill_date: str = "", bill_type: str = "ALL") -> Response:
        await authenticated(request)
        try:
            day = date.fromisoformat(bill_date)
        except ValueError as exc:
            raise GatewayError(400, "PARAM_ERROR", "bill_date格式错误") from exc
        if bill_type != "ALL":
            raise GatewayError(400, "PARAM_ERROR", "模拟器只提供ALL类型账单")
        paid, refunds = gateway.bill_orders(day)
        if not paid and not refunds:
            raise GatewayError(400, "NO_STATEMENT_EXIST", "账单文件不存在")
        content = bill_text(bill_rows(paid, refunds, gateway.store.orders))
        token = secrets.token_urlsafe(16)
        bills[token] = content
        base = str(request.base_url).rstrip("/")
        await stall("trade_bill", None)
        return signed(
            200,
            {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(content).hexdigest(),
                "download_url": f"{base}/v3/billdownload/file?token={token}",
            },
        )

    @app.get("/v3/billdownload/file")
    async def bill_file(request: Request, token: str = "") -> Response:
        await authenticated(request)
        content = bills.get(token)
        if content is None:
            raise GatewayError(404, "RESOURCE_NOT_EXISTS", "账单下载链接无效或已过期")
        return Response(content=content, media_type="text/plain; charset=utf-8")

    @app.get("/v3/certificates")
    async def certificates(request: Request) -> Response:
        await authenticated(request)
        await stall("certificates", None)
        return signed(200, certificates_answer(gateway.keys))

    add_controls(app, gateway, merchant_name=options.merchant_name)
    return app


def create_simulator_app(options: SimulatorOptions) -> FastAPI:
    """The app of the simulator process: the gateway is built at start (pending deliveries and
    refunds resumed) and closed at shutdown."""
    gateway = build_gateway(options)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gateway.resume()
        try:
            yield
        finally:
            await gateway.aclose()

    return create_app(gateway, options=options, lifespan=lifespan)
