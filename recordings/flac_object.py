"""A FLAC file written straight into the store, block by block, hashed as it goes.

FFmpeg's FLAC muxer finishes a file by seeking back to its head to write the total sample count
(and an MD5 of the audio) into STREAMINFO. A store's streaming writer cannot seek (an object
store's multipart upload has sent the head long before), so the encoder is given a sink without
``seek``: FFmpeg then leaves STREAMINFO as it first wrote it, and the sink fills in the total
sample count, which finalisation knows before it writes the first sample. The MD5 stays zero
("not computed", allowed by the FLAC format): the manifest's SHA-256 of the whole file is what
the record relies on. The same bytes come out for every store, so digests do not depend on it.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass

from recordings.codec import FlacWriter, Samples
from recordings.errors import RecordingError
from recordings.store import ObjectWriter, RecordingStore

__all__ = ["FlacObject", "WrittenObject"]

# fLaC, then the STREAMINFO block header (4 bytes) and body (34 bytes); the total sample count
# is the low 36 bits of the big-endian 64-bit field at offset 18 (after sample rate, channels
# and bits per sample).
_MAGIC = b"fLaC"
_TOTAL_AT = 18
_HEAD_BYTES = 42
_TOTAL_BITS = 36


def _patch_total(head: bytearray, total_samples: int) -> None:
    if head[:4] != _MAGIC or head[4] & 0x7F != 0:
        raise RecordingError("the FLAC encoder did not start with STREAMINFO")
    if not 0 <= total_samples < 1 << _TOTAL_BITS:
        raise RecordingError(f"{total_samples} samples do not fit a FLAC header")
    field = int.from_bytes(head[_TOTAL_AT : _TOTAL_AT + 8], "big")
    field = (field >> _TOTAL_BITS << _TOTAL_BITS) | total_samples
    head[_TOTAL_AT : _TOTAL_AT + 8] = field.to_bytes(8, "big")


class _Sink:
    """Where the muxer writes: no ``seek``/``tell`` (so FFmpeg streams), head patched, hashed."""

    def __init__(self, out: ObjectWriter, total_samples: int) -> None:
        self._out = out
        self._total = total_samples
        self._head: bytearray | None = bytearray()
        self.sha256 = hashlib.sha256()
        self.size_bytes = 0

    def write(self, data: bytes) -> int:
        n = len(data)
        if self._head is not None:
            self._head += data
            if len(self._head) < _HEAD_BYTES:
                return n
            _patch_total(self._head, self._total)
            data, self._head = bytes(self._head), None
        self._emit(bytes(data))
        return n

    def _emit(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size_bytes += len(data)
        self._out.write(data)

    def finish(self) -> None:
        if self._head is not None:
            raise RecordingError("the FLAC stream ended inside its header")


@dataclass(frozen=True, slots=True)
class WrittenObject:
    """What was stored: digest and size of the committed bytes."""

    sha256: str
    size_bytes: int


class FlacObject:
    """Encode exactly ``total_samples`` into ``key``; visible only once :meth:`commit` returns.

    Use as a context manager: leaving it by an exception aborts the store write (the key keeps
    any older object), leaving it normally without :meth:`commit` aborts too.
    """

    def __init__(
        self, store: RecordingStore, key: str, sample_rate_hz: int, total_samples: int
    ) -> None:
        self.key = key
        self.total_samples = total_samples
        self._out = store.open_write(key)
        self._sink = _Sink(self._out, total_samples)
        self._flac: FlacWriter | None = None
        try:
            self._flac = FlacWriter(self._sink, sample_rate_hz)
        except BaseException:
            self._out.abort()
            raise
        self.written: WrittenObject | None = None

    def write(self, samples: Samples) -> None:
        self._encoder(len(samples)).write(samples)

    def write_silence(self, n_samples: int) -> None:
        self._encoder(n_samples).write_silence(n_samples)

    def _encoder(self, more: int = 0) -> FlacWriter:
        if self._flac is None:
            raise RecordingError(f"{self.key}: already committed or aborted")
        if self._flac.samples_written + more > self.total_samples:
            raise RecordingError(f"{self.key}: more than the {self.total_samples} samples due")
        return self._flac

    def commit(self) -> WrittenObject:
        flac = self._encoder()
        if flac.samples_written != self.total_samples:
            raise RecordingError(
                f"{self.key}: {flac.samples_written} samples written, {self.total_samples} due"
            )
        flac.close()
        self._flac = None
        try:
            self._sink.finish()
            self._out.commit()
        except BaseException:
            self._out.abort()
            raise
        self.written = WrittenObject(self._sink.sha256.hexdigest(), self._sink.size_bytes)
        return self.written

    def abort(self) -> None:
        if self._flac is None:
            return
        flac, self._flac = self._flac, None
        with contextlib.suppress(Exception):  # the encoder's state no longer matters
            flac.close()
        self._out.abort()

    def __enter__(self) -> FlacObject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.abort()
