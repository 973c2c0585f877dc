"""The fee documents as PDFs, pure functions of plain data (issue 16).

- :func:`~fees.documents.notice_pdf.notice_pdf`: the payment notice (交纳诉讼费用通知书) of one
  version of a notice: the computation, the total in figures and capital numerals, the deadline
  and its legal basis, the payment page as a QR code, the court's bank account, the clerk.
- :func:`~fees.documents.receipt_pdf.receipt_pdf`: the receipt (诉讼费收据) of one payment, with
  its verification QR code.
- :func:`~fees.documents.refund_pdf.refund_pdf`: the refund notice (退费通知书).
- :func:`~fees.documents.capital.fen_to_capital`: an amount in capital numerals (大写).
- :func:`~fees.documents.lines.fee_lines`, :func:`~fees.documents.lines.basis_text`: a computed
  :class:`~fees.breakdown.Breakdown` as the notice's table.

The data is in :mod:`fees.documents.model` (frozen dataclasses, checked when built); the font
is passed in (``tingshen_platform.fonts.find_cjk_font``). Each document leaves the bottom-right
place of its last page free for the court's electronic seal (``ServiceHost.seal``), which the
service adds afterwards. No I/O here: bytes in memory out.
"""

from __future__ import annotations

from fees.documents.capital import fen_to_capital
from fees.documents.errors import DocumentDataError
from fees.documents.lines import basis_text, fee_lines
from fees.documents.model import (
    Adjustment,
    AdjustmentReason,
    BankAccount,
    Contact,
    FeeLine,
    NoticeDocument,
    Payer,
    PaymentChannel,
    ReceiptDocument,
    RefundDocument,
)
from fees.documents.notice_pdf import notice_pdf
from fees.documents.receipt_pdf import receipt_pdf
from fees.documents.refund_pdf import refund_pdf

__all__ = [
    "Adjustment",
    "AdjustmentReason",
    "BankAccount",
    "Contact",
    "DocumentDataError",
    "FeeLine",
    "NoticeDocument",
    "Payer",
    "PaymentChannel",
    "ReceiptDocument",
    "RefundDocument",
    "basis_text",
    "fee_lines",
    "fen_to_capital",
    "notice_pdf",
    "receipt_pdf",
    "refund_pdf",
]
