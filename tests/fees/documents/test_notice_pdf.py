"""The payment notice PDF: its text read back in Chinese, its QR code read back against
segno's matrix, the seal's place free, and the variants (an adjusted version, a waiver, an
appeal, a computation too long for one page)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import segno

from fees.documents.layout import SEAL_BOX
from fees.documents.model import (
    Adjustment,
    AdjustmentReason,
    FeeLine,
    NoticeDocument,
    Payer,
)
from fees.documents.notice_pdf import notice_pdf
from tests.fees.documents.conftest import (
    PAY_URL,
    chars_in_box,
    ink_in_box,
    page_count,
    pdf_text,
    qr_modules,
)


def matrix(text: str) -> list[list[bool]]:
    return [[bool(v) for v in row] for row in segno.make(text, error="m", micro=False).matrix]


def test_the_notice_prints_every_field_as_text(notice: NoticeDocument, font: Path) -> None:
    data = notice_pdf(notice, font=font)
    assert data.startswith(b"%PDF-")
    assert page_count(data) == 1
    (text,) = pdf_text(data)
    for expected in (
        "北京市朝阳区人民法院",
        "交纳诉讼费用通知书",
        "(2026)京0105民初1234号",
        "买卖合同纠纷",
        "张三（原告）：",
        "缴费码 4401 0620 2612 0500 0017",
        "第1版",
        "诉讼请求金额 123,457.00 元",
        "超过 1 万元至 10 万元的部分",
        "90,000.00 × 2.5%",
        "2,250.00",
        "23,457.00 × 2%",
        "469.14",
        "合计应交纳",
        "2,769.14",
        "大写：人民币贰仟柒佰陆拾玖元壹角肆分",
        "《诉讼费用交纳办法》第二十条、第二十二条",
        "次日起七日内",
        "2026年12月12日前交纳",
        "按撤诉处理",
        "户名：北京市朝阳区人民法院",
        "开户行：中国工商银行北京朝阳支行",
        "账号：0200001234567890123",
        "缴费码 44010620261205000017",  # in the transfer's note, ungrouped as it is typed
        f"缴费网址：{PAY_URL}",
        "书记员赵六",
        "010-87654321",
        "北京市朝阳区人民法院二〇二六年十二月五日",  # the court, then the date, above the seal
    ):
        assert expected in text, expected
    assert "按自动撤回上诉处理" not in text
    assert "变更原因" not in text


def test_the_qr_code_is_the_payment_page(notice: NoticeDocument, font: Path) -> None:
    expected = matrix(PAY_URL)
    assert qr_modules(notice_pdf(notice, font=font), 0, len(expected)) == [expected]


def test_the_seal_place_is_free(notice: NoticeDocument, font: Path) -> None:
    data = notice_pdf(notice, font=font)
    assert chars_in_box(data, 0, SEAL_BOX) == ""
    assert ink_in_box(data, 0, SEAL_BOX) == 0
    # the court and the date stand just above it, on the right
    x1, _, x2, y2 = SEAL_BOX
    assert "二〇二六年十二月五日" in chars_in_box(data, 0, (x1 - 60, y2, x2, y2 + 60))


def test_the_same_notice_gives_the_same_bytes(notice: NoticeDocument, font: Path) -> None:
    assert notice_pdf(notice, font=font) == notice_pdf(notice, font=font)
    assert notice_pdf(replace(notice, version=2), font=font) != notice_pdf(notice, font=font)


def test_an_adjusted_version_says_what_it_replaces(notice: NoticeDocument, font: Path) -> None:
    adjusted = replace(
        notice,
        version=2,
        adjustment=Adjustment(
            AdjustmentReason.amended_claim, previous_version=1, previous_total_fen=880_000
        ),
    )
    (text,) = pdf_text(notice_pdf(adjusted, font=font))
    assert "本通知书为第2版，替代第1版（原应交纳 8,800.00 元）" in text
    assert "变更原因：变更诉讼请求" in text
    assert "第2版" in text


def test_a_deferred_fee_has_its_own_deadline(notice: NoticeDocument, font: Path) -> None:
    from datetime import date

    deferred = replace(
        notice,
        version=2,
        deadline=date(2027, 1, 31),
        adjustment=Adjustment(
            AdjustmentReason.deferred, 1, 276_914, note="经本院审查，准予缓交至2027年1月31日。"
        ),
    )
    (text,) = pdf_text(notice_pdf(deferred, font=font))
    assert "经本院批准缓交，请于2027年1月31日前交纳" in text
    assert "准予缓交至2027年1月31日" in text
    assert "即2027年1月31日前" not in text


def test_a_waived_fee_prints_no_way_to_pay(notice: NoticeDocument, font: Path) -> None:
    waived = replace(
        notice,
        version=2,
        lines=(*notice.lines, FeeLine("免交（司法救助）", "", -276_914)),
        total_fen=0,
        adjustment=Adjustment(AdjustmentReason.waived, 1, 276_914),
    )
    data = notice_pdf(waived, font=font)
    (text,) = pdf_text(data)
    assert "人民币零元整" in text
    assert "-2,769.14" in text
    assert "本案无需交纳" in text
    assert "缴费网址" not in text and "开户行" not in text
    assert qr_modules(data, 0, len(matrix(PAY_URL))) == []


def test_an_appeal_is_deemed_withdrawn(notice: NoticeDocument, font: Path) -> None:
    appeal = replace(notice, payers=(Payer("李四", "上诉人"), Payer("李某某", "上诉人")))
    (text,) = pdf_text(notice_pdf(appeal, font=font))
    assert "李四（上诉人）、李某某（上诉人）：" in text
    assert "按自动撤回上诉处理" in text


def test_a_long_computation_goes_on_and_keeps_the_seal_place_free(
    notice: NoticeDocument, font: Path
) -> None:
    lines = tuple(
        FeeLine(f"第{n}项 超过 {n} 万元至 {n + 1} 万元的部分", "10,000.00 × 1%", 10_000)
        for n in range(1, 45)
    )
    long = replace(notice, lines=lines, total_fen=440_000)
    data = notice_pdf(long, font=font)
    pages = pdf_text(data)
    assert len(pages) == 3
    assert "第44项" in "".join(pages)
    assert "项目 计算标准 金额（元）" in pages[1]  # the table's heading again
    assert "北京市朝阳区人民法院二〇二六年十二月五日" in pages[-1]
    assert chars_in_box(data, 2, SEAL_BOX) == ""
    assert ink_in_box(data, 2, SEAL_BOX) == 0
    assert "第 3 页" in pages[2]


def test_markup_in_data_is_printed_as_text(notice: NoticeDocument, font: Path) -> None:
    odd = replace(notice, cause="<b>合同</b> & 纠纷")
    (text,) = pdf_text(notice_pdf(odd, font=font))
    assert "<b>合同</b> & 纠纷" in text
