"""``AudioTap``: one participant's incoming audio track → 16 kHz mono float32 chunks → a sink.

    tap = AudioTap(track, session.feed, participant_id="plaintiff")
    tap.start()
    tap.muted = True            # muted: the sink gets zeros instead of the voice (no transcript)
    await tap.stop()            # or the track ends (peer closed): wait_ended() returns

The tap is aiortc's media-consumer loop (``frame = await track.recv()`` until ``MediaStreamError``).
Frames arrive decoded (aiortc's Opus decoder: 48 kHz s16, usually stereo, 20 ms) and are resampled
with ``av.AudioResampler`` to what :class:`asr.session.StreamingSession` accepts. The sink is called
synchronously on the event loop, once per 20 ms frame, so it must not block:
``StreamingSession.feed`` only appends to a buffer and wakes the inference worker.

While muted, the sink gets digital silence of the same length as the audio it replaces: the
ASR stream's time (ms from its start) keeps pace with the hearing's clock, so words spoken after
an unmute get their real time. (Dropping the muted audio instead made later transcript times early
by the muted duration.) The VAD discards the zeros at almost no cost. What the resampler still
holds of the voice when the mute starts is flushed first, so no sample is lost or duplicated.

The track is drained even when muted or after the sink failed: aiortc's remote track queues
decoded frames without bound, so a consumer that stops reading leaks memory.

``captured_until`` is when the audio handed to the sink (during that call) ended *at the sender*,
in ``time.monotonic()`` seconds: the frame's RTP timestamp mapped by a :class:`CaptureClock`, so a
stall of the event loop or of the sender does not move it (the recording places audio by it).
Frames without a timestamp (a local file, a test track) fall back to their arrival time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from hearing_server.rtc.capture_clock import CaptureClock
from hearing_server.rtc.log import participant_logger

__all__ = ["ASR_SAMPLE_RATE_HZ", "AudioSink", "AudioTap"]

ASR_SAMPLE_RATE_HZ = 16_000

AudioSink = Callable[[npt.NDArray[np.float32]], None]
"""Receives 16 kHz mono float32 samples in [-1, 1]; called on the event loop, must not block."""

_logger = logging.getLogger(__name__)


class AudioTap:
    def __init__(
        self,
        track: MediaStreamTrack,
        sink: AudioSink,
        *,
        participant_id: str,
        sample_rate_hz: int = ASR_SAMPLE_RATE_HZ,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if track.kind != "audio":
            raise ValueError(f"AudioTap needs an audio track, got {track.kind!r}")
        self.participant_id = participant_id
        self.sample_rate_hz = sample_rate_hz
        self.muted = False
        self.frames_received = 0
        """Every frame read from the track, muted or not."""
        self.samples_fed = 0
        """Samples (at ``sample_rate_hz``) handed to the sink, silence while muted included."""
        self.silence_fed = 0
        """Of ``samples_fed``, the zeros fed while muted."""
        self._silence_remainder = 0
        self.captured_until: float | None = None
        """Capture time (``time.monotonic()`` seconds) of the end of the audio being fed."""
        self._clock = CaptureClock()
        self._monotonic = monotonic
        self._track = track
        self._sink: AudioSink | None = sink
        self._resampler: av.AudioResampler | None = None
        self._input_key: tuple[str, str, int] | None = None
        self._task: asyncio.Task[None] | None = None
        self._ended = asyncio.Event()
        self._log = participant_logger(_logger, participant_id)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def ended(self) -> bool:
        """The track ended or the tap was stopped."""
        return self._ended.is_set()

    def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("AudioTap.start() called twice")
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"audio-tap:{self.participant_id}"
        )

    async def stop(self) -> None:
        """Stop reading (the track itself belongs to its peer connection) and wait for the task."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
        self._ended.set()

    async def wait_ended(self) -> None:
        await self._ended.wait()

    async def _run(self) -> None:
        try:
            while True:
                try:
                    frame = await self._track.recv()
                except MediaStreamError:
                    break
                self.frames_received += 1
                if not isinstance(frame, av.AudioFrame):
                    continue
                self.captured_until = self._captured_end(frame, self._monotonic())
                if self.muted:
                    if self._resampler is not None:  # the voice up to the mute, then silence
                        self._feed(self._flush())
                    self._feed_silence(frame)
                    continue
                self._feed(self._resample(frame))
            if self._resampler is not None:
                self._feed(self._flush())
            self._log.debug("audio track ended after %d frames", self.frames_received)
        finally:
            self._ended.set()

    def _captured_end(self, frame: av.AudioFrame, arrival_s: float) -> float:
        rate = frame.sample_rate
        if frame.pts is None or frame.time_base != Fraction(1, rate) or rate != self._clock.rate_hz:
            if frame.pts is not None and rate != self._clock.rate_hz:
                self._clock = CaptureClock(rate)  # a codec at another clock rate (G.711: 8 kHz)
                return self._captured_end(frame, arrival_s)
            return arrival_s
        return self._clock.capture_end(frame.pts, frame.samples, arrival_s)

    def _resample(self, frame: av.AudioFrame) -> list[av.AudioFrame]:
        key = (frame.format.name, frame.layout.name, frame.sample_rate)
        if self._resampler is None or key != self._input_key:
            # A changed input format would make PyAV's resampler raise; start a new one.
            self._resampler = av.AudioResampler(
                format="flt", layout="mono", rate=self.sample_rate_hz
            )
            self._input_key = key
        return self._resampler.resample(frame)

    def _flush(self) -> list[av.AudioFrame]:
        resampler, self._resampler = self._resampler, None
        return resampler.resample(None) if resampler is not None else []

    def _feed_silence(self, frame: av.AudioFrame) -> None:
        """Zeros lasting as long as ``frame`` (exactly, over many frames: the remainder carries)."""
        total = self._silence_remainder + frame.samples * self.sample_rate_hz
        count, self._silence_remainder = divmod(total, frame.sample_rate)
        if count and self._sink is not None:
            before = self.samples_fed
            self._sink_samples(np.zeros(count, dtype=np.float32))
            self.silence_fed += self.samples_fed - before

    def _feed(self, frames: list[av.AudioFrame]) -> None:
        if not frames or self._sink is None:
            return
        chunks = [frame.to_ndarray().reshape(-1) for frame in frames]
        samples = np.ascontiguousarray(
            chunks[0] if len(chunks) == 1 else np.concatenate(chunks), dtype=np.float32
        )
        if samples.size:
            self._sink_samples(samples)

    def _sink_samples(self, samples: npt.NDArray[np.float32]) -> None:
        if self._sink is None:
            return
        try:
            self._sink(samples)
        except Exception:
            # Keep draining the track; stop calling a sink that failed (e.g. a finished session).
            self._log.exception("audio sink failed; the tap stops feeding it")
            self._sink = None
            return
        self.samples_fed += samples.size
