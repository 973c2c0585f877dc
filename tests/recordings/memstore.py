"""An in-memory :class:`RecordingStore` that behaves like an object store (S3 and the like).

Streaming writes are multipart uploads: parts are kept aside and the object appears only on
``commit``; readers get a body that cannot seek. Finalisation must work through it unchanged.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from recordings import ObjectWriter, RecordingNotFoundError


class _Body(io.RawIOBase):
    """A GET response body: read in order, no seek."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), len(self._data) - self._pos)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        return n


class _Upload:
    def __init__(self, store: MemoryObjectStore, key: str) -> None:
        self._store = store
        self._key = key
        self._parts: list[bytes] | None = []

    def write(self, data: bytes) -> int:
        assert self._parts is not None, "write after commit/abort"
        self._parts.append(bytes(data))
        return len(data)

    def commit(self) -> None:
        assert self._parts is not None
        self._store.objects[self._key] = b"".join(self._parts)
        self._store.committed.append(self._key)
        self._parts = None

    def abort(self) -> None:
        self._parts = None
        self._store.aborted.append(self._key)


class MemoryObjectStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts: list[str] = []
        self.committed: list[str] = []
        self.aborted: list[str] = []

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = bytes(data)
        self.puts.append(key)

    def append(self, key: str, data: bytes) -> None:
        self.objects[key] = self.objects.get(key, b"") + data

    def get(self, key: str) -> bytes:
        try:
            return self.objects[key]
        except KeyError as exc:
            raise RecordingNotFoundError(key) from exc

    def get_range(self, key: str, start: int, end: int) -> bytes:
        return self.get(key)[start:end]

    def size(self, key: str) -> int:
        return len(self.get(key))

    def exists(self, key: str) -> bool:
        return key in self.objects

    def list_children(self, prefix: str) -> list[str]:
        return sorted({k[len(prefix) :].split("/")[0] for k in self.list(prefix)})

    def list(self, prefix: str) -> list[str]:
        return sorted(k for k in self.objects if k.startswith(prefix))

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def open_write(self, key: str) -> ObjectWriter:
        return _Upload(self, key)

    def open_read(self, key: str) -> BinaryIO:
        return io.BufferedReader(_Body(self.get(key)))
