"""Opus packets of digital silence with the duration of a given packet (RFC 6716), no encoder.

A muted participant's audio is forwarded as silence of the same timing: :func:`silence_like`
reads the duration of the original packet from its TOC byte and builds a CELT packet of silent
frames (TOC config 28–31, fullband CELT, 2.5/5/10/20 ms; each frame is ``FF FE``, which a decoder
reads as the CELT silence flag). Every byte of the muted voice is replaced.
"""

from __future__ import annotations

from functools import cache

__all__ = ["opus_packet_samples", "silence_like"]

_SAMPLES_48K = 48
"""Samples per millisecond at Opus's 48 kHz."""
_SILENT_FRAME = b"\xff\xfe"
_CELT_CONFIG_BY_FRAME = {120: 28, 240: 29, 480: 30, 960: 31}
"""Samples per frame (2.5, 5, 10, 20 ms) → TOC config of fullband CELT."""


def _frame_samples(config: int) -> int:
    if config < 12:  # SILK: 10, 20, 40, 60 ms
        return (10, 20, 40, 60)[config % 4] * _SAMPLES_48K
    if config < 16:  # hybrid: 10, 20 ms
        return (10, 20)[config % 2] * _SAMPLES_48K
    return (120, 240, 480, 960)[config % 4]  # CELT: 2.5, 5, 10, 20 ms


def opus_packet_samples(packet: bytes) -> int | None:
    """Samples per channel at 48 kHz in an Opus packet (RFC 6716 §3.1); None when malformed."""
    if not packet:
        return None
    toc = packet[0]
    code = toc & 0x03
    if code == 0:
        frames = 1
    elif code in (1, 2):
        frames = 2
    elif len(packet) >= 2:
        frames = packet[1] & 0x3F
    else:
        return None
    samples = frames * _frame_samples(toc >> 3)
    return samples if 0 < samples <= 120 * _SAMPLES_48K else None


@cache
def _silence(samples: int) -> bytes | None:
    for frame, config in sorted(_CELT_CONFIG_BY_FRAME.items(), reverse=True):
        if samples % frame:
            continue
        count = samples // frame
        toc = config << 3
        if count == 1:
            return bytes([toc]) + _SILENT_FRAME
        if count == 2:  # code 1: two frames of equal size
            return bytes([toc | 1]) + _SILENT_FRAME * 2
        if count <= 48:  # code 3: CBR, no padding, ``count`` frames
            return bytes([toc | 3, count]) + _SILENT_FRAME * count
    return None


def silence_like(packet: bytes) -> bytes | None:
    """An Opus packet of silence lasting as long as ``packet``; None if that cannot be read."""
    samples = opus_packet_samples(packet)
    return _silence(samples) if samples is not None else None
