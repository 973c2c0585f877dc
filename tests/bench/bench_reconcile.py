"""Reading and reconciling a day's WeChat Pay trade bill of 100,000 lines (issue 16).

    .venv/bin/python tests/bench/bench_reconcile.py [--lines 100000] [--runs 3]

Figures, not pass/fail. A day's books of ``--lines`` records (payments spread over the day, one
in ten partly refunded: :func:`tests.fees.reconcile.make.day_of_records`) and the bill WeChat
Pay would cut from them, written to a file (:func:`fees.wechatpay.bill.write_trade_bill`), with
planted discrepancies: records taken from the books (extra), lines taken from the bill
(missing), amounts changed in the bill (mismatched), records left pending (extra, pending) and
one payment booked at 23:59:59 that WeChat dated the next day (boundary). Printed:

- the bill file's size and the time to write it;
- *read*: streaming the file into rows and checking the summary (:func:`iter_trade_bill`);
- *read + reconcile*: the same, fed to :func:`fees.reconcile.reconcile` against the books:
  wall time (median of ``--runs``), and what was found against what was planted;
- memory, in a fresh process that loads the books first (their traced size is printed): the
  tracemalloc peak of one *read + reconcile*, the growth of the resident set over it (VmHWM,
  reset through ``/proc/self/clear_refs``, over VmRSS before), and, for contrast, the
  tracemalloc peak of reading the whole bill into memory (:func:`read_trade_bill`).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from fees.reconcile import LocalTransaction, ReconcileReport, reconcile  # noqa: E402
from fees.wechatpay.bill import BillRow, iter_trade_bill, read_trade_bill, write_trade_bill  # noqa: E402
from tests.fees.reconcile.make import at, day_of_records, payment, row_for  # noqa: E402

DAY = date(2026, 12, 5)
PLANTED = 5  # of each kind


def vm_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {name}")


def make_day(lines: int) -> tuple[list[LocalTransaction], list[BillRow], dict[str, int]]:
    """The books and the bill, with ``PLANTED`` discrepancies of each kind."""
    payments = lines * 10 // 11 + 1
    records = list(itertools.islice(day_of_records(DAY, payments), lines))
    bill = [row_for(record) for record in records]
    step = len(records) // (4 * PLANTED + 1)
    victims = [records[step * (n + 1)] for n in range(4 * PLANTED)]
    extra, missing, mismatched, pending = (victims[k::4] for k in range(4))
    gone = {(r.kind, r.reference) for r in extra}
    records = [r for r in records if (r.kind, r.reference) not in gone]
    dropped = {(r.kind, r.reference) for r in missing}
    changed = {(r.kind, r.reference) for r in mismatched}

    def key(row: BillRow) -> tuple[str, str]:
        return ("refund", row.out_refund_no) if row.is_refund else ("payment", row.out_trade_no)

    bill = [
        (replace(row, order_fen=row.order_fen + 1, requested_refund_fen=row.requested_refund_fen + (1 if row.is_refund else 0))
         if key(row) in changed else row)
        for row in bill
        if key(row) not in dropped
    ]  # fmt: skip
    waiting = {(r.kind, r.reference) for r in pending}
    records = [
        replace(r, status="pending") if (r.kind, r.reference) in waiting else r for r in records
    ]
    late = at(DAY, "23:59:59")
    records.append(payment("LATE", 9900, late, provider_time=late + timedelta(seconds=1)))
    planted = {"extra": 2 * PLANTED, "missing": PLANTED, "mismatched": PLANTED, "boundary": 1}
    return records, bill, planted


def read_only(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as file:
        reader = iter_trade_bill(file)
        count = sum(1 for _ in reader)
        return count + reader.summary.count - count


def read_and_reconcile(path: Path, books: list[LocalTransaction]) -> ReconcileReport:
    with path.open(encoding="utf-8", newline="") as file:
        reader = iter_trade_bill(file)
        report = reconcile(reader, books, bill_date=DAY)
        assert reader.summary.count == report.bill.payments + report.bill.refunds
        return report


def timed(runs: int, call: object) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = call()  # type: ignore[operator]
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), result


def measure_memory(tmp: Path) -> dict[str, float]:
    """In a fresh process (``--child``): the books loaded first, then one read + reconcile."""
    with (tmp / "books.pickle").open("rb") as file:
        books = pickle.load(file)
    gc.collect()
    path = tmp / "tradebill.csv"
    rss = vm_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux)
    read_and_reconcile(path, books)
    hwm_growth = vm_kb("VmHWM") - rss
    tracemalloc.start()
    read_and_reconcile(path, books)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    tracemalloc.start()
    with (tmp / "books.pickle").open("rb") as file:
        again = pickle.load(file)
    books_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del again
    tracemalloc.start()
    with path.open(encoding="utf-8", newline="") as file:
        read_trade_bill(file)
    whole = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    mib = 2**20
    return {
        "books_mib": books_bytes / mib,
        "rss_before_mib": rss / 1024,
        "rss_growth_mib": hwm_growth / 1024,
        "peak_mib": peak / mib,
        "whole_bill_peak_mib": whole / mib,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--lines", type=int, default=100_000, help="records of the day (bill lines before planting)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure_memory(args.child)))
        return

    books, bill, planted = make_day(args.lines)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "tradebill.csv"
        began = time.perf_counter()
        with path.open("w", encoding="utf-8", newline="") as out:
            summary = write_trade_bill(iter(bill), out)
        wrote = time.perf_counter() - began
        del bill
        with (tmp / "books.pickle").open("wb") as file:
            pickle.dump(books, file)
        print(f"day {DAY}: books {len(books):,} records; bill {summary.count:,} lines, "
              f"{path.stat().st_size / 2**20:.1f} MiB, written in {wrote:.2f} s")  # fmt: skip

        seconds, _ = timed(args.runs, lambda: read_only(path))
        print(
            f"read:              {seconds:6.2f} s median of {args.runs}  ({summary.count / seconds:,.0f} lines/s)"
        )
        seconds, report = timed(args.runs, lambda: read_and_reconcile(path, books))
        print(
            f"read + reconcile:  {seconds:6.2f} s median of {args.runs}  ({summary.count / seconds:,.0f} lines/s)"
        )
        assert isinstance(report, ReconcileReport)
        found = {
            "extra": len(report.extra),
            "missing": len(report.missing),
            "mismatched": len(report.mismatched),
            "boundary": len(report.boundary),
        }
        print(f"found {found}, planted {planted}; matched {report.matched:,}")
        print(
            f"net: bill {report.bill.net_fen / 100:,.2f} yuan, local {report.local.net_fen / 100:,.2f} yuan"
        )

        child = subprocess.run(
            [sys.executable, __file__, "--child", str(tmp)],
            check=True,
            capture_output=True,
            text=True,
        )
        memory = json.loads(child.stdout)
        print(f"memory (fresh process, books loaded first: {memory['books_mib']:.1f} MiB traced, "
              f"RSS {memory['rss_before_mib']:.0f} MiB):")  # fmt: skip
        print(f"  read + reconcile: tracemalloc peak {memory['peak_mib']:.1f} MiB, "
              f"resident growth {memory['rss_growth_mib']:.1f} MiB (VmHWM over VmRSS before)")  # fmt: skip
        print(
            f"  for contrast, the whole bill read into memory: tracemalloc peak {memory['whole_bill_peak_mib']:.1f} MiB"
        )


if __name__ == "__main__":
    main()
