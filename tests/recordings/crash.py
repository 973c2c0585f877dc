"""Run :mod:`tests.recordings.crash_writer` and ``kill -9`` it; shared by the test and the bench."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from recordings import LocalDirStore, read_track_index

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CrashResult:
    fed_samples: int  # samples the child had handed to write() (last line it printed)
    durable_samples: int  # samples in valid chunks after the kill
    chunks: int


def _count_chunks(index: Path) -> int:
    try:
        return index.read_bytes().count(b'"type":"chunk"')
    except FileNotFoundError:
        return 0


def run_and_kill(
    root: Path,
    kill_after_chunks: int,
    *,
    chunk_ms: int = 1000,
    speedup: float = 10.0,
    extra_lines: int = 0,
    hearing_id: int = 1,
    track: str = "p",
) -> CrashResult:
    """Start the writer, wait until its index lists ``kill_after_chunks`` chunks and it has then
    fed ``extra_lines`` more blocks, SIGKILL it, and measure what survived."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.recordings.crash_writer",
            str(root),
            str(hearing_id),
            track,
            str(chunk_ms),
            str(speedup),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    index = root / f"hearing-{hearing_id}" / "tracks" / track / "index.jsonl"
    fed = 0
    after = 0
    try:
        for line in proc.stdout:
            fed = int(line)
            if _count_chunks(index) >= kill_after_chunks:
                if after >= extra_lines:
                    break
                after += 1
        os.kill(proc.pid, signal.SIGKILL)
        for line in proc.stdout:  # lines written before death
            if line.endswith("\n"):
                fed = int(line)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.stdout.close()
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    idx = read_track_index(LocalDirStore(root), hearing_id, track)
    return CrashResult(fed, sum(c.samples for c in idx.chunks), len(idx.chunks))
