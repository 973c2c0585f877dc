"""WeChat Pay's trade bill, type ALL: the exact text, round trips, and the checks that catch a
malformed line, a dropped line or a tampered total (with the line's number)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fees.errors import FeesError
from fees.wechatpay.bill import (
    ALL_COLUMNS,
    ALL_HEADER,
    BEIJING,
    SUMMARY_HEADER,
    BillSummary,
    TradeBillError,
    TradeBillFormatError,
    TradeBillSummaryError,
    format_bill_yuan,
    iter_trade_bill,
    parse_bill_yuan,
    read_trade_bill,
    write_trade_bill,
)
from tests.fees.reconcile.make import at, bill_text, payment_row, refund_row

DAY = date(2026, 12, 5)

# A bill as WeChat Pay documents it (CRLF, five-decimal fees, "0" refund ids), written by hand.
SAMPLE = (
    ALL_HEADER + "\r\n"
    "`2026-12-05 10:31:02,`wx8888888888888888,`1900000109,`0,`,`4200000001202612051234567890,"
    "`FEE2026120500001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`550.00,`0.00,"
    "`0,`0,`0.00,`0.00,`,`,`（2026）京0105民初1234号 案件受理费,`case=1234,`3.30000,`0.60%,`550.00,`0.00,`\r\n"
    "`2026-12-05 16:02:45,`wx8888888888888888,`1900000109,`0,`,`4200000001202612051234567890,"
    "`FEE2026120500001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`REFUND,`OTHERS,`CNY,`0.00,`0.00,"
    "`50300000012026120500000001,`RF2026120500001,`275.00,`0.00,`ORIGINAL,`PROCESSING,"
    "`（2026）京0105民初1234号 案件受理费,`case=1234,`-1.65000,`0.60%,`0.00,`275.00,`\r\n"
    + SUMMARY_HEADER + "\r\n"
    "`2,`550.00,`275.00,`0.00,`1.65000,`550.00,`275.00\r\n"
)  # fmt: skip


def test_reads_the_documented_layout() -> None:
    bill = read_trade_bill(io.StringIO(SAMPLE, newline=""))
    paid, refunded = bill.rows
    assert paid.trade_time == datetime(2026, 12, 5, 2, 31, 2, tzinfo=UTC)
    assert paid.trade_time.utcoffset() == BEIJING.utcoffset(None)
    assert (paid.order_fen, paid.settlement_fen, paid.fee_fen, paid.refund_id) == (
        55000,
        55000,
        330,
        "0",
    )
    assert paid.body == "（2026）京0105民初1234号 案件受理费" and paid.attach == "case=1234"
    assert not paid.is_refund and refunded.is_refund
    assert (refunded.out_refund_no, refunded.refund_fen, refunded.requested_refund_fen) == (
        "RF2026120500001",
        27500,
        27500,
    )
    assert (refunded.fee_fen, refunded.order_fen, refunded.refund_state) == (-165, 0, "PROCESSING")
    assert bill.summary == BillSummary(2, 55000, 27500, 0, 165, 55000, 27500)


def test_writes_the_documented_layout_byte_for_byte() -> None:
    rows = read_trade_bill(io.StringIO(SAMPLE, newline="")).rows
    assert bill_text(list(rows)) == SAMPLE


def test_round_trip_of_awkward_rows() -> None:
    rows = [
        payment_row(
            "A1", 123456, at(DAY, "00:00:00"), body='受理费, 含"保全费", 以及`反引号`', attach="x,y"
        ),
        payment_row("A2", 0, at(DAY, "12:00:00"), body="", attach=""),  # a zero amount
        payment_row("A3", 1, datetime(2026, 12, 5, 15, 59, 59, tzinfo=UTC), body=" 空格 "),
        refund_row("A1", "R1", 123456, at(DAY, "23:59:59"), refund_state="SUCCESS"),
        refund_row("A3", "R3", 1, at(DAY, "23:59:59"), body='"'),
    ]
    out = io.StringIO()
    summary = write_trade_bill(iter(rows), out)
    bill = read_trade_bill(io.StringIO(out.getvalue()))
    assert bill.rows == tuple(rows)
    assert bill.summary == summary == BillSummary.of(rows)
    assert summary.count == 5 and summary.order_fen == 123457 and summary.refund_fen == 123457
    assert summary.fee_fen == 741 + 0 + 0 - 741 - 0


def test_times_are_written_in_beijing_time() -> None:
    row = payment_row("T", 100, datetime(2026, 12, 5, 16, 0, 0, tzinfo=UTC))
    assert "`2026-12-06 00:00:00," in bill_text([row])


def test_an_empty_day_still_has_a_summary() -> None:
    text = bill_text([])
    assert (
        text == f"{ALL_HEADER}\r\n{SUMMARY_HEADER}\r\n`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00\r\n"
    )
    assert read_trade_bill(io.StringIO(text)).rows == ()


def test_fields_are_taken_by_the_header_names_bom_and_lf_accepted() -> None:
    lines = SAMPLE.split("\r\n")
    order = list(reversed(range(len(ALL_COLUMNS))))
    header = ",".join(ALL_COLUMNS[i] for i in order)

    def swap(line: str) -> str:
        fields = line[1:].split(",`")
        return "`" + ",`".join(fields[i] for i in order)

    text = "\n".join(["\ufeff" + header, swap(lines[1]), swap(lines[2]), *lines[3:]])
    assert read_trade_bill(io.StringIO(text)) == read_trade_bill(io.StringIO(SAMPLE, newline=""))


def lines_of(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def error_of(lines: list[str]) -> TradeBillError:
    with pytest.raises(TradeBillError) as caught:
        read_trade_bill(lines)
    return caught.value


def test_a_tampered_total_is_named_with_its_line() -> None:
    lines = lines_of(SAMPLE)
    lines[4] = lines[4].replace("`275.00,`0.00,`1.65", "`275.01,`0.00,`1.65")
    error = error_of(lines)
    assert isinstance(error, TradeBillSummaryError) and error.line_number == 5
    assert "退款总金额" in str(error) and "275.01" in str(error) and "275.00" in str(error)
    assert error.zh.startswith("第 5 行：")


def test_a_dropped_line_is_caught_by_the_count() -> None:
    lines = lines_of(SAMPLE)
    del lines[2]
    error = error_of(lines)
    assert isinstance(error, TradeBillSummaryError) and error.line_number == 4
    assert "总交易单数" in str(error) and "is 2 in the summary but 1 in the rows" in str(error)


def test_a_truncated_bill_has_no_summary() -> None:
    error = error_of(lines_of(SAMPLE)[:3])
    assert isinstance(error, TradeBillFormatError) and "without its summary" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "line_number", "words"),
    [
        ("`550.00,`0.00,`0,", "`550.001,`0.00,`0,", 2, "whole number of fen"),
        ("`550.00,`0.00,`0,", "`5.5e2,`0.00,`0,", 2, "not an amount"),
        ("`550.00,`0.00,`0,", "`-550.00,`0.00,`0,", 2, "not an amount"),  # only the fee is signed
        ("`-1.65000", "`-1.65100", 3, "whole number of fen"),
        ("2026-12-05 16:02:45", "2026-12-05T16:02:45", 3, "not a trade time"),
        (",`case=1234,`-1.65000", ",`-1.65000", 3, "fields"),
        ("\r\n`2026-12-05 16:02:45", "\r\n2026-12-05 16:02:45", 3, "must start with '`'"),
        ("\r\n`2,`550.00", "\r\n`2,`550.00,`1", 5, "8 values"),
        ("`2,`550.00", "`two,`550.00", 5, "not a count"),
        (
            "\r\n`2,`550.00,`275.00,`0.00,`1.65000,`550.00,`275.00\r\n",
            "\r\n`2,`550.00,`275.00,`0.00,`1.65000,`550.00,`275.00\r\n\r\nmore\r\n",
            7,
            "after the summary",
        ),
        (
            "`3.30000,`0.60%,`550.00,`0.00,`\r\n",
            "`3.30000,`0.60%,`550.00,`0.00,`,`\r\n",
            2,
            "28 fields, the header has 27",
        ),
    ],
)
def test_malformed_lines_are_named(old: str, new: str, line_number: int, words: str) -> None:
    assert old in SAMPLE
    error = error_of(lines_of(SAMPLE.replace(old, new, 1)))
    assert isinstance(error, TradeBillFormatError) and isinstance(error, FeesError)
    assert error.line_number == line_number and words in str(error)


def test_a_header_of_another_bill_type_is_refused() -> None:
    success_header = ALL_HEADER.replace(
        "微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,", ""
    )
    error = error_of([success_header, SUMMARY_HEADER, "`0,`0.00,`0.00,`0.00,`0.00000,`0.00,`0.00"])
    assert error.line_number == 1 and "微信退款单号" in str(error)
    assert "empty" in str(error_of([]))


@pytest.mark.parametrize(
    "body", ["a,`b", "line\nbreak", "carriage\rreturn", "para\u2029graph", "next\x85line"]
)
def test_the_writer_refuses_what_the_format_cannot_carry(body: str) -> None:
    rows = [
        payment_row("OK", 1, at(DAY, "09:00:00")),
        payment_row("BAD", 1, at(DAY, "09:00:00"), body=body),
    ]
    with pytest.raises(TradeBillFormatError, match="line 3: body cannot be written"):
        write_trade_bill(rows, io.StringIO())


def test_the_writer_refuses_naive_times_and_negative_amounts() -> None:
    row = payment_row("N", 1, at(DAY, "09:00:00"))
    with pytest.raises(TradeBillFormatError, match="time zone"):
        write_trade_bill([replace(row, trade_time=datetime(2026, 12, 5, 9))], io.StringIO())
    with pytest.raises(TradeBillFormatError, match="order_fen is negative"):
        write_trade_bill([replace(row, order_fen=-1)], io.StringIO())


def test_streaming_summary_only_after_the_last_row() -> None:
    reader = iter_trade_bill(lines_of(SAMPLE))
    with pytest.raises(RuntimeError):
        reader.summary
    rows = iter(reader)
    next(rows)
    with pytest.raises(RuntimeError):
        reader.summary
    assert len(list(rows)) == 1 and reader.summary.count == 2
    with pytest.raises(RuntimeError, match="once"):
        iter(reader)


def test_the_reader_pulls_lines_lazily() -> None:
    pulled = 0

    def lines() -> Iterator[str]:
        nonlocal pulled
        for line in lines_of(SAMPLE):
            pulled += 1
            yield line

    rows = iter(iter_trade_bill(lines()))
    next(rows)
    assert pulled == 2


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0.00", 0),
        ("0.01", 1),
        ("0.1", 10),
        ("12.34", 1234),
        ("0.57000", 57),
        ("-0.03000", -3),
        ("7", 700),
        ("99999999.99", 9_999_999_999),
    ],
)
def test_yuan_to_fen_is_exact(text: str, fen: int) -> None:
    assert parse_bill_yuan(text, signed=True) == fen


@pytest.mark.parametrize(
    "text", ["1.", ".5", "1.2301", "0.001", "1e2", " 1.00", "1,000.00", "+1.00", "\uff11.00", ""]
)
def test_yuan_that_is_not_exact_is_refused(text: str) -> None:
    with pytest.raises(TradeBillFormatError):
        parse_bill_yuan(text, signed=True)


def test_an_impossible_date_is_not_a_trade_time() -> None:
    error = error_of(lines_of(SAMPLE.replace("2026-12-05 16:02:45", "2026-02-30 16:02:45")))
    assert error.line_number == 3 and "not a trade time" in str(error)


@given(st.integers(min_value=-(10**14), max_value=10**14), st.sampled_from([2, 5]))
def test_yuan_text_round_trips(fen: int, decimals: int) -> None:
    assert parse_bill_yuan(format_bill_yuan(fen, decimals), signed=True) == fen


TEXT = st.text(
    st.characters(
        blacklist_characters="\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029", blacklist_categories=["Cs"]
    ),
    max_size=12,
).filter(lambda text: ",`" not in text)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),
            TEXT,
            TEXT,
            st.integers(0, 10**10),
            st.integers(0, 86_399),
            st.text("0123456789AZaz_-", min_size=1, max_size=32),
        ),
        max_size=8,
    )
)
def test_any_representable_rows_round_trip(
    specs: list[tuple[bool, str, str, int, int, str]],
) -> None:
    rows = []
    for is_refund, body, attach, fen, second, number in specs:
        when = at(DAY, "00:00:00").replace(
            hour=second // 3600, minute=second // 60 % 60, second=second % 60
        )
        row = (
            refund_row(number, "R" + number, fen, when, body=body)
            if is_refund
            else payment_row(number, fen, when, body=body, attach=attach)
        )
        rows.append(row)
    bill = read_trade_bill(io.StringIO(bill_text(rows)))
    assert bill.rows == tuple(rows) and bill.summary == BillSummary.of(rows)
