"""Several stored objects as one ZIP, produced as a stream of bytes (for one download).

Entries are *stored*, not deflated: FLAC is already compressed, and stored entries cost no CPU.
The ZIP is written to a sink without ``seek``, so :mod:`zipfile` puts each entry's sizes and CRC
in a data descriptor after its data instead of going back to its header; the bytes can go out
as soon as they are made, and memory stays at one read piece whatever the files' sizes. ZIP64
is used, so files past 4 GiB are fine.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from recordings.store import RecordingStore, iter_object

__all__ = ["zip_stream"]


class _Pipe:
    """What :class:`zipfile.ZipFile` writes into; drained by the generator after each write."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def zip_stream(
    store: RecordingStore,
    entries: Iterable[tuple[str, str]],
    *,
    extra: Iterable[tuple[str, bytes]] = (),
    modified_utc: datetime | None = None,
) -> Iterator[bytes]:
    """The ZIP's bytes: ``extra`` (name, bytes) first, then each (name, store key) streamed."""
    when = (modified_utc or datetime(1980, 1, 1, tzinfo=UTC)).astimezone(UTC)
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, data in extra:
            zf.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
            yield pipe.take()
        for name, key in entries:
            with zf.open(zipfile.ZipInfo(name, date_time=stamp), "w", force_zip64=True) as out:
                for piece in iter_object(store, key):
                    out.write(piece)
                    if chunk := pipe.take():
                        yield chunk
            yield pipe.take()
    yield pipe.take()
