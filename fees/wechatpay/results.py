"""What the client's calls return: frozen dataclasses parsed from WeChat's (verified) JSON.

Amounts in fen (WeChat's ``total``/``refund`` are fen already); times aware, as WeChat writes
them (RFC 3339 in Beijing time). A missing required field is a retryable
:class:`~fees.wechatpay.errors.ProviderError` (``BAD_RESPONSE``): the answer was signed, so this
would be a change of the API, not a forgery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa

from fees.wechatpay.errors import ProviderError

__all__ = [
    "OrderState",
    "PlatformCertificate",
    "RefundState",
    "field_of",
    "order_state",
    "refund_state",
]

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class OrderState:
    out_trade_no: str
    trade_state: str
    """``SUCCESS``, ``NOTPAY``, ``CLOSED``, ``REFUND``, ``USERPAYING``, ``PAYERROR`` …"""
    trade_state_desc: str
    transaction_id: str | None
    total_fen: int | None
    payer_total_fen: int | None
    currency: str | None
    success_time: datetime | None
    mchid: str
    appid: str


@dataclass(frozen=True, slots=True)
class RefundState:
    out_refund_no: str
    refund_id: str
    status: str
    """``PROCESSING``, ``SUCCESS``, ``ABNORMAL`` or ``CLOSED``."""
    out_trade_no: str
    transaction_id: str
    refund_fen: int
    total_fen: int
    create_time: datetime | None
    success_time: datetime | None


@dataclass(frozen=True, slots=True)
class PlatformCertificate:
    serial_no: str
    effective_time: datetime
    expire_time: datetime
    pem: bytes
    public_key: rsa.RSAPublicKey


def field_of(answer: Mapping[str, Any], key: str, kind: type[_T]) -> _T:
    value = answer.get(key)
    if not isinstance(value, kind):
        raise ProviderError(200, "BAD_RESPONSE", f"{key} missing", retryable=True)
    return value


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def order_state(answer: Mapping[str, Any]) -> OrderState:
    """``GET /v3/pay/transactions/out-trade-no/{out_trade_no}``'s answer."""
    amount = answer.get("amount") or {}
    return OrderState(
        out_trade_no=field_of(answer, "out_trade_no", str),
        trade_state=field_of(answer, "trade_state", str),
        trade_state_desc=str(answer.get("trade_state_desc", "")),
        transaction_id=answer.get("transaction_id"),
        total_fen=amount.get("total"),
        payer_total_fen=amount.get("payer_total"),
        currency=amount.get("currency"),
        success_time=_time(answer.get("success_time")),
        mchid=str(answer.get("mchid", "")),
        appid=str(answer.get("appid", "")),
    )


def refund_state(answer: Mapping[str, Any]) -> RefundState:
    """The answer of creating or querying a refund."""
    amount = answer.get("amount") or {}
    return RefundState(
        out_refund_no=field_of(answer, "out_refund_no", str),
        refund_id=field_of(answer, "refund_id", str),
        status=field_of(answer, "status", str),
        out_trade_no=str(answer.get("out_trade_no", "")),
        transaction_id=str(answer.get("transaction_id", "")),
        refund_fen=int(amount.get("refund", 0)),
        total_fen=int(amount.get("total", 0)),
        create_time=_time(answer.get("create_time")),
        success_time=_time(answer.get("success_time")),
    )
