"""Recordings: disk per participant-hour, CPU per participant, finalize time, audio lost on kill -9.

    .venv/bin/python tests/bench/bench_recordings.py                 # 3 min signal, 20 kill trials
    .venv/bin/python tests/bench/bench_recordings.py --minutes 5 --trials 20

Figures, not pass/fail. The signal is "a participant in a hearing": speech from the asr-dev corpus
(``en_long_concat_dev.wav`` and ``zh_long_concat_dev.wav``, 16 kHz) alternating with pauses of
room noise (Gaussian, -60 dBFS RMS) so that about 45 % of the time is speech, as for someone who
speaks a fair share of a hearing; without the corpus it falls back to tones. It is written through
``RecordingJournal`` (1 s FLAC chunks, fsync'd, on the local disk under a temporary directory) and
the bytes are extrapolated to one hour. For comparison the same chunks are also encoded as
independent Ogg/Opus files (libopus via PyAV, 24 and 32 kb/s VOIP, 20 ms frames): the format
the journal could have used. CPU is the writing process's CPU time (``time.process_time``) per
second of audio, i.e. % of one core per recorded participant in real time. Finalize time is for a
two-participant hearing, per participant-hour. Kill -9: a child process writes at 10× real time
and is SIGKILLed at a random moment after 2-6 chunks; loss = audio it had handed to ``write``
minus the audio in valid chunks after the crash.

Finalisation memory (``--long-minutes``, ``--many``): the same hearing finalised at two lengths,
and a hearing of ``--many`` participants, each measured twice: once plainly (wall time per
participant-hour, and the peak RSS above the RSS before it, with the kernel's high-water mark
reset through ``/proc/self/clear_refs``), once under :mod:`tracemalloc` (peak of the Python and
NumPy heap; FFmpeg's own buffers are not in it). Streaming finalisation should show the same peak
whatever the length, growing only with the number of participants (one decoded block each).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from recordings import LocalDirStore, RecordingJournal, encode_flac, finalize_hearing  # noqa: E402
from tests.recordings.crash import run_and_kill  # noqa: E402
from tests.recordings.signals import SR, T0, tone  # noqa: E402

CORPUS = Path("/work/shared/asr-dev")


def participant_signal(seconds: float, seed: int = 0, floor_rms: float = 0.001) -> np.ndarray:
    rng = np.random.default_rng(seed)
    speech_parts = []
    for name in ("en_long_concat_dev.wav", "zh_long_concat_dev.wav"):
        if (CORPUS / name).exists():
            from asr.audio import decode_file

            speech_parts.append(decode_file(CORPUS / name))
    speech = (
        np.concatenate(speech_parts)
        if speech_parts
        else np.concatenate([tone(150 + 40 * k, 1.0, amp=0.1) for k in range(60)])
    )
    out: list[np.ndarray] = []
    total = int(seconds * SR)
    have = 0
    pos = 0
    while have < total:
        talk = int(rng.uniform(4, 15) * SR)
        seg = speech[pos : pos + talk]
        pos = (pos + talk) % max(len(speech) - talk, 1)
        pause = int(rng.uniform(5, 18) * SR)
        noise = (rng.standard_normal(pause) * floor_rms).astype(np.float32)
        seg = seg + (rng.standard_normal(len(seg)) * floor_rms).astype(np.float32)
        out += [seg.astype(np.float32), noise]
        have += len(seg) + pause
    return np.concatenate(out)[:total]


def opus_chunk(samples: np.ndarray, bitrate: int) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="ogg") as c:
        s = c.add_stream("libopus", rate=SR, layout="mono")
        s.bit_rate = bitrate
        s.codec_context.options = {"application": "voip", "frame_duration": "20"}
        pcm = np.round(np.clip(samples, -1, 1) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SR
        frame.pts = 0
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return buf.getvalue()


def write_track(
    store: LocalDirStore, hearing: int, track: str, sig: np.ndarray
) -> tuple[float, float]:
    j = RecordingJournal(store, hearing, track, sample_rate_hz=SR, chunk_ms=1000)
    block = SR // 50
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(0, len(sig), block):
        j.write(sig[i : i + block], T0 + timedelta(microseconds=i * 1_000_000 // SR))
    j.close()
    return time.process_time() - cpu0, time.perf_counter() - wall0


def _rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        return False
    return True


def measure_finalize(participants: int, minutes: float) -> tuple[float, float, float, float]:
    """Per participant-hour: wall s, CPU s; peak RSS above the start and tracemalloc peak, MB."""
    seconds = minutes * 60
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalDirStore(Path(tmp) / "rec")
        for k in range(participants):
            write_track(store, 1, f"participant-{k + 1}", participant_signal(seconds, k))
        exact = _reset_peak_rss()
        rss0 = _rss_kb("VmRSS")
        t0, cpu0 = time.perf_counter(), time.process_time()
        finalize_hearing(store, 1)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        rss_peak = (_rss_kb("VmHWM") - rss0) / 1000 if exact else float("nan")
        for key in store.list("hearing-1/final/"):
            store.delete(key)
        tracemalloc.start()
        try:
            finalize_hearing(store, 1)
            heap_peak = tracemalloc.get_traced_memory()[1] / 1e6
        finally:
            tracemalloc.stop()
    hours = seconds * participants / 3600
    return wall / hours, cpu / hours, rss_peak, heap_peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=3.0)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--long-minutes", type=float, default=15.0)
    ap.add_argument("--many", type=int, default=8)
    args = ap.parse_args()
    seconds = args.minutes * 60
    per_hour = 3600 / seconds
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalDirStore(Path(tmp) / "rec")
        sig_a = participant_signal(seconds, 0)
        sig_b = participant_signal(seconds, 1)
        cpu_s, wall_s = write_track(store, 1, "participant-1", sig_a)
        write_track(store, 1, "participant-2", sig_b)
        chunk_bytes = sum(store.size(k) for k in store.list("hearing-1/tracks/participant-1/"))
        rows.append(
            ("signal", f"{args.minutes:g} min per participant, ~45 % speech, -60 dBFS floor")
        )
        rows.append(
            ("FLAC chunks+index, MB per participant-hour", f"{chunk_bytes * per_hour / 1e6:.1f}")
        )
        chunks = [sig_a[i : i + SR] for i in range(0, len(sig_a), SR)]
        quiet = participant_signal(seconds, 0, floor_rms=0.0001)
        qb = sum(len(encode_flac(quiet[i : i + SR], SR)) for i in range(0, len(quiet), SR))
        rows.append(
            (
                "  same, -80 dBFS floor (browser noise suppression), MB per participant-hour",
                f"{qb * per_hour / 1e6:.1f}",
            )
        )
        for kbps in (24, 32):
            t0 = time.process_time()
            ob = sum(len(opus_chunk(c, kbps * 1000)) for c in chunks)
            ocpu = time.process_time() - t0
            rows.append(
                (
                    f"Ogg/Opus {kbps} kb/s 1 s chunks, MB per participant-hour "
                    "(alternative, not used)",
                    f"{ob * per_hour / 1e6:.1f} (encode CPU {100 * ocpu / seconds:.2f} % of a core)",
                )
            )
        rows.append(("raw PCM16 16 kHz, MB per hour (reference)", f"{SR * 2 * 3600 / 1e6:.1f}"))
        rows.append(
            (
                "journal CPU per participant, % of one core (encode + fsync, 1 s chunks)",
                f"{100 * cpu_s / seconds:.2f}",
            )
        )
        rows.append(
            (
                "journal wall time per chunk (encode + 3 fsyncs), ms",
                f"{1000 * wall_s / len(chunks):.2f}",
            )
        )
        t0 = time.perf_counter()
        rec = finalize_hearing(store, 1)
        fin_s = time.perf_counter() - t0
        rows.append(
            ("finalize (2 tracks + mix), s per participant-hour", f"{fin_s * per_hour / 2:.1f}")
        )
        rows.append(
            (
                "final FLAC, MB per participant-hour / mix per hearing-hour",
                f"{rec.tracks[0].size_bytes * per_hour / 1e6:.1f} / "
                f"{rec.mix.size_bytes * per_hour / 1e6:.1f}",
            )
        )
        t0 = time.perf_counter()
        again = finalize_hearing(store, 1)
        assert again == rec
        rows.append(
            ("finalize again (idempotent, verifies digests), s", f"{time.perf_counter() - t0:.2f}")
        )

    for participants, minutes in (
        (2, args.minutes),
        (2, args.long_minutes),
        (args.many, args.minutes),
    ):
        wall_s, cpu_s, rss_mb, heap_mb = measure_finalize(participants, minutes)
        rows.append(
            (
                f"finalize {participants} x {minutes:g} min: wall / CPU s per participant-hour; "
                "peak RSS above start, tracemalloc peak",
                f"{wall_s:.1f} / {cpu_s:.1f} s; {rss_mb:.1f} MB, {heap_mb:.1f} MB",
            )
        )

    rng = random.Random(0)
    lost_ms: list[float] = []
    for trial in range(args.trials):
        with tempfile.TemporaryDirectory() as tmp:
            res = run_and_kill(
                Path(tmp),
                kill_after_chunks=rng.randint(2, 6),
                chunk_ms=1000,
                extra_lines=rng.randint(0, 49),
                hearing_id=trial,
            )
            lost_ms.append(1000 * (res.fed_samples - res.durable_samples) / SR)
    rows.append(
        (
            f"audio lost on kill -9 ({args.trials} trials, 1 s chunks), ms max / median",
            f"{max(lost_ms):.0f} / {statistics.median(lost_ms):.0f}",
        )
    )
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
