"""Decoding audio and video files into the 16 kHz mono float32 samples the recogniser takes.

Everything goes through PyAV (FFmpeg), so any container and codec FFmpeg reads works: WAV, MP3,
Opus, AAC in MP4, the audio track of a video. The first audio stream is used; several channels are
mixed down to one. Samples are float32 in [-1, 1] at :data:`asr.types.SAMPLE_RATE_HZ`.

:func:`iter_decode` streams a long file in fixed-size chunks, so a recording of hours is never held
in memory twice; :func:`decode_file` is the same, concatenated. Packets FFmpeg reports as
invalid in the middle of a file are skipped (as faster-whisper does); a file that cannot be opened,
holds no audio stream, or fails beyond that raises :class:`asr.errors.AudioDecodeError` naming the
file and the reason.
"""

from __future__ import annotations

import logging
import wave
from collections.abc import Iterator
from pathlib import Path

import av
import av.error
import numpy as np
import numpy.typing as npt

from asr.errors import AudioDecodeError
from asr.types import SAMPLE_RATE_HZ

__all__ = [
    "decode_file",
    "float_to_pcm16",
    "iter_decode",
    "probe_duration_s",
    "write_wav_pcm16",
]

logger = logging.getLogger(__name__)

Samples = npt.NDArray[np.float32]


def _open(path: Path | str) -> av.container.InputContainer:
    p = Path(path)
    if not p.exists():
        raise AudioDecodeError(f"cannot decode {p.name}: no such file ({p})")
    if p.is_dir():
        raise AudioDecodeError(f"cannot decode {p.name}: is a directory ({p})")
    try:
        return av.open(str(p), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise AudioDecodeError(f"cannot decode {p.name}: not a readable media file: {exc}") from exc


def _audio_stream(container: av.container.InputContainer, path: Path | str) -> av.AudioStream:
    if not container.streams.audio:
        raise AudioDecodeError(f"cannot decode {Path(path).name}: the file has no audio stream")
    return container.streams.audio[0]


def _resampled(
    container: av.container.InputContainer, stream: av.AudioStream, name: str
) -> Iterator[Samples]:
    """Decode and resample packet by packet, skipping packets the decoder rejects as invalid."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE_HZ)
    packets = container.demux(stream)
    skipped = 0
    done = False
    while not done:
        try:
            packet = next(packets, None)
            frames: list[av.AudioFrame | None] = [None]  # None flushes the resampler
            if packet is None:
                done = True
            else:
                try:
                    frames = list(packet.decode())
                except av.error.InvalidDataError:
                    skipped += 1
                    continue
            outs = [out for frame in frames for out in resampler.resample(frame)]
        except (av.error.FFmpegError, ValueError) as exc:
            raise AudioDecodeError(f"cannot decode {name}: {exc}") from exc
        for out in outs:
            yield out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
    if skipped:
        logger.warning("%s: skipped %d undecodable packet(s)", name, skipped)


def iter_decode(path: Path | str, chunk_s: float = 30.0) -> Iterator[Samples]:
    """Yield the audio as 16 kHz mono float32 chunks of ``chunk_s`` seconds (the last one shorter).

    The file is opened when iteration starts and closed when it ends or the generator is closed.
    """
    if chunk_s <= 0:
        raise ValueError(f"chunk_s must be positive, got {chunk_s}")
    chunk_len = max(1, round(chunk_s * SAMPLE_RATE_HZ))
    with _open(path) as container:
        stream = _audio_stream(container, path)
        pending: list[Samples] = []
        pending_len = 0
        for samples in _resampled(container, stream, Path(path).name):
            pending.append(samples)
            pending_len += samples.size
            while pending_len >= chunk_len:
                joined = np.concatenate(pending)
                yield joined[:chunk_len]
                rest = joined[chunk_len:]
                pending, pending_len = ([rest] if rest.size else []), rest.size
        if pending_len:
            yield np.concatenate(pending)


def decode_file(path: Path | str) -> Samples:
    """Decode a whole audio or video file into one 16 kHz mono float32 array."""
    chunks = list(iter_decode(path, chunk_s=60.0))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks)


def probe_duration_s(path: Path | str) -> float | None:
    """The duration of the file's first audio stream in seconds, or None if the file does not say.

    Reads only the headers (for some formats FFmpeg's estimate from the bit rate).
    """
    with _open(path) as container:
        stream = _audio_stream(container, path)
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if container.duration is not None:
            return container.duration / av.time_base
        return None


def float_to_pcm16(samples: npt.ArrayLike) -> bytes:
    """Float samples in [-1, 1] (clipped) to little-endian signed 16-bit PCM bytes."""
    arr = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return np.round(arr * 32767.0).astype("<i2").tobytes()


def write_wav_pcm16(
    path: Path | str, samples: npt.ArrayLike, sample_rate_hz: int = SAMPLE_RATE_HZ
) -> Path:
    """Write mono float samples as a 16-bit PCM WAV file; returns the path."""
    p = Path(path)
    with wave.open(str(p), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate_hz)
        out.writeframes(float_to_pcm16(samples))
    return p
