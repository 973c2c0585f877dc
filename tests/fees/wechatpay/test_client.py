"""The client against the simulator in this process (``httpx.ASGITransport``): Native orders,
idempotency as WeChat has it, refunds, certificates, the trade bill, signatures refused both
ways, and how failures map to :class:`ProviderError`."""

from __future__ import annotations

import dataclasses
import io
import json
import time
from datetime import date, datetime

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fees.wechatpay.bill import BEIJING, read_trade_bill
from fees.wechatpay.client import WechatPayClient
from fees.wechatpay.credentials import MerchantCredentials
from fees.wechatpay.crypto import sign_response
from fees.wechatpay.errors import ProviderError
from fees.wechatpay.notifications import PaymentNotice, RefundNotice, decode_notification
from fees.wechatpay.simulator.answers import certificates_answer
from fees.wechatpay.simulator.app import SimulatorOptions, build_gateway, create_app
from fees.wechatpay.simulator.gateway import GatewayError
from tests.fees.wechatpay.conftest import BASE_URL, NOTIFY_URL, Sim, expires


async def test_native_order_query_and_pay(sim: Sim):
    code_url = await sim.order("F1")
    assert code_url.startswith("weixin://wxpay/bizpayurl?pr=")
    state = await sim.client.query_order("F1")
    assert (state.trade_state, state.transaction_id, state.total_fen) == ("NOTPAY", None, 12_345)
    paid = await sim.pay("F1")
    state = await sim.client.query_order("F1")
    assert state.trade_state == "SUCCESS" and state.transaction_id == paid["transaction_id"]
    assert state.payer_total_fen == 12_345 and state.currency == "CNY"
    assert state.success_time is not None and state.success_time.utcoffset() == BEIJING.utcoffset(
        None
    )
    assert len(state.transaction_id or "") == 28


async def test_repeated_order_is_idempotent_until_paid(sim: Sim):
    first = await sim.order("F2")
    assert await sim.order("F2") == first
    with pytest.raises(ProviderError) as caught:
        await sim.order("F2", amount_fen=1)
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        400,
        "OUT_TRADE_NO_USED",
        False,
    )
    await sim.pay("F2")
    with pytest.raises(ProviderError) as caught:
        await sim.order("F2")
    assert caught.value.code == "ORDERPAID"


async def test_close_order(sim: Sim):
    await sim.order("F3")
    await sim.client.close_order("F3")
    assert (await sim.client.query_order("F3")).trade_state == "CLOSED"
    with pytest.raises(ProviderError) as caught:
        await sim.order("F3")
    assert caught.value.code == "ORDER_CLOSED"
    response = await sim.http.post("/sim/pay", json={"out_trade_no": "F3"})
    assert response.status_code == 400 and response.json()["code"] == "ORDER_CLOSED"
    await sim.order("F4")
    await sim.pay("F4")
    with pytest.raises(ProviderError) as caught:
        await sim.client.close_order("F4")
    assert caught.value.code == "ORDERPAID"


async def test_unknown_order_and_bad_parameters(sim: Sim):
    with pytest.raises(ProviderError) as caught:
        await sim.client.query_order("NOPE")
    assert (caught.value.status, caught.value.code) == (404, "ORDER_NOT_EXIST")
    with pytest.raises(ValueError):
        await sim.client.create_native_order("F5", "x", 100, NOTIFY_URL, datetime(2030, 1, 1))


async def test_expired_order_reads_closed(sim: Sim):
    await sim.client.create_native_order("F6", "x", 100, NOTIFY_URL, expires(minutes=-1))
    assert (await sim.client.query_order("F6")).trade_state == "CLOSED"


async def test_refund_completes_and_is_notified(sim: Sim):
    await sim.order("F7")
    await sim.pay("F7")
    await sim.receiver.next()
    refund = await sim.client.create_refund(
        "R7",
        out_trade_no="F7",
        refund_fen=345,
        total_fen=12_345,
        reason="多交",
        notify_url=NOTIFY_URL,
    )
    assert refund.status == "PROCESSING" and refund.refund_fen == 345
    again = await sim.client.create_refund(
        "R7",
        out_trade_no="F7",
        refund_fen=345,
        total_fen=12_345,
        reason="多交",
        notify_url=NOTIFY_URL,
    )
    assert again.refund_id == refund.refund_id
    received = await sim.receiver.next()
    notice = decode_notification(
        received.headers,
        received.body,
        platform_keys=sim.credentials.platform_keys,
        apiv3_key=sim.credentials.apiv3_key,
        now=time.time(),
    )
    assert isinstance(notice, RefundNotice)
    assert (notice.event_type, notice.out_refund_no, notice.amount.refund_fen) == (
        "REFUND.SUCCESS",
        "R7",
        345,
    )
    state = await sim.client.query_refund("R7")
    assert state.status == "SUCCESS" and state.success_time is not None
    assert (await sim.client.query_order("F7")).trade_state == "REFUND"


