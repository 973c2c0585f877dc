"""WeChat Pay's daily trade bill (交易账单), type ALL, as the provider writes it: read and write.

``GET /v3/bill/tradebill?bill_date=YYYY-MM-DD&bill_type=ALL`` gives a download URL; the file behind
it is UTF-8 text in four parts (WeChat Pay, 交易账单文件格式说明 / 交易账单详细说明,
https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html, updated
2024-11-25; 申请交易账单, https://pay.weixin.qq.com/docs/merchant/apis/in-app-payment/get-trade-bill.html)::

    交易时间,公众账号ID,商户号,…,费率备注                     detail header (27 names, ALL_COLUMNS)
    `2026-12-05 10:31:02,`wx…,`1900000001,`0,`,`4200…,…     one line per payment or refund
    总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额
    `2,`100.00,`30.00,`0.00,`0.30000,`100.00,`30.00         the summary of the lines above

What the documents and published samples fix, and what this module does with it:

- Every data field (detail and summary values) is prefixed with one backtick (`` ` ``) so a
  spreadsheet keeps long ids as text; the header lines are not. Fields are separated by a comma
  and never quoted: a product name keeps its commas and quotes as they are. A line is therefore
  split on ``,``` (a comma followed by a backtick), which is unambiguous as long as no field
  contains ``,``` or a line break (any that :meth:`str.splitlines` knows); the writer refuses
  such a field (:class:`TradeBillFormatError`).
- 交易时间 is ``yyyy-MM-dd HH:mm:ss`` in Beijing time: the time the payment succeeded, or the
  time the refund was *accepted* (not when it reached the payer). Read as an aware
  :class:`~datetime.datetime` in UTC+08:00 (:data:`BEIJING`).
- Amounts are yuan. The order amounts have two decimals; 手续费 (fee) has five
  (``0.57000``: rounded to the fen, "末尾填充3个0"), and is negative on a refund line (the fee
  given back). Parsing is exact (string arithmetic on the digits, never float): a value that
  is not a whole number of fen is refused, never rounded.
- A payment line has 交易状态 ``SUCCESS`` (``REVOKED`` for a revoked code payment) and ``0`` as
  微信退款单号 and 商户退款单号; a refund line has ``REFUND``, the refund ids, the refunded amounts,
  and the original order's 微信订单号/商户订单号 with ``0.00`` as its order amounts (see the
  sample at https://developers.weixin.qq.com/minigame/dev/wxcloudrun/src/development/pay/order/bill.html:
  12 lines, 订单总金额 0.06 and 退款总金额 0.06). 特约商户号 is ``0`` for an ordinary merchant.
  :class:`BillRow` keeps every text field exactly as the bill has it (``"0"`` included).
- The summary counts every detail line (payments and refunds) and sums each amount column over
  all lines; the reader checks it against the lines it read (:class:`TradeBillSummaryError`).
- The published samples end lines with CRLF; the reader accepts CRLF or LF (and a BOM before
  the header), the writer writes CRLF. Other bill types (SUCCESS, REFUND) order and name columns
  differently: the reader maps fields by the header's names, so a reordered header still reads,
  but all 27 ALL columns must be there, and every line must have as many fields as the header
  (one more or one fewer is how a stray ``,``` shows).

The reader streams (:func:`iter_trade_bill`): memory does not grow with the bill.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import TextIO

from fees.errors import FeesError

__all__ = [
    "ALL_COLUMNS",
    "ALL_HEADER",
    "BEIJING",
    "NO_REFUND",
    "SUMMARY_COLUMNS",
    "SUMMARY_HEADER",
    "TRADE_STATE_REFUND",
    "TRADE_STATE_REVOKED",
    "TRADE_STATE_SUCCESS",
    "BillRow",
    "BillSummary",
    "TradeBill",
    "TradeBillError",
    "TradeBillFormatError",
    "TradeBillReader",
    "TradeBillSummaryError",
    "format_bill_yuan",
    "iter_trade_bill",
    "parse_bill_yuan",
    "read_trade_bill",
    "write_trade_bill",
]

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
"""China has one time zone and no daylight saving: a fixed +08:00 is exact."""

TRADE_STATE_SUCCESS = "SUCCESS"
TRADE_STATE_REFUND = "REFUND"
TRADE_STATE_REVOKED = "REVOKED"
NO_REFUND = "0"
"""微信退款单号 and 商户退款单号 of a payment line."""

ALL_HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
    "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
"""The detail header line of a type-ALL bill, exactly as documented."""
SUMMARY_HEADER = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)
ALL_COLUMNS: tuple[str, ...] = tuple(ALL_HEADER.split(","))
SUMMARY_COLUMNS: tuple[str, ...] = tuple(SUMMARY_HEADER.split(","))
_SUMMED = (
    "settlement_fen",
    "refund_fen",
    "recharge_refund_fen",
    "fee_fen",
    "order_fen",
    "requested_refund_fen",
)
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_YUAN = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
_SEPARATOR = ",`"
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines()'s


class TradeBillError(FeesError):
    """A trade bill that cannot be used; ``line_number`` (1-based) names the line, 0 if none."""

    def __init__(self, en: str, zh: str, line_number: int = 0) -> None:
        where, where_zh = (
            (f"line {line_number}: ", f"第 {line_number} 行：") if line_number else ("", "")
        )
        super().__init__(where + en, where_zh + zh)
        self.line_number = line_number


class TradeBillFormatError(TradeBillError):
    """A malformed line (field count, time, amount, a missing part), or a row the writer
    cannot represent."""


class TradeBillSummaryError(TradeBillError):
    """The summary does not agree with the lines read (a dropped line, a tampered total)."""


@dataclass(frozen=True, slots=True)
class BillRow:
    """One detail line, its fields in the order of :data:`ALL_COLUMNS` (交易时间 → ``trade_time``,
    应结订单金额 → ``settlement_fen``, 手续费 → ``fee_fen`` …). Text fields exactly as in the bill
    (``"0"`` for no refund id); amounts in fen, non-negative except ``fee_fen`` (negative on a
    refund line). ``trade_time`` is aware; it is written in Beijing time."""

    trade_time: datetime
    appid: str
    mchid: str
    sub_mchid: str
    device: str
    transaction_id: str
    out_trade_no: str
    openid: str
    trade_type: str
    trade_state: str
    bank_type: str
    currency: str
    settlement_fen: int
    coupon_fen: int
    refund_id: str
    out_refund_no: str
    refund_fen: int
    recharge_refund_fen: int
    refund_type: str
    refund_state: str
    body: str
    attach: str
    fee_fen: int
    rate: str
    order_fen: int
    requested_refund_fen: int
    rate_note: str

    @property
    def is_refund(self) -> bool:
        return self.trade_state == TRADE_STATE_REFUND


_FIELDS = tuple(field.name for field in fields(BillRow))
_FEN_FIELDS = frozenset(name for name in _FIELDS if name.endswith("_fen"))
_KINDS = tuple(
    (name == "fee_fen") if name in _FEN_FIELDS else None for name in _FIELDS[1:]
)  # per field after the time: None for text, else whether the amount may be negative


@dataclass(frozen=True, slots=True)
class BillSummary:
    """The two last lines: count of detail lines and each amount column's total, in fen."""

    count: int
    settlement_fen: int
    refund_fen: int
    recharge_refund_fen: int
    fee_fen: int
    order_fen: int
    requested_refund_fen: int

    @staticmethod
    def of(rows: Iterable[BillRow]) -> BillSummary:
        totals = _Totals()
        for row in rows:
            totals.add(row)
        return totals.summary()


