"""The simulator as its own process (``python -m fees.wechatpay.simulator``) on 127.0.0.1: the
client over real HTTP, notifications to a merchant endpoint served by uvicorn in this process,
the wallet form, a timeout, a restart that keeps the state, and the ``wechatpayv3`` library's own
client pointed at it (through its private gateway attribute: the reason it is not ours)."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from wechatpayv3.core import Core  # type: ignore[import-untyped]
from wechatpayv3.type import RequestType  # type: ignore[import-untyped]

from fees.wechatpay.bill import BEIJING, read_trade_bill
from fees.wechatpay.client import WechatPayClient
from fees.wechatpay.credentials import MerchantCredentials
from fees.wechatpay.errors import ProviderError
from fees.wechatpay.notifications import PaymentNotice, RefundNotice, decode_notification
from tests.fees.wechatpay.conftest import APPID, EXPIRY, MCHID, Received, Receiver
from tests.serve_process import free_port

STARTUP_S = 30.0


@contextmanager
def simulator_process(state_dir: Path, port: int, log: Path) -> Iterator[str]:
    command = [
        sys.executable, "-m", "fees.wechatpay.simulator", "--port", str(port),
        "--state-dir", str(state_dir), "--time-scale", "1000", "--notify-timeout-s", "2",
    ]  # fmt: skip
    with log.open("ab") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:  # poll its health endpoint until it answers
            try:
                if httpx.get(f"{base}/sim/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"simulator did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@asynccontextmanager
async def merchant_endpoint(receiver: Receiver) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            receiver.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn sets it once the socket listens
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/fees/wechatpay/notify"
    finally:
        server.should_exit = True
        await task


def decode(received: Received, credentials: MerchantCredentials) -> PaymentNotice | RefundNotice:
    return decode_notification(
        received.headers,
        received.body,
        platform_keys=credentials.platform_keys,
        apiv3_key=credentials.apiv3_key,
        now=time.time(),
    )


@pytest.fixture
def process_dir(provisioned: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "sim-process"
    shutil.copytree(provisioned, directory)
    return directory


async def test_simulator_process_end_to_end(
    process_dir: Path, credentials: MerchantCredentials, tmp_path: Path
):
    port = free_port()
    receiver = Receiver()
    log = tmp_path / "simulator.log"
    async with merchant_endpoint(receiver) as notify_url:
        with simulator_process(process_dir, port, log) as base:
            async with WechatPayClient(credentials, base_url=base, timeout_s=5.0) as client:
                code_url = await client.create_native_order(
                    "E1", "诉讼费", 5_000, notify_url, EXPIRY
                )
                token = code_url.split("pr=")[1]
                async with httpx.AsyncClient(base_url=base) as phone:
                    page = await phone.get("/sim/wallet", params={"pr": token})
                    assert "确认支付" in page.text and "¥50.00" in page.text
                    assert (
                        "支付成功"
                        in (await phone.post("/sim/wallet/confirm", data={"pr": token})).text
                    )
                paid = decode(await receiver.next(), credentials)
                assert isinstance(paid, PaymentNotice) and (
                    paid.out_trade_no,
                    paid.amount.total_fen,
                ) == ("E1", 5_000)
                assert (await client.query_order("E1")).transaction_id == paid.transaction_id

                refund = await client.create_refund(
                    "ER1",
                    out_trade_no="E1",
                    refund_fen=1_000,
                    total_fen=5_000,
                    reason="多交",
                    notify_url=notify_url,
                )
                refunded = decode(await receiver.next(), credentials)
                assert isinstance(refunded, RefundNotice) and refunded.refund_id == refund.refund_id
                bill = read_trade_bill(
                    io.StringIO(
                        (await client.trade_bill(datetime.now(BEIJING).date())).decode(), newline=""
                    )
                )
                assert [row.trade_state for row in bill.rows] == ["SUCCESS", "REFUND"]
                assert [c.serial_no for c in await client.certificates()] == list(
                    credentials.platform_keys
                )

                async with httpx.AsyncClient(base_url=base) as admin:
                    fault = {"timeout_once": "query_order", "timeout_s": 1}
                    assert (await admin.post("/sim/faults", json=fault)).status_code == 200
            async with WechatPayClient(credentials, base_url=base, timeout_s=0.3) as impatient:
                with pytest.raises(ProviderError) as caught:
                    await impatient.query_order("E1")
                assert caught.value.code == "TIMEOUT" and caught.value.retryable

            reference = _reference_client(credentials, base)
            status, text = await asyncio.to_thread(
                reference.request, f"/v3/pay/transactions/out-trade-no/E1?mchid={MCHID}"
            )  # the library verifies our signature on the answer, or raises
            assert status == 200 and '"trade_state":"REFUND"' in text
            order = {
                "appid": APPID, "mchid": MCHID, "description": "诉讼费", "out_trade_no": "E2",
                "notify_url": notify_url, "amount": {"total": 100, "currency": "CNY"},
            }  # fmt: skip
            status, text = await asyncio.to_thread(
                reference.request, "/v3/pay/transactions/native", RequestType.POST, order
            )
            assert status == 200 and "weixin://wxpay/bizpayurl?pr=" in text

        with simulator_process(process_dir, port, log) as base:  # restarted: the state is kept
            async with WechatPayClient(credentials, base_url=base) as client:
                assert (await client.query_order("E1")).trade_state == "REFUND"
                assert (await client.query_refund("ER1")).status == "SUCCESS"
                assert (await client.query_order("E2")).trade_state == "NOTPAY"


def _reference_client(credentials: MerchantCredentials, base: str) -> Core:
    ((serial, key),) = credentials.platform_keys.items()
    core = Core(
        mchid=credentials.mchid,
        cert_serial_no=credentials.merchant_serial,
        private_key=credentials.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        apiv3_key=credentials.apiv3_key.decode(),
        public_key=key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode(),
        public_key_id=serial,
    )
    core._gate_way = base  # private and hard-coded upstream: why fees.wechatpay.client exists
    return core
