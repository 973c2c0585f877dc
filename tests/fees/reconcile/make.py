"""Builders for trade-bill rows and local records (tests and the benchmark).

``row_for(record)`` is the line WeChat Pay's bill would carry for a record the court booked:
a payment line (``SUCCESS``, 订单金额 = the amount, fee 0.6% rounded half up, refund ids ``0``)
or a refund line (``REFUND``, order amounts ``0.00``, 退款金额 = 申请退款金额 = the amount, the
fee given back as a negative amount). Its time is the record's provider time, else its booking.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from fees.reconcile import LocalTransaction
from fees.reconcile.model import LocalStatus
from fees.wechatpay.bill import BEIJING, NO_REFUND, BillRow, write_trade_bill

APPID = "wx8888888888888888"
MCHID = "1900000109"
RATE = "0.60%"


def at(day: date, clock: str) -> datetime:
    """``at(D, "23:59:59")``: that moment in Beijing time."""
    return datetime.combine(day, time.fromisoformat(clock), BEIJING)


def fee_fen(amount_fen: int) -> int:
    return (amount_fen * 6 + 500) // 1000  # 0.6%, half up


def payment_row(
    out_trade_no: str,
    amount_fen: int,
    when: datetime,
    *,
    transaction_id: str | None = None,
    trade_state: str = "SUCCESS",
    body: str = "诉讼费",
    attach: str = "",
) -> BillRow:
    return BillRow(
        trade_time=when,
        appid=APPID,
        mchid=MCHID,
        sub_mchid="0",
        device="",
        transaction_id=transaction_id or f"42000{out_trade_no}",
        out_trade_no=out_trade_no,
        openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        trade_type="NATIVE",
        trade_state=trade_state,
        bank_type="OTHERS",
        currency="CNY",
        settlement_fen=amount_fen,
        coupon_fen=0,
        refund_id=NO_REFUND,
        out_refund_no=NO_REFUND,
        refund_fen=0,
        recharge_refund_fen=0,
        refund_type="",
        refund_state="",
        body=body,
        attach=attach,
        fee_fen=fee_fen(amount_fen),
        rate=RATE,
        order_fen=amount_fen,
        requested_refund_fen=0,
        rate_note="",
    )


def refund_row(
    out_trade_no: str,
    out_refund_no: str,
    amount_fen: int,
    when: datetime,
    *,
    refund_id: str | None = None,
    transaction_id: str | None = None,
    refund_state: str = "SUCCESS",
    body: str = "诉讼费",
) -> BillRow:
    return BillRow(
        trade_time=when,
        appid=APPID,
        mchid=MCHID,
        sub_mchid="0",
        device="",
        transaction_id=transaction_id or f"42000{out_trade_no}",
        out_trade_no=out_trade_no,
        openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        trade_type="NATIVE",
        trade_state="REFUND",
        bank_type="OTHERS",
        currency="CNY",
        settlement_fen=0,
        coupon_fen=0,
        refund_id=refund_id or f"50300{out_refund_no}",
        out_refund_no=out_refund_no,
        refund_fen=amount_fen,
        recharge_refund_fen=0,
        refund_type="ORIGINAL",
        refund_state=refund_state,
        body=body,
        attach="",
        fee_fen=-fee_fen(amount_fen),
        rate=RATE,
        order_fen=0,
        requested_refund_fen=amount_fen,
        rate_note="",
    )


def payment(
    reference: str,
    amount_fen: int,
    booked_at: datetime,
    *,
    status: LocalStatus = "paid",
    provider_time: datetime | None = None,
    provider_id: str | None = None,
) -> LocalTransaction:
    return LocalTransaction(
        "payment",
        reference,
        amount_fen,
        status,
        booked_at,
        provider_id,
        provider_time,
    )


def refund(
    reference: str,
    amount_fen: int,
    booked_at: datetime,
    *,
    out_trade_no: str | None = None,
    status: LocalStatus = "refunded",
    provider_time: datetime | None = None,
    provider_id: str | None = None,
) -> LocalTransaction:
    return LocalTransaction(
        "refund",
        reference,
        amount_fen,
        status,
        booked_at,
        provider_id,
        provider_time,
        out_trade_no,
    )


def row_for(record: LocalTransaction) -> BillRow:
    when = record.provider_time or record.booked_at
    if record.kind == "payment":
        return payment_row(
            record.reference, record.amount_fen, when, transaction_id=record.provider_id
        )
    return refund_row(
        record.out_trade_no or "unknown",
        record.reference,
        record.amount_fen,
        when,
        refund_id=record.provider_id,
    )


def bill_text(rows: list[BillRow]) -> str:
    out = io.StringIO()
    write_trade_bill(rows, out)
    return out.getvalue()


def day_of_records(day: date, payments: int, *, seed: int = 0) -> Iterator[LocalTransaction]:
    """A day's worth of booked records: ``payments`` payments spread over the day (Beijing,
    whole seconds), every tenth partly refunded (a third) a second later; amounts from 50.00 to
    50,000.00 yuan; provider ids and times known."""
    rng = random.Random(seed)
    start = datetime.combine(day, time(), BEIJING)
    for n in range(payments):
        paid_at = start + timedelta(seconds=n * 86_398 // max(payments, 1))
        amount = rng.randrange(5_000, 5_000_000)
        reference = f"{day:%Y%m%d}P{n:07d}"
        yield payment(reference, amount, paid_at + timedelta(seconds=1), provider_time=paid_at,
                      provider_id=f"4200{day:%Y%m%d}{n:010d}")  # fmt: skip
        if n % 10 == 9:
            refunded_at = paid_at + timedelta(seconds=1)
            yield refund(f"{day:%Y%m%d}R{n:07d}", amount // 3, refunded_at + timedelta(seconds=1),
                         out_trade_no=reference, provider_time=refunded_at,
                         provider_id=f"5030{day:%Y%m%d}{n:010d}")  # fmt: skip