async def test_refund_by_transaction_id_and_limits(sim: Sim):
    await sim.order("F8", amount_fen=1000)
    with pytest.raises(ProviderError) as caught:
        await sim.client.create_refund(
            "R8", out_trade_no="F8", refund_fen=10, total_fen=1000, reason="", notify_url=NOTIFY_URL
        )
    assert caught.value.code == "INVALID_REQUEST"
    paid = await sim.pay("F8")
    await sim.client.create_refund(
        "R8a",
        transaction_id=paid["transaction_id"],
        refund_fen=600,
        total_fen=1000,
        reason="",
        notify_url=NOTIFY_URL,
    )
    with pytest.raises(ProviderError) as caught:
        await sim.client.create_refund(
            "R8b",
            out_trade_no="F8",
            refund_fen=401,
            total_fen=1000,
            reason="",
            notify_url=NOTIFY_URL,
        )
    assert caught.value.code == "INVALID_REQUEST" and not caught.value.retryable
    with pytest.raises(ProviderError) as caught:
        await sim.client.query_refund("R-none")
    assert caught.value.code == "RESOURCE_NOT_EXISTS"
    with pytest.raises(ValueError):
        await sim.client.create_refund("R", refund_fen=1, total_fen=1, reason="", notify_url="")


async def test_fail_refund_ends_abnormal(sim: Sim):
    await sim.order("F9")
    await sim.pay("F9")
    await sim.receiver.next()
    await sim.fault(fail_refund=True)
    await sim.client.create_refund(
        "R9", out_trade_no="F9", refund_fen=100, total_fen=12_345, reason="", notify_url=NOTIFY_URL
    )
    received = await sim.receiver.next()
    notice = decode_notification(
        received.headers, received.body, platform_keys=sim.credentials.platform_keys,
        apiv3_key=sim.credentials.apiv3_key, now=time.time(),
    )  # fmt: skip
    assert isinstance(notice, RefundNotice) and notice.refund_status == "ABNORMAL"
    assert (await sim.client.query_refund("R9")).status == "ABNORMAL"


async def test_certificates_decrypt_with_the_apiv3_key(sim: Sim):
    certificates = await sim.client.certificates()
    assert [c.serial_no for c in certificates] == list(sim.credentials.platform_keys)
    assert certificates[0].pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert certificates[0].expire_time > datetime.now(BEIJING)


async def test_trade_bill(sim: Sim):
    with pytest.raises(ProviderError) as caught:
        await sim.client.trade_bill(date(2020, 1, 1))
    assert caught.value.code == "NO_STATEMENT_EXIST"
    await sim.order("B1", amount_fen=10_000)
    await sim.pay("B1")
    await sim.order("B2", amount_fen=2_000)
    await sim.pay("B2")
    await sim.client.create_refund(
        "RB1",
        out_trade_no="B1",
        refund_fen=3_000,
        total_fen=10_000,
        reason="",
        notify_url=NOTIFY_URL,
    )
    content = await sim.client.trade_bill(datetime.now(BEIJING).date())
    bill = read_trade_bill(io.StringIO(content.decode("utf-8"), newline=""))
    assert [(r.out_trade_no, r.trade_state) for r in bill.rows] == [
        ("B1", "SUCCESS"),
        ("B2", "SUCCESS"),
        ("B1", "REFUND"),
    ]
    assert (bill.summary.count, bill.summary.settlement_fen, bill.summary.refund_fen) == (
        3,
        12_000,
        3_000,
    )
    assert bill.rows[0].fee_fen == 60 and bill.rows[2].fee_fen == -18


async def test_tampered_bill_file_is_refused(sim: Sim, credentials: MerchantCredentials):
    await sim.order("B3")
    await sim.pay("B3")

    async def tamper(request: httpx.Request) -> httpx.Response:
        response = await inner.handle_async_request(request)
        if request.url.path == "/v3/billdownload/file":
            await response.aread()
            return httpx.Response(200, content=response.content + b"x")
        return response

    inner = httpx.ASGITransport(app=sim.app)
    async with WechatPayClient(
        credentials, base_url=BASE_URL, transport=httpx.MockTransport(tamper)
    ) as client:
        with pytest.raises(ProviderError) as caught:
            await client.trade_bill(datetime.now(BEIJING).date())
    assert caught.value.code == "BILL_HASH_MISMATCH" and caught.value.retryable


