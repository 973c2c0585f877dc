"""What a fee document costs to make (issue 16): the payment notice, the receipt, the refund
notice, and sealing a receipt as the service does.

    .venv/bin/python tests/bench/bench_fee_documents.py [--runs 200] [--warmup 10] [--seals 20]

Each document is rendered ``--runs`` times after ``--warmup`` renderings that are not counted
(the first one registers the CJK font, about 0.1 s). Figures: median and p95 per document in
milliseconds, and the PDF's size (the WenQuanYi subset embedded: only the glyphs used). Sealing
(``seal_with``: PAdES signature with the court seal key, RFC 3161 timestamp from the court TSA
in-process, appearance at the bottom right) is timed ``--seals`` times on the same receipt.
Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from fees.documents import (
    BankAccount,
    Contact,
    FeeLine,
    NoticeDocument,
    Payer,
    PaymentChannel,
    ReceiptDocument,
    RefundDocument,
    notice_pdf,
    receipt_pdf,
    refund_pdf,
)
from tingshen_platform.fonts import find_cjk_font

COURT = "北京市朝阳区人民法院"
CASE = "(2026)京0105民初1234号"
CODE = "44010620261205000017"

NOTICE = NoticeDocument(
    court=COURT, case_number=CASE, cause="买卖合同纠纷", payers=(Payer("张三", "原告"),),
    notice_code=CODE, version=1, issued_on=date(2026, 12, 5), deadline=date(2026, 12, 12),
    lines=(
        FeeLine("不超过 1 万元", "每件", 5_000),
        FeeLine("超过 1 万元至 10 万元的部分", "90,000.00 × 2.5%", 225_000),
        FeeLine("超过 10 万元至 20 万元的部分", "23,457.00 × 2%", 46_914),
    ),
    total_fen=276_914, pay_url=f"https://fees.court.example/pay/{CODE}",
    bank=BankAccount(COURT, "中国工商银行北京朝阳支行", "0200001234567890123"),
    contact=Contact("赵六", "010-87654321"), basis="诉讼请求金额 123,457.00 元",
)  # fmt: skip
RECEIPT = ReceiptDocument(
    court=COURT, receipt_number="京财(2026)0000123", verification_code="8F3A21C9",
    payer=Payer("张三", "原告"), case_number=CASE, notice_code=CODE, amount_fen=276_914,
    channel=PaymentChannel.wechat, transaction_id="4200002612202612061234567890",
    paid_at=datetime(2026, 12, 6, 6, 3, 5, tzinfo=UTC),
    verify_url="https://fees.court.example/verify/R20260000123?c=8F3A21C9",
)  # fmt: skip
REFUND = RefundDocument(
    court=COURT, refund_number="TF2026-000042", payee=Payer("张三", "原告"), case_number=CASE,
    notice_code=CODE, receipt_number="京财(2026)0000123", amount_fen=138_457,
    channel=PaymentChannel.wechat, reason="原告申请撤诉，依照《诉讼费用交纳办法》第十五条减半交纳",
    approved_by="王五", approved_on=date(2027, 1, 10), issued_on=date(2027, 1, 11),
)  # fmt: skip


def _time(make: Callable[[], bytes], runs: int, warmup: int) -> tuple[list[float], bytes]:
    data = b""
    for _ in range(warmup):
        data = make()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        data = make()
        times.append((time.perf_counter() - started) * 1000)
    return times, data


def _line(name: str, times: list[float], size: int) -> None:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    print(
        f"{name:16s} runs {len(times):4d}  median {statistics.median(times):7.2f} ms  "
        f"p95 {p95:7.2f} ms  size {size / 1024:6.1f} KiB"
    )


def _seal(receipt: bytes, font: Path, runs: int) -> None:
    from hearing_server.court_pki import CourtPki
    from hearing_server.side_services import seal_with
    from signing.ca import CourtCA
    from signing.tsa import MemorySerialSource, TimeStampAuthority

    moment = datetime(2026, 12, 6, 6, 3, 30, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as directory:
        ca = CourtCA.create(Path(directory) / "ca", b"bench passphrase, not for production",
                            COURT, now=datetime(2026, 11, 28, tzinfo=UTC))  # fmt: skip
        tsa = TimeStampAuthority(
            ca.tsa_cert, ca.tsa_key, ca.chain, MemorySerialSource(), lambda: moment
        )
        seal = seal_with(CourtPki(ca, tsa, clock=lambda: moment), lambda: font, lambda: moment)
        times, sealed = _time(lambda: seal(receipt, "诉讼费收据"), runs, 2)
    _line("seal receipt", times, len(sealed))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seals", type=int, default=20, help="0: do not time sealing")
    args = parser.parse_args()
    font = find_cjk_font()
    print(f"font {font}")
    started = time.perf_counter()
    notice_pdf(NOTICE, font=font)
    print(f"first document (font registered) {(time.perf_counter() - started) * 1000:.0f} ms")
    receipt = b""
    for name, make in (
        ("notice", lambda: notice_pdf(NOTICE, font=font)),
        ("receipt", lambda: receipt_pdf(RECEIPT, font=font)),
        ("refund notice", lambda: refund_pdf(REFUND, font=font)),
    ):
        times, data = _time(make, args.runs, args.warmup)
        _line(name, times, len(data))
        receipt = data if name == "receipt" else receipt
    if args.seals:
        _seal(receipt, font, args.seals)


if __name__ == "__main__":
    main()
