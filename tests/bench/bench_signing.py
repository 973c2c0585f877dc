"""Signing benchmark: server time to prepare, finish and verify a 50-page, 4-signer transcript.

    .venv/bin/python tests/bench/bench_signing.py [--pages 50] [--runs 5]

The transcript is the court format rendered by ``hearing_server.transcript.pdf`` (CJK text,
embedded WenQuanYi subset). Each run starts from that PDF and does what closing does:

1. ``prepare_document``: record binding, signature page, five empty fields;
2. for each of four parties, as the browser flow: ``prepare_signature`` (placeholder, appearance
   with a handwriting PNG, byte-range digest, signed attributes) and ``finish_signature`` (check the
   P1363 value, CMS, RFC 3161 timestamp from the court TSA in-process with an fsync'd serial file,
   embed). The client's own ECDSA signing is not server time and is not counted;
3. the court seal with ``sign_with_key`` (prepare + sign + finish in one call);
4. ``verify_pdf`` of the final file (5 signatures, difference analysis of every revision).

Medians over ``--runs`` runs (the first run, which warms font and import caches, is included in
neither median nor max; it is printed separately). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pypdfium2 as pdfium
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from PIL import Image, ImageDraw

from hearing_server.transcript.export import Header
from hearing_server.transcript.model import SegmentKind, SegmentStatus, SegmentView, SpeakerRef
from hearing_server.transcript.pdf import find_cjk_font, render_pdf
from signing.appearance import SignatureAppearance
from signing.binding import RecordingDigest
from signing.ca import CourtCA, SignerIdentity
from signing.pades import finish_signature, prepare_signature, sign_with_key
from signing.pades_document import SignerSlot, prepare_document
from signing.tsa import InProcessTimeStamper, TimeStampAuthority
from signing.tsa_serials import FileSerialSource
from signing.verify import verify_pdf

T = TypeVar("T")
CASE = "(2026)京0105民初1234号"
SIGNERS = (
    ("sig-plaintiff", "原告", "张三"),
    ("sig-defendant", "被告", "李四"),
    ("sig-judge", "审判长", "王五"),
    ("sig-clerk", "书记员", "赵六"),
)
LINES = (
    "现在开庭。核对当事人身份，双方当事人对对方出庭人员身份均无异议。",
    "原告诉称：二〇二五年三月，被告向原告借款人民币十万元，约定同年十二月归还，至今未还。",
    "被告辩称：借款属实，但已归还三万元，有银行转账记录为证，请求法庭予以核实。",
    "审判长：双方对借款事实均无异议，本庭归纳争议焦点为被告是否已部分还款。",
    "原告代理人：对被告提交的转账记录真实性无异议，但该笔款项系偿还另一笔债务。",
)


def timed(action: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    start = time.perf_counter()
    result = action(*args, **kwargs)
    return result, time.perf_counter() - start


def transcript(pages: int, font: Path) -> bytes:
    """Render with as many segments as it takes to reach ``pages`` pages."""
    header = Header(
        court="北京市朝阳区人民法院", case_number=CASE, cause_of_action="民间借贷纠纷",
        started_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC), place="第三法庭",
        presiding_judge="王五", clerk="赵六", participants=(("原告", "张三"), ("被告", "李四")),
    )  # fmt: skip
    speakers = [SpeakerRef(f"p-{i}", role, name) for i, (_, role, name) in enumerate(SIGNERS)]
    count, pdf = 12 * pages, b""
    while True:
        segments = [
            SegmentView(
                id=f"s{i}",
                kind=SegmentKind.SPEECH,
                speaker=speakers[i % 4],
                start_ms=i * 9000,
                end_ms=i * 9000 + 8000,
                text=LINES[i % len(LINES)] * 2,
                status=SegmentStatus.COMMITTED,
            )
            for i in range(count)
        ]
        pdf = render_pdf(header, segments, version=7, font=font)
        page_count = page_count_of(pdf)
        if page_count >= pages:
            return pdf
        count = int(count * pages / max(page_count, 1)) + 4


def page_count_of(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def handwriting() -> bytes:
    image = Image.new("RGBA", (480, 160), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(10, 120), (120, 30), (260, 110), (470, 20)], fill="#102060", width=6
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def one_run(pdf: bytes, ca: CourtCA, stamper: InProcessTimeStamper, font: Path) -> dict[str, float]:
    now = datetime.now(UTC)
    figures: dict[str, float] = {}
    recordings = [
        RecordingDigest(f"{name}.flac", hashlib.sha256(name.encode()).hexdigest(), 3_600_000)
        for _, _, name in SIGNERS
    ]
    slots = [SignerSlot(f, f"{role} {name}") for f, role, name in SIGNERS]
    slots.append(SignerSlot("sig-seal", "法院印章", seal=True))
    document, figures["prepare document"] = timed(
        prepare_document, pdf, hearing_id="h-1", case_number=CASE, transcript_version=7,
        recordings=recordings, slots=slots, font=font,
    )  # fmt: skip
    png = handwriting()
    for index, (field, role, name) in enumerate(SIGNERS, start=1):
        key = ec.generate_private_key(ec.SECP256R1())
        identity = SignerIdentity(name, role, CASE, "h-1", "sms")
        cert = ca.issue_signer(key.public_key(), identity, now=now)
        appearance = SignatureAppearance(name, role, png, reason="我已阅读笔录，确认无误")
        prepared, figures[f"signer {index} prepare"] = timed(
            prepare_signature, document, field, cert, ca.chain, appearance, font=font, now=now
        )
        r, s = decode_dss_signature(key.sign(prepared.to_be_signed, ec.ECDSA(hashes.SHA256())))
        value = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        document, figures[f"signer {index} finish"] = timed(
            finish_signature, prepared, value, stamper
        )
    seal = SignatureAppearance(ca.court_name, "法院印章", seal=True)
    document, figures["seal (prepare+sign+finish)"] = timed(
        sign_with_key, document, "sig-seal", ca.seal_cert, ca.seal_key, ca.chain, seal, stamper,
        font=font, now=now,
    )  # fmt: skip
    report, figures["verify (5 signatures)"] = timed(verify_pdf, document, [ca.root])
    assert report.valid, report.problems
    figures["final size (KiB)"] = len(document) / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    font = find_cjk_font()
    pdf = transcript(args.pages, font)
    with tempfile.TemporaryDirectory() as directory:
        ca = CourtCA.create(
            Path(directory) / "ca",
            b"bench passphrase",
            "北京市朝阳区人民法院",
            now=datetime.now(UTC) - timedelta(minutes=1),
        )
        authority = TimeStampAuthority(
            ca.tsa_cert, ca.tsa_key, ca.chain, FileSerialSource(Path(directory) / "tsa-serial"),
            lambda: datetime.now(UTC),
        )  # fmt: skip
        stamper = InProcessTimeStamper(authority)
        warm = one_run(pdf, ca, stamper, font)
        runs = [one_run(pdf, ca, stamper, font) for _ in range(args.runs)]
    pages = page_count_of(pdf)
    print(f"transcript: {pages} pages, {len(pdf) / 1024:.0f} KiB; {args.runs} runs (+1 warm-up)")
    print(f"{'step':32} {'median':>10} {'max':>10} {'warm-up':>10}")
    for name in warm:
        values = [run[name] for run in runs]
        unit = "" if "KiB" in name else " s"
        print(
            f"{name:32} {statistics.median(values):>8.3f}{unit} {max(values):>8.3f}{unit} {warm[name]:>8.3f}{unit}"
        )
    per_signer = [
        run[f"signer {i} prepare"] + run[f"signer {i} finish"] for run in runs for i in range(1, 5)
    ]
    total = [sum(v for k, v in run.items() if "verify" not in k and "KiB" not in k) for run in runs]
    print(
        f"{'per party signature (prep+fin)':32} {statistics.median(per_signer):>8.3f} s {max(per_signer):>8.3f} s"
    )
    print(
        f"{'total server signing time':32} {statistics.median(total):>8.3f} s {max(total):>8.3f} s"
    )


if __name__ == "__main__":
    main()
