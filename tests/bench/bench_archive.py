# mypy: disallow-untyped-calls=False
"""Archiving a large case: 60 materials, 500 pages (generated PDFs with text and drawings),
and a case of 300 scanned A4 pages (JPEG, 200 dpi grey, about 0.5 MB a page, 30 materials),
arranged, composed, sealed with the court seal (PAdES with a timestamp) and bagged, through the
real routes of the real app on SQLite. Figures, not pass/fail: wall time per phase and the
peak resident memory (sampled every 20 ms), for a small case too, so the growth shows.

    .venv/bin/python tests/bench/bench_archive.py [--runs 3] [--only scans]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from fastapi.testclient import TestClient
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

from dossier.materials.store import Author, NewFile, add_material  # noqa: E402
from dossier.models import DossierCase  # noqa: E402
from tests.dossier.archive_helpers import close_case  # noqa: E402
from tests.dossier.conftest import dossier_context, poll  # noqa: E402
from tests.server.conftest import PASSWORD, FakeClock, login, seed_world  # noqa: E402

TYPES = ("complaint", "evidence", "hearing_transcript", "judgment", "service_proof")


def rss_kb(field: str = "VmRSS") -> int:
    """``VmRSS`` (all resident pages), or ``RssAnon`` (the process's own memory, without the
    pages of files it maps: qpdf maps the items' files it reads, and those pages count in RSS
    though the kernel drops them at will)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Sampler:
    def __init__(self) -> None:
        self.peak = 0
        self.peak_anon = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kb())
            self.peak_anon = max(self.peak_anon, rss_kb("RssAnon"))
            self._stop.wait(0.02)

    def __enter__(self) -> Sampler:
        self.peak = rss_kb()
        self.peak_anon = rss_kb("RssAnon")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def scanned_like_pdf(label: str, pages: int) -> bytes:
    """Pages of text and lines (a typed document), each different."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for page in range(pages):
        canvas.setFont("Helvetica", 11)
        for line in range(45):
            canvas.drawString(60, 790 - line * 16, f"{label} p{page + 1} line {line} " + "x" * 60)
        canvas.rect(50, 40, 495, 760)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


SCAN_SIZE = (1654, 2339)
"""A4 at 200 dpi."""


def scan_pool(count: int = 12) -> list[bytes]:
    """Grey JPEG "scans" of typed pages (paper grain, dark lines of text, a stamp), each
    different; pages reuse them (each page still embeds its own copy in its material)."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    pool = []
    for n in range(count):
        rng = random.Random(n)
        image = Image.effect_noise(SCAN_SIZE, 18).point(lambda v: 200 + v // 5)
        draw = ImageDraw.Draw(image)
        for line in range(58):
            y = 180 + line * 34
            x = 160
            while x < 1480:
                width = rng.randint(18, 90)
                draw.rectangle((x, y, x + width, y + 16), fill=rng.randint(20, 70))
                x += width + rng.randint(10, 24)
        draw.ellipse((1150, 1900, 1450, 2200), outline=90, width=9)
        image = image.filter(ImageFilter.GaussianBlur(0.8))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        pool.append(out.getvalue())
    return pool


def scan_pdf(pool: list[bytes], start: int, pages: int) -> bytes:
    """A PDF of ``pages`` scans (the JPEG data as it is, DCTDecode), A4 pages."""
    from reportlab.lib.utils import ImageReader

    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    for page in range(pages):
        data = pool[(start + page) % len(pool)]
        canvas.drawImage(ImageReader(io.BytesIO(data)), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def page_counts(materials: int, pages: int) -> list[int]:
    base, extra = divmod(pages, materials)
    return [base + (1 if i < extra else 0) for i in range(materials)]


def run_once(materials: int, pages: int, pool: list[bytes] | None = None) -> dict[str, float]:
    from argon2 import PasswordHasher

    from hearing_server.app import create_app
    from hearing_server.notify import RecordingCodeSender
    from hearing_server.security import PasswordHashing
    from hearing_server.settings import Settings
    from tests.dossier.conftest import EXTRA_STAFF  # noqa: F401  (the world the tests use)
    from tests.server.live_fakes import FakeStreams

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            Settings(data_dir=Path(tmp) / "data"),
            clock=FakeClock(),
            code_sender=RecordingCodeSender(),
            passwords=PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024)),
            stream_factory=FakeStreams(),
        )
        ctx = app.state.services.context
        world = seed_world(ctx)
        with ctx.session_factory() as s:
            from hearing_server.events import publish_case_created
            from hearing_server.models import Case

            case = s.get(Case, world.case_a)
            publish_case_created(s, case, at=ctx.clock())
            number = case.case_number
            s.commit()
        poll(app)
        dossier = dossier_context(app)
        with dossier.session_factory() as s:
            from sqlalchemy import select

            case_id = s.scalars(
                select(DossierCase.id).where(DossierCase.case_number == number)
            ).one()
        close_case(dossier, ctx, case_id)
        with dossier.session_factory() as s:
            case_row = s.get_one(DossierCase, case_id)
            input_bytes = 0
            for i, count in enumerate(page_counts(materials, pages)):
                pdf = scan_pdf(pool, i * count, count) if pool else scanned_like_pdf(f"m{i}", count)
                input_bytes += len(pdf)
                add_material(
                    s, dossier.files, case=case_row, volume="main",
                    material_type=TYPES[i % len(TYPES)], title=f"材料{i}",
                    source="upload", new=NewFile(f"m{i}.pdf", "application/pdf", pdf,
                                                 page_count=count),
                    author=Author(None, "书记员"), at=dossier.clock(),
                )  # fmt: skip
            s.commit()
        with TestClient(app) as client:
            login(client, "clerk_a", PASSWORD)
            url = f"/api/dossier/cases/{case_id}/archive"
            before, before_anon = rss_kb(), rss_kb("RssAnon")
            with Sampler() as sampler:
                t0 = time.perf_counter()
                assert client.put(url + "/arrangement", json={}).status_code == 200
                t1 = time.perf_counter()
                done = client.post(url + "/submit")
                t2 = time.perf_counter()
            assert done.status_code == 200, done.text
            assert done.json()["page_count"] >= pages + 3
        app.state.services.context.engine.dispose()
        return {
            "arrange_s": t1 - t0,
            "submit_s": t2 - t1,
            "input_mb": input_bytes / 1e6,
            "rss_before_mb": before / 1024,
            "rss_peak_mb": sampler.peak / 1024,
            "rss_growth_mb": (sampler.peak - before) / 1024,
            "anon_growth_mb": (sampler.peak_anon - before_anon) / 1024,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["text", "scans"])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    pool = scan_pool() if args.only != "text" else []
    cases = [("text", 12, 100), ("text", 60, 500), ("scans", 30, 300)]
    for kind, materials, pages in cases:
        if args.only not in (None, kind):
            continue
        runs = []
        for _ in range(args.runs):  # each run as it ends: a long series may be cut short
            runs.append(run_once(materials, pages, pool if kind == "scans" else None))
            print(f"  {kind} run: " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()))
            sys.stdout.flush()
        medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{kind}: {materials} materials, {pages} pages, {medians['input_mb']:.0f} MB: "
            f"arrange {medians['arrange_s']:.2f} s, "
            f"compose+seal+bag {medians['submit_s']:.2f} s, RSS peak "
            f"{medians['rss_peak_mb']:.0f} MB (+{medians['rss_growth_mb']:.0f} MB during; "
            f"anonymous +{medians['anon_growth_mb']:.0f} MB)"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
