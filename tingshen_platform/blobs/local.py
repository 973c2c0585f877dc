"""``LocalBlobStore``: blobs as files under one root directory (the default, and the only store
a single court server needs; an object store is another module with the same contract).

A blob ``a/b/c.pdf`` is the file ``root/a/b/c.pdf``. Writing goes to a temporary file in the
blob's own directory (``.tmp-…``, a name no key can have), which is flushed and fsync'd, moved
over the key with ``os.replace`` (atomic on POSIX) and made durable by fsync'ing the directory;
directories created for it are fsync'd into their parents too. A process that dies while
writing leaves only a temporary file: :meth:`LocalBlobStore.remove_stale_temp` clears them.
``info`` reads the blob to hash it (no digest is kept beside it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from tingshen_platform.blobs.api import (
    BlobInfo,
    BlobNotFoundError,
    BlobSource,
    InvalidBlobKeyError,
    Readable,
    validate_key,
)

__all__ = ["LocalBlobStore", "LocalBlobWriter"]

_CHUNK = 1 << 20
_TEMP_PREFIX = ".tmp-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobWriter:
    """Writes one blob through a temporary file; :meth:`commit` moves it under the key."""

    def __init__(self, key: str, path: Path) -> None:
        self.key = key
        self._path = path
        self._temp: Path | None = None
        self._digest = hashlib.sha256()
        self._size = 0
        self._info: BlobInfo | None = None
        try:
            _make_dirs(path.parent)
            fd, temp = _mkstemp(path.parent)
        except (NotADirectoryError, FileExistsError) as exc:
            raise InvalidBlobKeyError(f"{key!r}: a part of it is a blob") from exc
        self._temp = Path(temp)
        self._file: BinaryIO = os.fdopen(fd, "wb")

    @property
    def size(self) -> int:
        return self._size

    @property
    def info(self) -> BlobInfo | None:
        return self._info

    def write(self, data: bytes | bytearray | memoryview, /) -> int:
        if self._info is not None:
            raise ValueError("this blob is already committed")
        written = self._file.write(data)
        self._digest.update(data)
        self._size += written
        return written

    def sync(self) -> None:
        """Make what was written so far durable in the temporary file (not yet under the key)."""
        self._file.flush()
        os.fsync(self._file.fileno())

    def commit(self) -> BlobInfo:
        assert self._temp is not None
        self.sync()
        self._file.close()
        try:
            os.replace(self._temp, self._path)
        except IsADirectoryError as exc:
            self.abort()
            raise InvalidBlobKeyError(f"{self.key!r} is a prefix of other blobs") from exc
        self._temp = None
        _fsync_dir(self._path.parent)
        self._info = BlobInfo(self.key, self._size, self._digest.hexdigest())
        return self._info

    def abort(self) -> None:
        """Drop what was written; nothing appears under the key."""
        self._file.close()
        if self._temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self._temp.unlink()
            self._temp = None


def _mkstemp(directory: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=directory)


def _make_dirs(directory: Path) -> None:
    """Create ``directory`` and missing parents, each fsync'd into its parent."""
    if directory.is_dir():
        return
    _make_dirs(directory.parent)
    try:
        directory.mkdir()
    except FileExistsError:
        if not directory.is_dir():
            raise
        return
    _fsync_dir(directory.parent)


class LocalBlobStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def put(self, key: str, data: BlobSource) -> BlobInfo:
        with self.open_writer(key) as writer:
            for chunk in _chunks(data):
                writer.write(chunk)
        info = writer.info
        assert info is not None
        return info

    @contextlib.contextmanager
    def open_writer(self, key: str) -> Iterator[LocalBlobWriter]:
        writer = LocalBlobWriter(key, self._path(key))
        try:
            yield writer
        except BaseException:
            writer.abort()
            raise
        writer.commit()

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise BlobNotFoundError(key) from exc

    def get(self, key: str) -> bytes:
        with self.open(key) as file:
            return file.read()

    def info(self, key: str) -> BlobInfo:
        digest = hashlib.sha256()
        size = 0
        with self.open(key) as file:
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return BlobInfo(key, size, digest.hexdigest())

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return False
        _fsync_dir(path.parent)
        return True

    def keys(self, prefix: str = "") -> Iterator[str]:
        directory, _, _ = prefix.rpartition("/")
        base = self._path(directory) if directory else self.root
        if not base.is_dir():
            return
        found: list[str] = []
        for parent, dirs, files in os.walk(base):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            relative = Path(parent).relative_to(self.root).as_posix()
            for name in files:
                if name.startswith("."):
                    continue
                key = name if relative == "." else f"{relative}/{name}"
                if key.startswith(prefix):
                    found.append(key)
        yield from sorted(found)

    def remove_stale_temp(self, older_than_seconds: float) -> int:
        """Remove temporary files left by writers that died, untouched for that long; returns
        how many went. Run it while no writer is that slow (at start-up, or with a margin)."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than_seconds
        removed = 0
        for path in self.root.rglob(f"{_TEMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed


def _chunks(data: BlobSource) -> Iterable[bytes | bytearray | memoryview]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield data
    elif isinstance(data, Readable):
        while chunk := data.read(_CHUNK):
            yield chunk
    else:
        yield from data
