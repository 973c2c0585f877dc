"""Decoding notifications: payments and refunds into typed notices, every failure reason, and
the pure check of a payment against the order we expect."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from fees.wechatpay.crypto import encrypt_resource, sign_response
from fees.wechatpay.errors import REASONS, NotificationError
from fees.wechatpay.notifications import (
    ExpectedOrder,
    PaymentNotice,
    RefundNotice,
    check_payment,
    decode_notification,
)

NOW = 1_765_000_000
APIV3 = b"0123456789abcdefghijABCDEFGHIJ01"
PAYMENT: dict[str, Any] = {
    "mchid": "1900000001",
    "appid": "wx0123456789abcdef",
    "out_trade_no": "F20260001",
    "transaction_id": "4200001234202612060000000001",
    "trade_type": "NATIVE",
    "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功",
    "bank_type": "OTHERS",
    "attach": "",
    "success_time": "2026-12-06T14:35:00+08:00",
    "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
    "amount": {"total": 12345, "payer_total": 12345, "currency": "CNY", "payer_currency": "CNY"},
}
REFUND: dict[str, Any] = {
    "mchid": "1900000001",
    "out_trade_no": "F20260001",
    "transaction_id": "4200001234202612060000000001",
    "out_refund_no": "R20260001",
    "refund_id": "50000000382019052709732678859",
    "refund_status": "SUCCESS",
    "success_time": "2026-12-06T15:00:00+08:00",
    "user_received_account": "支付用户零钱",
    "amount": {"total": 12345, "refund": 345, "payer_total": 12345, "payer_refund": 345},
}


@pytest.fixture(scope="module")
def platform() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def notification(
    platform: rsa.RSAPrivateKey,
    resource: dict[str, Any] | bytes,
    *,
    event_type: str = "TRANSACTION.SUCCESS",
    serial: str = "PLATFORM1",
    timestamp: int = NOW,
    apiv3_key: bytes = APIV3,
    envelope_changes: dict[str, Any] | None = None,
    body_override: str | None = None,
) -> tuple[dict[str, str], bytes]:
    plain = resource if isinstance(resource, bytes) else json.dumps(resource).encode()
    envelope = {
        "id": "EV-2018-0001",
        "create_time": "2026-12-06T14:35:01+08:00",
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": "支付成功",
        "resource": {
            "original_type": "transaction",
            **encrypt_resource(apiv3_key, plain, associated_data="transaction"),
        },
        **(envelope_changes or {}),
    }
    body = body_override if body_override is not None else json.dumps(envelope, ensure_ascii=False)
    signed = sign_response(platform, serial, body, timestamp=timestamp, nonce="NONCE")
    return signed.as_headers(), body.encode()


def decode(platform: rsa.RSAPrivateKey, headers: dict[str, str], body: bytes, **kw: Any) -> Any:
    return decode_notification(
        headers,
        body,
        platform_keys={"PLATFORM1": platform.public_key()},
        apiv3_key=kw.pop("apiv3_key", APIV3),
        now=kw.pop("now", NOW + 5),
        **kw,
    )


def test_payment_notice(platform):
    notice = decode(platform, *notification(platform, PAYMENT))
    assert isinstance(notice, PaymentNotice)
    assert notice.notification_id == "EV-2018-0001"
    assert (notice.out_trade_no, notice.trade_state) == ("F20260001", "SUCCESS")
    assert notice.transaction_id == PAYMENT["transaction_id"]
    assert notice.amount.total_fen == 12345 and notice.amount.payer_currency == "CNY"
    assert notice.success_time == datetime.fromisoformat("2026-12-06T14:35:00+08:00")
    assert notice.payer_openid == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    assert (notice.mchid, notice.appid) == ("1900000001", "wx0123456789abcdef")


@pytest.mark.parametrize("status", ["SUCCESS", "ABNORMAL", "CLOSED"])
def test_refund_notices(platform, status):
    resource = {**REFUND, "refund_status": status}
    if status != "SUCCESS":
        del resource["success_time"]
    notice = decode(platform, *notification(platform, resource, event_type=f"REFUND.{status}"))
    assert isinstance(notice, RefundNotice)
    assert notice.refund_status == status and notice.event_type == f"REFUND.{status}"
    assert (notice.out_refund_no, notice.refund_id) == ("R20260001", REFUND["refund_id"])
    assert notice.amount.refund_fen == 345 and notice.amount.total_fen == 12345
    assert (notice.success_time is None) == (status != "SUCCESS")


def reason_of(platform: rsa.RSAPrivateKey, headers: dict[str, str], body: bytes, **kw: Any) -> str:
    with pytest.raises(NotificationError) as caught:
        decode(platform, headers, body, **kw)
    return caught.value.reason


def test_bad_signature(platform):
    headers, body = notification(platform, PAYMENT)
    assert reason_of(platform, headers, body.replace(b"12345", b"12346") + b" ") == "bad_signature"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert reason_of(platform, *notification(other, PAYMENT)) == "bad_signature"


def test_unknown_serial(platform):
    assert reason_of(platform, *notification(platform, PAYMENT, serial="OLD")) == "unknown_serial"


def test_stale_timestamp(platform):
    headers, body = notification(platform, PAYMENT, timestamp=NOW - 301)
    assert reason_of(platform, headers, body) == "stale_timestamp"
    assert reason_of(platform, headers, body, now=NOW + 400) == "stale_timestamp"
    assert isinstance(decode(platform, headers, body, window_s=600), PaymentNotice)


def test_bad_ciphertext(platform):
    headers, body = notification(platform, PAYMENT, apiv3_key=b"x" * 32)
    assert reason_of(platform, headers, body) == "bad_ciphertext"


@pytest.mark.parametrize(
    "case",
    ["not_json", "event", "missing_field", "amount_text", "no_resource", "no_header", "not_object"],
)
def test_malformed(platform, case):
    if case == "not_json":
        headers, body = notification(platform, PAYMENT, body_override="<xml/>")
    elif case == "event":
        headers, body = notification(platform, PAYMENT, event_type="TRANSACTION.FAIL")
    elif case == "missing_field":
        headers, body = notification(platform, {k: v for k, v in PAYMENT.items() if k != "payer"})
    elif case == "amount_text":
        headers, body = notification(
            platform, {**PAYMENT, "amount": {**PAYMENT["amount"], "total": "1"}}
        )
    elif case == "no_resource":
        headers, body = notification(platform, PAYMENT, envelope_changes={"resource": None})
    elif case == "not_object":
        headers, body = notification(platform, b"[1, 2]")
    else:
        headers, body = notification(platform, PAYMENT)
        del headers["Wechatpay-Nonce"]
    assert reason_of(platform, headers, body) == "malformed"


def test_reasons_are_the_documented_five():
    assert set(REASONS) == {
        "bad_signature",
        "unknown_serial",
        "stale_timestamp",
        "bad_ciphertext",
        "malformed",
    }


def test_check_payment(platform):
    notice = decode(platform, *notification(platform, PAYMENT))
    assert isinstance(notice, PaymentNotice)
    expected = ExpectedOrder("F20260001", 12345, "1900000001", "wx0123456789abcdef")
    assert check_payment(notice, expected) == []
    wrong = ExpectedOrder("F20260002", 12344, "1900000002", "wx-other", currency="USD")
    assert check_payment(notice, wrong) == ["out_trade_no", "amount", "currency", "mchid", "appid"]
    foreign = {**PAYMENT, "amount": {**PAYMENT["amount"], "currency": "HKD"}}
    notice = decode(platform, *notification(platform, foreign))
    assert check_payment(notice, expected) == ["currency"]