@dataclass(frozen=True, slots=True)
class TradeBill:
    """A whole bill in memory (:func:`read_trade_bill`): for small bills and tests."""

    rows: tuple[BillRow, ...]
    summary: BillSummary


class _Totals:
    __slots__ = ("count", "sums")

    def __init__(self) -> None:
        self.count = 0
        self.sums = [0] * len(_SUMMED)  # in the order of _SUMMED

    def add(self, row: BillRow) -> None:
        self.count += 1
        sums = self.sums
        sums[0] += row.settlement_fen
        sums[1] += row.refund_fen
        sums[2] += row.recharge_refund_fen
        sums[3] += row.fee_fen
        sums[4] += row.order_fen
        sums[5] += row.requested_refund_fen

    def summary(self) -> BillSummary:
        return BillSummary(self.count, *self.sums)


def parse_bill_yuan(text: str, *, signed: bool = False, line_number: int = 0) -> int:
    """``"12.34"`` → ``1234``; ``"0.57000"`` → ``57``; exact or refused (never rounded).

    String arithmetic on the digits (no float, and faster than :class:`~decimal.Decimal` over
    a bill of 100,000 lines): decimals past the second must be zeros."""
    match = _YUAN.fullmatch(text)
    if match is None or (match[1] and not signed):
        raise TradeBillFormatError(
            f"not an amount in yuan: {text!r}", f"不是以元为单位的金额：{text!r}", line_number
        )
    sign, yuan, decimals = match.groups("")
    if decimals[2:].strip("0"):
        raise TradeBillFormatError(
            f"not a whole number of fen: {text!r}", f"金额不是整数分：{text!r}", line_number
        )
    fen = int(yuan) * 100 + int(decimals[:2].ljust(2, "0"))
    return -fen if sign else fen


