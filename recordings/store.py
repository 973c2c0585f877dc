"""Where recordings live: a small key/bytes :class:`RecordingStore` protocol and a local directory.

Keys are ``/``-separated relative paths (``hearing-7/tracks/participant-3/00000001.flac``).

Durability contract (what the journal relies on):

- :meth:`RecordingStore.put` is atomic and durable when it returns: a reader sees either the old
  object or the whole new one, never a part, and after a crash (power loss, ``kill -9``) the new
  object is there. :class:`LocalDirStore` writes a temporary file, flushes and ``os.fsync``s it,
  renames it over the key and fsyncs the directory. An object store's PUT gives the same.
- :meth:`RecordingStore.append` adds bytes at the end of an object and is durable when it returns
  (local: ``O_APPEND`` write + ``os.fsync``; the first append of a new file also fsyncs the
  directory). A crash during an append may leave a torn tail; readers must tolerate it (the index
  reader does). An object store without append can implement it as one object per appended record
  (``<key>.d/<n>``) listed in order, or as a compose/rewrite.
- :meth:`RecordingStore.get_range` reads bytes ``[start, end)``; used for playback of parts of
  finalized files (HTTP range requests map to it directly).
- :meth:`RecordingStore.open_write` streams a large object in pieces (a finalized file of hours):
  nothing is visible under the key until :meth:`ObjectWriter.commit`, which is atomic and durable
  like :meth:`~RecordingStore.put`; :meth:`ObjectWriter.abort` leaves the key as it was. Local: a
  temporary file, fsync'd and renamed on commit (the platform's blob writer,
  :mod:`tingshen_platform.blobs`, which also writes ``put``). An object store: a multipart upload
  (parts buffered to the minimum part size, completed on commit, aborted on abort). The writer is
  sequential (no seek), so anything written through it must not need to rewrite its head.
- :meth:`RecordingStore.open_read` reads an object as a stream (local: the file; an object store:
  the body of a GET), so a reader never holds a whole finalized file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from recordings.errors import RecordingError, RecordingNotFoundError
from tingshen_platform.blobs import InvalidBlobKeyError, LocalBlobStore
from tingshen_platform.blobs.local import LocalBlobWriter

__all__ = [
    "LocalDirStore",
    "ObjectWriter",
    "RecordingStore",
    "iter_object",
    "object_sha256",
    "streaming_put",
]

_READ_PIECE = 1 << 18  # 256 KiB: the peak of a streamed read


class ObjectWriter(Protocol):
    """A new object being written in pieces (see the module docstring)."""

    def write(self, data: bytes) -> int:
        """Append ``data`` to the pending object; returns ``len(data)``."""

    def commit(self) -> None:
        """Make the whole object visible under its key, atomically and durably."""

    def abort(self) -> None:
        """Discard the pending object (the key keeps its old object, if any)."""


@runtime_checkable
class RecordingStore(Protocol):
    """Durable key → bytes storage (see the module docstring for the guarantees)."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` atomically and durably (replacing any old object)."""

    def append(self, key: str, data: bytes) -> None:
        """Append ``data`` to ``key`` (creating it) and make it durable before returning."""

    def get(self, key: str) -> bytes:
        """The whole object; :class:`RecordingNotFoundError` if absent."""

    def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of the object (shorter at its end)."""

    def size(self, key: str) -> int:
        """The object's length in bytes; :class:`RecordingNotFoundError` if absent."""

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object."""

    def list_children(self, prefix: str) -> list[str]:
        """The distinct next segments of the keys under ``prefix`` ('' or ending in '/'), sorted.

        An object store's delimiter listing (S3: ``Delimiter='/'``, its ``CommonPrefixes``):
        the tracks of a hearing without listing every chunk of every track.
        """

    def list(self, prefix: str) -> list[str]:
        """All keys starting with ``prefix``, sorted."""

    def delete(self, key: str) -> None:
        """Remove ``key``; no error if absent."""

    def open_write(self, key: str) -> ObjectWriter:
        """Start writing a new object for ``key`` in pieces (visible on ``commit``)."""

    def open_read(self, key: str) -> BinaryIO:
        """The object as a readable stream (close it); :class:`RecordingNotFoundError` if absent."""


@contextlib.contextmanager
def streaming_put(store: RecordingStore, key: str) -> Iterator[ObjectWriter]:
    """Write ``key`` in pieces: committed if the block ends normally, aborted if it raises."""
    writer = store.open_write(key)
    try:
        yield writer
    except BaseException:
        writer.abort()
        raise
    writer.commit()


def iter_object(store: RecordingStore, key: str, piece_bytes: int = _READ_PIECE) -> Iterator[bytes]:
    """The object's bytes in pieces of at most ``piece_bytes`` (for hashing, copying, serving)."""
    with store.open_read(key) as f:
        while piece := f.read(piece_bytes):
            yield piece


