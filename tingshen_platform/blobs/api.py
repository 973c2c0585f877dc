"""The blob-store contract (one interface, one module per implementation, as pyHanko's timestamp
clients): recordings, signed PDFs and later the dossier's documents are stored through it.

- A **key** is a relative, ``/``-separated name: at most :data:`MAX_KEY_CHARS` characters; each
  part 1–:data:`MAX_PART_CHARS` of ``A–Z a–z 0–9 . _ -``, not starting with a dot (so no ``.``,
  ``..`` or hidden names); no leading, trailing or doubled ``/``, no backslash. Anything else
  raises :class:`InvalidBlobKeyError` before any I/O. A key is either a blob or a prefix of
  others, not both (``a`` and ``a/b`` cannot both exist).
- ``put`` is **atomic**: a reader sees the old blob or the new one, never a part; a writer that
  fails (or a process that dies) leaves nothing under the key. ``put`` replaces an existing blob.
- ``open_writer`` streams a blob of unknown length (a recording being finalised); the blob
  appears under its key when the block ends without an exception, in full.
- A missing blob raises :class:`BlobNotFoundError`; ``delete`` of a missing one returns False.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import BinaryIO, Protocol, runtime_checkable

__all__ = [
    "MAX_KEY_CHARS",
    "MAX_PART_CHARS",
    "BlobError",
    "BlobInfo",
    "BlobNotFoundError",
    "BlobSource",
    "BlobStore",
    "BlobWriter",
    "InvalidBlobKeyError",
    "Readable",
    "validate_key",
]

MAX_KEY_CHARS = 512
MAX_PART_CHARS = 128
_PART = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


class BlobError(Exception):
    """Base of the blob store's errors."""


class InvalidBlobKeyError(BlobError, ValueError):
    """The key is not a valid blob key (see the module docstring)."""


class BlobNotFoundError(BlobError, LookupError):
    """No blob under this key."""


@dataclass(frozen=True, slots=True)
class BlobInfo:
    key: str
    size: int
    """Bytes."""
    sha256: str
    """Hex digest of the content."""


@runtime_checkable
class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


BlobSource = bytes | bytearray | memoryview | Readable | Iterable[bytes]
"""What ``put`` takes: the content, a binary file to read to its end, or chunks."""


def validate_key(key: str) -> str:
    """``key`` if it is a valid blob key, else :class:`InvalidBlobKeyError`."""
    if not key:
        raise InvalidBlobKeyError("a blob key must not be empty")
    if len(key) > MAX_KEY_CHARS:
        raise InvalidBlobKeyError(f"a blob key has at most {MAX_KEY_CHARS} characters")
    for part in key.split("/"):
        if len(part) > MAX_PART_CHARS or _PART.fullmatch(part) is None:
            raise InvalidBlobKeyError(f"invalid blob key {key!r}")
    return key


class BlobWriter(Protocol):
    """A blob being written (see ``BlobStore.open_writer``)."""

    def write(self, data: bytes | bytearray | memoryview, /) -> int: ...

    @property
    def size(self) -> int:
        """Bytes written so far."""
        ...

    @property
    def info(self) -> BlobInfo | None:
        """The stored blob once the writer has committed; None before."""
        ...


class BlobStore(Protocol):
    def put(self, key: str, data: BlobSource) -> BlobInfo:
        """Store ``data`` under ``key`` atomically (replacing what was there)."""
        ...

    def open_writer(self, key: str) -> AbstractContextManager[BlobWriter]:
        """Stream a blob: it appears under ``key`` when the block ends without an exception."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The blob's content as a binary file (the caller closes it)."""
        ...

    def get(self, key: str) -> bytes: ...

    def info(self, key: str) -> BlobInfo: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> bool:
        """Remove the blob; False when there was none."""
        ...

    def keys(self, prefix: str = "") -> Iterator[str]:
        """The keys starting with ``prefix`` (a plain string prefix), in sorted order."""
        ...
