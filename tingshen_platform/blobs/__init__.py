"""Blobs: recordings, signed PDFs and documents behind one contract
(:mod:`tingshen_platform.blobs.api`: atomic ``put``, streaming ``open_writer``, validated keys),
stored as files by :class:`LocalBlobStore` (the default)."""

from tingshen_platform.blobs.api import (
    BlobError,
    BlobInfo,
    BlobNotFoundError,
    BlobSource,
    BlobStore,
    BlobWriter,
    InvalidBlobKeyError,
    validate_key,
)
from tingshen_platform.blobs.local import LocalBlobStore, LocalBlobWriter

__all__ = [
    "BlobError",
    "BlobInfo",
    "BlobNotFoundError",
    "BlobSource",
    "BlobStore",
    "BlobWriter",
    "InvalidBlobKeyError",
    "LocalBlobStore",
    "LocalBlobWriter",
    "validate_key",
]
