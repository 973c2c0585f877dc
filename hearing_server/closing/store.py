"""The document store of the closing workflow: frozen transcripts, PDF revisions, case files.

Why files and not the database: a signed transcript grows by one incremental revision per
signature (hundreds of KB each) and is the evidence itself; it belongs with the recordings on
disk, while the database says which file is current (``TranscriptClosure.revision`` and its
SHA-256). Every file is written once, atomically, through the platform's blob store (one
contract for recordings, signed PDFs and later documents), *before* the database row that names
it is committed: a crash can leave a file the
database does not know, never a row without its file. :meth:`DocumentStore.discard_after` removes
such orphans at startup. Nothing about keys is ever stored here.

Layout under ``root`` (``<data_dir>/documents``)::

    hearings/<hid>/transcript.json       the frozen transcript (canonical JSON, with gaps)
    hearings/<hid>/rev-<n>.pdf           revision n of the signed document (0: as frozen)
    cases/<case_id>/<name>               files filed with the case
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tingshen_platform.blobs import BlobNotFoundError, BlobStore, LocalBlobStore

_REVISION = re.compile(r"^rev-([0-9]+)\.pdf$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentStore:
    """Keys and atomic writes on the platform's blob store (:mod:`tingshen_platform.blobs`:
    temporary file, fsync, rename, fsync of the directory); the database decides which revision
    is current."""

    def __init__(self, root: Path, blobs: BlobStore | None = None) -> None:
        self.root = root
        self.blobs: BlobStore = blobs if blobs is not None else LocalBlobStore(root)

    @staticmethod
    def _hearing(hearing_id: int) -> str:
        return f"hearings/{int(hearing_id)}"

    # ------------------------------------------------------------------ transcript + revisions
    def write_transcript(self, hearing_id: int, canonical_json: bytes) -> None:
        self.blobs.put(f"{self._hearing(hearing_id)}/transcript.json", canonical_json)

    def read_transcript(self, hearing_id: int) -> bytes:
        return self._read(f"{self._hearing(hearing_id)}/transcript.json")

    def write_revision(self, hearing_id: int, revision: int, pdf: bytes) -> None:
        self.blobs.put(f"{self._hearing(hearing_id)}/rev-{int(revision)}.pdf", pdf)

    def read_revision(self, hearing_id: int, revision: int) -> bytes:
        return self._read(f"{self._hearing(hearing_id)}/rev-{int(revision)}.pdf")

    def discard_after(self, hearing_id: int, revision: int) -> list[str]:
        """Delete revision files newer than the database's ``revision`` (a crash between the
        file and its row); such a signature was never acknowledged. Returns the removed keys."""
        removed: list[str] = []
        prefix = f"{self._hearing(hearing_id)}/"
        for key in list(self.blobs.keys(prefix)):
            match = _REVISION.match(key[len(prefix) :])
            if match and int(match.group(1)) > revision:
                self.blobs.delete(key)
                removed.append(key)
        return removed

    # ------------------------------------------------------------------ case files
    def write_case_file(self, case_id: int, name: str, data: bytes) -> str:
        """Store a case file; returns its key (for the database)."""
        if not _SAFE_NAME.match(name):
            raise ValueError(f"unsafe stored file name {name!r}")
        key = f"cases/{int(case_id)}/{name}"
        self.blobs.put(key, data)
        return key

    def read_case_file(self, relative: str) -> bytes:
        return self._read(relative)

    def _read(self, key: str) -> bytes:
        try:
            return self.blobs.get(key)
        except BlobNotFoundError as exc:
            raise FileNotFoundError(key) from exc
