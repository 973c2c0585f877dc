"""What the fee documents print: plain frozen data, checked when built.

Amounts are integer fen (分); dates are the court's calendar dates; a payment time is an aware
``datetime`` (printed in Beijing time). The renderers (:mod:`fees.documents.notice_pdf`,
:mod:`fees.documents.receipt_pdf`, :mod:`fees.documents.refund_pdf`) add the fixed texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from fees.documents.errors import DocumentDataError

__all__ = [
    "Adjustment",
    "AdjustmentReason",
    "BankAccount",
    "Contact",
    "FeeLine",
    "NoticeDocument",
    "Payer",
    "PaymentChannel",
    "ReceiptDocument",
    "RefundDocument",
    "group_code",
]

_CODE = re.compile(r"[0-9]{8,32}")
_URL = re.compile(r"https?://\S+")


def _need(condition: bool, en: str, zh: str) -> None:
    if not condition:
        raise DocumentDataError(en, zh)


def _check_code(code: str) -> None:
    _need(
        _CODE.fullmatch(code) is not None,
        f"a notice code is 8 to 32 digits (no spaces): {code!r}",
        f"缴费码应为 8 至 32 位数字（不含空格）：{code!r}",
    )


def _check_url(url: str, what: str) -> None:
    _need(
        _URL.fullmatch(url) is not None,
        f"the {what} URL must be http(s) without spaces: {url!r}",
        f"{what} 网址应为不含空格的 http(s) 地址：{url!r}",
    )


def _check_amount(fen: int, what: str) -> None:
    _need(fen >= 0, f"{what} cannot be negative: {fen} fen", f"{what}不能为负数：{fen} 分")


def group_code(code: str, size: int = 4) -> str:
    """``"44010620261205000017"`` → ``"4401 0620 2612 0500 0017"`` (groups for reading aloud)."""
    return " ".join(code[i : i + size] for i in range(0, len(code), size))


@dataclass(frozen=True, slots=True)
class Payer:
    name: str
    role: str
    """As the case names the party: 原告, 被告, 上诉人, 申请人, 反诉原告 …"""

    def __post_init__(self) -> None:
        _need(bool(self.name.strip()), "a payer needs a name", "交款人姓名不能为空")


@dataclass(frozen=True, slots=True)
class FeeLine:
    """One line of the fee computation as printed (from a :class:`~fees.breakdown.Line`)."""

    label: str
    """What the line is: ``"超过 10 万元至 20 万元的部分"``, ``"减半交纳（简易程序）"``."""
    rate: str
    """How it is computed: ``"100,000.00 × 2%"``, ``"每件"``; ``""`` for none."""
    amount_fen: int
    """What it adds (negative: what it takes away)."""
    strong: bool = False
    """A running figure (小计) printed in bold."""


@dataclass(frozen=True, slots=True)
class BankAccount:
    """The court's account for a transfer or a payment at a bank counter."""

    account_name: str
    bank: str
    account_number: str


@dataclass(frozen=True, slots=True)
class Contact:
    """Who answers questions about the notice (the clerk)."""

    name: str
    phone: str
    title: str = "书记员"


class AdjustmentReason(StrEnum):
    amended_claim = "变更诉讼请求"
    reduced = "减交"
    deferred = "缓交"
    waived = "免交"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Why this version of a notice replaces the previous one."""

    reason: AdjustmentReason
    previous_version: int
    previous_total_fen: int
    note: str = ""
    """The decision's words, e.g. ``"经本院审查，准予缓交至2027年1月31日"``."""

    def __post_init__(self) -> None:
        _check_amount(self.previous_total_fen, "the previous total / 原应交金额")
        _need(self.previous_version >= 1, "versions start at 1", "版本号从 1 开始")


@dataclass(frozen=True, slots=True)
class NoticeDocument:
    """A fee payment notice (交纳诉讼费用通知书), one version of one notice."""

    court: str
    case_number: str
    cause: str
    """The cause of action (案由), e.g. ``"买卖合同纠纷"``."""
    payers: tuple[Payer, ...]
    notice_code: str
    """The account's number (缴费码), digits with its check digit; printed in groups of four."""
    version: int
    issued_on: date
    deadline: date
    """The last day to pay (the notice says: within 7 days of the day after receipt)."""
    lines: tuple[FeeLine, ...]
    total_fen: int
    pay_url: str
    """The payment page: printed as a QR code and as text."""
    bank: BankAccount
    contact: Contact
    fee_name: str = "案件受理费"
    basis: str = ""
    """What the fee is computed on, e.g. ``"诉讼请求金额 123,456.00 元"`` (empty: not printed)."""
    adjustment: Adjustment | None = None

    def __post_init__(self) -> None:
        _need(bool(self.payers), "a notice needs a payer", "通知书应有交款人")
        _check_code(self.notice_code)
        _check_url(self.pay_url, "payment page / 缴费页面")
        _check_amount(self.total_fen, "the total / 应交金额")
        _need(self.version >= 1, "versions start at 1", "版本号从 1 开始")
        _need(
            self.deadline >= self.issued_on,
            f"the deadline {self.deadline} is before the notice ({self.issued_on})",
            f"交纳期限 {self.deadline} 早于通知日期 {self.issued_on}",
        )
        if self.adjustment is not None:
            _need(
                self.adjustment.previous_version < self.version,
                "an adjusted notice replaces an earlier version",
                "变更后的通知书应替代较早的版本",
            )


class PaymentChannel(StrEnum):
    wechat = "微信支付"
    bank_transfer = "银行转账"
    cash = "现金"


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """A receipt (诉讼费收据) for one payment of a notice."""

    court: str
    """The payee."""
    receipt_number: str
    verification_code: str
    payer: Payer
    case_number: str
    notice_code: str
    amount_fen: int
    channel: PaymentChannel
    transaction_id: str
    """The provider's id of the payment (WeChat Pay's ``transaction_id``, the bank's serial)."""
    paid_at: datetime
    verify_url: str
    fee_name: str = "案件受理费"

    def __post_init__(self) -> None:
        _check_code(self.notice_code)
        _check_url(self.verify_url, "verification / 查验")
        _need(self.amount_fen > 0, "a receipt is for a payment", "收据金额应大于零")
        _need(
            self.paid_at.tzinfo is not None,
            "the payment time must be aware (it is printed in Beijing time)",
            "缴费时间应带时区",
        )


@dataclass(frozen=True, slots=True)
class RefundDocument:
    """A refund notice (退费通知书): what the court pays back, how, and who approved it."""

    court: str
    refund_number: str
    payee: Payer
    case_number: str
    notice_code: str
    receipt_number: str
    """The receipt of the payment refunded."""
    amount_fen: int
    channel: PaymentChannel
    """How the money goes back (to the payment's own channel)."""
    reason: str
    """E.g. ``"撤诉，依照《诉讼费用交纳办法》第十五条减半交纳，退还多交部分"``."""
    approved_by: str
    approved_on: date
    issued_on: date

    def __post_init__(self) -> None:
        _check_code(self.notice_code)
        _need(self.amount_fen > 0, "a refund pays something back", "退费金额应大于零")
        _need(
            self.issued_on >= self.approved_on,
            "a refund notice comes after its approval",
            "退费通知日期不应早于批准日期",
        )