async def test_wrong_merchant_key_gets_sign_error(sim: Sim, credentials: MerchantCredentials):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = dataclasses.replace(credentials, private_key=other)
    async with WechatPayClient(
        forged, base_url=BASE_URL, transport=httpx.ASGITransport(app=sim.app)
    ) as client:
        with pytest.raises(ProviderError) as caught:
            await client.query_order("F1")
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        401,
        "SIGN_ERROR",
        False,
    )
    response = await sim.http.get("/v3/certificates")
    assert response.status_code == 401 and response.json()["code"] == "SIGN_ERROR"


async def test_unverifiable_answer_is_refused(sim: Sim, credentials: MerchantCredentials):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    wrong = dataclasses.replace(
        credentials, platform_keys={serial: other for serial in credentials.platform_keys}
    )
    expiry = expires()
    async with WechatPayClient(
        wrong, base_url=BASE_URL, transport=httpx.ASGITransport(app=sim.app)
    ) as client:
        with pytest.raises(ProviderError) as caught:
            await client.create_native_order("F10", "x", 100, NOTIFY_URL, expiry)
    assert (caught.value.code, caught.value.retryable) == ("BAD_RESPONSE_SIGNATURE", True)
    unknown = dataclasses.replace(credentials, platform_keys={"NOT-THIS-ONE": other})
    async with WechatPayClient(
        unknown, base_url=BASE_URL, transport=httpx.ASGITransport(app=sim.app)
    ) as client:
        with pytest.raises(ProviderError) as caught:
            await client.query_order("F10")
        assert caught.value.code == "BAD_RESPONSE_SIGNATURE"
    # The order exists: the retry with trusted keys gets the same code URL.
    code_url = await sim.client.create_native_order("F10", "x", 100, NOTIFY_URL, expiry)
    assert code_url.startswith("weixin://")


async def test_timeout_once_then_the_retry_gets_the_same_order(
    sim: Sim, credentials: MerchantCredentials
):
    await sim.fault(timeout_once="create_native_order", timeout_s=60)
    expiry = expires()
    async with WechatPayClient(
        credentials, base_url=BASE_URL, transport=httpx.ASGITransport(app=sim.app), timeout_s=0.2
    ) as client:
        with pytest.raises(ProviderError) as caught:
            await client.create_native_order("F11", "诉讼费", 5_000, NOTIFY_URL, expiry)
        assert (caught.value.status, caught.value.code, caught.value.retryable) == (
            0,
            "TIMEOUT",
            True,
        )
        assert (await client.query_order("F11")).trade_state == "NOTPAY"
    # The same parameters again: the same order, whose code URL the client now learns.
    code_url = await sim.client.create_native_order("F11", "诉讼费", 5_000, NOTIFY_URL, expiry)
    assert code_url == "weixin://wxpay/bizpayurl?pr=" + sim.gateway.store.orders["F11"].token


@pytest.mark.parametrize(
    ("answer", "code", "retryable"),
    [
        (
            httpx.Response(500, json={"code": "SYSTEM_ERROR", "message": "系统错误"}),
            "SYSTEM_ERROR",
            True,
        ),
        (
            httpx.Response(429, json={"code": "FREQUENCY_LIMITED", "message": "频率超限"}),
            "FREQUENCY_LIMITED",
            True,
        ),
        (httpx.Response(403, json={"code": "NO_AUTH", "message": "无权限"}), "NO_AUTH", False),
        (httpx.Response(502, text="<html>bad gateway</html>"), "HTTP_502", True),
        (httpx.Response(200, json={"code_url": "weixin://x"}), "BAD_RESPONSE_SIGNATURE", True),
    ],
)
async def test_error_mapping(credentials: MerchantCredentials, answer, code, retryable):
    async with WechatPayClient(
        credentials, transport=httpx.MockTransport(lambda _: answer)
    ) as client:
        with pytest.raises(ProviderError) as caught:
            await client.create_native_order("F", "x", 1, NOTIFY_URL, expires())
    assert (caught.value.code, caught.value.retryable) == (code, retryable)


async def test_connection_error_is_retryable(credentials: MerchantCredentials):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with WechatPayClient(credentials, transport=httpx.MockTransport(refuse)) as client:
        with pytest.raises(ProviderError) as caught:
            await client.query_order("F")
    assert (caught.value.status, caught.value.code, caught.value.retryable) == (
        0,
        "CONNECTION_ERROR",
        True,
    )


