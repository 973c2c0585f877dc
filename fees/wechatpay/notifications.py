"""Payment and refund notifications (支付/退款结果通知): verified, decrypted, typed.

WeChat POSTs a JSON envelope ``{id, create_time, event_type, resource_type: "encrypt-resource",
resource: {algorithm, ciphertext, associated_data, nonce, original_type}, summary}`` signed like a
response. :func:`decode_notification` checks the signature (serial, timestamp window, signature),
decrypts the resource with the APIv3 key and parses it into a :class:`PaymentNotice`
(``TRANSACTION.SUCCESS``) or a :class:`RefundNotice` (``REFUND.SUCCESS`` / ``REFUND.ABNORMAL`` /
``REFUND.CLOSED``). Every failure is one :class:`~fees.wechatpay.errors.NotificationError` whose
``reason`` the service records (a forged or replayed notification is a security event, not noise).

The signature proves only that WeChat sent it. Whether it matches an order of ours (amount,
currency, merchant, app, order number) is the service's check, helped by the pure
:func:`check_payment`. A notification may arrive twice, late, or before our own order is
committed: the service must be idempotent on ``out_trade_no`` and may query the order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from fees.wechatpay.crypto import (
    DEFAULT_WINDOW_S,
    decrypt_resource,
    signed_headers_from,
    verify_signed,
)
from fees.wechatpay.errors import NotificationError, VerificationError

__all__ = [
    "PAYMENT_EVENTS",
    "REFUND_EVENTS",
    "ExpectedOrder",
    "PaymentAmount",
    "PaymentNotice",
    "RefundAmount",
    "RefundNotice",
    "check_payment",
    "decode_notification",
]

PAYMENT_EVENTS = frozenset({"TRANSACTION.SUCCESS"})
REFUND_EVENTS = frozenset({"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"})


@dataclass(frozen=True, slots=True)
class PaymentAmount:
    total_fen: int
    payer_total_fen: int
    currency: str
    payer_currency: str


@dataclass(frozen=True, slots=True)
class PaymentNotice:
    notification_id: str
    event_type: str
    mchid: str
    appid: str
    out_trade_no: str
    transaction_id: str
    trade_state: str
    amount: PaymentAmount
    success_time: datetime
    payer_openid: str


@dataclass(frozen=True, slots=True)
class RefundAmount:
    total_fen: int
    refund_fen: int
    payer_total_fen: int
    payer_refund_fen: int


@dataclass(frozen=True, slots=True)
class RefundNotice:
    notification_id: str
    event_type: str
    mchid: str
    out_trade_no: str
    transaction_id: str
    out_refund_no: str
    refund_id: str
    refund_status: str
    """``SUCCESS``, ``ABNORMAL`` (the money could not reach the payer) or ``CLOSED``."""
    amount: RefundAmount
    success_time: datetime | None


def decode_notification(
    headers: Mapping[str, str],
    body: bytes,
    *,
    platform_keys: Mapping[str, rsa.RSAPublicKey],
    apiv3_key: bytes,
    now: float,
    window_s: float = DEFAULT_WINDOW_S,
) -> PaymentNotice | RefundNotice:
    """Verify and decode; raises :class:`NotificationError` (reason ``bad_signature``,
    ``unknown_serial``, ``stale_timestamp``, ``bad_ciphertext`` or ``malformed``)."""
    try:
        text = body.decode("utf-8")
        verify_signed(
            signed_headers_from(headers),
            text,
            platform_keys=platform_keys,
            now=now,
            window_s=window_s,
        )
        envelope = _object(json.loads(text), "envelope")
        event_type = _str(envelope, "event_type")
        resource = _object(envelope.get("resource"), "resource")
        plain = _object(json.loads(decrypt_resource(apiv3_key, resource)), "resource plaintext")
        notification_id = _str(envelope, "id")
        if event_type in PAYMENT_EVENTS:
            return _payment(notification_id, event_type, plain)
        if event_type in REFUND_EVENTS:
            return _refund(notification_id, event_type, plain)
        raise NotificationError("malformed", f"event type {event_type!r}")
    except NotificationError:
        raise
    except VerificationError as exc:
        raise NotificationError(exc.reason, exc.detail) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotificationError("malformed", f"not JSON: {exc}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise NotificationError("malformed", f"field {exc}") from exc


def _payment(notification_id: str, event_type: str, plain: dict[str, Any]) -> PaymentNotice:
    amount = _object(plain.get("amount"), "amount")
    payer = _object(plain.get("payer"), "payer")
    return PaymentNotice(
        notification_id=notification_id,
        event_type=event_type,
        mchid=_str(plain, "mchid"),
        appid=_str(plain, "appid"),
        out_trade_no=_str(plain, "out_trade_no"),
        transaction_id=_str(plain, "transaction_id"),
        trade_state=_str(plain, "trade_state"),
        amount=PaymentAmount(
            total_fen=_int(amount, "total"),
            payer_total_fen=_int(amount, "payer_total"),
            currency=_str(amount, "currency"),
            payer_currency=_str(amount, "payer_currency"),
        ),
        success_time=datetime.fromisoformat(_str(plain, "success_time")),
        payer_openid=_str(payer, "openid"),
    )


def _refund(notification_id: str, event_type: str, plain: dict[str, Any]) -> RefundNotice:
    amount = _object(plain.get("amount"), "amount")
    success = plain.get("success_time")
    return RefundNotice(
        notification_id=notification_id,
        event_type=event_type,
        mchid=_str(plain, "mchid"),
        out_trade_no=_str(plain, "out_trade_no"),
        transaction_id=_str(plain, "transaction_id"),
        out_refund_no=_str(plain, "out_refund_no"),
        refund_id=_str(plain, "refund_id"),
        refund_status=_str(plain, "refund_status"),
        amount=RefundAmount(
            total_fen=_int(amount, "total"),
            refund_fen=_int(amount, "refund"),
            payer_total_fen=_int(amount, "payer_total"),
            payer_refund_fen=_int(amount, "payer_refund"),
        ),
        success_time=datetime.fromisoformat(success) if isinstance(success, str) else None,
    )


@dataclass(frozen=True, slots=True)
class ExpectedOrder:
    """What the service itself recorded for the order a notification names."""

    out_trade_no: str
    amount_fen: int
    mchid: str
    appid: str
    currency: str = "CNY"


def check_payment(notice: PaymentNotice, expected: ExpectedOrder) -> list[str]:
    """The names of the fields that do not match (empty: the payment is the one we asked
    for): ``out_trade_no``, ``amount``, ``currency``, ``mchid``, ``appid``, ``trade_state``."""
    mismatches: list[str] = []
    if notice.out_trade_no != expected.out_trade_no:
        mismatches.append("out_trade_no")
    if notice.amount.total_fen != expected.amount_fen:
        mismatches.append("amount")
    if notice.amount.currency != expected.currency:
        mismatches.append("currency")
    if notice.mchid != expected.mchid:
        mismatches.append("mchid")
    if notice.appid != expected.appid:
        mismatches.append("appid")
    if notice.trade_state != "SUCCESS":
        mismatches.append("trade_state")
    return mismatches


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotificationError("malformed", f"{what} is not an object")
    return value


def _str(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise NotificationError("malformed", f"{key} is not a string")
    return value


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise NotificationError("malformed", f"{key} is not an integer")
    return value