def object_sha256(store: RecordingStore, key: str) -> str:
    """SHA-256 (hex) of the object, read as a stream."""
    h = hashlib.sha256()
    for piece in iter_object(store, key):
        h.update(piece)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _LocalWriter:
    """The platform's blob writer (a temporary file beside the key, fsync'd and renamed over it
    on commit) seen as an :class:`ObjectWriter`."""

    def __init__(self, key: str, path: Path) -> None:
        self._path = path
        try:
            self._writer: LocalBlobWriter | None = LocalBlobWriter(key, path)
        except InvalidBlobKeyError as exc:
            raise RecordingError(str(exc)) from exc

    def write(self, data: bytes) -> int:
        if self._writer is None:
            raise RecordingError(f"writing {self._path} after commit or abort")
        return self._writer.write(data)

    def commit(self) -> None:
        if self._writer is None:
            raise RecordingError(f"{self._path} already committed or aborted")
        writer, self._writer = self._writer, None
        writer.commit()

    def abort(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.abort()


class LocalDirStore:
    """A :class:`RecordingStore` over a local directory (under the server's data dir)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._blobs = LocalBlobStore(self.root)

    def __repr__(self) -> str:
        return f"LocalDirStore({str(self.root)!r})"

    def path(self, key: str) -> Path:
        """The local file behind ``key`` (for playback by path, e.g. :func:`extract_range`)."""
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") for p in parts) or key.startswith("/"):
            raise RecordingError(f"invalid store key {key!r}")
        return self.root.joinpath(*parts)

    def _make_parent(self, p: Path) -> None:
        if p.parent.is_dir():
            return
        missing = [d for d in [p.parent, *p.parent.parents] if not d.exists()]
        p.parent.mkdir(parents=True, exist_ok=True)
        # Make the new directories' entries durable too (deepest first, then their parents).
        for d in missing:
            _fsync_dir(d.parent)

    def put(self, key: str, data: bytes) -> None:
        """Atomic and durable: the platform's blob store writes it (one implementation of the
        temporary file, fsync, rename and directory fsync for every kind of file)."""
        self.path(key)
        try:
            self._blobs.put(key, data)
        except InvalidBlobKeyError as exc:
            raise RecordingError(str(exc)) from exc

    def append(self, key: str, data: bytes) -> None:
        p = self.path(key)
        self._make_parent(p)
        created = not p.exists()
        fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(p.parent)

    def open_write(self, key: str) -> ObjectWriter:
        return _LocalWriter(key, self.path(key))

    def open_read(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise RecordingNotFoundError(f"no object {key!r} in {self!r}") from exc

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise RecordingNotFoundError(f"no object {key!r} in {self!r}") from exc

    def get_range(self, key: str, start: int, end: int) -> bytes:
        if start < 0 or end < start:
            raise RecordingError(f"invalid range [{start}, {end}) of {key!r}")
        try:
            with open(self.path(key), "rb") as f:
                f.seek(start)
                return f.read(end - start)
        except FileNotFoundError as exc:
            raise RecordingNotFoundError(f"no object {key!r} in {self!r}") from exc

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError as exc:
            raise RecordingNotFoundError(f"no object {key!r} in {self!r}") from exc

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def list_children(self, prefix: str) -> list[str]:
        if prefix and not prefix.endswith("/"):
            raise RecordingError(f"list_children needs '' or a prefix ending in '/': {prefix!r}")
        start = self.path(prefix.rstrip("/")) if prefix else self.root
        try:
            with os.scandir(start) as entries:
                return sorted(e.name for e in entries if not e.name.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return []

    def list(self, prefix: str) -> list[str]:
        keys: list[str] = []
        base_dir = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.path(base_dir) if base_dir else self.root
        for dirpath, _dirs, files in os.walk(start):
            for name in files:
                if name.startswith("."):
                    continue  # temporary files of an interrupted put
                rel = Path(dirpath, name).relative_to(self.root).as_posix()
                if rel.startswith(prefix):
                    keys.append(rel)
        return sorted(keys)

    def delete(self, key: str) -> None:
        p = self.path(key)
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
        # Remove directories left empty, up to the root.
        for d in p.parents:
            if d == self.root or not d.is_relative_to(self.root):
                break
            try:
                d.rmdir()
            except OSError:
                break
