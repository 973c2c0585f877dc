"""Properties (hypothesis): a bill made from the court's own records reconciles clean, whatever
the order of its lines; taking one record or one line away, or changing one amount, reports
exactly that one difference."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fees.reconcile import LocalTransaction, bill_day, reconcile
from fees.wechatpay.bill import BEIJING, BillRow, iter_trade_bill
from tests.fees.reconcile.make import bill_text, payment, refund, row_for

D = date(2026, 12, 5)
MIDNIGHT = datetime.combine(D, time(), BEIJING)

SPEC = st.tuples(
    st.integers(0, 86_399),  # second of the day the provider took the payment
    st.integers(0, 10**9),  # amount in fen
    st.booleans(),  # provider time known
    st.integers(0, 3),  # seconds until the service booked it
    st.one_of(st.none(), st.floats(0, 1)),  # a refund of that part (a fraction, only to draw one)
)


@st.composite
def books(draw: st.DrawFn) -> list[LocalTransaction]:
    records: list[LocalTransaction] = []
    for n, (second, amount, known, delay, part) in enumerate(draw(st.lists(SPEC, max_size=25))):
        paid = MIDNIGHT + timedelta(seconds=second)
        booked = paid + timedelta(seconds=delay)
        records.append(
            payment(
                f"P{n}",
                amount,
                booked,
                provider_time=paid if known else None,
                status="refunded" if part == 1 else "paid",
            )
        )
        if part is not None:
            accepted = paid + timedelta(seconds=1)
            records.append(
                refund(
                    f"R{n}",
                    int(amount * part),
                    accepted + timedelta(seconds=delay),
                    out_trade_no=f"P{n}",
                    provider_time=accepted if known else None,
                )
            )
    return records


def bill_of(records: list[LocalTransaction]) -> list[BillRow]:
    """The bill of D WeChat Pay would cut from these records."""
    return [row_for(record) for record in records if record.booked and bill_day(record) == D]


@settings(max_examples=200, deadline=None)
@given(books(), st.randoms())
def test_a_bill_made_from_the_books_reconciles_clean(records: list[LocalTransaction], rng) -> None:
    bill = bill_of(records)
    rng.shuffle(bill)
    report = reconcile(bill, records, bill_date=D)
    assert report.clean and report.boundary == ()
    assert report.matched == len(bill)
    assert report.bill == report.local
    assert report.bill.payments + report.bill.refunds == len(bill)


@settings(max_examples=100, deadline=None)
@given(books())
def test_through_the_text_of_the_bill(records: list[LocalTransaction]) -> None:
    reader = iter_trade_bill(io.StringIO(bill_text(bill_of(records))))
    report = reconcile(reader, records, bill_date=D)
    assert report.clean and reader.summary.count == report.matched


@settings(max_examples=200, deadline=None)
@given(books(), st.data())
def test_one_record_taken_away_is_exactly_one_extra(
    records: list[LocalTransaction], data: st.DataObject
) -> None:
    bill = bill_of(records)
    if not bill:
        return
    row = data.draw(st.sampled_from(bill))
    key = row.out_refund_no if row.is_refund else row.out_trade_no
    kind = "refund" if row.is_refund else "payment"
    rest = [record for record in records if (record.kind, record.reference) != (kind, key)]
    report = reconcile(bill, rest, bill_date=D)
    assert [(extra.kind, extra.reference, extra.reason) for extra in report.extra] == [
        (kind, key, "not_booked")
    ]
    assert not report.missing and not report.mismatched
    assert report.matched == len(bill) - 1


@settings(max_examples=200, deadline=None)
@given(books(), st.data())
def test_one_line_taken_away_is_exactly_one_missing(
    records: list[LocalTransaction], data: st.DataObject
) -> None:
    bill = bill_of(records)
    if not bill:
        return
    dropped = data.draw(st.integers(0, len(bill) - 1))
    row = bill.pop(dropped)
    key = row.out_refund_no if row.is_refund else row.out_trade_no
    report = reconcile(bill, records, bill_date=D)
    # missing, or, when the provider's time is unknown and it was booked near midnight, expected
    # in the neighbouring day's bill: either way exactly that record
    found = [item.local for item in report.missing] + [item.local for item in report.boundary]
    assert [(record.reference, record.kind == "refund") for record in found] == [
        (key, row.is_refund)
    ]
    assert not report.extra and not report.mismatched and report.matched == len(bill)


@settings(max_examples=200, deadline=None)
@given(books(), st.data(), st.integers(1, 10**6))
def test_one_amount_changed_is_exactly_one_mismatch(
    records: list[LocalTransaction], data: st.DataObject, more: int
) -> None:
    bill = bill_of(records)
    if not bill:
        return
    n = data.draw(st.integers(0, len(bill) - 1))
    row = bill[n]
    if row.is_refund:
        bill[n] = replace(row, requested_refund_fen=row.requested_refund_fen + more)
        expected = (
            "refund",
            row.out_refund_no,
            row.requested_refund_fen + more,
            row.requested_refund_fen,
        )
    else:
        bill[n] = replace(row, order_fen=row.order_fen + more)
        expected = ("payment", row.out_trade_no, row.order_fen + more, row.order_fen)
    report = reconcile(bill, records, bill_date=D)
    assert [(m.kind, m.reference, m.bill_value, m.local_value) for m in report.mismatched] == [
        expected
    ]
    assert {m.field for m in report.mismatched} == {"amount_fen"}
    assert not report.missing and not report.extra and report.matched == len(bill)
    assert report.bill.net_fen - report.local.net_fen == (more if not row.is_refund else -more)
