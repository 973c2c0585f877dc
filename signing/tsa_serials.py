"""Serial numbers of the timestamp authority: unique for the TSA's lifetime, persisted first.

RFC 3161 requires every token's serial number to be unique. :class:`FileSerialSource` persists
the counter (fsync'd, locked across threads and processes) *before* the token leaves, so a crash
can skip numbers but never repeat one. :class:`MemorySerialSource` is for tests.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path
from typing import Protocol

from signing.errors import TimestampAuthorityError


class SerialSource(Protocol):
    """Hands out TSA serial numbers, each at most once, ever."""

    def next_serial(self) -> int: ...


class MemorySerialSource:
    """A counter in memory (tests; a TSA that lives as long as its process only)."""

    def __init__(self, start: int = 1) -> None:
        self._next = start
        self._lock = threading.Lock()

    def next_serial(self) -> int:
        with self._lock:
            value, self._next = self._next, self._next + 1
            return value


class FileSerialSource:
    """A counter in a file, advanced under an exclusive ``flock`` on ``<file>.lock``.

    The new value is written to a temporary file, fsync'd and renamed over the old one (then the
    directory is fsync'd), so a crash leaves either the old or the new number, never an empty
    file that would restart the count. A missing file starts at 1; an unreadable one is an error.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def next_serial(self) -> int:
        with self._lock:
            lock_fd = os.open(self._path.with_name(self._path.name + ".lock"), _CREATE, 0o600)
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX)
                value = self._read() + 1
                temporary = self._path.with_name(self._path.name + ".tmp")
                fd = os.open(temporary, _CREATE | os.O_TRUNC, 0o600)
                try:
                    os.write(fd, f"{value}\n".encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(temporary, self._path)
                dir_fd = os.open(self._path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
                return value
            finally:
                os.close(lock_fd)  # also releases the flock

    def _read(self) -> int:
        try:
            raw = self._path.read_text()
        except FileNotFoundError:
            return 0
        try:
            return int(raw.strip())
        except ValueError:
            raise TimestampAuthorityError(f"corrupt serial file {self._path}") from None


_CREATE = os.O_RDWR | os.O_CREAT