def format_bill_yuan(fen: int, decimals: int = 2) -> str:
    """``57`` → ``"0.57"``; ``decimals=5`` → ``"0.57000"`` (the fee); ``-3`` → ``"-0.03"``."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}{'0' * (decimals - 2)}"


# ---------------------------------------------------------------------------------- writing


def write_trade_bill(rows: Iterable[BillRow], out: TextIO, *, newline: str = "\r\n") -> BillSummary:
    """Write a type-ALL bill of ``rows`` to ``out``, one line at a time, and its summary; return
    the summary. A field the format cannot carry raises :class:`TradeBillFormatError`."""
    totals = _Totals()
    out.write(ALL_HEADER + newline)
    for row in rows:
        totals.add(row)
        out.write(_format_row(row, totals.count + 1) + newline)
    summary = totals.summary()
    out.write(SUMMARY_HEADER + newline)
    out.write(_join(_summary_values(summary)) + newline)
    return summary


def _format_row(row: BillRow, line_number: int) -> str:
    if row.trade_time.tzinfo is None:
        raise TradeBillFormatError("trade_time has no time zone", "交易时间缺少时区", line_number)
    values = [row.trade_time.astimezone(BEIJING).strftime(_TIME_FORMAT)]
    for name in _FIELDS[1:]:
        value = getattr(row, name)
        if name == "fee_fen":
            values.append(format_bill_yuan(value, 5))
        elif name in _FEN_FIELDS:
            if value < 0:
                raise TradeBillFormatError(
                    f"{name} is negative: {value}", f"{name} 为负数：{value}", line_number
                )
            values.append(format_bill_yuan(value))
        else:
            if _SEPARATOR in value or _LINE_BREAK.search(value):
                raise TradeBillFormatError(
                    f"{name} cannot be written (it contains ',`' or a line break): {value!r}",
                    f"{name} 含有 ',`' 或换行，无法写入账单：{value!r}",
                    line_number,
                )
            values.append(value)
    return _join(values)


def _summary_values(summary: BillSummary) -> list[str]:
    return [
        str(summary.count),
        format_bill_yuan(summary.settlement_fen),
        format_bill_yuan(summary.refund_fen),
        format_bill_yuan(summary.recharge_refund_fen),
        format_bill_yuan(summary.fee_fen, 5),
        format_bill_yuan(summary.order_fen),
        format_bill_yuan(summary.requested_refund_fen),
    ]


def _join(values: list[str]) -> str:
    return "`" + _SEPARATOR.join(values)


# ---------------------------------------------------------------------------------- reading


def _split(line: str, line_number: int) -> list[str]:
    if not line.startswith("`"):
        raise TradeBillFormatError(
            f"a data line must start with '`': {line[:40]!r}",
            f"数据行应以 '`' 开头：{line[:40]!r}",
            line_number,
        )
    return line[1:].split(_SEPARATOR)


def _header_names(line: str) -> list[str]:
    return [name.strip().lstrip("`") for name in line.lstrip("\ufeff").split(",")]


class TradeBillReader:
    """One pass over a bill's lines: iterate for the rows; the summary is checked when the
    iteration reaches the end (a :class:`TradeBillSummaryError` then), and is :attr:`summary`."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = lines
        self._summary: BillSummary | None = None
        self._started = False

    @property
    def summary(self) -> BillSummary:
        if self._summary is None:
            raise RuntimeError("the summary is known once every row has been read")
        return self._summary

    def __iter__(self) -> Iterator[BillRow]:
        if self._started:
            raise RuntimeError("a TradeBillReader reads its lines once")
        self._started = True
        return self._rows()

    def _rows(self) -> Iterator[BillRow]:
        numbered = enumerate((line.rstrip("\r\n") for line in self._lines), start=1)
        index, width = self._read_header(numbered)
        totals = _Totals()
        for line_number, line in numbered:
            if line.lstrip("`").startswith(SUMMARY_COLUMNS[0]):
                self._summary = _read_summary(line, line_number, numbered, totals.summary())
                return
            if not line:
                raise TradeBillFormatError("empty line among the rows", "明细中有空行", line_number)
            row = _parse_row(_split(line, line_number), index, width, line_number)
            totals.add(row)
            yield row
        raise TradeBillFormatError(
            "the bill ends without its summary (truncated?)",
            "账单缺少汇总数据（可能不完整）",
            totals.count + 2,
        )

    @staticmethod
    def _read_header(numbered: Iterator[tuple[int, str]]) -> tuple[list[int], int]:
        for line_number, line in numbered:
            names = _header_names(line)
            missing = [name for name in ALL_COLUMNS if name not in names]
            if missing:
                raise TradeBillFormatError(
                    f"not a type-ALL trade bill header, missing {', '.join(missing)}",
                    f"不是 ALL 类型交易账单的表头，缺少 {'、'.join(missing)}",
                    line_number,
                )
            return [names.index(name) for name in ALL_COLUMNS], len(names)
        raise TradeBillFormatError("the bill is empty", "账单为空", 1)


