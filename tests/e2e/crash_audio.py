"""The known speech file of the browser ``kill -9`` test, and finding recorded audio in it.

- :func:`build_source`: utterances (corpus items or espeak-ng sentences, each with its reference
  text) joined with short pauses after a lead silence, with each item's place in the file
  (:class:`SourceItem`). No item appears twice, so any second of speech occurs once in the file
  and a recorded stretch has one right place in it.
- :func:`recorded_runs`: the contiguous runs of a track on the finalised timeline, placed from
  its index exactly as the finaliser places chunks (including the audio it drops where a chunk's
  time stamp overlaps the audio before it); :func:`join_runs` joins them without the holes.
- :func:`align`: where a recorded run is in the source, by normalised cross-correlation of the
  whole run (coarse), then of every voiced one-second window around the place the coarse offset
  predicts. A garbled window is unlike the source there (:func:`spectral_similarity`); a
  duplicated, dropped or stretched stretch shows as windows whose place drifts from the run's
  offset (``deviation_ms``).
- :func:`covered_items`: the items a run holds whole (with a margin), to recognise and score.

Pure numpy (no I/O), so a mistake here is found without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from recordings import TrackIndex
from recordings.timeline import utc_to_sample

FloatArray = npt.NDArray[np.float32]
RATE_HZ = 16_000


@dataclass(frozen=True)
class Clip:
    name: str
    language: str
    text: str
    samples: FloatArray


@dataclass(frozen=True)
class SourceItem:
    name: str
    language: str
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Source:
    samples: FloatArray
    items: tuple[SourceItem, ...]
    lead_s: float

    @property
    def duration_s(self) -> float:
        return len(self.samples) / RATE_HZ

    def items_from(self, source_s: float, *, speech_s: float) -> list[SourceItem]:
        """The first items that start at or after ``source_s`` and hold at least ``speech_s`` of
        speech together (fewer when the source ends first)."""
        items: list[SourceItem] = []
        for item in (i for i in self.items if i.start_s >= source_s):
            items.append(item)
            if sum(i.end_s - i.start_s for i in items) >= speech_s:
                break
        return items


def build_source(clips: Sequence[Clip], *, lead_s: float, pause_s: float) -> Source:
    """``lead_s`` of digital silence, then the clips with ``pause_s`` between them (peak-normalised
    to 0.5, so that quiet and loud recordings weigh alike in the correlation)."""
    parts: list[FloatArray] = [np.zeros(round(lead_s * RATE_HZ), dtype=np.float32)]
    items: list[SourceItem] = []
    at = len(parts[0])
    for clip in clips:
        peak = float(np.max(np.abs(clip.samples))) or 1.0
        parts.append((clip.samples * (0.5 / peak)).astype(np.float32))
        items.append(
            SourceItem(
                clip.name,
                clip.language,
                clip.text,
                at / RATE_HZ,
                (at + len(clip.samples)) / RATE_HZ,
            )
        )
        at += len(clip.samples)
        pause = np.zeros(round(pause_s * RATE_HZ), dtype=np.float32)
        parts.append(pause)
        at += len(pause)
    return Source(np.concatenate(parts), tuple(items), lead_s)


# ---------------------------------------------------------------- runs on the finalised timeline


@dataclass(frozen=True)
class Run:
    """Contiguous recorded audio: ``[start, end)`` samples of the finalised track.

    ``dropped`` samples of the chunk that starts the run were not put in the finalised track:
    the chunk's time stamp overlapped the audio before it, and the finaliser keeps the earlier
    audio (``skip`` in :func:`recordings.finalize`). The recorder stamps audio with its arrival
    time, so a stall of the server of more than 250 ms (the journal's resync threshold) makes a
    hole (silence) followed by such an overlap: audio that was received is lost.
    """

    start: int
    end: int
    start_utc: datetime
    end_utc: datetime
    dropped: int = 0


def recorded_runs(index: TrackIndex, origin_utc: datetime, *, snap_ms: int = 50) -> list[Run]:
    """The track's runs, placed exactly as :func:`recordings.finalize_hearing` places chunks."""
    rate = index.sample_rate_hz
    snap = snap_ms * rate // 1000
    runs: list[Run] = []
    prev_end: int | None = None
    for chunk in index.chunks:
        offset = utc_to_sample(origin_utc, chunk.start_utc, rate)
        skip = 0
        if prev_end is not None:
            if abs(offset - prev_end) <= snap:
                offset = prev_end
            if offset < prev_end:
                skip = min(prev_end - offset, chunk.samples)
                offset = prev_end
        if skip >= chunk.samples:
            continue
        end = offset + chunk.samples - skip
        end_utc = chunk.start_utc + timedelta(seconds=chunk.samples / rate)
        if runs and offset == runs[-1].end and skip == 0:
            last = runs[-1]
            runs[-1] = Run(last.start, end, last.start_utc, end_utc, last.dropped)
        else:
            start_utc = chunk.start_utc + timedelta(seconds=skip / rate)
            runs.append(Run(offset, end, start_utc, end_utc, skip))
        prev_end = end
    return runs


def join_runs(track: FloatArray, runs: Sequence[Run]) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The runs' audio joined without the holes between them, zeros standing for the samples
    the finaliser dropped (so that the audio after a drop stays at its place), and which samples
    were recorded (False for those zeros)."""
    parts: list[FloatArray] = []
    kept: list[npt.NDArray[np.bool_]] = []
    for run in runs:
        parts += [np.zeros(run.dropped, dtype=np.float32), track[run.start : run.end]]
        kept += [np.zeros(run.dropped, dtype=bool), np.ones(run.end - run.start, dtype=bool)]
    return np.concatenate(parts), np.concatenate(kept)


# ---------------------------------------------------------------- alignment


@dataclass(frozen=True)
class WindowMatch:
    run_s: float  # window start in the run
    source_s: float  # where it matched in the source
    correlation: float  # of the waveforms there
    similarity: float  # of the log spectra there (see spectral_similarity)
    deviation_ms: float  # from the place the run's offset predicts


@dataclass(frozen=True)
class Alignment:
    offset_s: float  # source time of the run's first sample
    correlation: float  # of the whole run at that offset
    windows: tuple[WindowMatch, ...]  # voiced windows only

    @property
    def min_correlation(self) -> float:
        return min((w.correlation for w in self.windows), default=0.0)

    @property
    def min_similarity(self) -> float:
        return min((w.similarity for w in self.windows), default=0.0)

    @property
    def max_deviation_ms(self) -> float:
        return max((abs(w.deviation_ms) for w in self.windows), default=0.0)


def _ncc(needle: FloatArray, hay: FloatArray) -> npt.NDArray[np.float64]:
    """Normalised cross-correlation of ``needle`` at every offset of ``hay`` (FFT)."""
    n, m = len(needle), len(hay)
    size = 1 << (n + m - 1).bit_length()
    a = np.asarray(needle, dtype=np.float64)
    b = np.asarray(hay, dtype=np.float64)
    spectrum = np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size))
    corr = np.fft.irfft(spectrum, size)[: m - n + 1]
    cumulative = np.concatenate(([0.0], np.cumsum(b * b)))
    energy = cumulative[n:] - cumulative[:-n]
    norm = float(np.sqrt(np.dot(a, a)))
    # A silent stretch of the source must not win by dividing by almost nothing.
    floor = 1e-4 * float(np.mean(b * b)) * n + 1e-12
    result: npt.NDArray[np.float64] = corr / (norm * np.sqrt(np.maximum(energy, floor)) + 1e-12)
    return result


def align(
    run: FloatArray,
    source: FloatArray,
    *,
    window_s: float = 1.0,
    search_s: float = 0.25,
    voiced_rms: float = 0.02,
    kept: npt.NDArray[np.bool_] | None = None,
) -> Alignment:
    """Where ``run`` is in ``source``, and how well each voiced window of it fits there
    (windows holding a sample that ``kept`` marks False are left out)."""
    whole = _ncc(run, source)
    offset = int(np.argmax(whole))
    width = round(window_s * RATE_HZ)
    search = round(search_s * RATE_HZ)
    windows: list[WindowMatch] = []
    for start in range(0, len(run) - width + 1, width):
        piece = run[start : start + width]
        if kept is not None and not kept[start : start + width].all():
            continue
        if float(np.sqrt(np.mean(piece.astype(np.float64) ** 2))) < voiced_rms:
            continue
        expected = offset + start
        lo = max(0, expected - search)
        hi = min(len(source), expected + width + search)
        if hi - lo < width:
            continue
        local = _ncc(piece, source[lo:hi])
        best = int(np.argmax(local))
        found = lo + best
        windows.append(
            WindowMatch(
                run_s=start / RATE_HZ,
                source_s=found / RATE_HZ,
                correlation=float(local[best]),
                similarity=spectral_similarity(piece, source[found : found + width]),
                deviation_ms=(lo + best - expected) * 1000 / RATE_HZ,
            )
        )
    return Alignment(offset / RATE_HZ, float(whole[offset]), tuple(windows))


def _band_energies(x: FloatArray) -> npt.NDArray[np.float64]:
    """Energy in 24 roughly logarithmic bands (62 Hz - 8 kHz) of 32 ms frames every 10 ms."""
    frame, hop = 512, 160
    frames = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), frame)[::hop]
    power = np.abs(np.fft.rfft(frames * np.hanning(frame), axis=1)) ** 2
    edges = np.unique(np.geomspace(4, 256, 25).astype(int))
    bands: npt.NDArray[np.float64] = np.add.reduceat(power[:, :256], edges[:-1], axis=1)
    return bands


def spectral_similarity(a: FloatArray, b: FloatArray) -> float:
    """Pearson correlation of the log band energies of two equally long pieces of audio.

    Why not the waveforms: the browser's audio processing (noise suppression, automatic gain,
    high-pass) and Opus's speech mode keep what is said but not the phase, so the waveform
    correlation of the right place is only 0.3-0.9 (noisy clips lowest). The log spectra of the
    right place correlate at 0.92-0.99 here, those of another place of the same speech at most
    0.65. Energies are floored 60 dB below each piece's loudest band, so digital silence in the
    source and the noise floor of the recording compare as equally quiet.
    """
    logs = []
    for x in (a, b):
        energies = _band_energies(x)
        logs.append(np.log(energies + 1e-6 * max(float(energies.max()), 1e-12)))
    la, lb = (v - v.mean() for v in logs)
    return float((la * lb).sum() / (np.sqrt((la * la).sum() * (lb * lb).sum()) + 1e-12))


def covered_items(
    source: Source, offset_s: float, duration_s: float, *, margin_s: float = 0.2
) -> list[SourceItem]:
    """Items that lie whole (``margin_s`` either side) in ``[offset_s, offset_s + duration_s)``."""
    end_s = offset_s + duration_s
    return [
        item
        for item in source.items
        if item.start_s - margin_s >= offset_s and item.end_s + margin_s <= end_s
    ]


def cut_item(
    run: FloatArray, offset_s: float, item: SourceItem, *, margin_s: float = 0.2
) -> FloatArray:
    """The part of ``run`` that recorded ``item`` (plus ``margin_s`` of its pauses)."""
    start = round((item.start_s - margin_s - offset_s) * RATE_HZ)
    end = round((item.end_s + margin_s - offset_s) * RATE_HZ)
    return run[max(0, start) : end]


def onset_s(samples: FloatArray, threshold: float) -> float:
    """Time of the first sample above ``threshold`` (what the page's onset probe reports)."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    assert loud.size, "the source is silent"
    return float(loud[0]) / RATE_HZ
