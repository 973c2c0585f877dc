"""The aiortc private API the forwarding relies on is still there, and Opus silence is silence.

If ``test_aiortc_internals_are_what_forwarding_was_written_for`` fails after an aiortc upgrade,
read ``hearing_server/rtc/internals.py`` against the new aiortc before changing the pin.
"""

from __future__ import annotations

import aiortc
import av
import numpy as np
import pytest

from hearing_server.rtc.internals import WRITTEN_FOR_AIORTC, check_internals
from hearing_server.rtc.opus_silence import opus_packet_samples, silence_like


def test_aiortc_internals_are_what_forwarding_was_written_for() -> None:
    assert aiortc.__version__ == WRITTEN_FOR_AIORTC
    check_internals()


def test_a_changed_aiortc_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiortc, "__version__", "9.9.9")
    with pytest.raises(RuntimeError, match=r"aiortc 9\.9\.9"):
        check_internals()


@pytest.mark.parametrize(
    ("packet", "samples"),
    [
        (b"\x78\x00", 960),  # SILK WB 20 ms, one frame
        (b"\xf8\x00", 960),  # CELT FB 20 ms
        (b"\xf0\x00", 480),  # CELT FB 10 ms
        (b"\x79\x00\x00", 1920),  # code 1: two 20 ms frames
        (b"\x5b\x03\x00", 8640),  # code 3: three 60 ms SILK frames (180 ms: too long)
        (b"\x7b\x03\x00", 2880),  # code 3: three 20 ms frames
        (b"", None),
        (b"\x7b", None),
    ],
)
def test_opus_packet_duration(packet: bytes, samples: int | None) -> None:
    expected = samples if samples is None or samples <= 5760 else None
    assert opus_packet_samples(packet) == expected


@pytest.mark.parametrize("frame_ms", ["10", "20", "40", "60"])
def test_silence_decodes_to_zeros_of_the_same_length(frame_ms: str) -> None:
    encoder = av.CodecContext.create("libopus", "w")
    assert isinstance(encoder, av.AudioCodecContext)
    encoder.sample_rate, encoder.format, encoder.layout = 48_000, "s16", "stereo"
    encoder.options = {"frame_duration": frame_ms, "application": "voip"}
    samples = int(frame_ms) * 48
    tone = (10_000 * np.sin(np.arange(2 * samples) * 2 * np.pi * 440 / 48_000)).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(np.repeat(tone[:samples], 2)[None, :], "s16", "stereo")
    frame.sample_rate, frame.pts = 48_000, 0
    voice = [bytes(p) for p in encoder.encode(frame)] + [bytes(p) for p in encoder.encode(None)]
    silent = silence_like(voice[0])
    assert silent is not None and opus_packet_samples(silent) == samples

    decoder = av.CodecContext.create("libopus", "r")
    assert isinstance(decoder, av.AudioCodecContext)
    decoder.sample_rate, decoder.format, decoder.layout = 48_000, "s16", "stereo"
    decoder.decode(av.Packet(voice[0]))
    decoded = [f.to_ndarray() for _ in range(3) for f in decoder.decode(av.Packet(silent))]
    assert sum(d.shape[1] for d in decoded) == 3 * 2 * samples
    assert not np.concatenate(decoded, axis=1)[:, 2 * samples :].any()  # after the fade-out
