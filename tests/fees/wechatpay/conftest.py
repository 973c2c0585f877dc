"""WeChat Pay fixtures: one provisioned merchant for the session (RSA keys take time to make),
a simulator per test in this process (its own state directory, notifications delivered to an
in-process receiver), and a client pointed at it through ``httpx.ASGITransport``.

    async def test_x(sim: Sim): code_url = await sim.client.create_native_order(...)
    sim.receiver.answers = [500, 200]        # how the merchant answers successive notifications
    request = await sim.receiver.next()      # the next notification received (waits, no sleep)
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from fees.wechatpay.bill import BEIJING
from fees.wechatpay.client import WechatPayClient
from fees.wechatpay.credentials import MerchantCredentials, load_credentials
from fees.wechatpay.notifications import PaymentNotice, RefundNotice, decode_notification
from fees.wechatpay.simulator.app import SimulatorOptions, build_gateway, create_app
from fees.wechatpay.simulator.gateway import Gateway
from fees.wechatpay.simulator.keys import MERCHANT_DIR, provision

MCHID = "1900000001"
APPID = "wx0123456789abcdef"
NOTIFY_URL = "http://merchant.test/fees/wechatpay/notify"
BASE_URL = "http://wechatpay.test"


@pytest.fixture(scope="session")
def provisioned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wechatpay-provisioned")
    provision(directory, MCHID, APPID)
    return directory


@pytest.fixture
def state_dir(provisioned: Path, tmp_path: Path) -> Path:
    """A fresh simulator state with the session's keys (copied, not made again)."""
    directory = tmp_path / "sim"
    shutil.copytree(provisioned, directory)
    return directory


@pytest.fixture
def credentials(state_dir: Path) -> MerchantCredentials:
    return load_credentials(state_dir / MERCHANT_DIR)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """The merchant's notify endpoint: records each request, answers from ``answers`` (then
    200); ``"hang"`` never answers (the simulator times out)."""

    answers: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    queue: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/fees/wechatpay/notify")
        async def notify(request: Request) -> Response:
            item = Received(dict(request.headers), await request.body())
            self.received.append(item)
            self.queue.put_nowait(item)
            answer = self.answers.pop(0) if self.answers else 200
            if answer == "hang":
                await asyncio.Event().wait()
            assert isinstance(answer, int)
            return Response(status_code=answer)

        return app

    async def next(self, timeout_s: float = 5.0) -> Received:
        return await asyncio.wait_for(self.queue.get(), timeout_s)


@dataclass
class Sim:
    gateway: Gateway
    app: FastAPI
    client: WechatPayClient
    receiver: Receiver
    credentials: MerchantCredentials
    state_dir: Path
    http: httpx.AsyncClient
    """Plain HTTP to the simulator (its /sim controls)."""

    async def fault(self, **plan: Any) -> None:
        response = await self.http.post("/sim/faults", json=plan)
        assert response.status_code == 200, response.text

    async def pay(self, out_trade_no: str) -> dict[str, Any]:
        response = await self.http.post("/sim/pay", json={"out_trade_no": out_trade_no})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def decode(self, received: Received) -> PaymentNotice | RefundNotice:
        return decode_notification(
            received.headers,
            received.body,
            platform_keys=self.credentials.platform_keys,
            apiv3_key=self.credentials.apiv3_key,
            now=time.time(),
        )

    async def order(self, out_trade_no: str, amount_fen: int = 12_345) -> str:
        """An order expiring at a fixed time (so that creating it again is the same request)."""
        return await self.client.create_native_order(
            out_trade_no, "诉讼费（2026）京0105民初1号", amount_fen, NOTIFY_URL, EXPIRY
        )


EXPIRY = datetime(2099, 1, 1, tzinfo=BEIJING)


def expires(minutes: int = 30) -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0) + timedelta(minutes=minutes)


@asynccontextmanager
async def make_sim(
    state_dir: Path, credentials: MerchantCredentials, *, time_scale: float = 1000.0
) -> AsyncIterator[Sim]:
    receiver = Receiver()
    options = SimulatorOptions(
        state_dir=state_dir,
        time_scale=time_scale,
        notify_timeout_s=0.2,
        refund_delay_s=5.0,
        notify_transport=httpx.ASGITransport(app=receiver.app()),
        clock=time.time,
    )
    gateway = build_gateway(options)
    app = create_app(gateway, options=options)
    transport = httpx.ASGITransport(app=app)
    client = WechatPayClient(credentials, base_url=BASE_URL, transport=transport, timeout_s=2.0)
    http = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
    try:
        yield Sim(gateway, app, client, receiver, credentials, state_dir, http)
    finally:
        await client.aclose()
        await http.aclose()
        await gateway.aclose()


@pytest.fixture
async def sim(state_dir: Path, credentials: MerchantCredentials) -> AsyncIterator[Sim]:
    """Notification retries and refunds 1,000 times faster than real time (15 s → 15 ms)."""
    async with make_sim(state_dir, credentials) as made:
        yield made
