"""Paying through the WeChat Pay simulator, in this process: the fee service's provider talks to
the simulator's app through ``httpx.ASGITransport`` and the simulator delivers its notifications
to the hearing server's app the same way, all on the running app's event loop (the portal of the
test's browsers), so that notifications, retries and refunds run as they would between two
servers, but in milliseconds (``time_scale``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fees.provider import Provider
from fees.service import FeesService
from fees.wechatpay.credentials import load_credentials
from fees.wechatpay.simulator.app import SimulatorOptions, build_gateway, create_app
from fees.wechatpay.simulator.gateway import Gateway
from fees.wechatpay.simulator.keys import MERCHANT_DIR, provision
from hearing_server.context import ServerContext
from tests.fees.service.conftest import fees_service, sms_sent

MCHID = "1900000001"
APPID = "wx0123456789abcdef"


@pytest.fixture(scope="session")
def provisioned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wechatpay-provisioned")
    provision(directory, MCHID, APPID)
    return directory


async def _poll(check: Callable[[], Awaitable[bool]], timeout_s: float) -> bool:
    """Check every 20 ms until ``check`` holds or ``timeout_s`` passed; checked once more then."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return await check()


@dataclasses.dataclass
class Paying:
    app: FastAPI
    service: FeesService
    gateway: Gateway
    sim: httpx.AsyncClient
    browser: TestClient
    """Any browser of the app: its portal runs coroutines on the app's loop."""

    def call(self, fn: Callable[[], Any]) -> Any:
        return self.browser.portal.call(fn)  # type: ignore[union-attr]

    def sim_post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async def post() -> dict[str, Any]:
            answer = await self.sim.post(path, json=body)
            assert answer.status_code == 200, answer.text
            result: dict[str, Any] = answer.json()
            return result

        result: dict[str, Any] = self.call(post)
        return result

    def pay(self, out_trade_no: str) -> dict[str, Any]:
        """The payer scans the QR code and confirms in WeChat."""
        return self.sim_post("/sim/pay", {"out_trade_no": out_trade_no})

    def fault(self, **plan: Any) -> None:
        self.sim_post("/sim/faults", plan)

    def until(self, condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
        """Wait (on the app's loop, letting notifications run) until ``condition`` holds."""

        async def holds() -> bool:
            return bool(await asyncio.to_thread(condition))

        assert self.call(lambda: _poll(holds, timeout_s)), "the condition did not come true in time"

    def settled(self, timeout_s: float = 15.0) -> list[dict[str, Any]]:
        """The simulator's deliveries once none is pending. It records an attempt when the
        server's answer has come back, a moment after the booking committed: a test that saw
        the order paid may still read the attempt before."""
        rows: list[dict[str, Any]] = []

        async def none_pending() -> bool:
            rows[:] = (await self.sim.get("/sim/notifications")).json()
            return bool(rows) and all(r["status"] != "pending" for r in rows)

        assert self.call(lambda: _poll(none_pending, timeout_s)), "a delivery was still pending"
        return rows

    def watch(self) -> int:
        from fees.watch import watch_once

        async def once() -> int:
            return await watch_once(self.service.ctx)

        result: int = self.call(once)
        return result


@pytest.fixture
def paying(app: FastAPI, make_client, clock, provisioned: Path, tmp_path: Path) -> Iterator[Paying]:
    state = tmp_path / "wechatpay"
    shutil.copytree(provisioned, state)
    browser = make_client()  # starts the app (its lifespan)
    options = SimulatorOptions(
        state_dir=state, time_scale=1000.0, notify_timeout_s=2.0, refund_delay_s=3.0,
        notify_transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), clock=lambda: clock().timestamp(),
    )  # fmt: skip
    gateway = build_gateway(options)
    sim_app = create_app(gateway, options=options)
    service = fees_service(app)
    provider = Provider(
        load_credentials(state / MERCHANT_DIR), "http://wechatpay.test", 300,
        transport=httpx.ASGITransport(app=sim_app), clock=lambda: clock().timestamp(),
    )  # fmt: skip
    service.ctx = dataclasses.replace(service.ctx, provider=provider)
    app.state.fees = service.ctx
    sim = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_app), base_url="http://sim")
    paying = Paying(app, service, gateway, sim, browser)
    yield paying

    async def close() -> None:  # the simulator's deliveries, its state file, its client
        await gateway.aclose()
        await sim.aclose()

    paying.call(close)


def sms_code(ctx: ServerContext, phone: str) -> str:
    texts = [m["text"] for m in sms_sent(ctx) if m["to"] == phone and "验证码" in m["text"]]
    assert texts, "no code was sent"
    found = re.search(r"验证码(\d{6})", texts[-1])
    assert found is not None
    return found.group(1)


def token_of(paying: Paying) -> str:
    from sqlalchemy import select

    from fees.tables import FeeAccount

    with paying.service.ctx.session_factory() as s:
        return s.scalars(select(FeeAccount.pay_token)).one()


def order_for(party: TestClient, ctx: ServerContext, token: str, phone: str) -> dict[str, Any]:
    """The party asks for a code, confirms with it and gets the QR code."""
    assert party.post(f"/api/fees/pay/{token}/code", json={}).status_code == 204
    answer = party.post(f"/api/fees/pay/{token}/orders", json={"code": sms_code(ctx, phone)})
    assert answer.status_code == 201, answer.text
    order: dict[str, Any] = answer.json()
    return order


def order_paid(paying: Paying, out_trade_no: str) -> bool:
    from sqlalchemy import select

    from fees.tables import FeeOrder

    with paying.service.ctx.session_factory() as s:
        order = s.scalars(select(FeeOrder).where(FeeOrder.out_trade_no == out_trade_no)).one()
        return order.status == "paid"
