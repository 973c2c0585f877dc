"""The simulated trade bill: a day's payments and refunds as :class:`~fees.wechatpay.bill.BillRow`
lines, written in WeChat's format by :func:`fees.wechatpay.bill.write_trade_bill`.

The handling fee (手续费) is the common 0.6% rate, rounded half up to the fen; a refund line
gives back the fee of the refunded part (negative), as WeChat's bills do.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime

from fees.wechatpay.bill import (
    NO_REFUND,
    TRADE_STATE_REFUND,
    TRADE_STATE_SUCCESS,
    BillRow,
    write_trade_bill,
)
from fees.wechatpay.simulator.store import Order, Refund

__all__ = ["RATE", "bill_rows", "bill_text", "fee_fen"]

RATE = "0.60%"
_RATE_PER_MILLE = 6


def fee_fen(amount_fen: int) -> int:
    """0.6% of ``amount_fen``, half up to the fen."""
    return (amount_fen * _RATE_PER_MILLE + 500) // 1000


def bill_rows(
    paid: Iterable[Order], refunds: Iterable[Refund], orders: dict[str, Order]
) -> list[BillRow]:
    rows: list[BillRow] = []
    for order in paid:
        assert order.success_time is not None and order.transaction_id is not None
        rows.append(
            BillRow(
                trade_time=datetime.fromisoformat(order.success_time),
                appid=order.appid,
                mchid=order.mchid,
                sub_mchid="0",
                device="",
                transaction_id=order.transaction_id,
                out_trade_no=order.out_trade_no,
                openid=order.payer_openid or "",
                trade_type="NATIVE",
                trade_state=TRADE_STATE_SUCCESS,
                bank_type="OTHERS",
                currency="CNY",
                settlement_fen=order.total_fen,
                coupon_fen=0,
                refund_id=NO_REFUND,
                out_refund_no=NO_REFUND,
                refund_fen=0,
                recharge_refund_fen=0,
                refund_type="",
                refund_state="",
                body=order.description,
                attach=order.attach or "",
                fee_fen=fee_fen(order.total_fen),
                rate=RATE,
                order_fen=order.total_fen,
                requested_refund_fen=0,
                rate_note="",
            )
        )
    for refund in refunds:
        order = orders[refund.out_trade_no]
        rows.append(
            BillRow(
                trade_time=datetime.fromisoformat(refund.create_time),
                appid=order.appid,
                mchid=order.mchid,
                sub_mchid="0",
                device="",
                transaction_id=refund.transaction_id,
                out_trade_no=refund.out_trade_no,
                openid=order.payer_openid or "",
                trade_type="NATIVE",
                trade_state=TRADE_STATE_REFUND,
                bank_type="OTHERS",
                currency="CNY",
                settlement_fen=0,
                coupon_fen=0,
                refund_id=refund.refund_id,
                out_refund_no=refund.out_refund_no,
                refund_fen=refund.refund_fen,
                recharge_refund_fen=0,
                refund_type="ORIGINAL",
                refund_state=refund.status,
                body=order.description,
                attach=order.attach or "",
                fee_fen=-fee_fen(refund.refund_fen),
                rate=RATE,
                order_fen=0,
                requested_refund_fen=refund.refund_fen,
                rate_note="",
            )
        )
    rows.sort(key=lambda row: row.trade_time)
    return rows


def bill_text(rows: Iterable[BillRow]) -> bytes:
    out = io.StringIO(newline="")
    write_trade_bill(rows, out)
    return out.getvalue().encode("utf-8")
