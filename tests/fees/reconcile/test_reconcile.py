"""Reconciliation worked by hand: one day (2026-12-05) with a match, a partial refund, a missing
payment, an extra one, one whose notification never came, amount mismatches, and the items on
either side of midnight; then each other rule on its own.

Amounts in comments are yuan; assertions are in fen."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest

from fees.reconcile import (
    Boundary,
    Extra,
    LocalTransaction,
    Mismatch,
    Missing,
    ReconcileError,
    SideTotals,
    reconcile,
)
from fees.wechatpay.bill import iter_trade_bill
from tests.fees.reconcile.make import at, bill_text, payment, payment_row, refund, refund_row

D = date(2026, 12, 5)
NEXT = D + timedelta(days=1)
BEFORE = D - timedelta(days=1)

# The court's books.
P1 = payment(
    "P1", 55000, at(D, "10:31:03"), provider_time=at(D, "10:31:02"), provider_id="4200P1"
)  # 550.00
R1 = refund(
    "R1", 27500, at(D, "16:02:46"), out_trade_no="P1", provider_time=at(D, "16:02:45")
)  # half of P1 back
P2 = payment(
    "P2", 8000, at(D, "11:00:00"), provider_time=at(D, "10:59:58")
)  # 80.00, WeChat has no trace
P4 = payment("P4", 30000, at(D, "13:00:00"), status="pending")  # 300.00, notification never came
P5 = payment(
    "P5", 2000, at(D, "14:00:01"), provider_time=at(D, "14:00:00")
)  # booked 20.00, paid 200.00
R5 = refund("R5", 5000, at(D, "15:00:01"), out_trade_no="P5")  # booked 50.00, asked 60.00
P6 = payment("P6", 9900, at(D, "23:59:59"), provider_time=at(NEXT, "00:00:00"))  # next day's bill
P7 = payment("P7", 4400, at(D, "00:00:02"))  # no provider time, booked just after midnight
P8 = payment("P8", 1000, at(D, "23:58:00"))  # no provider time, in the bill at 23:57:59
P9 = payment("P9", 7000, at(D, "09:00:00"), status="pending")  # abandoned: nobody's business
BOOKS = [P1, R1, P2, P4, P5, R5, P6, P7, P8, P9]

# WeChat Pay's bill of 2026-12-05.
BILL = [
    payment_row("P1", 55000, at(D, "10:31:02"), transaction_id="4200P1"),
    payment_row("P3", 12000, at(D, "12:00:00")),  # 120.00, unknown here
    payment_row("P4", 30000, at(D, "13:04:10")),
    payment_row("P5", 20000, at(D, "14:00:00")),
    refund_row("P5", "R5", 6000, at(D, "15:00:00")),
    refund_row("P1", "R1", 27500, at(D, "16:02:45"), refund_state="PROCESSING"),
    payment_row("P8", 1000, at(D, "23:57:59")),
]


def test_the_worked_day() -> None:
    report = reconcile(iter(BILL), BOOKS, bill_date=D)
    assert report.matched == 5  # P1, P5, R5, R1, P8
    assert report.missing == (Missing(P2),)
    assert report.extra == (
        Extra("payment", "P3", 12000, "not_booked", BILL[1]),
        Extra("payment", "P4", 30000, "pending", BILL[2]),
    )
    assert report.mismatched == (
        Mismatch("payment", "P5", "amount_fen", 20000, 2000),
        Mismatch("refund", "R5", "amount_fen", 6000, 5000),
    )
    assert report.boundary == (
        Boundary(P6, NEXT, "provider_time"),  # booked at 23:59:59, WeChat's 00:00:00 the next day
        Boundary(P7, BEFORE, "near_midnight"),  # likely in the bill of the 4th
    )
    # bill: payments 550 + 120 + 300 + 200 + 10 = 1180.00; refunds 60 + 275 = 335.00
    assert report.bill == SideTotals(5, 118000, 2, 33500)
    # local, matched or missing: payments 550 + 20 + 10 + 80 = 660.00; refunds 275 + 50 = 325.00
    assert report.local == SideTotals(4, 66000, 2, 32500)
    assert (report.bill.net_fen, report.local.net_fen) == (84500, 33500)
    assert not report.clean


def test_the_neighbouring_days_settle_the_boundary_items() -> None:
    next_bill = [payment_row("P6", 9900, at(NEXT, "00:00:00"))]
    report = reconcile(next_bill, BOOKS, bill_date=NEXT)
    assert report.clean and report.matched == 1 and report.boundary == ()
    assert report.bill == report.local == SideTotals(1, 9900, 0, 0)

    day_before = [payment_row("P7", 4400, at(BEFORE, "23:59:58"))]
    report = reconcile(day_before, BOOKS, bill_date=BEFORE)
    assert report.clean and report.matched == 1


def test_reading_and_reconciling_stream_from_the_text() -> None:
    reader = iter_trade_bill(io.StringIO(bill_text(BILL)))
    report = reconcile(reader, {record.reference: record for record in BOOKS}, bill_date=D)
    assert report == reconcile(BILL, BOOKS, bill_date=D)
    assert reader.summary.count == 7


@pytest.mark.parametrize(
    ("booked", "expected"),
    [
        ("00:00:00", Boundary),
        ("00:05:00", Boundary),
        ("00:05:01", Missing),
        ("23:54:59", Missing),
        ("23:55:00", Boundary),
        ("23:59:59", Boundary),
    ],
)
def test_the_boundary_window(booked: str, expected: type) -> None:
    record = payment("Q", 100, at(D, booked))
    report = reconcile([], [record], bill_date=D)
    assert [type(item) for item in report.missing + report.boundary] == [expected]
    if expected is Boundary:
        assert report.boundary[0].expected_in == (BEFORE if booked < "12" else NEXT)
    narrow = reconcile([], [record], bill_date=D, boundary_window=timedelta(0))
    assert len(narrow.missing) == (0 if booked == "00:00:00" else 1)


def test_a_known_provider_time_is_never_guessed_about() -> None:
    record = payment("Q", 100, at(D, "23:59:59"), provider_time=at(D, "23:59:58"))
    assert reconcile([], [record], bill_date=D).missing == (Missing(record),)


def test_the_provider_time_on_another_day_is_a_mismatch_when_the_bill_has_it() -> None:
    report = reconcile([payment_row("P6", 9900, at(D, "23:59:59"))], [P6], bill_date=D)
    assert report.mismatched == (
        Mismatch("payment", "P6", "bill_date", "2026-12-05", "2026-12-06"),
    )
    assert report.boundary == ()


def test_states_ids_and_orders_are_compared() -> None:
    books = [
        payment("A", 100, at(D, "09:00:01"), provider_id="4200A"),
        payment("B", 100, at(D, "09:00:01"), status="refunded"),  # refunded since: still a payment
        refund("RA", 100, at(D, "10:00:01"), out_trade_no="A", provider_id="5030RA"),
        refund("RB", 100, at(D, "10:00:01"), out_trade_no="B"),
        payment("C", 100, at(D, "09:00:01")),
    ]
    bill = [
        payment_row("A", 100, at(D, "09:00:00"), transaction_id="4200X"),
        payment_row("B", 100, at(D, "09:00:00")),
        refund_row("A", "RA", 100, at(D, "10:00:00"), refund_state="FAIL", refund_id="5030RA"),
        refund_row("C", "RB", 100, at(D, "10:00:00")),
        payment_row("C", 100, at(D, "09:00:00"), trade_state="REVOKED"),
    ]
    report = reconcile(bill, books, bill_date=D)
    assert report.matched == 5 and not report.missing and not report.extra
    assert report.mismatched == (
        Mismatch("payment", "A", "provider_id", "4200X", "4200A"),
        Mismatch("refund", "RA", "state", "FAIL", "refunded"),
        Mismatch("refund", "RB", "out_trade_no", "C", "B"),
        Mismatch("payment", "C", "state", "REVOKED", "paid"),
    )


def test_refunds_match_by_their_own_number_not_the_order() -> None:
    # one payment refunded in two parts the same day; only one part booked here
    books = [
        payment("A", 10000, at(D, "09:00:01")),
        refund("RA1", 3000, at(D, "10:00:01"), out_trade_no="A"),
    ]
    bill = [
        payment_row("A", 10000, at(D, "09:00:00")),
        refund_row("A", "RA1", 3000, at(D, "10:00:00")),
        refund_row("A", "RA2", 2000, at(D, "11:00:00")),
    ]
    report = reconcile(bill, books, bill_date=D)
    assert report.matched == 2 and not report.mismatched and not report.missing
    assert [(item.kind, item.reference, item.amount_fen, item.reason) for item in report.extra] == [
        ("refund", "RA2", 2000, "not_booked")
    ]
    assert report.bill == SideTotals(1, 10000, 2, 5000) and report.local == SideTotals(
        1, 10000, 1, 3000
    )


def test_a_payment_and_a_refund_may_share_a_number() -> None:
    books = [payment("X", 500, at(D, "09:00:01")), refund("X", 500, at(D, "10:00:01"))]
    report = reconcile(
        [payment_row("X", 500, at(D, "09:00:00")), refund_row("X", "X", 500, at(D, "10:00:00"))],
        books,
        bill_date=D,
    )
    assert report.clean and report.matched == 2


def test_a_line_twice_in_the_bill_is_extra() -> None:
    row = payment_row("A", 100, at(D, "09:00:00"))
    report = reconcile([row, row], [payment("A", 100, at(D, "09:00:01"))], bill_date=D)
    assert report.matched == 1 and report.extra == (Extra("payment", "A", 100, "duplicate", row),)


def test_a_missing_refund() -> None:
    record = refund("R", 2500, at(D, "10:00:01"), out_trade_no="A")
    report = reconcile([], [record], bill_date=D)
    assert report.missing == (Missing(record),) and report.local == SideTotals(0, 0, 1, 2500)


def test_the_local_records_must_make_sense() -> None:
    with pytest.raises(ReconcileError, match="payment A is given twice"):
        reconcile(
            [],
            [payment("A", 1, at(D, "09:00:00")), payment("A", 2, at(D, "10:00:00"))],
            bill_date=D,
        )
    with pytest.raises(ReconcileError, match="time zone"):
        payment("A", 1, datetime(2026, 12, 5, 9))
    with pytest.raises(ReconcileError, match="negative"):
        payment("A", -1, at(D, "09:00:00"))
    with pytest.raises(ReconcileError, match="not 'paid'"):
        LocalTransaction("refund", "R", 1, "paid", at(D, "09:00:00"))
