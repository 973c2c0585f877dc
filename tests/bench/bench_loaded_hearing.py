"""A hearing on a server whose CPU is short: audio lost from the recording and transcript lag.

    .venv/bin/python tests/bench/bench_loaded_hearing.py                     # 4 and 6 people
    .venv/bin/python tests/bench/bench_loaded_hearing.py --sizes 4 --seconds 60 --stress 2 --nice 0 10

Figures, not pass/fail. For each (participants, ASR nice value) the scenario of
``tests/e2e/loaded_hearing.py`` runs once: ``tingshen serve --demo`` with the real Whisper model,
N aiortc peers (microphone + 30 fps camera, in this process) taking turns to speak Mandarin in
8 s slots for ``--seconds`` (``--overlap``: all at once, the recogniser overloaded), and
``--stress`` busy-loop processes taking the cores meanwhile.
Printed per run: the audio each track's sender sent, what the recording lacks of it (median and
worst track) and the breaks in the recorded tracks (holes); recognised segments, their lag (arrival
on the judge's transcript socket minus the wall time their audio ended: median and p95) and how
long after the speaking the transcript caught up with the last slot. ``--nice 0`` is recognition
at the media path's priority (the setting ``TINGSHEN_ASR_NICE=0``), the default 10 below it.

Everything is on loopback: the script re-executes itself in a private network namespace.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def inner(args: argparse.Namespace) -> int:
    from tests.e2e.loaded_hearing import run_loaded_hearing

    header = (
        f"{'people':>6} {'nice':>4} {'stress':>6} {'sent s':>7} {'lost med':>8} {'lost max':>8} "
        f"{'holes':>5} {'segments':>8} {'lag p50':>7} {'lag p95':>7} {'catch-up':>8}"
    )
    print(header)
    for size in args.sizes:
        for nice in args.nice:
            with tempfile.TemporaryDirectory() as tmp:
                result = asyncio.run(
                    run_loaded_hearing(
                        Path(tmp),
                        participants=size,
                        seconds=args.seconds,
                        stress=args.stress,
                        env={"TINGSHEN_ASR_NICE": str(nice)},
                        overlap=args.overlap,
                    )
                )
            sent = statistics.median(t.sent_s for t in result.tracks.values())
            holes = sum(t.holes for t in result.tracks.values())
            print(
                f"{size:>6} {nice:>4} {args.stress:>6} {sent:>7.1f} "
                f"{statistics.median(result.lost_s):>8.2f} {max(result.lost_s):>8.2f} "
                f"{holes:>5} {result.commits:>8} {_fmt(result.lag_p50_s):>7} "
                f"{_fmt(result.lag(0.95)):>7} {_fmt(result.catch_up_s):>8}",
                flush=True,
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 6])
    parser.add_argument("--nice", type=int, nargs="+", default=[0, 10])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--stress", type=int, default=2, help="busy-loop processes")
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="everybody speaks all the time (recognition overload)",
    )
    args = parser.parse_args(argv)
    from tests.e2e.harness import (
        NETNS_ENV,
        inside_namespace,
        namespace_command,
        namespace_unavailable,
    )

    if inside_namespace():
        return inner(args)
    reason = namespace_unavailable()
    if reason is not None:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    argv_inner = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
    env = {**os.environ, NETNS_ENV: "1"}
    return subprocess.run(namespace_command(argv_inner), cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
