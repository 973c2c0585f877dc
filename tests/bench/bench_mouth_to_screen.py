"""Mouth-to-screen latency in the hearing room: figures, not pass/fail.

    .venv/bin/python tests/bench/bench_mouth_to_screen.py [--languages zh,en] [--json PATH]

For each language, the real app (Whisper base int8 through ``ModelStreamFactory``) runs in a private
network namespace (the script re-executes itself under ``unshare -n``; nothing leaves ``lo``) with
a judge and a plaintiff in headless Chromium; the plaintiff's fake microphone plays the corpus'
long file of that language (``*_long_concat_dev.wav``, after 5 s of digital silence that covers
the page's media connection). For every word:

    latency = (Date.now() when the judge's page shows the committed line holding the word)
            - (plaintiff's capture start + the word's end time in the file)

- Word times in the file: an offline faster-whisper transcription of the same audio (beam 5,
  word timestamps, ``asr.offline.transcribe_file``), made before the server starts.
- Capture start: the plaintiff's page wraps ``getUserMedia`` and watches the captured track with
  an AnalyserNode; the first sample above 0.002 ends the leading silence, so capture start =
  that instant - 5 s. Uncertainty: the analyser is polled every 5 ms and the audio graph adds a
  render quantum or two (about ±0.05 s); the Chromium fake device restarts the file at each
  capture (checked: ``getUserMedia`` resolves within a few ms of the computed start).
- When the words appeared: a MutationObserver on the judge's page (``Date.now()`` of both pages is
  the same system clock); a line is a segment of the transcript document that grows as the
  utterance goes on, so each word counts from the version of the line that added it
  (``committed_increments``).
- Matching: the committed text on screen and the offline words are split into scoring units
  (``asr.eval.normalise.tokens``: characters for Mandarin, words for English) and aligned
  (``difflib``, matching blocks only); each matched unit gets its line's arrival time.

The live hearing has no language setting yet (always Mandarin); for English the stream factory
is wrapped to set ``language="en"`` (``CountingStreams(language=...)``).
Results go to stdout and ``out/bench/mouth_to_screen.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: make ``tests`` importable
    sys.path.insert(0, str(ROOT))

LEAD_S = 5.0
TAIL_S = 1.0
DRAIN_QUIET_MS = 4_000
DRAIN_MAX_MS = 60_000
QUIET_LEVEL = 1e-4
QUIET_S = 0.3
#: Mandarin matches are single characters: a lone "的" can pair across sentences, so only runs
#: of two or more equal characters count; English words count alone.
MIN_RUN = {"zh": 2, "en": 1}
FILES = {"zh": "zh_long_concat_dev.wav", "en": "en_long_concat_dev.wav"}


@dataclass
class Result:
    language: str
    file: str
    speech_s: float
    words_offline: int
    words_matched: int
    p50_s: float | None
    p95_s: float | None
    max_s: float | None
    mean_s: float | None
    first_committed_s: float | None
    first_partial_s: float | None
    last_after_audio_end_s: float | None
    cer_or_wer_screen: float | None
    cer_or_wer_offline: float | None
    connected_before_speech_s: float | None
    onset_start_minus_gum_s: float
    committed_lines: int


def _percentile(values: list[float], q: float) -> float | None:
    from asr.eval.metrics import percentile

    return percentile(values, q)


def _speech_chunks(audio: FloatArray, rate_hz: int) -> list[tuple[int, int]]:
    """(start, end) sample indices of the stretches between digital silences >= QUIET_S."""
    quiet = np.abs(audio) < QUIET_LEVEL
    edges = np.flatnonzero(np.diff(np.concatenate([[1], quiet.astype(np.int8), [1]])))
    runs = list(zip(edges[::2], edges[1::2], strict=True))  # loud runs [start, end)
    chunks: list[tuple[int, int]] = []
    for start, end in runs:
        if chunks and start - chunks[-1][1] < QUIET_S * rate_hz:
            chunks[-1] = (chunks[-1][0], int(end))
        else:
            chunks.append((int(start), int(end)))
    return chunks


def _offline_units(
    audio: FloatArray, language: str, tmp: Path
) -> tuple[list[tuple[str, int]], str]:
    """Scoring units of an offline transcription with the end ms of their word in ``audio``.

    Each stretch between the long file's silences is transcribed on its own (whole-file Whisper
    base loops on the Mandarin long file and leaves most of it out).
    """
    from asr.audio import write_wav_pcm16
    from asr.eval.normalise import tokens
    from asr.offline import load_engine, transcribe_file
    from asr.types import SAMPLE_RATE_HZ

    _, engine = load_engine("base")
    units: list[tuple[str, int]] = []
    texts: list[str] = []
    for start, end in _speech_chunks(audio, SAMPLE_RATE_HZ):
        lo, hi = max(0, start - 1600), min(len(audio), end + 1600)  # 0.1 s of context
        path = write_wav_pcm16(tmp / "chunk.wav", audio[lo:hi])
        _, segments = transcribe_file(engine, path, language=language, beam_size=5)
        for segment in segments:
            texts.append(segment.text)
            for word in segment.words:
                end_ms = word.end_ms + (lo * 1000 // SAMPLE_RATE_HZ)
                units += [(u, end_ms) for u in tokens(word.text, language)]
    return units, " ".join(texts)


def _matched(reference: list[str], hypothesis: list[str], min_run: int) -> list[tuple[int, int]]:
    """Index pairs of equal units in the Levenshtein alignment, in runs of >= ``min_run``."""
    import jiwer

    if not reference or not hypothesis:
        return []
    output = jiwer.process_words(" ".join(reference), " ".join(hypothesis))
    pairs: list[tuple[int, int]] = []
    for chunk in output.alignments[0]:
        n = chunk.ref_end_idx - chunk.ref_start_idx
        if chunk.type == "equal" and n >= min_run:
            pairs += [(chunk.ref_start_idx + k, chunk.hyp_start_idx + k) for k in range(n)]
    return pairs


def run_language(
    language: str,
    corpus: Path,
    tmp: Path,
    offline: dict[str, tuple[list[tuple[str, int]], str]],
) -> Result:
    from playwright.sync_api import sync_playwright

    from asr.audio import decode_file
    from asr.eval.manifest import load_manifest
    from asr.eval.metrics import score
    from asr.eval.normalise import tokens
    from asr.types import SAMPLE_RATE_HZ
    from hearing_server.demo import seed_demo
    from hearing_server.live.streams import ModelStreamFactory
    from tests.e2e.harness import (
        CountingStreams,
        committed_increments,
        judge_enters,
        launch_chromium,
        live_server,
        open_hearing,
        partial_lines,
        plaintiff_enters,
        plaintiff_id,
        silence,
        wait_capture,
        write_browser_wav,
    )

    name = FILES[language]
    item = next(i for i in load_manifest(corpus / "manifest.jsonl") if i.audio.name == name)
    audio = np.concatenate([silence(LEAD_S), decode_file(item.audio), silence(TAIL_S)])
    end_s = len(audio) / SAMPLE_RATE_HZ
    speech = write_browser_wav(tmp / f"{language}-48k.wav", audio)
    quiet = write_browser_wav(tmp / "quiet.wav", silence(1.0))

    if language not in offline:
        print(f"[{language}] offline transcription of {name} ...", flush=True)
        offline[language] = _offline_units(audio, language, tmp)
    offline_units, offline_text = offline[language]
    first_word_end_ms = offline_units[0][1]

    streams = CountingStreams(ModelStreamFactory("base"), language=language)
    data_dir = Path(tempfile.mkdtemp(prefix=f"data-{language}-", dir=tmp))  # a fresh database
    with live_server(data_dir, streams) as server, sync_playwright() as pw:
        seed = seed_demo(server.ctx)
        pid = plaintiff_id(server.ctx, seed.hearing_id)
        key = f"participant-{pid}"
        court = launch_chromium(pw, quiet)
        party = launch_chromium(pw, speech)
        try:
            open_hearing(court, server.base_url, seed)
            judge = judge_enters(court, server.base_url, seed)
            plaintiff = plaintiff_enters(party, server, seed, pid)
            capture = wait_capture(plaintiff)
            # The earlier of the two estimates of the file's first sample (the larger latency).
            start_ms = min(capture.onset_at_ms - LEAD_S * 1000, capture.resolved_at_ms)
            audio_end_ms = start_ms + end_s * 1000
            print(f"[{language}] playing {end_s:.0f} s ...", flush=True)
            # Done when the audio has ended, the plaintiff has no partial on the judge's page
            # and no committed line came for DRAIN_QUIET_MS (or DRAIN_MAX_MS after the end).
            judge.wait_for_function(
                """([key, end, quiet, max]) => {
                  const now = Date.now();
                  if (now >= end + max) return true;
                  if (now < end) return false;
                  const own = window.__e2eTranscript.committed.filter((l) => l.speaker === key);
                  const last = own.length ? own[own.length - 1].at : 0;
                  return now - last >= quiet
                    && !document.querySelector(`#lines [data-pending="${key}"]`);
                }""",
                arg=[key, audio_end_ms, DRAIN_QUIET_MS, DRAIN_MAX_MS],
                timeout=end_s * 1000 + DRAIN_MAX_MS + 30_000,
                polling=200,
            )
            lines = [ln for ln in committed_increments(judge) if ln.speaker == key]
            partials = [ln for ln in partial_lines(judge) if ln.speaker == key and ln.text]
        finally:
            party.close()
            court.close()

    screen_units: list[tuple[str, float]] = []
    for line in lines:
        screen_units += [(u, line.at_ms) for u in tokens(line.text, language)]
    latencies = [
        (screen_units[j][1] - start_ms - offline_units[i][1]) / 1000
        for i, j in _matched(
            [u for u, _ in offline_units], [u for u, _ in screen_units], MIN_RUN[language]
        )
    ]
    screen_text = " ".join(ln.text for ln in lines)
    connected = capture.connected_at_ms
    first_speech_ms = start_ms + offline_units[0][1]
    return Result(
        language=language,
        file=name,
        speech_s=item.seconds,
        words_offline=len(offline_units),
        words_matched=len(latencies),
        p50_s=_percentile(latencies, 50),
        p95_s=_percentile(latencies, 95),
        max_s=max(latencies) if latencies else None,
        mean_s=statistics.fmean(latencies) if latencies else None,
        first_committed_s=(lines[0].at_ms - start_ms - first_word_end_ms) / 1000 if lines else None,
        first_partial_s=(partials[0].at_ms - start_ms - first_word_end_ms) / 1000
        if partials
        else None,
        last_after_audio_end_s=(lines[-1].at_ms - audio_end_ms) / 1000 if lines else None,
        cer_or_wer_screen=score(item.text, screen_text, language).rate,
        cer_or_wer_offline=score(item.text, offline_text, language).rate,
        connected_before_speech_s=None
        if connected is None
        else (first_speech_ms - connected) / 1000,
        onset_start_minus_gum_s=(capture.onset_at_ms - LEAD_S * 1000 - capture.resolved_at_ms)
        / 1000,
        committed_lines=len(lines),
    )


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def inner(args: argparse.Namespace) -> int:
    from tests.conftest import speech_corpus_path
    from tests.e2e.harness import assert_private_namespace

    assert_private_namespace()
    corpus = speech_corpus_path()
    results: list[Result] = []
    offline: dict[str, tuple[list[tuple[str, int]], str]] = {}
    with tempfile.TemporaryDirectory(prefix="tingshen-m2s-") as tmp:
        for run in range(args.runs):
            for language in args.languages.split(","):
                print(f"run {run + 1}/{args.runs}", end=" ", flush=True)
                results.append(run_language(language, corpus, Path(tmp), offline))
                print(json.dumps(asdict(results[-1]), ensure_ascii=False), flush=True)
    print()
    print(
        "| file | speech s | units matched / offline | p50 s | p95 s | max s | mean s "
        "| first committed s | first partial s | last after end s | error rate screen / offline |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.file} | {r.speech_s:.0f} | {r.words_matched} / {r.words_offline} "
            f"| {_fmt(r.p50_s)} | {_fmt(r.p95_s)} | {_fmt(r.max_s)} | {_fmt(r.mean_s)} "
            f"| {_fmt(r.first_committed_s)} | {_fmt(r.first_partial_s)} "
            f"| {_fmt(r.last_after_audio_end_s)} "
            f"| {_fmt(r.cer_or_wer_screen)} / {_fmt(r.cer_or_wer_offline)} |"
        )
    for language in args.languages.split(","):
        own = [r for r in results if r.language == language]
        medians = [
            statistics.median(v for v in (getattr(r, f) for r in own) if v is not None)
            if any(getattr(r, f) is not None for r in own)
            else None
            for f in ("p50_s", "p95_s", "max_s", "first_committed_s")
        ]
        print(
            f"[{language}] median of {len(own)} runs: p50 {_fmt(medians[0])} s, "
            f"p95 {_fmt(medians[1])} s, max {_fmt(medians[2])} s, "
            f"first committed {_fmt(medians[3])} s"
        )
    for r in results:
        print(
            f"[{r.language}] media connected {_fmt(r.connected_before_speech_s)} s before the "
            f"first word ended; capture start from the onset minus getUserMedia resolution: "
            f"{r.onset_start_minus_gum_s:+.3f} s; {r.committed_lines} committed lines"
        )
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--languages", default="zh,en", help="comma-separated: zh, en")
    parser.add_argument("--runs", type=int, default=1, help="repeat each language N times")
    parser.add_argument("--json", default=str(ROOT / "out" / "bench" / "mouth_to_screen.json"))
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
