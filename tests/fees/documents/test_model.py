"""The documents' data is checked when built: a wrong document is never printed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from fees.documents.errors import DocumentDataError
from fees.documents.model import (
    Adjustment,
    AdjustmentReason,
    NoticeDocument,
    Payer,
    ReceiptDocument,
    RefundDocument,
    group_code,
)
from fees.errors import FeesError


def test_codes_are_grouped_by_four_for_reading() -> None:
    assert group_code("44010620261205000017") == "4401 0620 2612 0500 0017"
    assert group_code("440106202612050") == "4401 0620 2612 050"


@pytest.mark.parametrize(
    ("change", "zh"),
    [
        ({"payers": ()}, "交款人"),
        ({"notice_code": "4401 0620 2612 0500 0017"}, "缴费码"),
        ({"notice_code": "44010620X6"}, "缴费码"),
        ({"pay_url": "javascript:alert(1)"}, "网址"),
        ({"pay_url": "https://fees.court.example/pay /1"}, "网址"),
        ({"total_fen": -1}, "负数"),
        ({"version": 0}, "版本"),
        ({"deadline": date(2026, 12, 4)}, "交纳期限"),
        (
            {"adjustment": Adjustment(AdjustmentReason.reduced, 1, 100_000)},
            "替代较早的版本",
        ),
    ],
)
def test_a_wrong_notice_is_refused(
    notice: NoticeDocument, change: dict[str, object], zh: str
) -> None:
    with pytest.raises(DocumentDataError) as caught:
        replace(notice, **change)  # type: ignore[arg-type]
    assert zh in caught.value.zh
    assert isinstance(caught.value, FeesError)


def test_an_adjustment_names_an_earlier_version(notice: NoticeDocument) -> None:
    adjusted = replace(
        notice, version=2, adjustment=Adjustment(AdjustmentReason.amended_claim, 1, 500_000)
    )
    assert adjusted.adjustment is not None
    with pytest.raises(DocumentDataError):
        Adjustment(AdjustmentReason.waived, 1, -5)
    with pytest.raises(DocumentDataError):
        Adjustment(AdjustmentReason.waived, 0, 5)


def test_a_payer_has_a_name() -> None:
    with pytest.raises(DocumentDataError, match="name"):
        Payer("  ", "原告")


def test_a_wrong_receipt_is_refused(receipt: ReceiptDocument) -> None:
    with pytest.raises(DocumentDataError, match="aware"):
        replace(receipt, paid_at=datetime(2026, 12, 6, 14, 3, 5))
    with pytest.raises(DocumentDataError, match="payment"):
        replace(receipt, amount_fen=0)
    with pytest.raises(DocumentDataError, match="URL"):
        replace(receipt, verify_url="")


def test_a_wrong_refund_is_refused(refund: RefundDocument) -> None:
    with pytest.raises(DocumentDataError):
        replace(refund, amount_fen=0)
    with pytest.raises(DocumentDataError):
        replace(refund, issued_on=date(2027, 1, 9))
