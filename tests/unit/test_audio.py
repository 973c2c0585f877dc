"""asr.audio: any file PyAV reads becomes 16 kHz mono float32, with clear errors otherwise.

Test media is made here: a 44.1 kHz stereo WAV written with numpy + wave, and compressed files
(MP3, Opus, AAC in MP4 with a video track) encoded from it with PyAV itself, so no ffmpeg binary is
needed.
"""

from __future__ import annotations

import json
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from asr.audio import (
    decode_file,
    float_to_pcm16,
    iter_decode,
    probe_duration_s,
    write_wav_pcm16,
)
from asr.errors import AudioDecodeError
from asr.types import SAMPLE_RATE_HZ
from tests.conftest import MakeSpeech

SRC_RATE_HZ = 44_100
DURATION_S = 1.5
TONE_HZ = 440.0
ALIAS_TONE_HZ = 12_000.0  # above 8 kHz: must be filtered out, not folded down to 4 kHz


def _stereo_signal() -> npt.NDArray[np.float32]:
    """(2, n) float32: a 440 Hz tone in both channels plus a 12 kHz tone in the left one."""
    t = np.arange(round(DURATION_S * SRC_RATE_HZ)) / SRC_RATE_HZ
    tone = 0.4 * np.sin(2 * np.pi * TONE_HZ * t)
    alias = 0.2 * np.sin(2 * np.pi * ALIAS_TONE_HZ * t)
    return np.stack([tone + alias, tone]).astype(np.float32)


def _peak_hz(samples: npt.NDArray[np.float32]) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    freqs = np.fft.rfftfreq(samples.size, d=1 / SAMPLE_RATE_HZ)
    return float(freqs[int(np.argmax(spectrum))])


def _band_energy(samples: npt.NDArray[np.float32], lo_hz: float, hi_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size))) ** 2
    freqs = np.fft.rfftfreq(samples.size, d=1 / SAMPLE_RATE_HZ)
    return float(spectrum[(freqs >= lo_hz) & (freqs < hi_hz)].sum())


@pytest.fixture(scope="module")
def stereo_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("media") / "tone_44k1_stereo.wav"
    interleaved = _stereo_signal().T.reshape(-1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SRC_RATE_HZ)
        out.writeframes(float_to_pcm16(interleaved))
    return path


def _encode(path: Path, codec: str, rate_hz: int, *, with_video: bool = False) -> Path:
    """Encode the test signal with PyAV (optionally next to a small video track)."""
    signal = _stereo_signal()
    with av.open(str(path), "w") as out:
        audio = out.add_stream(codec, rate=rate_hz, layout="stereo")
        assert isinstance(audio, av.AudioStream)
        if with_video:
            video = out.add_stream("mpeg4", rate=10)
            video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
            for i in range(round(DURATION_S * 10)):
                image = np.full((48, 64, 3), i * 10, dtype=np.uint8)
                picture = av.VideoFrame.from_ndarray(image, format="rgb24")
                picture.pts = i
                out.mux(video.encode(picture))
            out.mux(video.encode(None))
        block = 4_410
        for start in range(0, signal.shape[1], block):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(signal[:, start : start + block]),
                format="fltp",
                layout="stereo",
            )
            frame.sample_rate = SRC_RATE_HZ
            frame.pts = start
            frame.time_base = Fraction(1, SRC_RATE_HZ)
            out.mux(audio.encode(frame))
        out.mux(audio.encode(None))
    return path


def test_wav_44k1_stereo_becomes_16k_mono_float32(stereo_wav: Path) -> None:
    samples = decode_file(stereo_wav)

    assert samples.dtype == np.float32
    assert samples.ndim == 1
    assert abs(samples.size - DURATION_S * SAMPLE_RATE_HZ) <= 1
    assert _peak_hz(samples) == pytest.approx(TONE_HZ, abs=2.0)
    # The 12 kHz tone is removed by the resampler's low-pass, not aliased to 16 - 12 = 4 kHz.
    assert _band_energy(samples, 3_900, 4_100) < 1e-4 * _band_energy(samples, 400, 480)
    assert 0.1 < float(np.max(np.abs(samples))) <= 1.0