def _parse_row(fields: list[str], index: list[int], width: int, line_number: int) -> BillRow:
    if len(fields) != width:
        raise TradeBillFormatError(
            f"{len(fields)} fields, the header has {width}",
            f"该行有 {len(fields)} 个字段，表头有 {width} 个",
            line_number,
        )
    text = [fields[i] for i in index]
    moment = text[0]
    try:
        if _TIME.fullmatch(moment) is None:
            raise ValueError(moment)
        trade_time = datetime.fromisoformat(moment).replace(tzinfo=BEIJING)
    except ValueError:
        raise TradeBillFormatError(
            f"not a trade time: {moment!r}", f"交易时间格式错误：{moment!r}", line_number
        ) from None
    values = [
        value if kind is None else parse_bill_yuan(value, signed=kind, line_number=line_number)
        for kind, value in zip(_KINDS, text[1:], strict=True)
    ]
    return BillRow(trade_time, *values)  # type: ignore[arg-type]


def _read_summary(
    header: str, header_line: int, numbered: Iterator[tuple[int, str]], computed: BillSummary
) -> BillSummary:
    if tuple(_header_names(header)) != SUMMARY_COLUMNS:
        raise TradeBillFormatError(
            f"not the type-ALL summary header: {header!r}", f"汇总表头错误：{header!r}", header_line
        )
    line_number, line = next(numbered, (header_line + 1, ""))
    fields = _split(line, line_number)
    if len(fields) != len(SUMMARY_COLUMNS):
        raise TradeBillFormatError(
            f"the summary has {len(fields)} values, not {len(SUMMARY_COLUMNS)}",
            f"汇总数据有 {len(fields)} 个值，应为 {len(SUMMARY_COLUMNS)} 个",
            line_number,
        )
    if not fields[0].isdigit():
        raise TradeBillFormatError(
            f"not a count: {fields[0]!r}", f"总交易单数格式错误：{fields[0]!r}", line_number
        )
    stated = BillSummary(
        int(fields[0]),
        *(
            parse_bill_yuan(value, signed=name == "fee_fen", line_number=line_number)
            for name, value in zip(_SUMMED, fields[1:], strict=True)
        ),
    )
    for name, column in zip(("count", *_SUMMED), SUMMARY_COLUMNS, strict=True):
        said, found = getattr(stated, name), getattr(computed, name)
        if said != found:
            if name != "count":
                said, found = format_bill_yuan(said), format_bill_yuan(found)
            raise TradeBillSummaryError(
                f"{column} ({name}) is {said} in the summary but {found} in the rows",
                f"汇总的{column}为 {said}，明细合计为 {found}",
                line_number,
            )
    for extra_number, extra in numbered:
        if extra.strip():
            raise TradeBillFormatError(
                "text after the summary", "汇总数据之后还有内容", extra_number
            )
    return stated


def iter_trade_bill(lines: Iterable[str]) -> TradeBillReader:
    """Stream a bill: ``for row in (reader := iter_trade_bill(file)): …; reader.summary``."""
    return TradeBillReader(lines)


def read_trade_bill(lines: Iterable[str]) -> TradeBill:
    """Read a whole bill into memory (checked like :func:`iter_trade_bill`)."""
    reader = TradeBillReader(lines)
    rows = tuple(reader)
    return TradeBill(rows, reader.summary)
