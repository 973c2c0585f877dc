"""ASR benchmarks: figures, not pass/fail. ``make bench`` runs them all; results go to stdout and
``out/bench/*.json``, and docs/benchmarks.md records them with the command that produced them.

1. ``tingshen asr eval`` on the speech corpus, offline and streaming (WER/CER, RTF, latency).
2. Concurrent live streams through one ``InferenceScheduler`` at real-time pace (wall clock, not
   simulated): for N = 1, 2, 3, 4 streams speaking at once, the commit latency p50 / p95 and how far
   behind real time the last commit lands after the audio ends.
3. Short-window vs 30 s padded decoding of one window (the lever of DESIGN.md §5), and batching.
4. Repeated speech: per language, one long stream in which every corpus item (long concatenations
   left out) is played twice in a row, decoded whole-file and streaming (computation-aware
   simulation, as ``tingshen asr eval``): error rates and their ratio, first copies against
   repeats, latency, and the voiced audio that ended in neither words nor a gap.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from asr.audio import decode_file, write_wav_pcm16
from asr.coverage import account
from asr.engine import DecodeOptions, Engine, WindowRequest
from asr.eval.manifest import load_manifest
from asr.eval.metrics import percentile, score
from asr.eval.repeats import Clip, build_stream, score_copies, totals_by_occurrence
from asr.eval.runner import join_hypothesis, simulate_stream
from asr.models import resolve_model
from asr.offline import transcribe_file
from asr.runner import SyncStream
from asr.scheduler import InferenceScheduler
from asr.session import StreamingSession
from asr.stream import StreamConfig
from asr.types import SAMPLE_RATE_HZ, Commit
from asr.vad import voiced_intervals

ROOT = Path(__file__).resolve().parents[2]
CHUNK_S = 0.02


async def concurrent_streams(
    engine: Engine, corpus: Path, n: int, seconds: float, max_batch: int, partial_budget: float
) -> dict[str, float | int | None]:
    sources = [("en_long_concat_dev.wav", "en"), ("zh_long_concat_dev.wav", "zh")]
    latencies: list[float] = []
    async with InferenceScheduler(engine, max_batch=max_batch) as scheduler:
        streams = []
        for i in range(n):
            name, language = sources[i % 2]
            offset = int(i * 7 * SAMPLE_RATE_HZ)  # different speech in each stream
            audio = decode_file(corpus / name)[offset : offset + int(seconds * SAMPLE_RATE_HZ)]
            config = StreamConfig(language=language, partial_budget=partial_budget)
            session = StreamingSession(scheduler, config, stream_id=str(i))
            streams.append((session, audio))
        t0 = time.monotonic()

        async def consume(session: StreamingSession) -> None:
            async for event in session.events():
                if isinstance(event, Commit):
                    now_ms = (time.monotonic() - t0) * 1000
                    latencies.extend(now_ms - w.end_ms for w in event.words)

        consumers = [asyncio.create_task(consume(s)) for s, _ in streams]
        step = int(CHUNK_S * SAMPLE_RATE_HZ)
        for k in range(0, int(seconds * SAMPLE_RATE_HZ), step):
            delay = t0 + k / SAMPLE_RATE_HZ - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing audio at real time, not synchronisation
            for session, audio in streams:
                session.feed(audio[k : k + step])
        await asyncio.gather(*(s.finish() for s, _ in streams))
        await asyncio.gather(*consumers)
        end_lag_s = time.monotonic() - t0 - seconds
        stats = scheduler.stats
    return {
        "streams": n,
        "max_batch": max_batch,
        "partial_budget": partial_budget,
        "audio_s": seconds,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "end_lag_s": round(end_lag_s, 2),
        "decodes": stats.decodes,
        "batches": stats.batches,
        "busy_share": round(stats.busy_s / (seconds + max(0.0, end_lag_s)), 2),
    }


def window_lever(engine: Engine, corpus: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    cases = [("en_jfk.wav", "en"), ("zh_aishell1_BAC009S0764W0121.wav", "zh")]
    for name, language in cases:
        audio = decode_file(corpus / name)
        for pad in (False, True):
            for beam in (1, 5):
                options = DecodeOptions(beam_size=beam, pad_to_30s=pad)
                request = WindowRequest(audio, language)
                engine.decode_windows([request], options)  # warm
                times = []
                for _ in range(3):
                    t = time.perf_counter()
                    text = engine.decode_windows([request], options)[0].text
                    times.append(time.perf_counter() - t)
                rows.append(
                    {
                        "file": name,
                        "pad_to_30s": pad,
                        "beam": beam,
                        "median_s": round(float(np.median(times)), 3),
                        "text": text,
                    }
                )
    # batching: two windows of similar length, one call vs two
    a = decode_file(corpus / "en_jfk.wav")[: 8 * SAMPLE_RATE_HZ]
    b = decode_file(corpus / "en_osr_harvard_list72_8k.wav")[: 8 * SAMPLE_RATE_HZ]
    for beam in (1, 5):
        options = DecodeOptions(beam_size=beam)
        reqs = [WindowRequest(a, "en"), WindowRequest(b, "en")]
        seq, bat = [], []
        for _ in range(3):
            t = time.perf_counter()
            for r in reqs:
                engine.decode_windows([r], options)
            seq.append(time.perf_counter() - t)
            t = time.perf_counter()
            engine.decode_windows(reqs, options)
            bat.append(time.perf_counter() - t)
        rows.append(
            {
                "batch_of_2_beam": beam,
                "sequential_s": round(float(np.median(seq)), 3),
                "batched_s": round(float(np.median(bat)), 3),
            }
        )
    return rows


def repeated_stream(engine: Engine, corpus: Path, language: str, tmp: Path) -> dict[str, object]:
    items = [
        i
        for i in load_manifest(corpus / "manifest.jsonl")
        if i.language == language and i.kind != "long_concat"
    ]
    clips = [Clip(i.audio.name, decode_file(i.audio), i.text) for i in items]
    order = [k for k in range(len(clips)) for _ in range(2)]
    audio, copies = build_stream(clips, order, pause_ms=1000)
    reference = join_hypothesis((c.reference for c in copies), language)
    path = write_wav_pcm16(tmp / f"repeated-{language}.wav", audio)
    started = time.perf_counter()
    _, segments = transcribe_file(engine, path, language=language)
    offline_s = time.perf_counter() - started
    offline = score(reference, join_hypothesis((s.text for s in segments), language), language)
    config = StreamConfig(language=language)
    run = simulate_stream(SyncStream(engine, config), audio, chunk_ms=100)
    streamed = score(reference, join_hypothesis((w.text for w in run.words), language), language)
    by_copy = totals_by_occurrence(score_copies(run.words, copies, language))
    accounting = account(
        voiced_intervals(audio, engine.vad_model(), config.vad), run.words, run.gaps
    )
    ratio = streamed.rate / offline.rate if streamed.rate is not None and offline.rate else None
    return {
        "language": language,
        "audio_s": round(len(audio) / SAMPLE_RATE_HZ, 1),
        "items": len(clips),
        "offline_error": offline.rate,
        "offline_rtf": round(offline_s / (len(audio) / SAMPLE_RATE_HZ), 3),
        "streaming_error": streamed.rate,
        "ratio": round(ratio, 2) if ratio is not None else None,
        "streaming_sdi": [streamed.substitutions, streamed.deletions, streamed.insertions],
        "offline_sdi": [offline.substitutions, offline.deletions, offline.insertions],
        "first_copy_error": by_copy["first"].rate,
        "repeat_error": by_copy["repeat"].rate,
        "first_copy_deletions": by_copy["first"].deletions,
        "repeat_deletions": by_copy["repeat"].deletions,
        "latency_p50_ms": percentile(list(run.latencies_ms), 50),
        "latency_p95_ms": percentile(list(run.latencies_ms), 95),
        "end_lag_s": round(run.end_lag_s, 2),
        "voiced_s": accounting.voiced_ms / 1000,
        "in_words_s": accounting.in_words_ms / 1000,
        "gap_s": {r: ms / 1000 for r, ms in accounting.gap_ms_by_reason.items()},
        "unaccounted_s": accounting.unaccounted_ms / 1000,
    }


def run_eval(corpus: Path, mode: str, out: Path) -> None:
    cmd = [
        str(Path(sys.executable).parent / "tingshen"),
        "asr",
        "eval",
        str(corpus / "manifest.jsonl"),
        "--mode",
        mode,
        "--json",
        str(out),
    ]
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("TINGSHEN_SPEECH_CORPUS", ROOT.parent / "shared" / "asr-dev")),
    )
    parser.add_argument("--only", choices=["eval", "streams", "window", "repeats"], action="append")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--streams", default="1,2,3,4")
    parser.add_argument(
        "--partial-budget",
        type=float,
        default=StreamConfig().partial_budget,
        help="share of real time a stream's partial decodes may take (streams bench only)",
    )
    args = parser.parse_args()
    only = set(args.only or ["eval", "streams", "window", "repeats"])
    out_dir = ROOT / "out" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    if "eval" in only:
        for mode in ("offline", "streaming"):
            run_eval(args.corpus, mode, out_dir / f"eval-{mode}.json")
    engine = Engine(resolve_model("base").path, cpu_threads=os.cpu_count() or 0)
    if "repeats" in only:
        rows = [repeated_stream(engine, args.corpus, lang, out_dir) for lang in ("en", "zh")]
        (out_dir / "repeats.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
        for row in rows:
            print(json.dumps(row, ensure_ascii=False), flush=True)
    if "window" in only:
        rows = window_lever(engine, args.corpus)
        (out_dir / "window.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    if "streams" in only:
        results = []
        for n in (int(x) for x in args.streams.split(",")):
            for max_batch in (1, 4):
                run = concurrent_streams(
                    engine, args.corpus, n, args.seconds, max_batch, args.partial_budget
                )
                r = asyncio.run(run)
                print(json.dumps(r), flush=True)
                results.append(r)
                if n == 1:
                    break
        (out_dir / "streams.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