async def test_request_is_signed_over_path_query_and_exact_body(credentials: MerchantCredentials):
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500)

    async with WechatPayClient(credentials, transport=httpx.MockTransport(record)) as client:
        with pytest.raises(ProviderError):
            await client.query_order("F 1")
        with pytest.raises(ProviderError):
            await client.create_native_order("F2", "诉讼费", 1, NOTIFY_URL, expires())
    assert str(seen[0].url).startswith(
        "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/"
    )
    assert seen[0].url.raw_path.endswith(b"?mchid=1900000001")
    assert "诉讼费".encode() in seen[1].content
    assert (
        seen[1].headers["authorization"].startswith('WECHATPAY2-SHA256-RSA2048 mchid="1900000001"')
    )


async def test_state_survives_a_restart(sim: Sim, credentials: MerchantCredentials):
    await sim.order("P1")
    await sim.pay("P1")
    await sim.receiver.next()
    await sim.gateway.idle()
    options = SimulatorOptions(state_dir=sim.state_dir, time_scale=1000.0)
    gateway = build_gateway(options)
    try:
        transport = httpx.ASGITransport(app=create_app(gateway, options=options))
        async with WechatPayClient(credentials, base_url=BASE_URL, transport=transport) as client:
            state = await client.query_order("P1")
        assert state.trade_state == "SUCCESS"
        assert [n.status for n in gateway.store.notifications.values()] == ["delivered"]
    finally:
        await gateway.aclose()


async def test_wallet_page(sim: Sim):
    code_url = await sim.order("W1", amount_fen=12_345)
    token = code_url.split("pr=")[1]
    page = await sim.http.get("/sim/wallet", params={"pr": token})
    assert page.status_code == 200
    assert "确认支付" in page.text and "取消" in page.text and "¥123.45" in page.text
    assert "诉讼费（2026）京0105民初1号" in page.text
    cancelled = await sim.http.post("/sim/wallet/cancel", data={"pr": token})
    assert "已取消支付" in cancelled.text
    assert (await sim.client.query_order("W1")).trade_state == "NOTPAY"
    confirmed = await sim.http.post("/sim/wallet/confirm", data={"pr": token})
    assert "支付成功" in confirmed.text
    notice = decode_notification(
        (received := await sim.receiver.next()).headers, received.body,
        platform_keys=sim.credentials.platform_keys, apiv3_key=sim.credentials.apiv3_key, now=time.time(),
    )  # fmt: skip
    assert isinstance(notice, PaymentNotice) and notice.out_trade_no == "W1"
    assert "该订单已支付" in (await sim.http.get("/sim/wallet", params={"pr": token})).text


async def test_simulator_refuses_a_time_expire_without_offset(sim: Sim):
    with pytest.raises(GatewayError, match="offset") as caught:
        sim.gateway.create_native(
            {
                "appid": "wx0123456789abcdef",
                "mchid": "1900000001",
                "description": "x",
                "out_trade_no": "T1",
                "notify_url": NOTIFY_URL,
                "time_expire": "2030-01-01T00:00:00",
                "amount": {"total": 1},
            }
        )
    assert (caught.value.status, caught.value.code) == (400, "PARAM_ERROR")


@pytest.mark.parametrize(("prefix", "accepted"), [("0", True), ("1", False)])
async def test_certificate_serials_compare_as_numbers(
    sim: Sim, credentials: MerchantCredentials, prefix, accepted
):
    """A serial written with a leading zero is the same certificate; another number is not."""
    answer = certificates_answer(sim.gateway.keys)
    serial = prefix + answer["data"][0]["serial_no"]
    answer["data"][0]["serial_no"] = serial
    body = json.dumps(answer)
    keys = sim.gateway.keys

    def handler(request: httpx.Request) -> httpx.Response:
        signed = sign_response(
            keys.platform_key, keys.platform_serial, body, timestamp=int(time.time()), nonce="N"
        )
        return httpx.Response(200, content=body.encode(), headers=signed.as_headers())

    async with WechatPayClient(credentials, transport=httpx.MockTransport(handler)) as client:
        if accepted:
            (certificate,) = await client.certificates()
            assert certificate.serial_no == serial and serial in client.platform_keys
        else:
            with pytest.raises(ProviderError) as caught:
                await client.certificates()
            assert caught.value.code == "BAD_CERTIFICATE"
