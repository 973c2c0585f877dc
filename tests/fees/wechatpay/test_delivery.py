"""Notification delivery: WeChat's retry schedule (scaled by ``time_scale``), resumption after a
restart, and each delivery fault. The receiver is the merchant's endpoint in this process; tests
wait for what it receives (or for the simulator to be idle), never for a fixed time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from wechatpayv3.core import Core  # type: ignore[import-untyped]

from fees.wechatpay.credentials import MerchantCredentials
from fees.wechatpay.errors import NotificationError
from fees.wechatpay.notifications import ExpectedOrder, PaymentNotice, check_payment
from fees.wechatpay.simulator.app import SimulatorOptions, build_gateway
from fees.wechatpay.simulator.notifier import RETRY_DELAYS_S
from tests.fees.wechatpay.conftest import APPID, MCHID, Receiver, Sim, make_sim


def statuses(sim: Sim) -> list[tuple[str, int]]:
    return [(n.status, n.attempts) for n in sim.gateway.store.notifications.values()]


async def test_retried_until_a_2xx(sim: Sim):
    sim.receiver.answers = [500, 404, 200]
    await sim.order("N1")
    await sim.pay("N1")
    await sim.gateway.idle()
    received = sim.receiver.received
    assert len(received) == 3
    assert len({r.body for r in received}) == 1, "every retry sends the same body"
    assert len({r.headers["wechatpay-nonce"] for r in received}) == 3, "each attempt signed anew"
    assert {sim.decode(r).notification_id for r in received} == {json.loads(received[0].body)["id"]}
    assert statuses(sim) == [("delivered", 3)]


async def test_a_timeout_is_retried(sim: Sim):
    sim.receiver.answers = ["hang", 201]
    await sim.order("N2")
    await sim.pay("N2")
    await sim.gateway.idle()
    assert len(sim.receiver.received) == 2
    assert statuses(sim) == [("delivered", 2)]


async def test_gives_up_after_the_schedule(state_dir: Path, credentials: MerchantCredentials):
    # 24 h in 0.1 s.
    async with make_sim(state_dir, credentials, time_scale=1_000_000) as sim:
        sim.receiver.answers = [503] * (len(RETRY_DELAYS_S) + 1)
        await sim.order("N3")
        await sim.pay("N3")
        await sim.gateway.idle()
        assert len(sim.receiver.received) == 16
        assert statuses(sim) == [("failed", 16)]


def test_the_schedule_is_wechats():
    assert RETRY_DELAYS_S[:4] == (15, 15, 30, 180)
    assert sum(RETRY_DELAYS_S) == 24 * 3600 + 4 * 60  # WeChat: "总计 24h4m"


async def test_pending_delivery_resumes_after_a_restart(state_dir: Path):
    receiver = Receiver(answers=[500])

    def options(time_scale: float) -> SimulatorOptions:
        transport = httpx.ASGITransport(app=receiver.app())
        return SimulatorOptions(
            state_dir=state_dir, time_scale=time_scale, notify_transport=transport
        )

    gateway = build_gateway(options(1.0))  # real time: the second attempt is 15 s away
    try:
        gateway.create_native(
            {
                "appid": APPID,
                "mchid": MCHID,
                "description": "诉讼费",
                "out_trade_no": "N4",
                "notify_url": "http://merchant.test/fees/wechatpay/notify",
                "amount": {"total": 100, "currency": "CNY"},
            }
        )
        gateway.pay(gateway.store.orders["N4"].token)
        first = await receiver.next()
    finally:
        await gateway.aclose()
    restarted = build_gateway(options(1000.0))
    try:
        ((status, attempts),) = [
            (n.status, n.attempts) for n in restarted.store.notifications.values()
        ]
        assert status == "pending" and attempts <= 1
        assert restarted.store.orders["N4"].trade_state == "SUCCESS"
        restarted.resume()
        second = await receiver.next()
        assert second.body == first.body
        await restarted.idle()
        assert [n.status for n in restarted.store.notifications.values()] == ["delivered"]
    finally:
        await restarted.aclose()


async def test_duplicate(sim: Sim):
    await sim.fault(duplicate=3)
    await sim.order("D1")
    await sim.pay("D1")
    await sim.gateway.idle()
    notices = [sim.decode(r) for r in sim.receiver.received]
    assert len(notices) == 3 and len({n.notification_id for n in notices}) == 1
    assert statuses(sim) == [("delivered", 1)]


async def test_delay(sim: Sim):
    await sim.fault(delay_s=0.05)
    await sim.order("D2")
    started = time.monotonic()
    await sim.pay("D2")
    await sim.receiver.next()
    assert time.monotonic() - started >= 0.05


async def test_drop_leaves_only_the_query(sim: Sim):
    await sim.fault(drop=True)
    await sim.order("D3")
    await sim.pay("D3")
    await sim.gateway.idle()
    assert sim.receiver.received == []
    assert statuses(sim) == [("dropped", 0)]
    assert (await sim.client.query_order("D3")).trade_state == "SUCCESS"


@pytest.mark.parametrize(
    ("fault", "reason"), [("forge", "bad_signature"), ("stale", "stale_timestamp")]
)
async def test_forged_and_stale_are_refused(sim: Sim, fault: str, reason: str):
    await sim.fault(**{fault: True})
    await sim.order("D4")
    await sim.pay("D4")
    with pytest.raises(NotificationError) as caught:
        sim.decode(await sim.receiver.next())
    assert caught.value.reason == reason


async def test_wrong_amount_is_found_by_check_payment(sim: Sim):
    await sim.fault(wrong_amount=True)
    await sim.order("D5", amount_fen=10_000)
    await sim.pay("D5")
    notice = sim.decode(await sim.receiver.next())
    assert isinstance(notice, PaymentNotice) and notice.amount.total_fen == 10_001
    assert check_payment(notice, ExpectedOrder("D5", 10_000, MCHID, APPID)) == ["amount"]
    assert (await sim.client.query_order("D5")).total_fen == 10_000


async def test_replay_resends_the_same_request(sim: Sim):
    await sim.fault(replay=True)
    await sim.order("D6")
    await sim.pay("D6")
    first, again = await sim.receiver.next(), await sim.receiver.next()
    assert (first.body, first.headers["wechatpay-signature"]) == (
        again.body,
        again.headers["wechatpay-signature"],
    )
    assert sim.decode(first) == sim.decode(again)  # genuine both times: dedupe by id / order


async def test_pay_immediately_notifies_on_create(sim: Sim):
    await sim.fault(pay_immediately=True)
    await sim.order("D7")
    notice = sim.decode(await sim.receiver.next())
    assert isinstance(notice, PaymentNotice) and notice.out_trade_no == "D7"


async def test_a_fault_for_one_order_waits_for_it(sim: Sim):
    await sim.fault(out_trade_no="K2", drop=True)
    await sim.order("K1")
    await sim.pay("K1")
    await sim.order("K2")
    await sim.pay("K2")
    await sim.gateway.idle()
    assert [sim.decode(r).out_trade_no for r in sim.receiver.received] == ["K1"]
    assert sorted(statuses(sim)) == [("delivered", 1), ("dropped", 0)]
    assert (await sim.http.get("/sim/notifications")).json()[1]["status"] == "dropped"


async def test_unknown_fault_is_refused(sim: Sim):
    response = await sim.http.post("/sim/faults", json={"explode": True})
    assert response.status_code == 422
    response = await sim.http.post("/sim/faults", json={"timeout_once": "pay"})
    assert response.status_code == 422


async def test_the_reference_library_accepts_our_notification(sim: Sim):
    """wechatpayv3's callback handling (public-key mode: no network) verifies and decrypts it."""
    await sim.order("I1")
    await sim.pay("I1")
    received = await sim.receiver.next()
    ((serial, key),) = sim.credentials.platform_keys.items()
    core = Core(
        mchid=MCHID,
        cert_serial_no=sim.credentials.merchant_serial,
        private_key=sim.credentials.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        apiv3_key=sim.credentials.apiv3_key.decode(),
        public_key=key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode(),
        public_key_id=serial,
    )
    result = core.callback(received.headers, received.body)
    assert result["event_type"] == "TRANSACTION.SUCCESS"
    assert result["resource"]["out_trade_no"] == "I1"
    tampered = received.body.replace(b'"summary":"', b'"summary":"x')
    assert core.callback(received.headers, tampered) is None