def test_iter_decode_chunks_concatenate_to_decode_file(stereo_wav: Path) -> None:
    chunks = list(iter_decode(stereo_wav, chunk_s=0.4))

    assert [c.size for c in chunks[:-1]] == [round(0.4 * SAMPLE_RATE_HZ)] * (len(chunks) - 1)
    assert 0 < chunks[-1].size <= round(0.4 * SAMPLE_RATE_HZ)
    np.testing.assert_array_equal(np.concatenate(chunks), decode_file(stereo_wav))


def test_iter_decode_rejects_a_non_positive_chunk(stereo_wav: Path) -> None:
    with pytest.raises(ValueError, match="chunk_s"):
        next(iter_decode(stereo_wav, chunk_s=0))


def test_probe_duration(stereo_wav: Path) -> None:
    assert probe_duration_s(stereo_wav) == pytest.approx(DURATION_S, abs=0.01)


@pytest.mark.parametrize(
    ("name", "codec", "rate_hz", "with_video"),
    [
        ("tone.mp3", "libmp3lame", 44_100, False),
        ("tone.ogg", "libopus", 48_000, False),
        ("tone.mp4", "aac", 44_100, True),
    ],
)
def test_compressed_and_video_files_decode(
    tmp_path: Path, name: str, codec: str, rate_hz: int, with_video: bool
) -> None:
    path = _encode(tmp_path / name, codec, rate_hz, with_video=with_video)

    samples = decode_file(path)

    # Encoders add priming and padding that containers do not always trim: allow 60 ms.
    assert abs(samples.size / SAMPLE_RATE_HZ - DURATION_S) < 0.06
    assert _peak_hz(samples) == pytest.approx(TONE_HZ, abs=2.0)
    duration = probe_duration_s(path)
    assert duration is not None
    assert duration == pytest.approx(DURATION_S, abs=0.1)


def test_missing_file_is_a_decode_error(tmp_path: Path) -> None:
    with pytest.raises(AudioDecodeError, match=r"hearing\.wav: no such file"):
        decode_file(tmp_path / "hearing.wav")
    with pytest.raises(AudioDecodeError, match="no such file"):
        probe_duration_s(str(tmp_path / "hearing.wav"))


def test_text_file_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("This is a note about the hearing, not audio.\n" * 20, encoding="utf-8")

    with pytest.raises(AudioDecodeError, match=r"notes\.wav: not a readable media file"):
        decode_file(path)


def test_directory_is_a_decode_error(tmp_path: Path) -> None:
    with pytest.raises(AudioDecodeError, match="is a directory"):
        decode_file(tmp_path)


def test_video_without_audio_is_a_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "silent_film.mp4"
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            frame.pts = i
            out.mux(video.encode(frame))
        out.mux(video.encode(None))

    with pytest.raises(AudioDecodeError, match=r"silent_film\.mp4: the file has no audio stream"):
        decode_file(path)


def test_float_to_pcm16_clips_and_scales() -> None:
    pcm = np.frombuffer(float_to_pcm16([0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0]), dtype="<i2")
    assert pcm.tolist() == [0, 16384, -16384, 32767, -32767, 32767, -32767]


def test_write_wav_pcm16_round_trips(tmp_path: Path) -> None:
    samples = (0.3 * np.sin(np.linspace(0, 60, 8_000))).astype(np.float32)
    path = write_wav_pcm16(tmp_path / "out.wav", samples)

    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16_000)
    np.testing.assert_allclose(decode_file(path), samples, atol=1 / 32767)


def test_espeak_speech_is_16k_mono(espeak_wav: MakeSpeech) -> None:
    path = espeak_wav("The court is now in session.")

    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, SAMPLE_RATE_HZ)
    samples = decode_file(path)
    assert 1.0 < samples.size / SAMPLE_RATE_HZ < 5.0
    assert float(np.sqrt(np.mean(samples**2))) > 0.01
    assert espeak_wav("The court is now in session.") == path  # cached for the session


def test_corpus_files_decode_to_their_manifest_length(speech_corpus: Path) -> None:
    items = [
        json.loads(line)
        for line in (speech_corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    short = sorted(items, key=lambda item: float(item["seconds"]))[:3]
    for item in short:
        samples = decode_file(speech_corpus / item["audio"])
        assert abs(samples.size - float(item["seconds"]) * SAMPLE_RATE_HZ) <= 16, item["audio"]
