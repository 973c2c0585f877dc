"""Streaming voice activity detection with Silero (the ONNX model shipped in faster-whisper).

The model sees 512-sample frames (32 ms at 16 kHz) with 64 samples of context and carries its LSTM
state from frame to frame, so feeding audio in chunks of any size gives exactly the probabilities
of the whole file. A frame costs about 0.05 ms of CPU: VAD runs on the audio intake path.

Hysteresis: speech starts at the first frame with probability >= ``threshold`` and ends after
``min_silence_ms`` of frames below ``neg_threshold``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from asr.engine import VadModel

FRAME_SAMPLES = 512
_CONTEXT_SAMPLES = 64
_SAMPLE_RATE_HZ = 16_000


@dataclass(frozen=True, slots=True)
class VadConfig:
    threshold: float = 0.3
    neg_threshold: float = 0.15
    min_silence_ms: int = 600
    speech_pad_ms: int = 200
    min_speech_ms: int = 250


@dataclass(frozen=True, slots=True)
class SpeechStart:
    sample: int


@dataclass(frozen=True, slots=True)
class SpeechEnd:
    sample: int
    speech_start: int


VadEvent = SpeechStart | SpeechEnd


def voiced_intervals(
    audio: npt.NDArray[np.float32], model: VadModel, config: VadConfig
) -> list[tuple[int, int]]:
    """The speech of a whole recording as ``(start_ms, end_ms)``, as the stream's VAD sees it:
    bursts shorter than ``min_speech_ms`` (clicks, breaths) are left out, as the stream never
    decodes them; speech still open at the end ends there."""
    vad = StreamingVad(model, config)
    out: list[tuple[int, int]] = []
    per_ms = _SAMPLE_RATE_HZ // 1000
    for event in vad.accept(np.asarray(audio, dtype=np.float32)):
        if not isinstance(event, SpeechEnd):
            continue
        if event.sample - event.speech_start >= config.min_speech_ms * per_ms:
            out.append((event.speech_start // per_ms, event.sample // per_ms))
    if vad.in_speech:
        out.append((vad.speech_start // per_ms, len(audio) // per_ms))
    return out


class StreamingVad:
    """Feed samples with ``accept``; get speech start and end events in sample positions."""

    def __init__(self, model: VadModel, config: VadConfig, sample_rate_hz: int = 16_000) -> None:
        self._model = model
        self._config = config
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT_SAMPLES, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._frames_done = 0
        self._in_speech = False
        self._speech_start = 0
        self._silence_frames = 0
        self._min_silence_frames = max(
            1, config.min_silence_ms * sample_rate_hz // 1000 // FRAME_SAMPLES
        )

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def speech_start(self) -> int:
        return self._speech_start

    @property
    def processed_samples(self) -> int:
        return self._frames_done * FRAME_SAMPLES

    def accept(self, samples: npt.NDArray[np.float32]) -> list[VadEvent]:
        audio = np.concatenate([self._pending, samples]) if len(self._pending) else samples
        n_frames = len(audio) // FRAME_SAMPLES
        self._pending = audio[n_frames * FRAME_SAMPLES :].copy()
        if n_frames == 0:
            return []
        probs = self._probabilities(audio[: n_frames * FRAME_SAMPLES].reshape(n_frames, -1))
        events: list[VadEvent] = []
        for p in probs:
            frame_start = self._frames_done * FRAME_SAMPLES
            self._frames_done += 1
            if not self._in_speech:
                if p >= self._config.threshold:
                    self._in_speech = True
                    self._speech_start = frame_start
                    self._silence_frames = 0
                    events.append(SpeechStart(frame_start))
            elif p < self._config.neg_threshold:
                self._silence_frames += 1
                if self._silence_frames >= self._min_silence_frames:
                    end = frame_start - (self._silence_frames - 1) * FRAME_SAMPLES
                    events.append(SpeechEnd(end, self._speech_start))
                    self._in_speech = False
            else:
                self._silence_frames = 0
        return events

    def _probabilities(self, frames: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        previous = np.concatenate([self._context[None, :], frames[:-1, -_CONTEXT_SAMPLES:]], 0)
        batch = np.concatenate([previous, frames], 1)
        out, self._h, self._c = self._model.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = frames[-1, -_CONTEXT_SAMPLES:].copy()
        result: npt.NDArray[np.float32] = np.asarray(out, dtype=np.float32).reshape(-1)
        return result
