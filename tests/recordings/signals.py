"""Test signals and helpers shared by the recordings tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

SR = 16_000
T0 = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)

Samples = npt.NDArray[np.float32]


def tone(freq_hz: float, seconds: float, amp: float = 0.3, start_s: float = 0.0) -> Samples:
    t = (np.arange(round(seconds * SR)) / SR) + start_s
    return (amp * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


def at(seconds: float) -> datetime:
    return T0 + timedelta(microseconds=round(seconds * 1_000_000))


def feed(journal, samples: Samples, start_s: float, block_ms: int = 100) -> None:
    """Write ``samples`` in blocks as a live tap would, each stamped with its capture time."""
    block = SR * block_ms // 1000
    for i in range(0, len(samples), block):
        journal.write(samples[i : i + block], at(start_s + i / SR))


def peak_hz(x: Samples) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / SR)[int(np.argmax(spec))])


def rms(x: Samples) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def second(x: Samples, s: int) -> Samples:
    return x[s * SR : (s + 1) * SR]
