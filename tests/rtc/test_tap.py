"""AudioTap without a network: muting keeps the ASR stream's time in step with the audio's."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

import av
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hearing_server.rtc.tap import ASR_SAMPLE_RATE_HZ, AudioTap
from tests.rtc.conftest import TIMEOUT_S, SampleCollector

FRAME = 960  # 20 ms at 48 kHz, what aiortc's Opus decoder produces
OUT_PER_FRAME = FRAME * ASR_SAMPLE_RATE_HZ // 48_000


class ScriptedTrack(MediaStreamTrack):
    """Stereo s16 48 kHz frames of ``signal``; ``before_frame(i)`` runs before frame i is read."""

    kind = "audio"

    def __init__(self, signal: npt.NDArray[np.int16], before_frame: Callable[[int], None]) -> None:
        super().__init__()
        self._signal = signal
        self._before_frame = before_frame
        self._index = 0

    async def recv(self) -> av.AudioFrame:
        start = self._index * FRAME
        if start >= self._signal.size:
            raise MediaStreamError
        self._before_frame(self._index)
        chunk = self._signal[start : start + FRAME]
        frame = av.AudioFrame.from_ndarray(np.repeat(chunk, 2)[None, :], "s16", "stereo")
        frame.sample_rate, frame.pts = 48_000, start
        self._index += 1
        await asyncio.sleep(0)  # a real track yields to the loop between frames
        return frame


def onset(samples: npt.NDArray[np.float32], threshold: float = 0.05) -> int:
    return int(np.argmax(np.abs(samples) > threshold))


async def run_tap(
    signal: npt.NDArray[np.int16], mute_frames: range
) -> tuple[AudioTap, SampleCollector]:
    collector = SampleCollector()
    tap: AudioTap | None = None

    def before_frame(index: int) -> None:
        assert tap is not None
        tap.muted = index in mute_frames

    tap = AudioTap(ScriptedTrack(signal, before_frame), collector, participant_id="witness")
    tap.start()
    await asyncio.wait_for(tap.wait_ended(), TIMEOUT_S)
    return tap, collector


def tone(frames: int, start_frame: int, stop_frame: int) -> npt.NDArray[np.int16]:
    signal = np.zeros(frames * FRAME, np.int16)
    t = np.arange((stop_frame - start_frame) * FRAME) / 48_000
    signal[start_frame * FRAME : stop_frame * FRAME] = 16_000 * np.sin(2 * np.pi * 440 * t)
    return signal


async def test_muted_time_is_fed_as_silence_so_later_speech_keeps_its_time() -> None:
    # Speech for 0.4 s, muted for 0.8 s (still speaking), silence, speech again at 1.6 s.
    signal = tone(100, 0, 40) + tone(100, 80, 100)
    tap, collector = await run_tap(signal, mute_frames=range(20, 60))
    samples = collector.samples

    assert tap.samples_fed == samples.size
    assert abs(samples.size - 100 * OUT_PER_FRAME) <= 16  # the whole duration, muted part too
    assert tap.silence_fed == 40 * OUT_PER_FRAME
    muted = samples[20 * OUT_PER_FRAME + 16 : 60 * OUT_PER_FRAME]
    assert muted.size and not muted.any()  # nothing of the muted voice
    later = 80 * OUT_PER_FRAME
    assert abs(onset(samples[later - 200 :]) - 200) <= 16  # the speech starts on time: no drift


async def test_unmuted_audio_passes_unchanged_in_length() -> None:
    tap, collector = await run_tap(tone(50, 10, 50), mute_frames=range(0))
    assert tap.silence_fed == 0
    assert abs(collector.samples.size - 50 * OUT_PER_FRAME) <= 16
    assert abs(onset(collector.samples) - 10 * OUT_PER_FRAME) <= 16


async def test_captured_until_follows_the_rtp_clock_through_a_stall() -> None:
    """Frames queued during a stall of 0.6 s arrive together; their capture times stay 20 ms
    apart (stamped by arrival, they were 0.6 s late, then all at one instant)."""
    from fractions import Fraction

    signal = tone(100, 0, 100)
    ends: list[float] = []
    arrivals: list[float] = []
    tap: AudioTap | None = None
    received = 0

    class Stalling(ScriptedTrack):
        async def recv(self) -> av.AudioFrame:
            nonlocal received
            frame = await super().recv()
            frame.time_base = Fraction(1, 48_000)
            frame.pts = 777_000 + (frame.pts or 0)  # RTP timestamps start anywhere
            received += 1
            return frame

    def arrival() -> float:  # on time (5 ms after capture), except frames 40-70: one burst
        at = 10.0 + received * 0.020 + 0.005
        if 40 <= received <= 70:
            at = 10.0 + 70 * 0.020 + 0.005
        arrivals.append(at)
        return at

    def sink(samples: npt.NDArray[np.float32]) -> None:
        assert tap is not None and tap.captured_until is not None
        ends.append(tap.captured_until)

    tap = AudioTap(
        Stalling(signal, lambda index: None), sink, participant_id="witness", monotonic=arrival
    )
    tap.start()
    await asyncio.wait_for(tap.wait_ended(), TIMEOUT_S)
    # The last call is the resampler's tail when the track ends: it ends with the last frame.
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ends[:-1])}
    assert steps == {0.02}, steps
    assert ends[-1] == ends[-2]
    assert len(ends) >= 95
    assert max(arrivals) - min(arrivals) < 2.1  # the burst really came at one instant
