"""The receipt PDF: its fields read back in Chinese, the verification QR code read back, the
payment time in Beijing time, the seal's place free, and a receipt sealed the way the service
seals it (``seal_with``, the hearing server's ``ServiceHost.seal``) validated by pyHanko."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import segno
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped, unused-ignore]
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from fees.documents.layout import SEAL_BOX
from fees.documents.model import PaymentChannel, ReceiptDocument
from fees.documents.receipt_pdf import RECEIPT_PAGE, receipt_pdf
from tests.fees.documents.conftest import (
    VERIFY_URL,
    chars_in_box,
    ink_in_box,
    page_count,
    pdf_text,
    qr_modules,
)


def test_the_receipt_prints_every_field_as_text(receipt: ReceiptDocument, font: Path) -> None:
    data = receipt_pdf(receipt, font=font)
    assert page_count(data) == 1
    (text,) = pdf_text(data)
    for expected in (
        "北京市朝阳区人民法院",
        "诉讼费收据",
        "票据号：京财(2026)0000123",
        "校验码：8F3A21C9",
        "张三（原告）",
        "(2026)京0105民初1234号",
        "4401 0620 2612 0500 0017",
        "案件受理费",
        "人民币贰仟柒佰陆拾玖元壹角肆分",
        "¥2,769.14",
        "微信支付",
        "4200002612202612061234567890",
        "2026年12月6日 14:03:05（北京时间）",  # 06:03:05 UTC
        "收款单位 北京市朝阳区人民法院",
        VERIFY_URL,
    ):
        assert expected in text, expected


def test_the_qr_code_is_the_verification_address(receipt: ReceiptDocument, font: Path) -> None:
    expected = [
        [bool(v) for v in row] for row in segno.make(VERIFY_URL, error="m", micro=False).matrix
    ]
    assert qr_modules(receipt_pdf(receipt, font=font), 0, len(expected)) == [expected]


@pytest.mark.parametrize("channel", list(PaymentChannel))
def test_each_channel_is_named(
    receipt: ReceiptDocument, font: Path, channel: PaymentChannel
) -> None:
    (text,) = pdf_text(receipt_pdf(replace(receipt, channel=channel), font=font))
    assert channel.value in text


def test_a_time_in_any_zone_is_printed_in_beijing_time(
    receipt: ReceiptDocument, font: Path
) -> None:
    from datetime import timezone

    new_york = timezone(timedelta(hours=-5))
    late = replace(receipt, paid_at=datetime(2026, 12, 31, 11, 30, 0, tzinfo=new_york))
    (text,) = pdf_text(receipt_pdf(late, font=font))
    assert "2027年1月1日 00:30:00（北京时间）" in text


def test_the_seal_place_is_free_and_the_page_as_wide_as_a4(
    receipt: ReceiptDocument, font: Path
) -> None:
    from reportlab.lib.pagesizes import A4

    from hearing_server.side_services import SEAL_BOX as HOST_SEAL_BOX

    assert tuple(map(float, HOST_SEAL_BOX)) == SEAL_BOX  # where the host draws the seal
    assert RECEIPT_PAGE[0] == pytest.approx(A4[0])  # so the same points are bottom right
    data = receipt_pdf(receipt, font=font)
    assert chars_in_box(data, 0, SEAL_BOX) == ""
    assert ink_in_box(data, 0, SEAL_BOX) == 0


def test_the_same_receipt_gives_the_same_bytes(receipt: ReceiptDocument, font: Path) -> None:
    assert receipt_pdf(receipt, font=font) == receipt_pdf(receipt, font=font)


def test_a_sealed_receipt_validates(receipt: ReceiptDocument, font: Path, tmp_path: Path) -> None:
    from hearing_server.court_pki import CourtPki
    from hearing_server.side_services import seal_with
    from signing.ca import CourtCA
    from signing.tsa import MemorySerialSource, TimeStampAuthority

    created = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    moment = datetime(2026, 12, 6, 6, 3, 30, tzinfo=UTC)
    ca = CourtCA.create(tmp_path / "ca", b"test passphrase, not for production", receipt.court,
                        now=created)  # fmt: skip
    clock = lambda: moment  # noqa: E731
    tsa = TimeStampAuthority(ca.tsa_cert, ca.tsa_key, ca.chain, MemorySerialSource(), clock)
    seal = seal_with(CourtPki(ca, tsa, clock=clock), lambda: font, clock)

    data = receipt_pdf(receipt, font=font)
    sealed = seal(data, "诉讼费收据")
    assert sealed.startswith(data)  # an incremental update: the receipt's bytes are kept

    reader = PdfFileReader(io.BytesIO(sealed))
    (signature,) = reader.embedded_regular_signatures
    root = asn1_x509.Certificate.load(ca.root.public_bytes(Encoding.DER))
    context = ValidationContext(
        trust_roots=[root], moment=moment, allow_fetching=False, revocation_mode="soft-fail"
    )
    status = validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.timestamp_validity is not None and status.timestamp_validity.valid
    assert receipt.court in status.signing_cert.subject.human_friendly

    tampered = bytearray(sealed)
    tampered[len(data) // 2] ^= 0x01  # one bit of the receipt's own bytes
    tampered_signature = PdfFileReader(io.BytesIO(bytes(tampered))).embedded_regular_signatures[0]
    assert not validate_pdf_signature(tampered_signature, context).intact
